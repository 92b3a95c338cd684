"""质量合作社 routes, mounted under /api/v1."""

from ninja import Router

router = Router(tags=["质量合作社"])
