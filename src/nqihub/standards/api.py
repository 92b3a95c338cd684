"""Standards routes (mounted under /api/v1): the catalog (search, number parsing, one standard with its
versions), follows, and enterprise standard self-declarations. Thin: reads through ``selectors``, writes
through ``services``. A standard number contains "/" (``GB/T 2912.1-2009``): it may be sent as is or
URL-encoded, with or without year, in any form ``numbers.parse_standard_number`` reads.
"""

from datetime import date

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from nqihub.core.api import (
    DETAIL_ERRORS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    READ_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    page_of,
)
from nqihub.core.bounds import Id, Label, PageNumber, StandardCode
from nqihub.core.choices import choice_param, choices_text
from nqihub.core.errors import ValidationFailed
from nqihub.core.http import scoped_or_404

from . import selectors, services
from .models import Declaration, Standard, StandardProposal
from .numbers import parse_standard_number
from .search import highlight
from .services import UNLISTED_NOTE

router = Router(tags=["standards"])


# --- schemas -----------------------------------------------------------------------------------------------


class StandardOut(Schema):
    canonical: str
    code_without_year: str
    year: int | None
    title: str
    title_en: str
    level: str
    nature: str
    status: str
    publish_date: date | None
    implement_date: date | None
    abolish_date: date | None
    replaces: list[str]
    replaced_by: list[str]
    ics: str
    ccs: str
    issued_by: str
    is_demo: bool
    title_highlighted: str | None = Field(None, description="标题，命中词以 <mark> 标出（已转义 HTML）")

    @staticmethod
    def resolve_replaces(obj) -> list[str]:
        return obj.replaces_list() if isinstance(obj, Standard) else obj["replaces"]

    @staticmethod
    def resolve_replaced_by(obj) -> list[str]:
        return obj.replaced_by_list() if isinstance(obj, Standard) else obj["replaced_by"]


class StandardPage(Schema):
    items: list[StandardOut]
    count: int


class StandardDetailOut(StandardOut):
    versions: list[StandardOut] = Field(..., description="同一标准的各版本及代替关系所及的标准，按时间先后")
    followed: bool = Field(..., description="您的企业是否关注了该标准")
    requested: str = Field(..., description="查询的标准号（规范化）；不含年代号时返回现行版本")


class StandardFilter(Schema):
    q: str = Field("", description="中文关键词（分词检索标题）或标准号（含或不含年代号）", max_length=100)
    level: str | None = Field(
        None, description=f"层级：{choices_text(Standard.Level.choices)}", max_length=12
    )
    nature: str | None = Field(
        None, description=f"性质：{choices_text(Standard.Nature.choices)}", max_length=12
    )
    status: str | None = Field(
        None, description=f"状态：{choices_text(Standard.Status.choices)}", max_length=12
    )
    ics: str | None = Field(None, description="ICS 分类号（含其下级）", max_length=32)
    page: PageNumber = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ParsedOut(Schema):
    canonical: str
    code_without_year: str
    prefix: str
    sequence: str
    year: int | None
    nature: str
    level: str
    in_catalog: bool
    current: str | None = Field(None, description="目录中该标准的现行（或最新）版本")


class FollowOut(Schema):
    standard: StandardOut
    enterprise_id: int
    created_at: str


class IndicatorIn(Schema):
    item: str = Field(..., max_length=100, examples=["甲醛含量"])
    requirement: str = Field(..., max_length=100, examples=["≤20"])
    unit: str = Field("", max_length=32, examples=["mg/kg"])
    method: str = Field("", max_length=200, examples=["GB/T 2912.1-2009"])


class DeclarationIn(Schema):
    enterprise: Id | None = Field(None, description="企业 id（您是多家企业的成员时必填）")
    product: str = Field(..., max_length=200)
    product_model: str = Field("", max_length=200)
    kind: str = Field(..., description=f"{choices_text(Declaration.Kind.choices)}", max_length=8)
    standard: str = Field("", description="执行的公开标准号（kind=public）", max_length=120)
    own_code: str = Field("", description="企业标准编号 Q/…（kind=own）", max_length=120)
    own_title: str = Field("", description="企业标准名称（kind=own）", max_length=300)
    category: str = Field("", description="产品类别，如 GB 18401 的安全技术类别 A/B/C", max_length=32)
    references: list[StandardCode] = Field(
        default_factory=list, description="企业标准引用的（强制性）标准号", max_length=50
    )
    indicators: list[IndicatorIn] = Field(default_factory=list, max_length=100)
    weaker_declared: list[Label] = Field(
        default_factory=list, description="明确声明低于推荐性标准的指标项目", max_length=50
    )
    weaker_statement: str = Field("", max_length=5000)


class IndicatorOut(Schema):
    item: str
    requirement: str
    unit: str
    method: str


class DeclarationOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    product: str
    product_model: str
    kind: str
    standard: str = Field(..., description="执行标准号（公开标准或企业标准）")
    own_title: str
    category: str
    references: list[str]
    unlisted: list[str] = Field(..., description="平台标准库未收录的标准号（已接受，请核实）")
    notes: list[str] = Field(..., description="提示，如“GB/T 1 未收录，请核实”")
    indicators: list[IndicatorOut]
    weaker_declared: list[dict]
    weaker_statement: str
    is_demo: bool
    created_at: str

    @staticmethod
    def resolve_standard(obj) -> str:
        return obj.standard_code

    @staticmethod
    def resolve_references(obj) -> list[str]:
        return [s.canonical for s in obj.references.all()] + list(obj.unlisted_references or [])

    @staticmethod
    def resolve_unlisted(obj) -> list[str]:
        return obj.unlisted

    @staticmethod
    def resolve_notes(obj) -> list[str]:
        return [f"{code} {UNLISTED_NOTE}" for code in obj.unlisted]

    @staticmethod
    def resolve_indicators(obj) -> list:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_created_at(obj) -> str:
        return obj.created_at.isoformat()


class DeclarationPage(Schema):
    items: list[DeclarationOut]
    count: int


# --- helpers -----------------------------------------------------------------------------------------------


def _standard_by_number(number: str, field: str = "canonical") -> tuple[Standard, "selectors.Lookup"]:
    try:
        lookup = selectors.standard_lookup(fetched_by=None, number=number)
    except ValueError as exc:
        raise ValidationFailed({field: str(exc)}) from exc
    if lookup.standard is None:
        raise Http404
    return lookup.standard, lookup


# --- catalog -----------------------------------------------------------------------------------------------


@router.get("/standards", response={200: StandardPage, **READ_ERRORS}, summary="Search the catalog")
def list_standards(request, filters: Query[StandardFilter]):
    ics = (filters.ics or "").strip() or None
    result = selectors.standard_search(
        fetched_by=request.user,
        q=filters.q.strip(),
        level=choice_param(filters.level, Standard.Level.choices, "level"),
        nature=choice_param(filters.nature, Standard.Nature.choices, "nature"),
        status=choice_param(filters.status, Standard.Status.choices, "status"),
        ics=ics,
        limit=filters.page_size,
        offset=(filters.page - 1) * filters.page_size,
    )
    items = []
    for std in result.items:
        std.title_highlighted = str(highlight(std.title, result.terms)) if result.terms else None
        items.append(std)
    return {"items": items, "count": result.total}


@router.get(
    "/standards/parse",
    response={200: ParsedOut, **READ_ERRORS},
    summary="Parse and normalise a standard number",
)
def parse_number(request, number: str = Query(..., description="标准号，如 gb/t 2912.1-09", max_length=120)):
    try:
        parsed = parse_standard_number(number)
    except ValueError as exc:
        raise ValidationFailed({"number": str(exc)}) from exc
    lookup = selectors.standard_lookup(fetched_by=request.user, number=number)
    return {
        "canonical": parsed.canonical,
        "code_without_year": parsed.code_without_year,
        "prefix": parsed.prefix,
        "sequence": parsed.sequence,
        "year": parsed.year,
        "nature": parsed.nature,
        "level": parsed.level,
        "in_catalog": lookup.standard is not None
        and (parsed.year is None or lookup.standard.canonical == parsed.canonical),
        "current": lookup.standard.canonical if lookup.standard else None,
    }


@router.get(
    "/standards/follows",
    response={200: list[FollowOut], **READ_ERRORS},
    summary="Standards your enterprise follows",
)
def list_follows(request):
    return [
        {"standard": f.standard, "enterprise_id": f.enterprise_id, "created_at": f.created_at.isoformat()}
        for f in selectors.follows_of(fetched_by=request.user)
    ]


# --- declarations (before the catch-all number route) ------------------------------------------------------


@router.get(
    "/standards/declarations",
    response={200: DeclarationPage, **READ_ERRORS},
    summary="Self-declarations in scope",
)
def list_declarations(
    request,
    enterprise: Id | None = None,
    page: PageNumber = 1,
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    qs = selectors.declaration_list(fetched_by=request.user, enterprise_id=enterprise)
    return page_of(qs, page, page_size)


@router.post(
    "/standards/declarations",
    response={201: DeclarationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Declare the standard a product is made to",
)
def create_declaration(request, payload: DeclarationIn):
    enterprise = services.acting_enterprise(request.user, payload.enterprise)
    declaration = services.declaration_create(
        data=services.DeclarationData(
            product=payload.product,
            product_model=payload.product_model,
            kind=payload.kind,
            standard=payload.standard,
            own_code=payload.own_code,
            own_title=payload.own_title,
            category=payload.category,
            references=payload.references,
            indicators=[services.IndicatorData(**i.dict()) for i in payload.indicators],
            weaker_declared=payload.weaker_declared,
            weaker_statement=payload.weaker_statement,
        ),
        by=request.user,
        enterprise=enterprise,
    )
    return Status(201, selectors.declaration_get(fetched_by=request.user, pk=declaration.pk))


@router.get(
    "/standards/declarations/{id}",
    response={200: DeclarationOut, **DETAIL_ERRORS},
    summary="One self-declaration",
)
def get_declaration(request, id: Id):
    return scoped_or_404(selectors.declaration_get, request, id)


# --- proposals: a missing standard proposed for the catalogue ---------------------------------------------


class ProposalIn(Schema):
    code: StandardCode = Field(..., description="标准号（含年代号），如 DBS45/ 034-2021")
    title: str = Field(..., max_length=300, description="标准名称")
    source: str = Field(..., max_length=500, description="依据：标准文本或发布公告的网址、出处")
    status: Label = Field("current", description="current（现行）、upcoming（即将实施）或 abolished（废止）")
    nature: Label = Field("", description="mandatory、recommended、guidance 或留空")
    implement_date: date | None = Field(None, description="实施日期 YYYY-MM-DD")
    note: str = Field("", max_length=2000)


class ProposalDecisionIn(Schema):
    note: str = Field("", max_length=2000, description="审核意见（收录时可填）")


class ProposalRejectIn(Schema):
    reason: str = Field(..., max_length=2000, description="不采纳的理由（提议人可见）")


class ProposalOut(Schema):
    id: int
    canonical: str
    title: str
    status: str
    nature: str
    implement_date: date | None
    source: str
    note: str
    state: str = Field(..., description="pending（待审核）、confirmed（已收录）或 rejected（未采纳）")
    state_label: str
    proposed_by: str
    decided_by: str
    decided_at: str | None
    decision_note: str
    created_at: str

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_proposed_by(obj) -> str:
        return str(obj.proposed_by or "")

    @staticmethod
    def resolve_decided_by(obj) -> str:
        return str(obj.decided_by or "")

    @staticmethod
    def resolve_decided_at(obj) -> str | None:
        return obj.decided_at.isoformat() if obj.decided_at else None

    @staticmethod
    def resolve_created_at(obj) -> str:
        return obj.created_at.isoformat()


class ProposalPage(Schema):
    items: list[ProposalOut]
    count: int


def _proposal(request, id: int):
    return scoped_or_404(selectors.proposal_get, request, id)


@router.get(
    "/standards/proposals",
    response={200: ProposalPage, **READ_ERRORS},
    summary="Proposals of missing standards (all for admins and regulators, one's own otherwise)",
)
def list_proposals(
    request,
    state: Label = "",
    page: PageNumber = 1,
    page_size: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    if state and state not in StandardProposal.State.values:
        raise ValidationFailed({"state": _("审核状态应为 pending、confirmed 或 rejected。")})
    qs = selectors.proposal_list(fetched_by=request.user, state=state)
    return page_of(qs, page, page_size)


@router.post(
    "/standards/proposals",
    response={201: ProposalOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Propose a standard missing from the catalogue",
)
def create_proposal(request, payload: ProposalIn):
    proposal = services.proposal_create(by=request.user, **payload.dict())
    return Status(201, proposal)


@router.get(
    "/standards/proposals/{id}",
    response={200: ProposalOut, **DETAIL_ERRORS},
    summary="One proposal",
)
def get_proposal(request, id: Id):
    return _proposal(request, id)


@router.post(
    "/standards/proposals/{id}/confirm",
    response={200: ProposalOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Confirm a proposal into the catalogue (admins and regulators)",
)
def confirm_proposal(request, id: Id, payload: ProposalDecisionIn):
    return services.proposal_confirm(proposal=_proposal(request, id), by=request.user, note=payload.note)


@router.post(
    "/standards/proposals/{id}/reject",
    response={200: ProposalOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Reject a proposal (admins and regulators)",
)
def reject_proposal(request, id: Id, payload: ProposalRejectIn):
    return services.proposal_reject(proposal=_proposal(request, id), by=request.user, reason=payload.reason)


# --- follow / unfollow, one standard ------------------------------------------------------------------------


@router.post(
    "/standards/{path:canonical}/follow",
    response={200: FollowOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Follow a standard (idempotent)",
)
def follow(request, canonical: StandardCode, enterprise: Id | None = None):
    std, _lookup = _standard_by_number(canonical)
    ent = services.acting_enterprise(request.user, enterprise)
    f = services.standard_follow(standard=std, by=request.user, enterprise=ent)
    return {"standard": std, "enterprise_id": f.enterprise_id, "created_at": f.created_at.isoformat()}


@router.delete(
    "/standards/{path:canonical}/follow",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Stop following a standard",
)
def unfollow(request, canonical: StandardCode, enterprise: Id | None = None):
    std, _lookup = _standard_by_number(canonical)
    ent = services.acting_enterprise(request.user, enterprise)
    services.standard_unfollow(standard=std, by=request.user, enterprise=ent)
    return Status(204, None)


@router.get(
    "/standards/{path:canonical}",
    response={200: StandardDetailOut, **DETAIL_ERRORS},
    summary="One standard by number; without year: the current version, the others under versions",
)
def get_standard(request, canonical: StandardCode):
    std, lookup = _standard_by_number(canonical)
    enterprise = services.enterprises_of(request.user).first()
    std.versions = selectors.version_chain(fetched_by=request.user, standard=std)
    std.followed = std.pk in selectors.followed_ids(fetched_by=request.user, enterprise=enterprise)
    std.requested = lookup.number
    return std


__all__ = ["router"]
