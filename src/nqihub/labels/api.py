"""标识标签 routes, mounted under /api/v1."""

from ninja import Router

router = Router(tags=["标识标签"])
