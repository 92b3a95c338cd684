"""Reference data routes (regions GB/T 2260, industries GB/T 4754-2017) and the pieces every router shares:
the error schemas and the one pagination style of the API."""

import re

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination

from .bounds import Code, PageNumber
from .errors import ValidationFailed
from .models import Industry, Region
from .regions import is_code

router = Router(tags=["reference"])

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class Pages(PageNumberPagination):
    """``?page=1&page_size=25`` (at most 100) → ``{"items": [...], "count": N}``. A page size above the
    maximum is an error (422, field ``page_size``), not silently shortened."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数（1–100）")

    def __init__(self, **kwargs):
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


def page_of(qs, page: int, page_size: int, item=None) -> dict:
    """``{"items": [...], "count": N}``: page ``page`` (from 1) of ``qs``, each row through ``item`` if given
    — the shape of ``Pages`` for a route that takes its page parameters itself."""
    start = (page - 1) * page_size
    rows = qs[start : start + page_size]
    return {"items": [item(r) for r in rows] if item else list(rows), "count": qs.count()}


def attrs(obj, *names: str, **extra) -> dict:
    """``{name: obj.name}`` for each of ``names``, then ``extra``: a route's output built from a record."""
    return {**{name: getattr(obj, name) for name in names}, **extra}


# --- error bodies (documented in OpenAPI; produced by the handlers in nqihub/api.py) -------------------


class FieldErrorOut(Schema):
    field: str = Field(..., description="出错的输入项，如 uscc、region、body")
    message: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]


class ErrorOut(Schema):
    detail: str
    field: str | None = None


#: OpenAPI ``openapi_extra`` of a route where a token is optional: ninja lists the bearer scheme, ``{}`` adds
#: "or none".
OPTIONAL_TOKEN = {"security": [{}]}

#: Responses every authenticated route can give besides its success.
READ_ERRORS = {401: ErrorOut, 422: ValidationErrorOut}
DETAIL_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
#: Responses of a route that changes a record: refused (403), missing (404), not in this state (409), bad input.
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


# --- regions and industries --------------------------------------------------------------------------


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
    parent: str | None = Field(None, description="上级区划代码；不填则列出省级", max_length=16)


class IndustryFilter(Schema):
    parent: str | None = Field(None, description="上级行业代码；不填则列出门类", max_length=16)


_INDUSTRY_CODE = re.compile(r"^(?:[A-T]|\d{2,4})$")


def region_code_error(code: str) -> str:
    return _("行政区划代码应为6位数字（GB/T 2260），收到“%(code)s”。") % {"code": code}


def industry_code_error(code: str) -> str:
    return _("行业代码应为 GB/T 4754-2017 的门类字母（A–T）或2–4位数字，收到“%(code)s”。") % {"code": code}


def clean_industry_code(code: str) -> str:
    return (code or "").strip().upper()


def is_industry_code(code: str) -> bool:
    return bool(_INDUSTRY_CODE.match(code))


def _region(r: Region) -> dict:
    return {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_id}


def _industry(i: Industry) -> dict:
    return {
        "code": i.code,
        "name": i.name,
        "level": i.level,
        "parent_code": i.parent_id,
        "description": i.description,
    }


@router.get(
    "/regions",
    response={200: list[RegionOut], **READ_ERRORS},
    summary="Children of a region (the provinces without parent)",
)
def list_regions(request, filters: Query[RegionFilter]):
    if filters.parent is not None:
        parent = filters.parent.strip()
        if not is_code(parent):
            raise ValidationFailed({"parent": region_code_error(parent)})
        if not Region.objects.filter(code=parent).exists():
            raise ValidationFailed({"parent": _("行政区划代码“%(code)s”不存在。") % {"code": parent}})
        qs = Region.objects.filter(parent_id=parent)
    else:
        qs = Region.objects.filter(level=Region.Level.PROVINCE)
    return [_region(r) for r in qs.order_by("code")]


@router.get("/regions/{code}", response={200: RegionOut, **DETAIL_ERRORS}, summary="One region")
def get_region(request, code: Code):
    code = code.strip()
    if not is_code(code):
        raise ValidationFailed({"code": region_code_error(code)})
    return _region(get_object_or_404(Region, code=code))


@router.get(
    "/industries",
    response={200: list[IndustryOut], **READ_ERRORS},
    summary="Children of an industry (the sections without parent)",
)
def list_industries(request, filters: Query[IndustryFilter]):
    if filters.parent is not None:
        parent = clean_industry_code(filters.parent)
        if not is_industry_code(parent):
            raise ValidationFailed({"parent": industry_code_error(parent)})
        if not Industry.objects.filter(code=parent).exists():
            raise ValidationFailed(
                {"parent": _("行业代码“%(code)s”不在 GB/T 4754-2017 中。") % {"code": parent}}
            )
        qs = Industry.objects.filter(parent_id=parent)
    else:
        qs = Industry.objects.filter(level=Industry.Level.SECTION)
    return [_industry(i) for i in qs.order_by("code")]


@router.get("/industries/{code}", response={200: IndustryOut, **DETAIL_ERRORS}, summary="One industry")
def get_industry(request, code: Code):
    code = clean_industry_code(code)
    if not is_industry_code(code):
        raise ValidationFailed({"code": industry_code_error(code)})
    return _industry(get_object_or_404(Industry, code=code))
