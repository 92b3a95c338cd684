"""Writes to the directory. Each runs in one transaction, checks who may do it, audits it."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit, policy
from nqihub.core.errors import (
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.models import Industry, Membership, Organisation, Region
from nqihub.core.scoping import scope_of, visible
from nqihub.core.search import segment

from . import uscc as uscc_check
from .models import Enterprise, EnterpriseContact, Expert, Institution, Qualification, ScopeLine, Station


def _region(code: str, field: str = "region", *, county_only: bool = False) -> Region:
    code = (code or "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        raise ValidationFailed(
            {field: _("行政区划代码“%(code)s”不存在（应为 GB/T 2260 的6位代码）。") % {"code": code}}
        )
    if county_only and region.level != Region.Level.COUNTY:
        raise ValidationFailed(
            {
                field: _("请选择县级行政区划（区、县、县级市），“%(name)s”是%(level)s。")
                % {"name": region.name, "level": region.get_level_display()}
            }
        )
    return region


def _industry(code: str | None, field: str = "industry") -> Industry | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    industry = Industry.objects.filter(code=code).first()
    if industry is None:
        raise ValidationFailed({field: _("行业代码“%(code)s”不在 GB/T 4754-2017 中。") % {"code": code}})
    return industry


def can_manage_directory(user, region_code: str) -> bool:
    """Regulators of the region's subtree and platform admins create and edit directory records."""
    scope = scope_of(user)
    return scope.is_admin or any(region_code.startswith(p) for p in scope.regulator_prefixes)


def can_edit(user, obj) -> bool:
    if can_manage_directory(user, obj.region_id):
        return True
    return not isinstance(obj, Expert) and policy.acts_for(user, getattr(obj, "organisation_id", None))


def locked_for_edit(record, by, message: str, *, may=can_edit):
    """The record read again and locked for the rest of the transaction, once ``may(by, record)`` holds
    (else ``PermissionDenied(message)``). For the services of the directory."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if not may(by, record):
        raise PermissionDenied(message)
    return record


def new_organisation(kind: str, cleaned: dict, *, is_demo: bool) -> Organisation:
    """The organisation a new directory record acts through, named and placed as the record."""
    return Organisation.objects.create(
        kind=kind, name=cleaned["name"], region=cleaned["region"], is_demo=is_demo
    )


def register(model, kind: str, cleaned: dict, *, search_text, is_demo: bool):
    """A new directory record of ``model`` from the validated values, with its own organisation."""
    record = model(organisation=new_organisation(kind, cleaned, is_demo=is_demo), is_demo=is_demo, **cleaned)
    record.search_text = search_text(record)
    record.save()
    return record


def sync_organisation(record) -> None:
    """Keep the record's organisation named and placed as the record after an edit."""
    Organisation.objects.filter(pk=record.organisation_id).update(name=record.name, region=record.region)


@dataclass
class EnterpriseData:
    uscc: str
    name: str
    region: str
    industry: str | None = None
    scale: str = Enterprise.Scale.SMALL
    address: str = ""
    kind: str = Enterprise.Kind.COMPANY
    products: str = ""


def validate_enterprise(data: EnterpriseData, *, instance: Enterprise | None = None) -> dict:
    errors: dict[str, str] = {}
    code, reason = uscc_check.check(data.uscc)
    if reason:
        errors["uscc"] = reason
    elif Enterprise.objects.filter(uscc=code).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["uscc"] = _("统一社会信用代码 %(code)s 已登记。") % {"code": code}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("请填写企业名称。")
    elif len(name) > 200:
        errors["name"] = _("企业名称不能超过200个字符。")
    cleaned = {"uscc": code, "name": name}
    try:
        cleaned["region"] = _region(data.region, county_only=True)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        cleaned["industry"] = _industry(data.industry)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if data.scale not in Enterprise.Scale.values:
        errors["scale"] = _("企业规模应为 %(v)s 之一。") % {
            "v": "、".join(f"{label}（{value}）" for value, label in Enterprise.Scale.choices)
        }
    if data.kind not in Enterprise.Kind.values:
        errors["kind"] = _("主体类型应为 %(v)s 之一。") % {
            "v": "、".join(f"{label}（{value}）" for value, label in Enterprise.Kind.choices)
        }
    if len(data.address or "") > 255:
        errors["address"] = _("地址不能超过255个字符。")
    if errors:
        raise ValidationFailed(errors)
    cleaned.update(
        scale=data.scale,
        kind=data.kind,
        address=(data.address or "").strip(),
        products=(data.products or "").strip(),
    )
    return cleaned


def _enterprise_search_text(e: Enterprise) -> str:
    return segment(e.name, e.uscc, e.address, e.products, e.industry.name if e.industry_id else "")


@transaction.atomic
def enterprise_create(*, data: EnterpriseData, by, is_demo: bool = False) -> Enterprise:
    # Permission first, so that a user who may not register here cannot probe which USCCs exist.
    code = (data.region or "").strip()
    if Region.objects.filter(code=code).exists() and not (
        can_manage_directory(by, code) or policy.station_covers(by, code)
    ):
        raise PermissionDenied(_("您无权在该地区登记企业。"))
    if not scope_of(by).is_regulator and not policy.station_orgs(scope_of(by)):
        raise PermissionDenied(_("您无权登记企业。"))
    cleaned = validate_enterprise(data)
    kind = Organisation.Kind.ENTERPRISE
    enterprise = register(Enterprise, kind, cleaned, search_text=_enterprise_search_text, is_demo=is_demo)
    details = {"uscc": enterprise.uscc, "region": enterprise.region_id}
    audit.record(by, "directory.enterprise.created", enterprise, details)
    return enterprise


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, data: EnterpriseData, by) -> Enterprise:
    enterprise = locked_for_edit(enterprise, by, _("您无权修改该企业信息。"))
    cleaned = validate_enterprise(data, instance=enterprise)
    if cleaned["region"].code != enterprise.region_id and not (
        can_manage_directory(by, cleaned["region"].code) or policy.station_covers(by, cleaned["region"].code)
    ):
        raise PermissionDenied(_("您无权将企业迁入该地区。"))
    before = {
        f: str(getattr(enterprise, f))
        for f in ("uscc", "name", "region_id", "industry_id", "scale", "address")
    }
    for key, value in cleaned.items():
        setattr(enterprise, key, value)
    enterprise.search_text = _enterprise_search_text(enterprise)
    enterprise.save()
    sync_organisation(enterprise)
    after = {f: str(getattr(enterprise, f)) for f in before}
    audit.record(
        by,
        "directory.enterprise.updated",
        enterprise,
        {k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return enterprise


@transaction.atomic
def enterprise_add_contact(
    *, enterprise: Enterprise, name: str, phone: str, position: str = "", by
) -> EnterpriseContact:
    if (
        not can_edit(by, enterprise)
        and not Enterprise.objects.filter(visible(by, Enterprise), pk=enterprise.pk).exists()
    ):
        raise PermissionDenied(_("您无权修改该企业信息。"))
    errors = {}
    if not name.strip():
        errors["name"] = _("请填写联系人姓名。")
    digits = phone.strip().replace("-", "").replace(" ", "")
    if not (digits.isdigit() and 7 <= len(digits) <= 15):
        errors["phone"] = _("联系电话应为7–15位数字。")
    if errors:
        raise ValidationFailed(errors)
    contact = EnterpriseContact.objects.create(
        enterprise=enterprise, name=name.strip(), phone=digits, position=position.strip()
    )
    audit.record(by, "directory.enterprise.contact_added", enterprise, {"contact_id": contact.pk})
    return contact


def organisation_create(*, kind: str, name: str, region: str, by, is_demo: bool = False) -> Organisation:
    region_obj = _region(region)
    org = Organisation.objects.create(kind=kind, name=name, region=region_obj, is_demo=is_demo)
    audit.record(by, "core.organisation.created", org, {"kind": kind, "region": region_obj.code})
    return org


def membership_add(*, user, organisation: Organisation, role: str, by) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationFailed({"role": _("未知角色：%(r)s") % {"r": role}})
    m, _created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    audit.record(by, "core.membership.added", m, {"user": user.username, "role": role})
    return m


def institution_search_text(i: Institution) -> str:
    return segment(i.name, i.get_kind_display(), i.address, i.description)


def station_search_text(s: Station) -> str:
    return segment(s.name, s.host_organisation, s.specialty, s.address)


def expert_search_text(e: Expert) -> str:
    return segment(e.name, e.title, e.keywords, e.bio, " ".join(e.nqi_element_labels()))


__all__ = [
    "EnterpriseData",
    "PermissionDenied",
    "Qualification",
    "ScopeLine",
    "can_edit",
    "can_manage_directory",
    "enterprise_add_contact",
    "enterprise_create",
    "enterprise_update",
    "institution_search_text",
    "locked_for_edit",
    "membership_add",
    "new_organisation",
    "register",
    "organisation_create",
    "station_search_text",
    "sync_organisation",
    "expert_search_text",
]
