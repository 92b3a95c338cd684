"""标识标签 routes, mounted under /api/v1.

``POST /api/v1/labels/check`` — a pure check, open to anyone: with a bearer token no limit, without one at most
``LABELS_ANONYMOUS_RATE`` (30) checks a minute per IP address (then 429). ``GET /api/v1/labels/categories``
lists the rule packs and their field keys.
"""

from typing import Any

from ninja import Field, Router, Schema

from nqihub.accounts.api import BearerAuth
from nqihub.core.api import OPTIONAL_TOKEN, ErrorOut, ValidationErrorOut

from . import services
from .packs import packs

router = Router(tags=["标识标签"])


def _anonymous(request):
    return True


OPEN = [BearerAuth(), _anonymous]


class CheckIn(Schema):
    category: str = Field(
        ...,
        max_length=40,
        description="标签类别：textile（纺织品、服装和家纺）或 prepackaged_food（预包装食品）",
    )
    fields: dict[str, Any] | None = Field(None, description="逐项填写的字段，键见 GET /labels/categories")
    text: str | None = Field(
        None,
        description="粘贴的标签文字（最多 20000 字）；同时给出 fields 时以 fields 为准",
        max_length=20000,
    )
    complete: bool = Field(
        True,
        description="true：完整标签（缺项报错）；false：标签的一部分（只检查已有内容，不报缺项）",
    )


class FindingOut(Schema):
    field: str
    severity: str = Field(..., description="error 或 warning")
    code: str
    message: str
    source: str = Field(..., description="依据的标准")
    fix: str


class CheckOut(Schema):
    category: str
    rule_pack_version: str
    edition: str = Field("", description="所依据的标准版本（按生产日期或当日实施的版本）")
    complete: bool
    errors: int
    warnings: int
    findings: list[FindingOut]
    fields: dict[str, Any] = Field(..., description="检查所用的字段（从 text 读出的与 fields 合并）")
    extracted: dict[str, Any] | None = Field(None, description="从 text 读出的字段（仅在提供 text 时）")


class FieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool


class CategoryOut(Schema):
    category: str
    title: str
    version: str
    sources: list[dict[str, str]]
    fields: list[FieldOut]


@router.post(
    "/labels/check",
    auth=OPEN,
    openapi_extra=OPTIONAL_TOKEN,
    response={200: CheckOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Check a label: every missing or invalid item with its source standard and fix",
)
def check(request, payload: CheckIn):
    services.throttle(request)
    result = services.run_check(
        category=payload.category, fields=payload.fields, text=payload.text, complete=payload.complete
    )
    return {
        "category": result.category,
        "rule_pack_version": result.version,
        "edition": result.edition,
        "complete": result.complete,
        "errors": result.errors,
        "warnings": result.warnings,
        "findings": result.findings,
        "fields": result.fields,
        "extracted": result.extracted,
    }


@router.get(
    "/labels/categories",
    auth=None,
    response=list[CategoryOut],
    summary="Label categories and their field keys",
)
def categories(request):
    return [
        {
            "category": key,
            "title": p["title"],
            "version": p["version"],
            "sources": p["sources"],
            "fields": [
                {"key": f["key"], "label": f["label"], "type": f["type"], "required": not f.get("optional")}
                for f in p["fields"]
                if not f.get("hidden")
            ],
        }
        for key, p in packs().items()
    ]
