"""Reference data routes: regions (GB/T 2260) and industries (GB/T 4754-2017)."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from nqihub.core.errors import ValidationFailed

from .models import Industry, Region
from .regions import is_code

router = Router(tags=["reference"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class IndustryOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    description: str


class RegionFilter(Schema):
    parent: str | None = None


def _region(r: Region) -> dict:
    return {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_id}


@router.get("/regions", response=list[RegionOut], summary="Children of a region (provinces without parent)")
def list_regions(request, filters: Query[RegionFilter]):
    if filters.parent:
        if not is_code(filters.parent):
            raise ValidationFailed({"parent": "行政区划代码应为6位数字"})
        get_object_or_404(Region, code=filters.parent)
        qs = Region.objects.filter(parent_id=filters.parent)
    else:
        qs = Region.objects.filter(level=Region.Level.PROVINCE)
    return [_region(r) for r in qs.order_by("code")]


@router.get("/regions/{code}", response=RegionOut)
def get_region(request, code: str):
    if not is_code(code):
        raise ValidationFailed({"code": "行政区划代码应为6位数字"})
    return _region(get_object_or_404(Region, code=code))


@router.get("/industries/{code}", response=IndustryOut)
def get_industry(request, code: str):
    ind = get_object_or_404(Industry, code=code.strip().upper())
    return {
        "code": ind.code,
        "name": ind.name,
        "level": ind.level,
        "parent_code": ind.parent_id,
        "description": ind.description,
    }
