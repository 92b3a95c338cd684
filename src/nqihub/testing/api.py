"""检验检测 routes, mounted under /api/v1."""

from ninja import Router

router = Router(tags=["检验检测"])
