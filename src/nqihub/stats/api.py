"""统计与报表 routes, mounted under /api/v1."""

from ninja import Router

router = Router(tags=["统计与报表"])
