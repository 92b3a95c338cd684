"""质量合作社 routes, mounted under /api/v1. Thin: reads through ``selectors`` (outside the caller's scope
is 404), writes through ``services`` (403 not allowed, 409 illegal transition, 422 bad input)."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from nqihub.core.api import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS, Pages
from nqihub.core.bounds import Code, Count, Id, IsoDate
from nqihub.core.errors import ValidationFailed
from nqihub.core.http import scoped_or_404
from nqihub.core.policy import require

from . import selectors, services

router = Router(tags=["质量合作社"])


class CooperativeOut(Schema):
    id: int
    name: str
    host_organisation: str
    region_code: str = Field(..., alias="region_id")
    industry_code: str | None = Field(..., alias="industry_id")
    commitment_version: int
    target_pass_rate: float
    is_demo: bool

    @staticmethod
    def resolve_target_pass_rate(obj) -> float:
        return float(obj.target_pass_rate)


class CooperativeDetailOut(CooperativeOut):
    charter: str
    commitment_text: str


class MemberOut(Schema):
    id: int
    cooperative_id: int
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    enterprise_kind: str = Field(..., alias="enterprise.kind")
    status: str
    status_label: str
    officer_name: str
    officer_phone: str
    commitment_version: int | None
    joined_on: date | None
    left_on: date | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_officer_name(obj, context) -> str:
        return obj.officer_name if _personal(context, obj) else obj.masked_officer_name

    @staticmethod
    def resolve_officer_phone(obj, context) -> str:
        return obj.officer_phone if _personal(context, obj) else obj.masked_officer_phone


def _personal(context, member) -> bool:
    user = context["request"].user
    return services.speaks_for(user, member.enterprise) or services.is_staff_of(user, member.cooperative)


class ApplyIn(Schema):
    enterprise: Id
    officer_name: str = Field(..., max_length=64)
    officer_phone: str = Field(..., max_length=32)
    accept_commitment: bool = Field(..., description="须为 true：接受入社承诺书")
    commitment_version: Count | None = Field(None, description="所接受的承诺书版本（应为现行版本）")


class CoopReasonIn(Schema):
    reason: str = Field("", max_length=300)


class InspectionIn(Schema):
    member: Id
    inspected_on: IsoDate
    values: dict[str, str] = Field(..., description="检查项目 id → pass/fail（合格/不合格项目）或实测值")
    batch: str = Field("", max_length=100)
    inspector: str = Field("", max_length=64)
    notes: str = Field("", max_length=500)


class InspectionResultOut(Schema):
    item_id: int
    item: str
    requirement: str
    value: str
    verdict: str
    reason: str

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_requirement(obj) -> str:
        return obj.item.requirement


class InspectionOut(Schema):
    id: int
    member_id: int
    checkpoint_id: int
    inspected_on: date
    result: str
    results: list[InspectionResultOut]
    nonconformities: list[int]

    @staticmethod
    def resolve_results(obj):
        return list(obj.results.select_related("item"))

    @staticmethod
    def resolve_nonconformities(obj) -> list[int]:
        return list(obj.nonconformities.values_list("pk", flat=True))


class NonConformityOut(Schema):
    id: int
    member_id: int
    enterprise_name: str
    description: str
    corrective_action: str
    due_date: date
    status: str
    overdue: bool
    closed_on: date | None

    @staticmethod
    def resolve_enterprise_name(obj) -> str:
        return obj.member.enterprise.name

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class CloseIn(Schema):
    evidence: str = Field(..., max_length=5000)
    corrective_action: str = Field("", max_length=5000)


class RateOut(Schema):
    passed: int
    total: int
    percent: float | None


class MemberRateOut(Schema):
    member_id: int
    enterprise_name: str
    inspections: RateOut
    tests: RateOut
    combined: RateOut
    below_target: bool


class PassRatesOut(Schema):
    cooperative_id: int
    date_from: date
    date_to: date
    target: float
    inspections: RateOut
    tests: RateOut
    combined: RateOut
    below_target: bool
    members: list[MemberRateOut]
    formula: str


class CoopOrderOut(Schema):
    id: int
    number: str


class PlanItemSchema(Schema):
    parameter: str = Field(..., description="检测项目，如 甲醛含量", max_length=100)
    method_standard: str = Field("", max_length=200)
    requirement: str = Field("", description="要求，如 ≤30；留空则按合作社内控要求填写", max_length=200)
    unit: str = Field("", max_length=32)
    basis: str = Field("", description="要求的依据（合作社内控要求时由系统填写）", max_length=200)


class TestingLineIn(Schema):
    member: Id = Field(..., description="成员（入社记录 id）")
    sample_kind: Code = Field(..., description="material 原辅材料 / product 成品")
    product_name: str = Field(..., max_length=200)
    items: list[PlanItemSchema] = Field(
        default_factory=list, description="检测项目；不填则按合作社的内控要求带出", max_length=30
    )


class TestingLineOut(Schema):
    id: int
    member_id: int
    sample_kind: str
    product_name: str
    items: list[PlanItemSchema]
    order_id: int | None
    order_number: str


class TestingPlanOut(Schema):
    id: int
    year: int
    name: str
    status: str
    lab_id: int | None
    ordered_at: datetime | None


def _rate(rate) -> dict:
    return {
        "passed": rate.passed,
        "total": rate.total,
        "percent": None if rate.percent is None else float(rate.percent),
    }


def _rates(rates) -> dict:
    """The inspections', tests' and combined rates and the target check, of a member or the cooperative."""
    return {
        "inspections": _rate(rates.inspections),
        "tests": _rate(rates.tests),
        "combined": _rate(rates.combined),
        "below_target": rates.below_target,
    }


def _coop(request, id):
    return scoped_or_404(selectors.cooperative_get, request, id)


@router.get(
    "/cooperatives", response={200: list[CooperativeOut], **READ_ERRORS}, summary="Cooperatives in scope"
)
@paginate(Pages)
def list_cooperatives(request):
    return selectors.cooperative_list(fetched_by=request.user)


@router.get(
    "/cooperatives/{id}", response={200: CooperativeDetailOut, **DETAIL_ERRORS}, summary="One cooperative"
)
def get_cooperative(request, id: Id):
    return _coop(request, id)


@router.get(
    "/cooperatives/{id}/members",
    response={200: list[MemberOut], **DETAIL_ERRORS},
    summary="Members (all for the cooperative's staff and regulators; one's own otherwise)",
)
@paginate(Pages)
def list_members(request, id: Id, status: Code = ""):
    return selectors.member_list(
        fetched_by=request.user, cooperative=_coop(request, id), status=status or None
    )


@router.post("/cooperatives/{id}/apply", response={201: MemberOut, **WRITE_ERRORS}, summary="Apply to join")
def apply(request, id: Id, payload: ApplyIn):
    coop = _coop(request, id)
    enterprise = next(
        (e for e in selectors.enterprises_to_apply(request.user, coop) if e.pk == payload.enterprise), None
    )
    if enterprise is None:
        raise ValidationFailed({"enterprise": _("该企业不是您的企业，或已是成员/已提交申请。")})
    member = services.member_apply(
        cooperative=coop, enterprise=enterprise, by=request.user, **payload.dict(exclude={"enterprise"})
    )
    return Status(201, selectors.member_get(fetched_by=request.user, pk=member.pk))


def _member(request, id):
    return scoped_or_404(selectors.member_get, request, id)


def _member_acted(request, id, action, **data):
    """Run a member action (``services.member_*``); answer the membership as it is now."""
    action(member=_member(request, id), by=request.user, **data)
    return _member(request, id)


@router.get("/cooperative-members/{id}", response={200: MemberOut, **DETAIL_ERRORS}, summary="One membership")
def get_member(request, id: Id):
    return _member(request, id)


@router.post(
    "/cooperative-members/{id}/admit", response={200: MemberOut, **WRITE_ERRORS}, summary="Admit an applicant"
)
def admit(request, id: Id):
    return _member_acted(request, id, services.member_admit)


@router.post(
    "/cooperative-members/{id}/reject",
    response={200: MemberOut, **WRITE_ERRORS},
    summary="Reject an application",
)
def reject(request, id: Id, payload: CoopReasonIn):
    return _member_acted(request, id, services.member_reject, reason=payload.reason)


@router.post(
    "/cooperative-members/{id}/leave", response={200: MemberOut, **WRITE_ERRORS}, summary="Leave (or remove)"
)
def leave(request, id: Id, payload: CoopReasonIn):
    return _member_acted(request, id, services.member_leave, reason=payload.reason)


@router.post(
    "/cooperative-checkpoints/{id}/inspections",
    response={201: InspectionOut, **WRITE_ERRORS},
    summary="Record an inspection against a checkpoint",
)
def record_inspection(request, id: Id, payload: InspectionIn):
    checkpoint = scoped_or_404(selectors.checkpoint_get, request, id)
    member = _member(request, payload.member)
    inspection = services.inspection_record(
        member=member, checkpoint=checkpoint, by=request.user, **payload.dict(exclude={"member"})
    )
    return Status(201, inspection)


@router.get(
    "/cooperatives/{id}/nonconformities",
    response={200: list[NonConformityOut], **DETAIL_ERRORS},
    summary="Non-conformities (status=open|closed, overdue=true)",
)
@paginate(Pages)
def list_nonconformities(request, id: Id, status: Code = "", overdue: bool = False):
    return selectors.nonconformity_list(
        fetched_by=request.user,
        cooperative=_coop(request, id),
        status=status or None,
        overdue_on=timezone.localdate() if overdue else None,
    )


@router.post(
    "/cooperative-nonconformities/{id}/close",
    response={200: NonConformityOut, **WRITE_ERRORS},
    summary="Close a non-conformity with evidence",
)
def close_nonconformity(request, id: Id, payload: CloseIn):
    nc = scoped_or_404(selectors.nonconformity_get, request, id)
    services.nonconformity_close(
        nc=nc, evidence=payload.evidence, corrective_action=payload.corrective_action, by=request.user
    )
    return selectors.nonconformity_get(fetched_by=request.user, pk=id)


@router.get(
    "/cooperatives/{id}/pass-rates",
    response={200: PassRatesOut, **DETAIL_ERRORS},
    summary="Pass rates of the cooperative and its members over a period",
)
def get_pass_rates(request, id: Id, date_from: IsoDate | None = None, date_to: IsoDate | None = None):
    today = timezone.localdate()
    rates = selectors.pass_rates(
        fetched_by=request.user,
        cooperative=_coop(request, id),
        date_from=date_from or date(today.year, 1, 1),
        date_to=date_to or today,
    )
    return {
        "cooperative_id": rates.cooperative.pk,
        "date_from": rates.date_from,
        "date_to": rates.date_to,
        "target": float(rates.target),
        **_rates(rates),
        "members": [
            {"member_id": r.member.pk, "enterprise_name": r.member.enterprise.name, **_rates(r)}
            for r in rates.members
        ],
        "formula": (selectors.__doc__ or "")
        .split("Pass rates (``pass_rates``), the formula shown on the page:")[-1]
        .strip(),
    }


@router.get(
    "/cooperatives/{id}/testing-plans",
    response={200: list[TestingPlanOut], **DETAIL_ERRORS},
    summary="Free testing plans",
)
def list_testing_plans(request, id: Id):
    return list(selectors.testing_plan_list(fetched_by=request.user, cooperative=_coop(request, id)))


@router.get(
    "/cooperatives/{id}/own-limits",
    response={200: list[PlanItemSchema], **DETAIL_ERRORS},
    summary="The cooperative's own limits a plan line of this sample kind is prefilled with",
)
def list_own_limits(request, id: Id, sample_kind: Code = "product"):
    coop = _coop(request, id)
    require(services.is_staff_of(request.user, coop), _("只有合作社管理员可以制定免费检测计划。"))
    return services.own_limits(coop, sample_kind)


@router.post(
    "/cooperative-testing-plans/{id}/lines",
    response={201: TestingLineOut, **WRITE_ERRORS},
    summary="Add a sample to a draft plan; items left out or without a requirement take the own limits",
)
def add_testing_line(request, id: Id, payload: TestingLineIn):
    plan = scoped_or_404(selectors.testing_plan_get, request, id)
    member = (
        selectors.member_list(fetched_by=request.user, cooperative=plan.cooperative)
        .filter(pk=payload.member)
        .first()
    )
    if member is None:
        raise ValidationFailed({"member": _("请选择本合作社的在社成员。")})
    line = services.testing_plan_add_line(
        plan=plan,
        member=member,
        sample_kind=payload.sample_kind,
        product_name=payload.product_name,
        items=[item.dict() for item in payload.items],
        by=request.user,
    )
    return Status(201, line)


@router.post(
    "/cooperative-testing-plans/{id}/orders",
    response={201: list[CoopOrderOut], **WRITE_ERRORS},
    summary="Create the plan's test orders at its lab, all in one step",
)
def order_testing_plan(request, id: Id):
    plan = scoped_or_404(selectors.testing_plan_get, request, id)
    orders = services.testing_plan_order(plan=plan, by=request.user)
    return Status(201, [{"id": o.pk, "number": str(getattr(o, "number", "") or "")} for o in orders])
