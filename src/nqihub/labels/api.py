"""标识标签 routes, mounted under /api/v1.

``POST /api/v1/labels/check`` — a pure check, open to anyone: with a bearer token no limit, without one at most
``LABELS_ANONYMOUS_RATE`` (30) checks a minute per IP address (then 429). ``GET /api/v1/labels/categories``
lists the rule packs and their field keys.
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from nqihub.accounts.api import BearerAuth
from nqihub.core.api import OPTIONAL_TOKEN, ErrorOut, ValidationErrorOut
from nqihub.core.errors import NotFound, ValidationFailed
from nqihub.core.jsonbody import BodyError, JsonBodyParser

from . import photo_jobs, services
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


class BoxedFindingOut(FindingOut):
    boxes: list[list[int]] = Field(
        ..., max_length=500, description="该项所在文字行的框 [x0, y0, x1, y1]（照片坐标）"
    )


class LineOut(Schema):
    text: str
    score: float
    box: list[int] = Field(..., description="[x0, y0, x1, y1]，照片坐标（已按 EXIF 方向转正）")


class ImageSizeOut(Schema):
    width: int
    height: int


class PhotoCheckOut(Schema):
    category: str
    rule_pack_version: str
    edition: str = ""
    complete: bool
    errors: int
    warnings: int
    findings: list[BoxedFindingOut]
    fields: dict[str, Any]
    extracted: dict[str, Any] | None = None
    text: str = Field(..., description="从照片读出的文字（按阅读顺序）；可改正后以 text 重新检查")
    image: ImageSizeOut
    lines: list[LineOut]
    field_boxes: dict[str, list[list[int]]] = Field(..., description="每个读出的字段所在文字行的框")


class PhotoJobOut(Schema):
    job_id: UUID
    state: str = Field(..., description="queued、running、done 或 failed")
    result: PhotoCheckOut | None = None
    field: str | None = None
    message: str | None = None


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


MAX_PHOTO_BYTES = 10 * 1024 * 1024
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}

_PHOTO_FORM = {
    "type": "object",
    "required": ["category", "image"],
    "properties": {
        "category": {"type": "string", "maxLength": 40, "description": "textile 或 prepackaged_food"},
        "image": {
            "type": "string",
            "format": "binary",
            "description": "标签照片：JPEG、PNG、WebP 或 HEIC，不超过 10 MB（按内容识别格式）",
        },
        "complete": {"type": "boolean", "default": True, "description": "完整标签（true）或标签的一部分"},
    },
}

CHECK_OPENAPI = {
    **OPTIONAL_TOKEN,
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": CheckIn.model_json_schema()},
            "multipart/form-data": {"schema": _PHOTO_FORM},
        },
    },
}


def _sniff_image(data: bytes) -> str | None:
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heic"
    return None


def _json_payload(request) -> CheckIn:
    try:
        data = JsonBodyParser().parse_body(request)
    except BodyError as exc:
        raise HttpError(400, exc.message) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpError(400, "invalid JSON") from exc
    try:
        return CheckIn.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


def _photo_form(request) -> tuple[bytes, str, bool]:
    errors = {}
    category = request.POST.get("category", "")
    if not category:
        errors["category"] = _("必填。")
    elif len(category) > 40:
        errors["category"] = _("不能超过 %(max_length)s 个字符。") % {"max_length": 40}
    raw_complete = request.POST.get("complete", "true").strip().lower()
    if raw_complete in ("true", "1", "on", "yes", ""):
        complete = True
    elif raw_complete in ("false", "0", "off", "no"):
        complete = False
    else:
        errors["complete"] = _("complete 应为 true 或 false。")
        complete = True
    upload = request.FILES.get("image")
    data = b""
    if upload is None:
        errors["image"] = _("请上传标签照片（image）。")
    elif upload.size > MAX_PHOTO_BYTES:
        errors["image"] = _("照片不能超过 10 MB，请压缩后再上传。")
    else:
        data = upload.read()
        if not data:
            errors["image"] = _("照片是空文件。")
        elif _sniff_image(data) is None:
            errors["image"] = _("只接受 JPEG、PNG、WebP 或 HEIC 格式的照片。")
    if errors:
        raise ValidationFailed(errors)
    return data, category, complete


def _eager() -> bool:
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True)) or not getattr(
        settings, "CELERY_BROKER_URL", ""
    )


@router.post(
    "/labels/check",
    auth=OPEN,
    openapi_extra=CHECK_OPENAPI,
    response={200: CheckOut | PhotoCheckOut, 202: PhotoJobOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Check a label (JSON text/fields, or a photo as multipart/form-data): every missing or invalid "
    "item with its source standard and fix",
)
def check(request):
    """JSON (``CheckIn``): the text path. ``multipart/form-data`` with ``category``, ``image`` (≤ 10 MB,
    JPEG/PNG/WebP/HEIC by content) and optional ``complete``: the photo is read on this server (OCR) and
    checked; 200 with the answer plus ``text``, ``lines`` and boxes per field and finding when jobs run
    inline, 202 with a ``job_id`` to poll at ``GET /labels/photo-jobs/{job_id}`` when a broker is
    configured."""
    services.throttle(request)
    if request.content_type == "multipart/form-data":
        data, category, complete = _photo_form(request)
        if _eager():
            from .photo import check_photo

            return Status(200, check_photo(data, category, complete=complete))
        from .packs import UnknownCategory, pack

        try:
            pack(category)
        except UnknownCategory as exc:
            raise ValidationFailed({"category": str(exc)}) from exc
        job_id = photo_jobs.submit(request, data, category, complete)
        return Status(202, {"job_id": job_id, "state": "queued"})
    payload = _json_payload(request)
    result = services.run_check(
        category=payload.category, fields=payload.fields, text=payload.text, complete=payload.complete
    )
    return Status(
        200,
        {
            "category": result.category,
            "rule_pack_version": result.version,
            "edition": result.edition,
            "complete": result.complete,
            "errors": result.errors,
            "warnings": result.warnings,
            "findings": result.findings,
            "fields": result.fields,
            "extracted": result.extracted,
        },
    )


@router.get(
    "/labels/photo-jobs/{job_id}",
    auth=OPEN,
    openapi_extra=OPTIONAL_TOKEN,
    response={200: PhotoJobOut, 404: ErrorOut},
    summary="State of a label photo check running in the worker (only for the client that sent it)",
)
def photo_job(request, job_id: UUID):
    state = photo_jobs.get(str(job_id))
    if state is None or state.get("owner") != photo_jobs.owner_of(request):
        raise NotFound(_("未找到，或不在您的可见范围内。"))
    return {
        "job_id": job_id,
        "state": state["state"],
        "result": state.get("result"),
        "field": state.get("field"),
        "message": state.get("message"),
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
