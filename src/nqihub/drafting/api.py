"""Enterprise-standard drafting routes, mounted under /api/v1 (issue 20). Thin: reads through ``selectors``
(outside scope → 404), writes through ``services`` (bad input → 422 naming the field, refused transition or
declaration → 409 with the reason, not allowed → 403). Every write returns the draft with its ``findings``
(the label checker's shape: field, severity, code, message, source, fix).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from nqihub.core.api import (
    DETAIL_ERRORS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    READ_ERRORS,
    WRITE_ERRORS,
    page_of,
)
from nqihub.core.bounds import INT_MAX, Id, PageNumber, StandardCode
from nqihub.core.errors import ValidationFailed
from nqihub.core.http import scoped_or_404

from . import diff as diffing
from . import selectors, services, states
from .docx_render import render_docx
from .models import EnterpriseStandard
from .pdf_render import render_pdf
from .validation import DraftData

router = Router(tags=["enterprise standards"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- schemas -------------------------------------------------------------------------------------------


class DraftIndicatorIn(Schema):
    item: str = Field("", max_length=100, examples=["导热系数"])
    requirement: str = Field("", max_length=100, description="要求，按标准写法", examples=["≥1500"])
    unit: str = Field("", max_length=32, examples=["W/(m·K)"])
    method: str = Field(
        "", max_length=120, description="试验方法（方法标准编号）", examples=["GB/T 22588-2008"]
    )
    grade: str = Field("", max_length=32, description="等级/类别（产品标准分等级时填写，如 B）")
    factory: bool = Field(True, description="是否为出厂检验项目（所有项目均为型式检验项目）")


class TermIn(Schema):
    term: str = Field("", max_length=100)
    english: str = Field("", max_length=200)
    definition: str = Field("", max_length=1000)


class AnnexIn(Schema):
    title: str = Field("", max_length=200)
    normative: bool = Field(False, description="规范性附录（否则为资料性）")
    content: str = Field("", max_length=5000)


class DraftIn(Schema):
    enterprise: Id | None = Field(
        None, description="企业 id（企业用户只关联一家企业时可不填；服务站代起草时必填）"
    )
    number: str = Field(
        ..., max_length=120, description="企业标准编号：Q/企业代号 顺序号-年代号（食品按本省规定加 S）"
    )
    title: str = Field(..., max_length=200)
    product: str = Field(..., max_length=200)
    grade: str = Field(
        "",
        max_length=32,
        description="产品等级/类别（产品标准分等级时，如 GB 18401 的 B 类）；指标可另填等级",
    )
    scope: str = Field("", max_length=5000, description="范围（适用对象）")
    references: list[StandardCode] = Field(
        default_factory=list, max_length=200, description="规范性引用文件：标准编号列表"
    )
    terms: list[TermIn] = Field(default_factory=list, max_length=500)
    indicators: list[DraftIndicatorIn] = Field(default_factory=list, max_length=500, description="技术指标表")
    batch_rule: str = Field("", max_length=5000)
    sampling: str = Field("", max_length=5000)
    marking: str = Field("", max_length=5000)
    packaging: str = Field("", max_length=5000)
    transport: str = Field("", max_length=5000)
    storage: str = Field("", max_length=5000)
    annexes: list[AnnexIn] = Field(default_factory=list, max_length=50)
    drafters: str = Field("", max_length=200)
    publish_date: date | None = None
    implement_date: date | None = None
    weaker_statement: str = Field(
        "", max_length=5000, description="低于推荐性标准的指标的说明（自我声明时公开）"
    )


class DraftPatch(Schema):
    number: str | None = Field(None, max_length=120)
    title: str | None = Field(None, max_length=200)
    product: str | None = Field(None, max_length=200)
    grade: str | None = Field(None, max_length=32)
    scope: str | None = Field(None, max_length=5000)
    references: list[StandardCode] | None = Field(None, max_length=200)
    terms: list[TermIn] | None = Field(None, max_length=500)
    indicators: list[DraftIndicatorIn] | None = Field(None, max_length=500)
    batch_rule: str | None = Field(None, max_length=5000)
    sampling: str | None = Field(None, max_length=5000)
    marking: str | None = Field(None, max_length=5000)
    packaging: str | None = Field(None, max_length=5000)
    transport: str | None = Field(None, max_length=5000)
    storage: str | None = Field(None, max_length=5000)
    annexes: list[AnnexIn] | None = Field(None, max_length=50)
    drafters: str | None = Field(None, max_length=200)
    publish_date: date | None = None
    implement_date: date | None = None
    weaker_statement: str | None = Field(None, max_length=5000)


class DraftFindingOut(Schema):
    field: str
    severity: str = Field(..., description="error 或 warning")
    code: str
    message: str
    source: str
    fix: str


class ReferenceOut(Schema):
    number: str
    status: str = Field(..., description="current、upcoming、abolished 或 unknown（未收录，请核实）")
    title: str
    replaced_by: str


class DraftIndicatorOut(Schema):
    item: str
    requirement: str
    unit: str
    method: str
    grade: str
    factory: bool


class DraftOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    number: str
    title: str
    product: str
    grade: str
    scope: str
    references: list[str]
    reference_lookup: list[ReferenceOut]
    terms: list[dict]
    indicators: list[DraftIndicatorOut]
    batch_rule: str
    sampling: str
    marking: str
    packaging: str
    transport: str
    storage: str
    annexes: list[dict]
    drafters: str
    publish_date: date | None
    implement_date: date | None
    weaker_statement: str
    status: str
    status_label: str
    version: int
    service_request: int | None
    declaration: int | None
    public_url: str | None
    errors: int
    warnings: int
    findings: list[DraftFindingOut]
    is_demo: bool
    created_at: str
    updated_at: str


class DraftSummary(Schema):
    id: int
    enterprise: int = Field(..., alias="enterprise_id")
    enterprise_name: str = Field(..., alias="enterprise.name")
    number: str
    title: str
    product: str
    status: str
    version: int
    is_demo: bool
    updated_at: str

    @staticmethod
    def resolve_updated_at(obj) -> str:
        return obj.updated_at.isoformat()


class DraftPage(Schema):
    items: list[DraftSummary]
    count: int


class DraftCheckOut(Schema):
    errors: int
    warnings: int
    findings: list[DraftFindingOut]


class ReviewRequestIn(Schema):
    note: str = Field("", max_length=2000, description="给服务站和专家的说明")
    expert: Id | None = Field(None, description="专家 id（仅受理的服务站工作人员可指定，指定后立即派单）")


class CommentIn(Schema):
    clause: str = Field(
        "", max_length=20, description="条款编号，如 4.1、5.2；cover（封面）、foreword（前言）、A（附录A）"
    )
    text: str = Field(..., max_length=5000)


class CommentOut(Schema):
    id: int
    version: int
    clause: str
    kind: str
    text: str
    author: str
    created_at: str

    @staticmethod
    def resolve_author(obj) -> str:
        return (obj.author.display_name or obj.author.username) if obj.author else ""

    @staticmethod
    def resolve_created_at(obj) -> str:
        return obj.created_at.isoformat()


class DecisionIn(Schema):
    decision: str = Field(..., max_length=32, description="request_changes（退回修改）或 approve（通过）")
    note: str = Field("", max_length=5000)


class VersionOut(Schema):
    number: int
    note: str
    created_by: str
    created_at: str

    @staticmethod
    def resolve_created_by(obj) -> str:
        return (obj.created_by.display_name or obj.created_by.username) if obj.created_by else ""

    @staticmethod
    def resolve_created_at(obj) -> str:
        return obj.created_at.isoformat()


class ChangeOut(Schema):
    clause: str
    what: str
    kind: str = Field(..., description="added、removed 或 changed")
    old: str
    new: str


class DiffOut(Schema):
    from_version: int
    to_version: int
    changes: list[ChangeOut]


# --- helpers -------------------------------------------------------------------------------------------


def _get(request, id: int) -> EnterpriseStandard:
    return scoped_or_404(selectors.draft_get, request, id)


def _count(findings, severity) -> int:
    return sum(1 for f in findings if f["severity"] == severity)


def _out(draft: EnterpriseStandard) -> dict:
    draft = EnterpriseStandard.objects.select_related("enterprise").get(pk=draft.pk)
    content = services.snapshot(draft)
    findings = services.findings_of(draft, content)
    return {
        **content,
        "id": draft.pk,
        "enterprise": draft.enterprise_id,
        "enterprise_name": draft.enterprise.name,
        "publish_date": draft.publish_date,
        "implement_date": draft.implement_date,
        "reference_lookup": selectors.reference_lookup(content["references"]),
        "status": draft.status,
        "status_label": str(states.STATUS_LABELS[draft.status]),
        "version": draft.version,
        "service_request": draft.service_request_id,
        "declaration": draft.declaration_id,
        "public_url": services.public_url(draft) if draft.declaration_id else None,
        "errors": _count(findings, "error"),
        "warnings": _count(findings, "warning"),
        "findings": findings,
        "is_demo": draft.is_demo,
        "created_at": draft.created_at.isoformat(),
        "updated_at": draft.updated_at.isoformat(),
    }


def _data(payload: DraftIn) -> DraftData:
    values = payload.dict()
    return services.data_from(values)


# --- routes --------------------------------------------------------------------------------------------


@router.get("/enterprise-standards", response={200: DraftPage, **READ_ERRORS}, summary="Drafts in scope")
def list_drafts(
    request,
    status: str | None = Query(
        None, max_length=32, description="状态：draft、in_review、changes_requested、approved、declared"
    ),
    q: str = Query("", max_length=100, description="标准名称、产品或编号中的文字"),
    page: PageNumber = 1,
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    if status and status not in states.STATUS_LABELS:
        raise ValidationFailed({"status": _("状态应为：%(v)s。") % {"v": "、".join(states.STATUS_LABELS)}})
    qs = selectors.draft_list(fetched_by=request.user, status=status or None, q=q.strip())
    return page_of(qs, page, page_size)


@router.post(
    "/enterprise-standards", response={201: DraftOut, **WRITE_ERRORS}, summary="Draft an enterprise standard"
)
def create_draft(request, payload: DraftIn):
    draft = services.draft_create(data=_data(payload), by=request.user)
    return Status(201, _out(draft))


@router.post(
    "/enterprise-standards/check",
    response={200: DraftCheckOut, **WRITE_ERRORS},
    summary="Check unsaved input (as it is typed): findings, nothing saved",
)
def check_draft(request, payload: DraftIn):
    errors, findings = services.preview_findings(data=_data(payload), by=request.user)
    if errors:
        raise ValidationFailed(errors)
    return {
        "errors": _count(findings, "error"),
        "warnings": _count(findings, "warning"),
        "findings": findings,
    }


@router.get(
    "/enterprise-standards/{id}",
    response={200: DraftOut, **DETAIL_ERRORS},
    summary="One draft with its findings",
)
def get_draft(request, id: Id):
    return _out(_get(request, id))


@router.put(
    "/enterprise-standards/{id}",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="Replace the draft's content",
)
def put_draft(request, id: Id, payload: DraftIn):
    draft = services.draft_update(draft=_get(request, id), data=_data(payload), by=request.user)
    return _out(draft)


@router.patch(
    "/enterprise-standards/{id}", response={200: DraftOut, **WRITE_ERRORS}, summary="Change some fields"
)
def patch_draft(request, id: Id, payload: DraftPatch):
    draft = _get(request, id)
    # A field sent as null is left as it is (only the dates can be cleared with null).
    changes = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if v is not None or k in ("publish_date", "implement_date")
    }
    data = services.data_from(services.snapshot(draft), **changes)
    return _out(services.draft_update(draft=draft, data=data, by=request.user))


@router.post(
    "/enterprise-standards/{id}/review-request",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="Ask for expert review (files a service request linked to the draft)",
)
def review_request(request, id: Id, payload: ReviewRequestIn):
    draft = services.review_request(
        draft=_get(request, id), by=request.user, note=payload.note, expert_id=payload.expert
    )
    return _out(draft)


@router.get(
    "/enterprise-standards/{id}/comments",
    response={200: list[CommentOut], **DETAIL_ERRORS},
    summary="Review comments",
)
def list_comments(request, id: Id):
    return list(_get(request, id).comments.select_related("author"))


@router.post(
    "/enterprise-standards/{id}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    summary="Comment on a clause",
)
def add_comment(request, id: Id, payload: CommentIn):
    comment = services.comment_add(
        draft=_get(request, id), clause=payload.clause, text=payload.text, by=request.user
    )
    return Status(201, comment)


@router.post(
    "/enterprise-standards/{id}/review",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="The assigned expert requests changes or approves",
)
def review_decide(request, id: Id, payload: DecisionIn):
    draft = services.review_decide(
        draft=_get(request, id), decision=payload.decision, note=payload.note, by=request.user
    )
    return _out(draft)


@router.post(
    "/enterprise-standards/{id}/declare",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="Publish the approved draft as the enterprise's self-declaration",
)
def declare(request, id: Id):
    return _out(services.draft_declare(draft=_get(request, id), by=request.user))


@router.get(
    "/enterprise-standards/{id}/versions",
    response={200: list[VersionOut], **DETAIL_ERRORS},
    summary="Saved versions",
)
def list_versions(request, id: Id):
    return list(_get(request, id).versions.select_related("created_by"))


@router.get(
    "/enterprise-standards/{id}/diff",
    response={200: DiffOut, **DETAIL_ERRORS},
    summary="Differences between two versions, per clause and indicator",
)
def version_diff(
    request,
    id: Id,
    from_version: int = Query(..., alias="from", ge=1, le=INT_MAX),
    to_version: int | None = Query(None, alias="to", ge=1, le=INT_MAX),
):
    draft = _get(request, id)
    to_version = to_version or draft.version
    versions = {v.number: v.content for v in draft.versions.filter(number__in=[from_version, to_version])}
    for key, n in (("from", from_version), ("to", to_version)):
        if n not in versions:
            raise ValidationFailed({key: _("没有第 %(n)d 版。") % {"n": n}})
    return {
        "from_version": from_version,
        "to_version": to_version,
        "changes": diffing.diff(versions[from_version], versions[to_version]),
    }


def _file(body: bytes, content_type: str, name: str, disposition: str = "attachment") -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


def file_name(draft: EnterpriseStandard, ext: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in draft.number).strip("-") or f"standard-{draft.pk}"
    return f"{safe}-v{draft.version}.{ext}"


@router.get(
    "/enterprise-standards/{id}/document.docx",
    response={200: None, **DETAIL_ERRORS},
    summary="The standard as a Word document (GB/T 1.1-2020 layout)",
)
def document_docx(request, id: Id):
    draft = _get(request, id)
    return _file(render_docx(selectors.document_of(draft)), DOCX, file_name(draft, "docx"))


@router.get(
    "/enterprise-standards/{id}/document.pdf",
    response={200: None, **DETAIL_ERRORS},
    summary="The standard as a PDF (GB/T 1.1-2020 layout)",
)
def document_pdf(request, id: Id):
    draft = _get(request, id)
    return _file(
        render_pdf(selectors.document_of(draft)), "application/pdf", file_name(draft, "pdf"), "inline"
    )
