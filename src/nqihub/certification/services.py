"""Writes to the certificate registry. Each runs in one transaction, checks who may do it, audits it.

Who may write: platform admins; regulators for enterprises in their region subtree; the enterprise's own
users; staff of the certification body (a directory ``Institution``) for the certificates it issued.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit, policy
from nqihub.core.errors import (
    IllegalTransition,
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.policy import require
from nqihub.core.scoping import scope_of
from nqihub.directory.models import Enterprise, Institution

from . import states
from .models import (
    CccCatalogueVersion,
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    CertificateType,
    SurveillanceAudit,
)

#: Usual validity in years, offered when the expiry date is left blank (a suggestion, not a rule): CCC
#: 5 years; management-system certificates 3 years (background knowledge, DOMAIN.md C.3).
DEFAULT_VALIDITY_YEARS = {
    CertificateType.CCC: 5,
    CertificateType.QMS: 3,
    CertificateType.EMS: 3,
    CertificateType.OHSMS: 3,
}
#: Types with annual surveillance audits planned on registration.
SURVEILLED_TYPES = frozenset(
    {CertificateType.CCC, CertificateType.QMS, CertificateType.EMS, CertificateType.OHSMS}
)
NUMBER_MAX = 64
BODY_NAME_MAX = 200
PRODUCT_MAX = 200
SCOPE_MAX = 2000


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def suggested_expiry(type_: str, issue_date: date | None) -> date | None:
    years = DEFAULT_VALIDITY_YEARS.get(type_)
    if not years or issue_date is None:
        return None
    # Valid through the day before the anniversary.
    return date.fromordinal(_add_years(issue_date, years).toordinal() - 1)


# --- permissions ------------------------------------------------------------------------------------------


def can_register_for(user, enterprise: Enterprise) -> bool:
    scope = scope_of(user)
    if scope.is_admin or any(enterprise.region_id.startswith(p) for p in scope.regulator_prefixes):
        return True
    return policy.acts_for(user, enterprise.organisation_id)


def is_authority_for(user, region_code: str) -> bool:
    """A platform administrator or a regulator whose area holds ``region_code``."""
    scope = scope_of(user)
    return scope.is_admin or any(region_code.startswith(p) for p in scope.regulator_prefixes)


def can_change_status(user, certificate: Certificate) -> bool:
    """Suspending, revoking, cancelling or restoring a certificate is the certification body's act (or a
    regulator's, who records it): never the certificate holder's, whoever entered the certificate."""
    if is_authority_for(user, certificate.region_id):
        return True
    body = certificate.body
    return body is not None and policy.acts_for(user, body.organisation_id)


def can_edit(user, certificate: Certificate) -> bool:
    if can_register_for(user, certificate.enterprise):
        return True
    body = certificate.body
    return body is not None and policy.acts_for(user, body.organisation_id)


# --- validation -------------------------------------------------------------------------------------------


@dataclass
class CertificateData:
    type: str
    number: str
    body_name: str = ""
    body_id: int | None = None
    scope: str = ""
    product: str = ""
    issue_date: date | None = None
    #: Left empty: the usual validity of the type (``suggested_expiry``), where there is one.
    expiry_date: date | None = None


def validate_certificate(
    data: CertificateData, *, instance: Certificate | None = None, today: date | None = None
) -> dict:
    """The cleaned values, or ``ValidationFailed`` naming every field at fault."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    cleaned: dict = {}
    if data.type not in CertificateType.values:
        allowed = "、".join(f"{v}（{label}）" for v, label in CertificateType.choices)
        errors["type"] = _("认证类型应为：%(allowed)s。") % {"allowed": allowed}
    cleaned["type"] = data.type
    number = " ".join((data.number or "").split())
    if not number:
        errors["number"] = _("请填写证书编号。")
    elif len(number) > NUMBER_MAX:
        errors["number"] = _("证书编号不能超过%(n)d个字符。") % {"n": NUMBER_MAX}
    cleaned["number"] = number
    body = None
    if data.body_id:
        body = Institution.objects.filter(pk=data.body_id, kind=Institution.Kind.CERTIFICATION).first()
        if body is None:
            errors["body"] = _("所选认证机构不存在或不是认证机构。")
    body_name = body.name if body is not None else " ".join((data.body_name or "").split())
    if not body_name and "body" not in errors:
        errors["body_name"] = _("请填写认证机构名称。")
    elif len(body_name) > BODY_NAME_MAX:
        errors["body_name"] = _("认证机构名称不能超过%(n)d个字符。") % {"n": BODY_NAME_MAX}
    cleaned["body"] = body
    cleaned["body_name"] = body_name
    if number and body_name and "number" not in errors:
        clash = Certificate.objects.filter(body_name=body_name, number=number)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["number"] = _("%(body)s 的证书编号 %(number)s 已登记。") % {
                "body": body_name,
                "number": number,
            }
    scope_text = (data.scope or "").strip()
    if len(scope_text) > SCOPE_MAX:
        errors["scope"] = _("认证范围不能超过%(n)d个字符。") % {"n": SCOPE_MAX}
    cleaned["scope"] = scope_text
    product = " ".join((data.product or "").split())
    if len(product) > PRODUCT_MAX:
        errors["product"] = _("产品名称不能超过%(n)d个字符。") % {"n": PRODUCT_MAX}
    cleaned["product"] = product
    issue = data.issue_date
    if issue is None:
        errors["issue_date"] = _("请填写发证日期。")
    elif issue > today:
        errors["issue_date"] = _("发证日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}
    expiry = data.expiry_date or suggested_expiry(data.type, issue)
    if expiry is None and "issue_date" not in errors:
        errors["expiry_date"] = _("请填写有效期至（该类型没有通常的有效期可供推算）。")
    elif expiry is not None and issue is not None and expiry <= issue:
        errors["expiry_date"] = _("有效期至应晚于发证日期（%(issue)s）。") % {"issue": issue.isoformat()}
    cleaned["issue_date"] = issue
    cleaned["expiry_date"] = expiry
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _plan_surveillance(certificate: Certificate, today: date) -> int:
    """Annual surveillance audits on each anniversary of the issue date before expiry, from today on."""
    if certificate.type not in SURVEILLED_TYPES:
        return 0
    audits = []
    n = 1
    while True:
        due = _add_years(certificate.issue_date, n)
        if due >= certificate.expiry_date:
            break
        if due >= today:
            audits.append(SurveillanceAudit(certificate=certificate, due_date=due))
        n += 1
    SurveillanceAudit.objects.bulk_create(audits)
    return len(audits)


def _create(
    enterprise: Enterprise, cleaned: dict, *, by, today: date, is_demo: bool, plan_surveillance: bool
) -> Certificate:
    certificate = Certificate.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        is_demo=is_demo,
        self_declared=not is_authority_for(by, enterprise.region_id),
        **cleaned,
    )
    if certificate.expiry_date < today:
        certificate.status = CertificateStatus.EXPIRED
        certificate.save(update_fields=["status"])
        CertificateStatusChange.objects.create(
            certificate=certificate,
            from_status=CertificateStatus.VALID,
            to_status=CertificateStatus.EXPIRED,
            reason=_("登记时已超过有效期。"),
            by=by if getattr(by, "is_authenticated", False) else None,
        )
    elif plan_surveillance:
        _plan_surveillance(certificate, today)
    return certificate


@transaction.atomic
def certificate_create(
    *,
    enterprise: Enterprise,
    data: CertificateData,
    by,
    plan_surveillance: bool = True,
    is_demo: bool = False,
    today: date | None = None,
) -> Certificate:
    require(can_register_for(by, enterprise), _("您无权修改该企业的认证证书。"))
    today = today or timezone.localdate()
    cleaned = validate_certificate(data, today=today)
    certificate = _create(
        enterprise, cleaned, by=by, today=today, is_demo=is_demo, plan_surveillance=plan_surveillance
    )
    audit.record(
        by,
        "certification.certificate.created",
        certificate,
        {
            "enterprise": enterprise.pk,
            "type": certificate.type,
            "number": certificate.number,
            "expiry_date": certificate.expiry_date,
            "self_declared": certificate.self_declared,
        },
    )
    return certificate


@transaction.atomic
def certificate_update(
    *, certificate: Certificate, data: CertificateData, by, today: date | None = None
) -> Certificate:
    require(can_edit(by, certificate), _("您无权修改该企业的认证证书。"))
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enterprise", "body")
        .get(pk=certificate.pk)
    )
    cleaned = validate_certificate(data, instance=certificate, today=today)
    changed = {}
    for name, value in cleaned.items():
        if getattr(certificate, name) != value:
            changed[name] = value if name != "body" else getattr(value, "pk", None)
            setattr(certificate, name, value)
    if changed:
        certificate.save()
        audit.record(by, "certification.certificate.updated", certificate, changed)
    return certificate


@transaction.atomic
def certificate_delete(*, certificate: Certificate, by) -> None:
    require(can_edit(by, certificate), _("您无权修改该企业的认证证书。"))
    audit.record(
        by,
        "certification.certificate.deleted",
        certificate,
        {
            "enterprise": certificate.enterprise_id,
            "number": certificate.number,
            "body_name": certificate.body_name,
        },
    )
    certificate.delete()


@transaction.atomic
def certificate_change_status(
    *, certificate: Certificate, to_status: str, reason: str, by
) -> CertificateStatusChange:
    """Suspend, revoke, cancel or restore a certificate, with a reason; ``IllegalTransition`` (409) for a
    change the table in ``states`` does not allow. Only the certification body or a regulator may
    (``can_change_status``); the holder may not, even for a certificate it entered itself."""
    require(
        can_change_status(by, certificate),
        _("证书状态只能由发证的认证机构或监管部门变更；如证书状态有误，请联系认证机构。"),
    )
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    reason = (reason or "").strip()
    if to_status not in CertificateStatus.values:
        raise ValidationFailed({"status": _("未知的证书状态“%(s)s”。") % {"s": to_status}})
    if not states.allowed(certificate.status, to_status):
        raise IllegalTransition(
            _("证书当前为“%(from)s”，不能改为“%(to)s”。")
            % {"from": CertificateStatus(certificate.status).label, "to": CertificateStatus(to_status).label},
            field="status",
        )
    if states.needs_reason(to_status) and not reason:
        raise ValidationFailed({"reason": _("请填写状态变更的原因。")})
    if len(reason) > 1000:
        raise ValidationFailed({"reason": _("原因不能超过1000个字符。")})
    change = CertificateStatusChange.objects.create(
        certificate=certificate, from_status=certificate.status, to_status=to_status, reason=reason, by=by
    )
    certificate.status = to_status
    certificate.save(update_fields=["status", "updated_at"])
    audit.record(
        by,
        "certification.certificate.status_changed",
        certificate,
        {"from": change.from_status, "to": to_status, "reason": reason},
    )
    return change


def certificate_expire(*, certificate: Certificate, today: date) -> CertificateStatusChange | None:
    """The sweep's transition: an active certificate past its expiry date becomes expired. Call inside a
    transaction with the row locked; returns None when there is nothing to do."""
    if certificate.expiry_date >= today or not states.allowed(
        certificate.status, states.EXPIRED, system=True
    ):
        return None
    change = CertificateStatusChange.objects.create(
        certificate=certificate,
        from_status=certificate.status,
        to_status=CertificateStatus.EXPIRED,
        reason=_("有效期已于 %(date)s 届满（系统每日检查）。")
        % {"date": certificate.expiry_date.isoformat()},
        by=None,
    )
    certificate.status = CertificateStatus.EXPIRED
    certificate.save(update_fields=["status", "updated_at"])
    audit.record(
        None,
        "certification.certificate.expired",
        certificate,
        {"expiry_date": certificate.expiry_date},
        username="system",
    )
    return change


# --- surveillance audits ----------------------------------------------------------------------------------


@transaction.atomic
def surveillance_add(
    *, certificate: Certificate, due_date: date | None, by, notes: str = ""
) -> SurveillanceAudit:
    require(can_edit(by, certificate), _("您无权修改该企业的认证证书。"))
    errors = {}
    if due_date is None:
        errors["due_date"] = _("请填写计划日期。")
    elif not (certificate.issue_date < due_date <= certificate.expiry_date):
        errors["due_date"] = _("计划日期应在发证日期之后、有效期之内（%(a)s 至 %(b)s）。") % {
            "a": certificate.issue_date.isoformat(),
            "b": certificate.expiry_date.isoformat(),
        }
    if len(notes or "") > 255:
        errors["notes"] = _("备注不能超过255个字符。")
    if errors:
        raise ValidationFailed(errors)
    item = SurveillanceAudit.objects.create(
        certificate=certificate, due_date=due_date, notes=(notes or "").strip()
    )
    audit.record(by, "certification.surveillance.planned", certificate, {"due_date": due_date})
    return item


@transaction.atomic
def surveillance_record(
    *,
    item: SurveillanceAudit,
    done_date: date | None,
    result: str,
    by,
    notes: str = "",
    today: date | None = None,
) -> SurveillanceAudit:
    require(can_edit(by, item.certificate), _("您无权修改该企业的认证证书。"))
    today = today or timezone.localdate()
    errors = {}
    if done_date is None:
        errors["done_date"] = _("请填写完成日期。")
    elif done_date > today:
        errors["done_date"] = _("完成日期不能晚于今天。")
    if result not in {r for r in SurveillanceAudit.Result.values if r}:
        errors["result"] = _("请选择审核结论。")
    if len(notes or "") > 255:
        errors["notes"] = _("备注不能超过255个字符。")
    if errors:
        raise ValidationFailed(errors)
    item.done_date = done_date
    item.result = result
    if notes:
        item.notes = notes.strip()
    item.save()
    audit.record(
        by,
        "certification.surveillance.recorded",
        item.certificate,
        {"due_date": item.due_date, "done_date": done_date, "result": result},
    )
    return item


# --- the CCC catalogue -----------------------------------------------------------------------------------


@transaction.atomic
def catalogue_set_current(*, version: CccCatalogueVersion, by) -> CccCatalogueVersion:
    if not scope_of(by).is_admin:
        raise PermissionDenied(_("只有平台管理员可以设置现行的CCC目录版本。"))
    CccCatalogueVersion.objects.filter(is_current=True).exclude(pk=version.pk).update(is_current=False)
    if not version.is_current:
        version.is_current = True
        version.save(update_fields=["is_current"])
    audit.record(by, "certification.catalogue.set_current", version, {"key": version.key})
    return version
