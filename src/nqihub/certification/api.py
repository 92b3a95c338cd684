"""Certification routes: certificates (CRUD within the caller's scope; outside scope is 404), status
changes with a reason (409 for a transition the table does not allow), and the CCC guidance. Thin: reads
through ``selectors``, writes through ``services``."""

from datetime import date, datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nqihub.core.api import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS, Pages
from nqihub.core.bounds import Code, Id, IsoDate, Label
from nqihub.core.choices import choice_param, choices_text
from nqihub.core.errors import ValidationFailed
from nqihub.core.http import scoped_or_404

from . import catalogue, selectors, services
from .models import Certificate, CertificateStatus, CertificateType

router = Router(tags=["certification"])


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    by: str | None
    at: datetime

    @staticmethod
    def resolve_by(obj) -> str | None:
        return obj.by.get_username() if obj.by_id else None


class SurveillanceOut(Schema):
    id: int
    due_date: date
    done_date: date | None
    result: str


class CertificateOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(..., alias="enterprise.name")
    number: str
    type: str
    type_label: str
    body_id: int | None
    body_name: str
    product: str
    scope: str
    issue_date: date
    expiry_date: date
    status: str
    status_label: str
    #: Entered by the enterprise itself (自主申报); its status is the certification body's or a regulator's.
    self_declared: bool
    is_demo: bool

    @staticmethod
    def resolve_type_label(obj) -> str:
        return str(obj.get_type_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class CertificateDetailOut(CertificateOut):
    status_changes: list[StatusChangeOut]
    surveillance_audits: list[SurveillanceOut]

    @staticmethod
    def resolve_status_changes(obj):
        return list(obj.status_changes.select_related("by"))

    @staticmethod
    def resolve_surveillance_audits(obj):
        return list(obj.surveillance_audits.all())


class CertificateFilter(Schema):
    enterprise: Id | None = Field(None, description="企业 id")
    type: str | None = Field(
        None, description=f"认证类型：{choices_text(CertificateType.choices)}", max_length=8
    )
    status: str | None = Field(
        None, description=f"状态：{choices_text(CertificateStatus.choices)}", max_length=10
    )
    expiring_within_days: int | None = Field(
        None, ge=0, le=3650, description="N 天内（含今天）到期的有效或暂停证书"
    )
    q: str = Field("", description="证书编号、企业、认证机构或产品中的关键词", max_length=100)


class CertificateIn(Schema):
    enterprise: Id
    type: str = Field(..., description=choices_text(CertificateType.choices), max_length=8)
    number: str = Field(..., max_length=64)
    body_id: Id | None = Field(None, description="平台登记的认证机构 id（可选）")
    body_name: str = Field("", description="认证机构名称（未填 body_id 时必填）", max_length=200)
    scope: str = Field("", max_length=5000)
    product: str = Field("", max_length=200)
    issue_date: IsoDate
    expiry_date: IsoDate | None = Field(None, description="留空：CCC 按5年、管理体系按3年推算")


class CertificatePatch(Schema):
    type: str | None = Field(None, max_length=8)
    number: str | None = Field(None, max_length=64)
    body_id: Id | None = None
    body_name: str | None = Field(None, max_length=200)
    scope: str | None = Field(None, max_length=5000)
    product: str | None = Field(None, max_length=200)
    issue_date: IsoDate | None = None
    expiry_date: IsoDate | None = None


class StatusIn(Schema):
    status: str = Field(
        ...,
        description="suspended（暂停）、revoked（撤销）、cancelled（注销）、valid（恢复）",
        max_length=10,
    )
    reason: str = Field("", description="原因（必填）", max_length=2000)


class GuidanceOut(Schema):
    kind: str
    name: str
    category: str
    code: str
    version_name: str
    is_current: bool
    matched_terms: list[str]


def _certificate(request, id: Id) -> Certificate:
    return scoped_or_404(selectors.certificate_get, request, id)


@router.get(
    "/certificates", response={200: list[CertificateOut], **READ_ERRORS}, summary="Certificates in scope"
)
@paginate(Pages)
def list_certificates(request, filters: Query[CertificateFilter]):
    return selectors.certificate_list(
        fetched_by=request.user,
        enterprise=filters.enterprise,
        type=choice_param(filters.type, CertificateType.choices, "type"),
        status=choice_param(filters.status, CertificateStatus.choices, "status"),
        expiring_within_days=filters.expiring_within_days,
        q=filters.q,
    )


@router.post(
    "/certificates", response={201: CertificateDetailOut, **WRITE_ERRORS}, summary="Register a certificate"
)
def create_certificate(request, payload: CertificateIn):
    try:
        enterprise = selectors.enterprise_get(fetched_by=request.user, pk=payload.enterprise)
    except Exception as exc:
        raise Http404 from exc
    certificate = services.certificate_create(
        enterprise=enterprise,
        data=services.CertificateData(**payload.dict(exclude={"enterprise"})),
        by=request.user,
    )
    return Status(201, selectors.certificate_get(fetched_by=request.user, pk=certificate.pk))


@router.get(
    "/certificates/{id}", response={200: CertificateDetailOut, **DETAIL_ERRORS}, summary="One certificate"
)
def get_certificate(request, id: Id):
    return _certificate(request, id)


@router.patch(
    "/certificates/{id}", response={200: CertificateDetailOut, **WRITE_ERRORS}, summary="Change a certificate"
)
def update_certificate(request, id: Id, payload: CertificatePatch):
    certificate = _certificate(request, id)
    values = {
        "type": certificate.type,
        "number": certificate.number,
        "body_id": certificate.body_id,
        "body_name": certificate.body_name,
        "scope": certificate.scope,
        "product": certificate.product,
        "issue_date": certificate.issue_date,
        "expiry_date": certificate.expiry_date,
    }
    values.update(payload.dict(exclude_unset=True))
    services.certificate_update(
        certificate=certificate, data=services.CertificateData(**values), by=request.user
    )
    return _certificate(request, id)


@router.delete("/certificates/{id}", response={204: None, **WRITE_ERRORS}, summary="Delete a certificate")
def delete_certificate(request, id: Id):
    services.certificate_delete(certificate=_certificate(request, id), by=request.user)
    return Status(204, None)


@router.post(
    "/certificates/{id}/status",
    response={200: CertificateDetailOut, **WRITE_ERRORS},
    summary="Suspend, revoke, cancel or restore a certificate (reason required)",
)
def change_status(request, id: Id, payload: StatusIn):
    certificate = _certificate(request, id)
    services.certificate_change_status(
        certificate=certificate, to_status=payload.status.strip(), reason=payload.reason, by=request.user
    )
    return _certificate(request, id)


@router.get(
    "/ccc-guidance",
    response={200: list[GuidanceOut], **READ_ERRORS},
    summary="CCC catalogue entries a product may fall under",
)
def ccc_guidance(request, product: Label = "", industry: Code = ""):
    if not product.strip() and not industry.strip():
        raise ValidationFailed({"product": _("请填写产品名称或行业代码。")})
    return catalogue.ccc_guidance(product.strip()[:200], industry.strip()[:4] or None)
