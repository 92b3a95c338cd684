"""检验检测 routes, mounted under /api/v1: test orders (scoped; outside scope is 404), samples, items,
results, the lab's actions and sign-offs (409 for an action the state machine does not allow, 403 for a
person without the role), the report PDF, pass rates, and the public report verification (no token).
Thin: reads through ``selectors``, writes through ``services``."""

from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nqihub.core.api import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS, ErrorOut, Pages
from nqihub.core.bounds import Code, Id, IsoDate
from nqihub.core.choices import choices_text
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import scoped_or_404

from . import selectors, services, throttle
from .models import Conclusion, OrderStatus, Report, TestKind, TestOrder

router = Router(tags=["检验检测"])


class TooMany(DomainError):
    status = 429


# --- schemas ------------------------------------------------------------------------------------------------


class SampleOut(Schema):
    id: int
    name: str
    model_spec: str
    batch: str
    quantity: str
    received_on: date | None
    condition: str


class ItemOut(Schema):
    id: int
    seq: int
    parameter: str
    method_standard: str
    method_warning: str
    requirement: str
    unit: str
    requirement_source: str = Field(description="要求的来源，如产品标准条款或合作社自定的更严限值")
    result: str
    verdict: str
    verdict_label: str
    verdict_reason: str
    retest_reason: str

    @staticmethod
    def resolve_verdict_label(obj) -> str:
        return str(obj.get_verdict_display()) if obj.verdict else ""


class SignOffOut(Schema):
    level: str
    name: str
    signed_at: datetime


class TestReportOut(Schema):
    id: int
    number: str
    check_code: str
    status: str
    revision: int
    replaces: str | None
    issued_at: datetime
    pdf_url: str

    @staticmethod
    def resolve_replaces(obj) -> str | None:
        return obj.replaces.number if obj.replaces_id else None

    @staticmethod
    def resolve_pdf_url(obj, context) -> str:
        return context["request"].build_absolute_uri(reverse("api:report_pdf", args=[obj.pk]))


class OrderOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    lab_id: int
    lab_name: str = Field(..., alias="lab.name")
    cooperative_id: int | None
    service_request_id: int | None
    region_code: str = Field(..., alias="region_id")
    product_name: str
    product_standard: str = Field(..., alias="product_standard_label")
    product_standard_note: str = Field(
        "", description="产品标准不在平台标准库中时为“未收录，请核实”（照常接受）"
    )
    test_kind: str
    origin: str
    conclusion: str
    issued_at: datetime | None
    created_at: datetime
    is_demo: bool

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_product_standard_note(obj) -> str:
        return str(_("未收录，请核实")) if obj.product_standard_unlisted else ""


class OrderDetailOut(OrderOut):
    status_reason: str
    remarks: str
    samples: list[SampleOut]
    items: list[ItemOut]
    unjudged: list[str] = Field(
        ..., description="有结果但无法自动判定的项目（“序号. 项目：结果”）；签署检测前请核对"
    )

    @staticmethod
    def resolve_unjudged(obj) -> list[str]:
        return services.unjudged_items(obj)

    signoffs: list[SignOffOut]
    report: TestReportOut | None = Field(
        None, description="出具后：当前有效报告（编号、防伪校验码、状态、PDF 地址）"
    )
    reports: list[TestReportOut] = Field(..., description="全部版本，新版本在前")

    @staticmethod
    def resolve_signoffs(obj):
        return list(obj.signoffs.filter(round=obj.round))

    @staticmethod
    def resolve_report(obj):
        return next((r for r in selectors.reports_of(obj) if r.status == Report.Status.VALID), None)

    @staticmethod
    def resolve_reports(obj):
        return selectors.reports_of(obj)


class ItemIn(Schema):
    parameter: str = Field(..., description="检测项目，如 水分", max_length=100)
    method_standard: str = Field("", description="检测方法标准号，如 GB 5009.3-2016", max_length=200)
    requirement: str = Field(
        "", description="技术要求，如 ≤14.5；留空则按产品标准技术要求表带出", max_length=100
    )
    unit: str = Field("", description="单位，如 g/100g", max_length=32)


class SampleIn(Schema):
    name: str = Field(..., max_length=200)
    model_spec: str = Field("", max_length=200)
    batch: str = Field("", max_length=100)
    quantity: str = Field("", max_length=100)


class OrderIn(Schema):
    enterprise: Id = Field(..., description="委托企业 id")
    lab: Id = Field(..., description="检测机构 id（能力范围须覆盖全部项目）")
    product_name: str = Field(..., max_length=200)
    items: list[ItemIn] = Field(..., max_length=200)
    samples: list[SampleIn] | None = Field(
        None, description="样品；不填则以产品名称建一个样品", max_length=50
    )
    cooperative: Id | None = Field(None, description="代为委托的质量合作社（组织 id）")
    service_request: Id | None = Field(None, description="来自的服务需求 id（双向关联）")
    product_standard: str = Field("", description="产品标准号（判定依据）", max_length=120)
    test_kind: str = Field(TestKind.COMMISSIONED, description=choices_text(TestKind.choices), max_length=12)
    remarks: str = Field("", max_length=5000)
    submit: bool = Field(False, description="true：创建后直接提交给检测机构")


class ItemPatch(Schema):
    method_standard: str | None = Field(None, max_length=200)
    requirement: str | None = Field(None, max_length=100)
    unit: str | None = Field(None, max_length=32)


class ResultIn(Schema):
    item: Id = Field(..., description="检测项目 id")
    result: str = Field(
        ..., description="检测结果，如 11.2、<0.02（未检出）、商业无菌；空串清除", max_length=100
    )


class ResultsIn(Schema):
    results: list[ResultIn] = Field(..., max_length=500)


class ActionIn(Schema):
    reason: str = Field("", description="取消、拒收、退回复检、修订时必填", max_length=2000)
    received_on: IsoDate | None = Field(None, description="收样日期（receive）")
    condition: str = Field("", description="样品状态（receive）", max_length=255)
    items: list[Id] = Field(default_factory=list, description="退回复检的项目 id（return）", max_length=500)


class OrderFilter(Schema):
    status: str | None = Field(
        None, description=f"状态（可逗号分隔多个）：{choices_text(OrderStatus.choices)}", max_length=200
    )
    conclusion: str | None = Field(None, description=choices_text(Conclusion.choices), max_length=12)
    enterprise: Id | None = None
    lab: Id | None = None
    q: str = Field("", description="委托单号、报告编号、产品或企业", max_length=100)


class VerifyOut(Schema):
    genuine: bool
    reason: str | None = None
    number: str | None = None
    status: str | None = Field(None, description="valid（有效）或 superseded（已被替代）")
    superseded_by: str | None = None
    revision: int | None = None
    replaces: str | None = None
    lab_name: str | None = None
    client_name: str | None = None
    product_name: str | None = None
    model_spec: str | None = None
    batch: str | None = None
    test_kind: str | None = None
    item_count: int | None = None
    conclusion: str | None = None
    issued_on: date | None = None
    is_demo: bool | None = None


class PassRateOut(Schema):
    key: str
    label: str
    total: int
    passed: int
    failed: int
    undetermined: int
    rate: float | None = Field(None, description="合格 ÷（合格 + 不合格）× 100；无可判定报告时为 null")


# --- helpers ------------------------------------------------------------------------------------------------


def _order(request, id: Id) -> TestOrder:
    return scoped_or_404(selectors.order_get, request, id)


def _detail(request, order: TestOrder) -> TestOrder:
    return selectors.order_get(fetched_by=request.user, pk=order.pk)


def _choice(value: str | None, choices, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    values = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in values if v not in dict(choices)]
    if bad:
        raise ValidationFailed(
            {
                field: _("“%(value)s”无效，应为：%(allowed)s。")
                % {"value": "、".join(bad), "allowed": choices_text(choices)}
            }
        )
    return ",".join(values)


# --- routes -------------------------------------------------------------------------------------------------


@router.get("/test-orders", response={200: list[OrderOut], **READ_ERRORS}, summary="Test orders in scope")
@paginate(Pages)
def list_orders(request, filters: Query[OrderFilter]):
    return selectors.order_list(
        fetched_by=request.user,
        status=_choice(filters.status, OrderStatus.choices, "status"),
        conclusion=_choice(filters.conclusion, Conclusion.choices, "conclusion"),
        enterprise=filters.enterprise,
        lab=filters.lab,
        q=filters.q,
    )


@router.post("/test-orders", response={201: OrderDetailOut, **WRITE_ERRORS}, summary="Create a test order")
def create_order(request, payload: OrderIn):
    try:
        enterprise = selectors.enterprise_get(fetched_by=request.user, pk=payload.enterprise)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    lab = selectors.testing_labs(fetched_by=request.user).filter(pk=payload.lab).first()
    if lab is None:
        raise ValidationFailed({"lab": _("检测机构不存在，或不在您的可见范围内。")})
    cooperative = None
    if payload.cooperative is not None:
        cooperative = selectors.cooperatives_of(request.user).filter(pk=payload.cooperative).first()
        if cooperative is None:
            raise ValidationFailed({"cooperative": _("您不是该质量合作社的管理员。")})
    service_request = None
    if payload.service_request is not None:
        from nqihub.desk import selectors as desk_selectors

        try:
            service_request = desk_selectors.request_get(fetched_by=request.user, pk=payload.service_request)
        except ObjectDoesNotExist:
            raise ValidationFailed({"service_request": _("服务需求不存在，或不在您的可见范围内。")}) from None
    order = services.order_create(
        by=request.user,
        lab=lab,
        enterprise=enterprise,
        product_name=payload.product_name,
        items=[i.dict() for i in payload.items],
        cooperative=cooperative,
        service_request=service_request,
        samples=[s.dict() for s in payload.samples] if payload.samples is not None else None,
        product_standard=payload.product_standard,
        test_kind=payload.test_kind,
        remarks=payload.remarks,
        submit=payload.submit,
    )
    return Status(201, _detail(request, order))


@router.get("/test-orders/pass-rates", response={200: list[PassRateOut], **READ_ERRORS}, summary="Pass rates")
def pass_rates(
    request,
    group_by: str = Query(
        "product", description="product、enterprise、lab、cooperative、region", max_length=16
    ),
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    region_level: str = Query(
        "county", description="region 分组时的层级：county、city、province", max_length=16
    ),
):
    rows = selectors.pass_rates(
        fetched_by=request.user,
        group_by=group_by,
        date_from=date_from,
        date_to=date_to,
        region_level=region_level,
    )
    return [{**r.__dict__, "rate": r.rate} for r in rows]


@router.get("/test-orders/{id}", response={200: OrderDetailOut, **DETAIL_ERRORS}, summary="One test order")
def get_order(request, id: Id):
    return _detail(request, _order(request, id))


@router.post("/test-orders/{id}/samples", response={201: SampleOut, **WRITE_ERRORS}, summary="Add a sample")
def add_sample(request, id: Id, payload: SampleIn):
    sample = services.sample_add(order=_order(request, id), by=request.user, **payload.dict())
    return Status(201, sample)


@router.post("/test-orders/{id}/items", response={201: ItemOut, **WRITE_ERRORS}, summary="Add a test item")
def add_item(request, id: Id, payload: ItemIn):
    item = services.item_add(order=_order(request, id), by=request.user, **payload.dict())
    return Status(201, item)


@router.patch(
    "/test-orders/{id}/items/{item_id}", response={200: ItemOut, **WRITE_ERRORS}, summary="Change a test item"
)
def update_item(request, id: Id, item_id: Id, payload: ItemPatch):
    order = _order(request, id)
    item = order.items.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return services.item_update(item=item, by=request.user, **payload.dict(exclude_unset=True))


@router.post(
    "/test-orders/{id}/results",
    response={200: OrderDetailOut, **WRITE_ERRORS},
    summary="Enter results (all or nothing); each item is judged against its requirement",
)
def enter_results(request, id: Id, payload: ResultsIn):
    order = _order(request, id)
    results: dict = {}
    for row in payload.results:
        if str(row.item) in results:
            raise ValidationFailed({f"results.{row.item}": _("同一项目填写了两次。")})
        results[str(row.item)] = row.result
    services.results_enter(order=order, by=request.user, results=results)
    return _detail(request, order)


@router.post(
    "/test-orders/{id}/actions/{action}",
    response={200: OrderDetailOut, **WRITE_ERRORS},
    summary="submit, cancel, receive, reject, start, complete (检测签署), review (审核), approve (批准), "
    "return (退回复检), issue (出具报告), revise (修订)",
)
def order_action(request, id: Id, action: Code, payload: ActionIn | None = None):
    order = _order(request, id)
    payload = payload or ActionIn()
    base_url = request.build_absolute_uri("/").rstrip("/")
    services.order_act(action, order=order, by=request.user, base_url=base_url, **payload.dict())
    return _detail(request, order)


@router.get(
    "/reports/verify", response={200: VerifyOut, 429: ErrorOut}, auth=None, summary="Verify a report (public)"
)
def verify_report(request, number: Code = "", code: Code = ""):
    if not throttle.allow(request):
        raise TooMany(throttle.message())
    result = services.verify(number, code)
    if not result.genuine:
        return {"genuine": False, "reason": result.reason}
    r = result.report
    d = r.data
    return {
        "genuine": True,
        "number": r.number,
        "status": r.status,
        "superseded_by": r.replaced_by.number
        if r.status == Report.Status.SUPERSEDED and hasattr(r, "replaced_by")
        else None,
        "revision": r.revision,
        "replaces": d.get("replaces_number") or None,
        "lab_name": d["lab_name"],
        "client_name": d["client_name"],
        "product_name": d["product_name"],
        "model_spec": d["model_spec"],
        "batch": d["batch"],
        "test_kind": d["test_kind"],
        "item_count": len(d["items"]),
        "conclusion": d["conclusion"],
        "issued_on": date.fromisoformat(d["issued_on"]),
        "is_demo": r.is_demo,
    }


@router.get(
    "/reports/{id}/pdf",
    response={200: None, **DETAIL_ERRORS},
    url_name="report_pdf",
    summary="The issued report as PDF (as issued, never re-rendered)",
)
def report_pdf(request, id: Id):
    report = scoped_or_404(selectors.report_get, request, id)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{report.pk}.pdf"'
    return response
