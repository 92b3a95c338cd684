"""Writes to institutions (with their qualifications), service stations and experts.

Same pattern as ``services``: validate into cleaned values (``ValidationFailed`` with one Chinese
message per field), check who may do it (``PermissionDenied``), write in one transaction, audit.

Who may write:
- institutions and stations: regulators of the record's region subtree and platform admins create
  them; the organisation's own staff edit its details. Moving a record to another region, or changing
  a station's service area (which decides which enterprises the station sees and which requests it
  receives), needs regulator rights over every region involved.
- qualifications: whoever may edit the institution.
- experts: regulators of the region; staff (station staff, institution staff) of the expert's
  organisation; the expert edits their own profile.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit, policy
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Industry, Membership, Organisation, Region
from nqihub.core.scoping import scope_of

from .models import Expert, Institution, NqiElement, Qualification, ScopeLine, Station, StationArea
from .services import (
    PermissionDenied,
    _region,
    can_manage_directory,
    expert_search_text,
    institution_search_text,
    locked_for_edit,
    new_organisation,
    register,
    station_search_text,
    sync_organisation,
)

_PHONE = re.compile(r"^[0-9+\-\s()（）转]{7,32}$")
_CNAS = re.compile(r"^CNAS\s*([A-Z]{1,3})\s*(\d{3,5})$", re.IGNORECASE)
STAFF_ROLES = (Membership.Role.STATION_STAFF, Membership.Role.INSTITUTION_STAFF)


# --- shared checks ----------------------------------------------------------------------------------
def _text(errors: dict, key: str, value: str | None, limit: int, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[key] = required
    elif len(value) > limit:
        errors[key] = _("不能超过%(n)d个字符（当前%(m)d个）。") % {"n": limit, "m": len(value)}
    return value


def _phone(errors: dict, key: str, value: str | None) -> str:
    value = (value or "").strip()
    if value and not _PHONE.match(value):
        errors[key] = _("联系电话格式不正确：应为7–32位数字，可含“-”、空格、括号。")
    return value


def _region_any(errors: dict, code: str | None, key: str = "region") -> Region | None:
    """An existing province, city or county (not the whole country)."""
    try:
        region = _region(code or "", key)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None
    if region.level == Region.Level.NATIONAL:
        errors[key] = _("请选择省、市或县级行政区划。")
        return None
    return region


def _industries(errors: dict, codes, key: str = "industries") -> list[Industry]:
    wanted = list(dict.fromkeys(str(c).strip().upper() for c in codes or [] if str(c).strip()))
    found = {i.code: i for i in Industry.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        errors[key] = _("以下行业代码不在 GB/T 4754-2017 中：%(codes)s。") % {"codes": "、".join(unknown)}
    return [found[c] for c in wanted if c in found]


def _diff(before: dict, after: dict) -> dict:
    return {k: [before[k], after[k]] for k in before if before[k] != after.get(k)}


# --- institutions -------------------------------------------------------------------------------------
@dataclass
class InstitutionData:
    name: str
    kind: str
    region: str
    address: str = ""
    contact_phone: str = ""
    description: str = ""


def validate_institution(data: InstitutionData) -> dict:
    errors: dict[str, str] = {}
    cleaned = {
        "name": _text(errors, "name", data.name, 200, required=_("请填写机构名称。")),
        "address": _text(errors, "address", data.address, 255),
        "contact_phone": _phone(errors, "contact_phone", data.contact_phone),
        "description": _text(errors, "description", data.description, 2000),
    }
    if data.kind not in Institution.Kind.values:
        errors["kind"] = _("请选择机构类型。")
    cleaned["kind"] = data.kind
    cleaned["region"] = _region_any(errors, data.region)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def can_create_institution(user) -> bool:
    return scope_of(user).is_regulator


@transaction.atomic
def institution_create(*, data: InstitutionData, by, is_demo: bool = False) -> Institution:
    cleaned = validate_institution(data)
    if not can_manage_directory(by, cleaned["region"].code):
        raise PermissionDenied(_("您无权在该地区登记技术机构。"))
    kind = Organisation.Kind.INSTITUTION
    institution = register(Institution, kind, cleaned, search_text=institution_search_text, is_demo=is_demo)
    details = {"kind": institution.kind, "region": institution.region_id}
    audit.record(by, "directory.institution.created", institution, details)
    return institution


@transaction.atomic
def institution_update(*, institution: Institution, data: InstitutionData, by) -> Institution:
    institution = locked_for_edit(institution, by, _("您无权修改该机构信息。"))
    cleaned = validate_institution(data)
    moved = cleaned["region"].code != institution.region_id
    if moved and not can_manage_directory(by, cleaned["region"].code):
        raise PermissionDenied(_("您无权将机构迁入该地区。"))
    fields = ("name", "kind", "region_id", "address", "contact_phone", "description")
    before = {f: str(getattr(institution, f)) for f in fields}
    for key, value in cleaned.items():
        setattr(institution, key, value)
    institution.search_text = institution_search_text(institution)
    institution.save()
    sync_organisation(institution)
    if moved:
        # Scope lines carry the institution's region (denormalised for the capability match).
        ScopeLine.objects.filter(institution=institution).update(region=institution.region)
    after = {f: str(getattr(institution, f)) for f in fields}
    audit.record(by, "directory.institution.updated", institution, _diff(before, after))
    return institution


# --- qualifications ----------------------------------------------------------------------------------
@dataclass
class QualificationData:
    kind: str
    number: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


def validate_qualification(data: QualificationData, *, institution: Institution, instance=None) -> dict:
    errors: dict[str, str] = {}
    if data.kind not in Qualification.Kind.values:
        errors["kind"] = _("请选择资质类型。")
    number = _text(errors, "number", data.number, 64, required=_("请填写证书编号。"))
    if number and data.kind == Qualification.Kind.CNAS and "number" not in errors:
        match = _CNAS.match(number)
        if match is None:
            errors["number"] = _("CNAS 认可证书编号应形如“CNAS L1234”（CNAS、字母类别、数字）。")
        else:
            number = f"CNAS {match.group(1).upper()}{match.group(2)}"
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        errors["valid_until"] = _("有效期至（%(until)s）不能早于发证日期（%(since)s）。") % {
            "until": data.valid_until.isoformat(),
            "since": data.valid_from.isoformat(),
        }
    if (
        "number" not in errors
        and "kind" not in errors
        and institution.qualifications.filter(kind=data.kind, number=number)
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors["number"] = _("该机构已登记此证书编号。")
    if errors:
        raise ValidationFailed(errors)
    return {
        "kind": data.kind,
        "number": number,
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
    }


def _editable_institution(institution: Institution, by) -> Institution:
    return locked_for_edit(institution, by, _("您无权修改该机构的资质。"))


@transaction.atomic
def qualification_add(*, institution: Institution, data: QualificationData, by) -> Qualification:
    institution = _editable_institution(institution, by)
    cleaned = validate_qualification(data, institution=institution)
    qualification = Qualification.objects.create(institution=institution, **cleaned)
    audit.record(
        by,
        "directory.institution.qualification_added",
        institution,
        {"qualification_id": qualification.pk, **cleaned},
    )
    return qualification


@transaction.atomic
def qualification_update(*, qualification: Qualification, data: QualificationData, by) -> Qualification:
    institution = _editable_institution(qualification.institution, by)
    qualification = Qualification.objects.select_for_update().get(
        pk=qualification.pk, institution=institution
    )
    cleaned = validate_qualification(data, institution=institution, instance=qualification)
    before = {k: str(getattr(qualification, k)) for k in cleaned}
    for key, value in cleaned.items():
        setattr(qualification, key, value)
    qualification.save()
    after = {k: str(getattr(qualification, k)) for k in cleaned}
    audit.record(
        by,
        "directory.institution.qualification_updated",
        institution,
        {"qualification_id": qualification.pk, **_diff(before, after)},
    )
    return qualification


@transaction.atomic
def qualification_delete(*, qualification: Qualification, by) -> None:
    institution = _editable_institution(qualification.institution, by)
    data = {"qualification_id": qualification.pk, "kind": qualification.kind, "number": qualification.number}
    Qualification.objects.filter(pk=qualification.pk, institution=institution).delete()
    audit.record(by, "directory.institution.qualification_deleted", institution, data)


# --- stations ------------------------------------------------------------------------------------------
@dataclass
class StationData:
    name: str
    region: str
    service_area: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    host_organisation: str = ""
    specialty: str = ""
    address: str = ""
    latitude: str | None = None
    longitude: str | None = None
    opening_hours: str = ""
    contact_phone: str = ""


def _coordinate(errors: dict, key: str, value, limit: int, message: str) -> Decimal | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[key] = message
        return None
    if not number.is_finite() or not (-limit <= number <= limit):
        errors[key] = message
        return None
    return number.quantize(Decimal("0.000001"))


def validate_station(data: StationData) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {
        "name": _text(errors, "name", data.name, 200, required=_("请填写服务站名称。")),
        "host_organisation": _text(errors, "host_organisation", data.host_organisation, 200),
        "specialty": _text(errors, "specialty", data.specialty, 200),
        "address": _text(errors, "address", data.address, 255),
        "opening_hours": _text(errors, "opening_hours", data.opening_hours, 100),
        "contact_phone": _phone(errors, "contact_phone", data.contact_phone),
        "latitude": _coordinate(errors, "latitude", data.latitude, 90, _("纬度应为 -90 到 90 之间的数字。")),
        "longitude": _coordinate(
            errors, "longitude", data.longitude, 180, _("经度应为 -180 到 180 之间的数字。")
        ),
    }
    cleaned["region"] = _region_any(errors, data.region)
    codes = list(dict.fromkeys(str(c).strip() for c in data.service_area or [] if str(c).strip()))
    if not codes:
        errors["service_area"] = _("请至少填写一个服务区域（县级行政区划代码）。")
    else:
        counties = set(
            Region.objects.filter(code__in=codes, level=Region.Level.COUNTY).values_list("code", flat=True)
        )
        bad = [c for c in codes if c not in counties]
        if bad:
            errors["service_area"] = _("以下代码不是现有的县级行政区划：%(codes)s。") % {
                "codes": "、".join(bad)
            }
    cleaned["service_area"] = codes
    cleaned["industries"] = _industries(errors, data.industries)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _check_area_rights(by, codes) -> None:
    outside = [c for c in sorted(codes) if not can_manage_directory(by, c)]
    if outside:
        raise PermissionDenied(
            _("服务区域的调整须由所辖市场监管部门办理，您无权调整：%(codes)s。")
            % {"codes": "、".join(outside)}
        )


def _station_search_and_save(station: Station, cleaned: dict) -> None:
    station.save()
    current = set(station.areas.values_list("region_id", flat=True))
    wanted = set(cleaned["service_area"])
    StationArea.objects.filter(station=station, region_id__in=current - wanted).delete()
    StationArea.objects.bulk_create(
        [StationArea(station=station, region_id=c) for c in sorted(wanted - current)]
    )
    station.industries.set(cleaned["industries"])
    station.search_text = station_search_text(station)
    station.save(update_fields=["search_text"])


@transaction.atomic
def station_create(*, data: StationData, by, is_demo: bool = False) -> Station:
    cleaned = validate_station(data)
    if not can_manage_directory(by, cleaned["region"].code):
        raise PermissionDenied(_("您无权在该地区设立服务站。"))
    _check_area_rights(by, cleaned["service_area"])
    org = new_organisation(Organisation.Kind.STATION, cleaned, is_demo=is_demo)
    station = Station(
        organisation=org,
        is_demo=is_demo,
        **{k: v for k, v in cleaned.items() if k not in ("service_area", "industries")},
    )
    _station_search_and_save(station, cleaned)
    audit.record(
        by,
        "directory.station.created",
        station,
        {
            "region": station.region_id,
            "service_area": cleaned["service_area"],
            "industries": [i.code for i in cleaned["industries"]],
        },
    )
    return station


@transaction.atomic
def station_update(*, station: Station, data: StationData, by) -> Station:
    station = locked_for_edit(station, by, _("您无权修改该服务站信息。"))
    cleaned = validate_station(data)
    if cleaned["region"].code != station.region_id and not can_manage_directory(by, cleaned["region"].code):
        raise PermissionDenied(_("您无权将服务站迁入该地区。"))
    old_area = set(station.areas.values_list("region_id", flat=True))
    _check_area_rights(by, old_area ^ set(cleaned["service_area"]))
    fields = (
        "name",
        "host_organisation",
        "region_id",
        "specialty",
        "address",
        "latitude",
        "longitude",
        "opening_hours",
        "contact_phone",
    )
    before = {f: str(getattr(station, f)) for f in fields}
    before["service_area"] = sorted(old_area)
    before["industries"] = sorted(station.industries.values_list("code", flat=True))
    for key, value in cleaned.items():
        if key not in ("service_area", "industries"):
            setattr(station, key, value)
    _station_search_and_save(station, cleaned)
    sync_organisation(station)
    after = {f: str(getattr(station, f)) for f in fields}
    after["service_area"] = sorted(cleaned["service_area"])
    after["industries"] = sorted(i.code for i in cleaned["industries"])
    audit.record(by, "directory.station.updated", station, _diff(before, after))
    return station


# --- experts ---------------------------------------------------------------------------------------------
@dataclass
class ExpertData:
    name: str
    organisation: int | None
    region: str
    title: str = ""
    elements: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    keywords: str = ""
    bio: str = ""
    availability: str = Expert.Availability.AVAILABLE


def validate_expert(data: ExpertData) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {
        "name": _text(errors, "name", data.name, 64, required=_("请填写专家姓名。")),
        "title": _text(errors, "title", data.title, 64),
        "keywords": _text(errors, "keywords", data.keywords, 255),
        "bio": _text(errors, "bio", data.bio, 2000),
    }
    if data.availability not in Expert.Availability.values:
        errors["availability"] = _("请选择专家状态。")
    cleaned["availability"] = data.availability
    elements = list(dict.fromkeys(data.elements or []))
    unknown = [e for e in elements if e not in NqiElement.values]
    if unknown:
        errors["elements"] = _("未知的服务领域：%(v)s。") % {"v": "、".join(map(str, unknown))}
    elif not elements:
        errors["elements"] = _("请至少选择一个服务领域（NQI 要素）。")
    cleaned["elements"] = elements
    organisation = None
    if data.organisation:
        organisation = Organisation.objects.filter(
            pk=data.organisation, kind__in=[Organisation.Kind.STATION, Organisation.Kind.INSTITUTION]
        ).first()
    if organisation is None:
        errors["organisation"] = _("请选择专家所属的质量服务站或技术机构。")
    cleaned["organisation"] = organisation
    cleaned["region"] = _region_any(errors, data.region)
    cleaned["industries"] = _industries(errors, data.industries)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def is_staff_of(user, organisation_id: int) -> bool:
    return policy.acts_for(user, organisation_id)


def can_manage_expert(user, *, region_code: str, organisation_id: int) -> bool:
    return can_manage_directory(user, region_code) or is_staff_of(user, organisation_id)


def can_create_expert(user) -> bool:
    scope = scope_of(user)
    return scope.is_regulator or bool(set(STAFF_ROLES) & set(scope.roles))


def can_edit_expert(user, expert: Expert) -> bool:
    return (expert.user_id is not None and expert.user_id == getattr(user, "pk", None)) or can_manage_expert(
        user, region_code=expert.region_id, organisation_id=expert.organisation_id
    )


def _save_expert(expert: Expert, cleaned: dict) -> None:
    expert.set_elements(cleaned["elements"])
    expert.save()
    expert.industries.set(cleaned["industries"])
    expert.search_text = expert_search_text(expert)
    expert.save(update_fields=["search_text"])


_EXPERT_FIELDS = ("name", "title", "organisation", "region", "keywords", "bio", "availability")


@transaction.atomic
def expert_create(*, data: ExpertData, by, is_demo: bool = False) -> Expert:
    cleaned = validate_expert(data)
    if not can_manage_expert(
        by, region_code=cleaned["region"].code, organisation_id=cleaned["organisation"].pk
    ):
        raise PermissionDenied(_("您无权为该单位登记专家。"))
    expert = Expert(is_demo=is_demo, **{k: cleaned[k] for k in _EXPERT_FIELDS})
    _save_expert(expert, cleaned)
    audit.record(
        by,
        "directory.expert.created",
        expert,
        {"organisation": expert.organisation_id, "region": expert.region_id, "elements": expert.elements},
    )
    return expert


@transaction.atomic
def expert_update(*, expert: Expert, data: ExpertData, by) -> Expert:
    expert = locked_for_edit(expert, by, _("您无权修改该专家信息。"), may=can_edit_expert)
    cleaned = validate_expert(data)
    changed_home = (
        cleaned["organisation"].pk != expert.organisation_id or cleaned["region"].code != expert.region_id
    )
    if changed_home and not can_manage_expert(
        by, region_code=cleaned["region"].code, organisation_id=cleaned["organisation"].pk
    ):
        raise PermissionDenied(_("您无权将专家调入该单位或地区。"))
    fields = (
        "name",
        "title",
        "organisation_id",
        "region_id",
        "keywords",
        "bio",
        "availability",
        "nqi_elements",
    )
    before = {f: str(getattr(expert, f)) for f in fields}
    before["industries"] = sorted(expert.industries.values_list("code", flat=True))
    for key in _EXPERT_FIELDS:
        setattr(expert, key, cleaned[key])
    _save_expert(expert, cleaned)
    after = {f: str(getattr(expert, f)) for f in fields}
    after["industries"] = sorted(i.code for i in cleaned["industries"])
    audit.record(by, "directory.expert.updated", expert, _diff(before, after))
    return expert


# --- exports ---------------------------------------------------------------------------------------------
def record_export(*, by, what: str, filters: dict, rows: int) -> None:
    """Exports carry personal and business data out of the system: each one is in the audit log."""
    audit.record(by, f"directory.{what}.exported", None, {"filters": filters, "rows": rows})
