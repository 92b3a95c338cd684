"""Writes to the instrument ledger, verification/calibration records and bookings. Each runs in one
transaction, checks who may do it and writes the audit entry; notifications go out on commit.

Who may write:

- the ledger (instruments, records entered from a paper certificate): the enterprise's own users, station
  staff whose service area covers the enterprise, platform admins. Regulators read only;
- bookings: the enterprise side requests and cancels; the calibration body's staff accept, decline and
  complete (completion records the certificate onto the instrument).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.accounts.models import User
from nqihub.core import audit, policy
from nqihub.core.errors import (
    DomainError,
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.models import Membership, Organisation
from nqihub.core.regions import parent
from nqihub.core.scoping import scope_of
from nqihub.core.uploads import check_upload
from nqihub.directory.matching import capability_match
from nqihub.directory.models import Enterprise, Institution
from nqihub.notifications.services import notify

from .models import (
    MANDATORY_PURPOSES,
    Booking,
    Instrument,
    MandatoryCatalogueEntry,
    Purpose,
    RecordKind,
    VerificationRecord,
)
from .ranges import covers

#: Longest validity / interval accepted (10 years): a typo guard, far beyond any JJG period.
MAX_INTERVAL_DAYS = 3650
#: A certificate / result file: a PDF or a scan, at most 20 MB.
CERTIFICATE_TYPES = ("pdf", "png", "jpg", "jpeg")
CERTIFICATE_MAX_BYTES = 20 * 1024 * 1024
#: Most instruments booked in one go.
MAX_BULK_BOOKING = 50


# --- rules ------------------------------------------------------------------------------------------------


def compute_is_mandatory(catalogue_entry: MandatoryCatalogueEntry | None, purpose: str) -> bool:
    """强制检定 = in the catalogue (an active entry) AND used for 贸易结算/安全防护/医疗卫生/环境监测."""
    return catalogue_entry is not None and catalogue_entry.is_active and purpose in MANDATORY_PURPOSES


def can_manage_ledger(user, enterprise: Enterprise) -> bool:
    return policy.acts_for_enterprise(user, enterprise)


def is_body_staff(user, institution: Institution) -> bool:
    scope = scope_of(user)
    return scope.is_admin or institution.organisation_id in policy.institution_orgs(scope)


def enterprise_users(enterprise: Enterprise) -> list:
    return list(
        User.objects.filter(
            memberships__organisation_id=enterprise.organisation_id, is_active=True
        ).distinct()
    )


def institution_users(institution: Institution) -> list:
    return list(
        User.objects.filter(
            memberships__organisation_id=institution.organisation_id,
            memberships__role=Membership.Role.INSTITUTION_STAFF,
            is_active=True,
        ).distinct()
    )


def supervising_regulator_users(region_code: str) -> list:
    """The regulators of the nearest region at or above ``region_code`` that has a regulator (for a
    county without its own bureau: the city's), as for the desk's escalation."""
    node: str | None = region_code
    while node:
        users = list(
            User.objects.filter(
                memberships__role=Membership.Role.REGULATOR,
                memberships__organisation__kind=Organisation.Kind.REGULATOR,
                memberships__organisation__region_id=node,
                is_active=True,
            ).distinct()
        )
        if users:
            return users
        node = parent(node)
    return []


def instrument_url(instrument: Instrument) -> str:
    from django.urls import reverse

    return reverse("metrology:instrument-detail", args=[instrument.pk])


def booking_url(booking: Booking) -> str:
    from django.urls import reverse

    return reverse("metrology:booking-detail", args=[booking.pk])


# --- instruments --------------------------------------------------------------------------------------------


@dataclass
class InstrumentData:
    name: str
    serial_number: str
    purpose: str = Purpose.INTERNAL
    model_number: str = ""
    manufacturer: str = ""
    measuring_range: str = ""
    accuracy_class: str = ""
    quantity: str = ""
    location: str = ""
    #: A catalogue entry id; ``None`` = not in the catalogue (or not known).
    catalogue_entry: int | None = None
    internal_interval_days: int | None = None
    #: The next due date from an existing (paper) certificate; only while the instrument has no records.
    next_due: datetime.date | None = None
    in_use: bool = True


_TEXT_LIMITS = {
    "name": 100,
    "serial_number": 100,
    "model_number": 100,
    "manufacturer": 200,
    "measuring_range": 100,
    "accuracy_class": 100,
    "quantity": 50,
    "location": 200,
}


def validate_instrument(
    data: InstrumentData, *, enterprise: Enterprise, instance: Instrument | None = None
) -> dict:
    """The cleaned fields, or ``ValidationFailed`` naming every bad field."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for name, limit in _TEXT_LIMITS.items():
        value = " ".join(str(getattr(data, name) or "").split())
        if len(value) > limit:
            errors[name] = _("不能超过%(n)d个字符。") % {"n": limit}
        cleaned[name] = value
    if not cleaned["name"]:
        errors["name"] = _("请填写器具名称。")
    if not cleaned["serial_number"]:
        errors["serial_number"] = _("请填写出厂编号（无编号时可填写内部管理编号）。")
    if data.purpose not in Purpose.values:
        errors["purpose"] = _("使用目的应为：%(v)s。") % {
            "v": "、".join(f"{v}（{label}）" for v, label in Purpose.choices)
        }
    entry = None
    if data.catalogue_entry is not None:
        entry = MandatoryCatalogueEntry.objects.filter(pk=data.catalogue_entry, is_active=True).first()
        if entry is None:
            errors["catalogue_entry"] = _("强制检定目录中没有编号为 %(id)s 的有效条目。") % {
                "id": data.catalogue_entry
            }
    mandatory = compute_is_mandatory(entry, data.purpose)
    interval = data.internal_interval_days
    if interval is not None:
        if mandatory:
            errors["internal_interval_days"] = _(
                "强制检定的器具，检定周期由检定机构按检定规程确定，企业不能自行设定。"
            )
        elif not 1 <= int(interval) <= MAX_INTERVAL_DAYS:
            errors["internal_interval_days"] = _("内部校准周期应为1–%(n)d天。") % {"n": MAX_INTERVAL_DAYS}
    if instance is not None and data.next_due != instance.next_due and instance.records.exists():
        errors["next_due"] = _("该器具已有检定/校准记录，下次日期由最新记录确定，不能直接修改。")
    if cleaned["name"] and cleaned["serial_number"]:
        clash = Instrument.objects.filter(
            enterprise=enterprise, name=cleaned["name"], serial_number=cleaned["serial_number"]
        ).exclude(pk=getattr(instance, "pk", None))
        if clash.exists():
            errors["serial_number"] = _("台账中已有出厂编号为“%(s)s”的%(n)s。") % {
                "s": cleaned["serial_number"],
                "n": cleaned["name"],
            }
    if errors:
        raise ValidationFailed(errors)
    cleaned.update(
        purpose=data.purpose,
        catalogue_entry=entry,
        is_mandatory=mandatory,
        internal_interval_days=interval,
        in_use=bool(data.in_use),
    )
    return cleaned


def recompute_next_due(instrument: Instrument) -> None:
    """``next_due`` and the failed flag from the latest record (kept as entered when there is none):
    检定 合格 → its validity date; 检定 不合格 → due at once (禁止使用 until verified again); 校准 → the
    enterprise's internal interval when set, else the suggested date."""
    latest = instrument.records.order_by("-performed_on", "-id").first()
    if latest is None:
        instrument.failed_verification = False
        return
    if latest.kind == RecordKind.VERIFICATION:
        failed = latest.result == VerificationRecord.Result.FAIL
        instrument.failed_verification = failed
        instrument.next_due = latest.performed_on if failed else latest.valid_until
    else:
        instrument.failed_verification = False
        if instrument.internal_interval_days and not instrument.is_mandatory:
            instrument.next_due = latest.performed_on + datetime.timedelta(
                days=instrument.internal_interval_days
            )
        else:
            instrument.next_due = latest.suggested_next


@transaction.atomic
def instrument_create(
    *, enterprise: Enterprise, data: InstrumentData, by, is_demo: bool = False
) -> Instrument:
    if not can_manage_ledger(by, enterprise):
        raise PermissionDenied(_("您无权维护该企业的计量器具台账。"))
    cleaned = validate_instrument(data, enterprise=enterprise)
    instrument = Instrument.objects.create(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        next_due=data.next_due,
        is_demo=is_demo,
        **cleaned,
    )
    audit.record(
        by,
        "metrology.instrument.created",
        instrument,
        {"enterprise": enterprise.pk, "mandatory": instrument.is_mandatory},
    )
    return instrument


@transaction.atomic
def instrument_update(*, instrument: Instrument, data: InstrumentData, by) -> Instrument:
    instrument = (
        Instrument.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=instrument.pk)
    )
    if not can_manage_ledger(by, instrument.enterprise):
        raise PermissionDenied(_("您无权维护该企业的计量器具台账。"))
    cleaned = validate_instrument(data, enterprise=instrument.enterprise, instance=instrument)
    fields = [*cleaned, "next_due"]
    before = {f: str(getattr(instrument, f)) for f in fields}
    for key, value in cleaned.items():
        setattr(instrument, key, value)
    if not instrument.records.exists():
        instrument.next_due = data.next_due
    recompute_next_due(instrument)
    instrument.save()
    after = {f: str(getattr(instrument, f)) for f in fields}
    audit.record(
        by,
        "metrology.instrument.updated",
        instrument,
        {k: [before[k], after[k]] for k in fields if before[k] != after[k]},
    )
    return instrument


@transaction.atomic
def instrument_delete(*, instrument: Instrument, by) -> None:
    """Only an instrument without records or bookings can be deleted (a mistaken entry); otherwise mark it
    not in use (停用) so that its history stays."""
    instrument = (
        Instrument.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=instrument.pk)
    )
    if not can_manage_ledger(by, instrument.enterprise):
        raise PermissionDenied(_("您无权维护该企业的计量器具台账。"))
    if instrument.records.exists() or instrument.bookings.exists():
        raise DomainError(_("该器具已有检定/校准记录或预约，不能删除；如已不再使用，请将其标记为停用。"))
    audit.record(by, "metrology.instrument.deleted", instrument, {"enterprise": instrument.enterprise_id})
    instrument.delete()


# --- records --------------------------------------------------------------------------------------------------


@dataclass
class RecordData:
    kind: str
    performed_on: datetime.date | None
    body: int | None = None
    body_name: str = ""
    result: str = ""
    certificate_number: str = ""
    valid_until: datetime.date | None = None
    suggested_next: datetime.date | None = None
    uncertainty: str = ""
    data: str = ""
    extra: dict = field(default_factory=dict)


def validate_record(data: RecordData, *, instrument: Instrument, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if data.kind not in RecordKind.values:
        errors["kind"] = _("类型应为 verification（检定）或 calibration（校准）。")
    elif instrument.is_mandatory and data.kind != RecordKind.VERIFICATION:
        errors["kind"] = _("该器具属于强制检定，须由法定计量检定机构检定，校准记录不能代替检定。")
    if data.performed_on is None:
        errors["performed_on"] = _("请填写检定/校准日期。")
    elif data.performed_on > today:
        errors["performed_on"] = _("检定/校准日期不能晚于今天。")
    body = None
    if data.body is not None:
        body = Institution.objects.filter(pk=data.body).first()
        if body is None:
            errors["body"] = _("机构不存在。")
    body_name = " ".join((data.body_name or "").split())[:200]
    if body is None and not body_name and "body" not in errors:
        errors["body_name"] = _("请填写检定/校准机构。")
    certificate = " ".join((data.certificate_number or "").split())
    if len(certificate) > 100:
        errors["certificate_number"] = _("不能超过%(n)d个字符。") % {"n": 100}
    elif not certificate:
        errors["certificate_number"] = _("请填写证书或检定结果通知书编号。")
    if len(data.uncertainty or "") > 200:
        errors["uncertainty"] = _("不能超过%(n)d个字符。") % {"n": 200}
    performed = data.performed_on
    if data.kind == RecordKind.VERIFICATION:
        if data.result not in VerificationRecord.Result.values:
            errors["result"] = _("检定结论应为 pass（合格）或 fail（不合格）。")
        elif data.result == VerificationRecord.Result.PASS:
            if data.valid_until is None:
                errors["valid_until"] = _("检定合格的，请填写检定证书上的有效期（由检定机构确定）。")
            elif performed and not performed < data.valid_until <= performed + datetime.timedelta(
                days=MAX_INTERVAL_DAYS
            ):
                errors["valid_until"] = _("有效期应晚于检定日期且不超过10年。")
        elif data.valid_until is not None:
            errors["valid_until"] = _("检定不合格的出具检定结果通知书，没有有效期。")
        if data.suggested_next is not None:
            errors["suggested_next"] = _("检定记录不填建议下次校准日期，请填写有效期。")
    elif data.kind == RecordKind.CALIBRATION:
        if data.result:
            errors["result"] = _(
                "校准不作合格/不合格结论，请填写校准数据和不确定度，由使用单位判断是否满足要求。"
            )
        if data.valid_until is not None:
            errors["valid_until"] = _("校准没有有效期，只有建议下次校准日期。")
        if (
            data.suggested_next is not None
            and performed
            and not (
                performed < data.suggested_next <= performed + datetime.timedelta(days=MAX_INTERVAL_DAYS)
            )
        ):
            errors["suggested_next"] = _("建议下次校准日期应晚于校准日期且不超过10年。")
        if data.suggested_next is None and not instrument.internal_interval_days:
            errors["suggested_next"] = _("请填写建议下次校准日期，或先在台账中设定内部校准周期。")
    if errors:
        raise ValidationFailed(errors)
    return {
        "kind": data.kind,
        "performed_on": performed,
        "body": body,
        "body_name": body_name if body is None else "",
        "result": data.result if data.kind == RecordKind.VERIFICATION else "",
        "certificate_number": certificate,
        "valid_until": data.valid_until,
        "suggested_next": data.suggested_next,
        "uncertainty": (data.uncertainty or "").strip(),
        "data": (data.data or "").strip(),
    }


def _add_record(*, instrument: Instrument, cleaned: dict, by, booking: Booking | None = None, is_demo=False):
    record = VerificationRecord.objects.create(
        instrument=instrument,
        booking=booking,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        is_demo=is_demo,
        **cleaned,
    )
    recompute_next_due(instrument)
    instrument.save(update_fields=["next_due", "failed_verification", "updated_at"])
    audit.record(
        by,
        "metrology.record.added",
        instrument,
        {"record": record.pk, "kind": record.kind, "result": record.result, "next_due": instrument.next_due},
    )
    if record.kind == RecordKind.VERIFICATION and record.result == VerificationRecord.Result.FAIL:
        notify(
            users=enterprise_users(instrument.enterprise),
            event="metrology.reminder",
            title=_("%(name)s 检定不合格，禁止使用") % {"name": instrument},
            body=_("检定结果通知书 %(no)s。该器具须修理并重新检定合格后方可使用。")
            % {"no": record.certificate_number},
            url=instrument_url(instrument),
            obj=instrument,
        )
    return record


@transaction.atomic
def record_add(
    *, instrument: Instrument, data: RecordData, by, upload=None, is_demo: bool = False
) -> VerificationRecord:
    """Enter a 检定/校准 result from a certificate (e.g. a body not on the platform), with its scan
    (``upload``, optional)."""
    checked = check_certificate(upload)
    instrument = (
        Instrument.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=instrument.pk)
    )
    if not can_manage_ledger(by, instrument.enterprise):
        raise PermissionDenied(_("您无权维护该企业的计量器具台账。"))
    cleaned = validate_record(data, instrument=instrument)
    record = _add_record(instrument=instrument, cleaned=cleaned, by=by, is_demo=is_demo)
    _store_file(record, upload, checked, by)
    return record


# --- certificate files ---------------------------------------------------------------------------------------


def check_certificate(upload) -> tuple[str, str] | None:
    """(name, content type) of a certificate file (PDF, PNG or JPG by its own first bytes, at most 20 MB),
    ``None`` without one, or ``ValidationFailed`` on field ``file``."""
    if upload is None:
        return None
    return check_upload(upload, allowed=CERTIFICATE_TYPES, max_bytes=CERTIFICATE_MAX_BYTES)


def may_attach_file(user, record: VerificationRecord) -> bool:
    """A record from a booking: the body that did the work; one entered into the ledger: who keeps it."""
    if record.booking_id:
        return is_body_staff(user, record.booking.institution)
    return can_manage_ledger(user, record.instrument.enterprise)


def _store_file(record: VerificationRecord, upload, checked: tuple[str, str] | None, by) -> None:
    if checked is None:
        return
    old = record.file.name
    record.file_name, record.file_type = checked
    record.file.save(record.file_name, upload, save=False)
    record.save(update_fields=["file", "file_name", "file_type"])
    audit.record(
        by,
        "metrology.record.file_attached",
        record.instrument,
        {"record": record.pk, "name": record.file_name, "replaced": bool(old)},
    )
    if old:
        storage = record.file.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def record_attach_file(*, record: VerificationRecord, upload, by) -> VerificationRecord:
    """Attach (or replace) the certificate or result file of a record."""
    if upload is None:
        raise ValidationFailed({"file": _("请选择文件。")})
    checked = check_certificate(upload)
    record = (
        VerificationRecord.objects.select_for_update(of=("self",))
        .select_related("instrument__enterprise", "booking__institution")
        .get(pk=record.pk)
    )
    if not may_attach_file(by, record):
        raise PermissionDenied(_("只有出具该证书的计量技术机构或台账维护人可以上传证书文件。"))
    _store_file(record, upload, checked, by)
    return record


# --- bookings -----------------------------------------------------------------------------------------------


def suggest_bodies(*, instrument: Instrument, fetched_by, limit: int = 20) -> list:
    """Calibration bodies whose capability scope covers the instrument (the directory's capability match by
    its quantity, else its name), nearest to the enterprise's county first.

    A body is then dropped when every matching scope line with a readable measuring range clearly does not
    contain the instrument's range (``ranges.covers`` is False); one line that covers it, or whose range
    (or the instrument's) cannot be read, keeps it. Each suggestion gets a ``range_note`` saying why."""
    seen: dict[int, object] = {}
    for term in [instrument.quantity, instrument.name]:
        term = (term or "").strip()
        if not term:
            continue
        for result in capability_match(
            fetched_by=fetched_by,
            parameter=term,
            product="",
            region=instrument.enterprise.region_id,
            limit=100,
        ):
            if result.institution.kind != Institution.Kind.CALIBRATION or result.id in seen:
                continue
            keep, note = range_verdict(result.lines, instrument.measuring_range)
            if keep:
                result.range_note = note
                seen[result.id] = result
        if seen:
            break
    return list(seen.values())[:limit]


def range_verdict(lines, instrument_range: str) -> tuple[bool, str]:
    """(keep the body?, why) for a body's matching scope lines and the instrument's measuring range."""
    instrument_range = (instrument_range or "").strip()
    if not instrument_range:
        return True, _("器具测量范围未注明")
    verdicts = [(line, covers(line.measuring_range, instrument_range)) for line in lines]
    for line, verdict in verdicts:
        if verdict is True:
            return True, _("测量范围 %(body)s 覆盖 %(inst)s") % {
                "body": line.measuring_range.strip(),
                "inst": instrument_range,
            }
    if verdicts and all(verdict is False for _line, verdict in verdicts):
        return False, _("测量范围 %(body)s 不覆盖 %(inst)s") % {
            "body": "、".join(line.measuring_range.strip() for line, _v in verdicts),
            "inst": instrument_range,
        }
    if not verdicts or any(not (line.measuring_range or "").strip() for line, v in verdicts if v is None):
        return True, _("范围未注明")
    return True, _("范围无法比对")


#: action → (statuses it applies to, status it leads to, who acts: "enterprise" or "body")
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "accept": (frozenset({Booking.Status.REQUESTED}), Booking.Status.ACCEPTED, "body"),
    "decline": (frozenset({Booking.Status.REQUESTED}), Booking.Status.DECLINED, "body"),
    "cancel": (
        frozenset({Booking.Status.REQUESTED, Booking.Status.ACCEPTED}),
        Booking.Status.CANCELLED,
        "enterprise",
    ),
    "complete": (frozenset({Booking.Status.ACCEPTED}), Booking.Status.COMPLETED, "body"),
}
OPEN_STATUSES = frozenset({Booking.Status.REQUESTED, Booking.Status.ACCEPTED})


def allowed_actions(user, booking: Booking) -> list[str]:
    actions = []
    for action, (sources, _target, actor) in TRANSITIONS.items():
        if booking.status not in sources:
            continue
        if actor == "body" and is_body_staff(user, booking.institution):
            actions.append(action)
        if actor == "enterprise" and can_manage_ledger(user, booking.instrument.enterprise):
            actions.append(action)
    return actions


@transaction.atomic
def booking_create(
    *,
    instrument: Instrument,
    institution: Institution,
    proposed_date: datetime.date | None,
    note: str = "",
    by,
    is_demo: bool = False,
    today: datetime.date | None = None,
) -> Booking:
    today = today or timezone.localdate()
    instrument = (
        Instrument.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=instrument.pk)
    )
    if not can_manage_ledger(by, instrument.enterprise):
        raise PermissionDenied(_("您无权为该器具预约送检/校准。"))
    errors = {}
    if proposed_date is None:
        errors["proposed_date"] = _("请填写预约日期。")
    elif proposed_date < today:
        errors["proposed_date"] = _("预约日期不能早于今天。")
    if len(note or "") > 500:
        errors["note"] = _("不能超过%(n)d个字符。") % {"n": 500}
    if institution.kind != Institution.Kind.CALIBRATION:
        errors["institution"] = _("“%(name)s”不是计量技术机构。") % {"name": institution.name}
    elif institution.pk not in {
        r.id for r in suggest_bodies(instrument=instrument, fetched_by=by, limit=100)
    }:
        errors["institution"] = _("“%(name)s”的能力范围不包括该器具（%(q)s）。") % {
            "name": institution.name,
            "q": instrument.quantity or instrument.name,
        }
    if errors:
        raise ValidationFailed(errors)
    if instrument.bookings.filter(status__in=OPEN_STATUSES).exists():
        raise DomainError(_("该器具已有未完成的预约，请先完成或取消。"))
    booking = Booking.objects.create(
        instrument=instrument,
        institution=institution,
        region_id=instrument.region_id,
        kind=instrument.record_kind,
        proposed_date=proposed_date,
        note=(note or "").strip(),
        requested_by=by if getattr(by, "is_authenticated", False) else None,
        is_demo=is_demo,
    )
    audit.record(
        by, "metrology.booking.created", booking, {"institution": institution.pk, "date": proposed_date}
    )
    notify(
        users=institution_users(institution),
        event="metrology.booking",
        title=_("新的送检/校准预约：%(e)s %(i)s") % {"e": instrument.enterprise.name, "i": instrument},
        body=_("预约日期 %(d)s。") % {"d": proposed_date.isoformat()},
        url=booking_url(booking),
        obj=booking,
    )
    return booking


def _transition(booking: Booking, action: str, by) -> tuple[Booking, str]:
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("instrument__enterprise", "institution")
        .get(pk=booking.pk)
    )
    sources, target, actor = TRANSITIONS[action]
    allowed = (
        is_body_staff(by, booking.institution)
        if actor == "body"
        else can_manage_ledger(by, booking.instrument.enterprise)
    )
    if not allowed:
        raise PermissionDenied(
            _("只有计量技术机构可以执行该操作。") if actor == "body" else _("只有企业可以取消预约。")
        )
    if booking.status not in sources:
        raise DomainError(
            _("预约当前状态为“%(s)s”，不能%(a)s。")
            % {"s": booking.get_status_display(), "a": ACTION_LABELS[action]}
        )
    before = booking.status
    booking.status = target
    return booking, before


ACTION_LABELS = {
    "accept": gettext_lazy("接受"),
    "decline": gettext_lazy("拒绝"),
    "cancel": gettext_lazy("取消"),
    "complete": gettext_lazy("完成"),
}


def _booking_notify(booking: Booking, action: str) -> None:
    if action == "cancel":
        users = institution_users(booking.institution)
    else:
        users = enterprise_users(booking.instrument.enterprise)
    notify(
        users=users,
        event="metrology.booking",
        title=_("送检/校准预约%(s)s：%(i)s") % {"s": booking.get_status_display(), "i": booking.instrument},
        body=booking.response_note,
        url=booking_url(booking),
        obj=booking,
    )


@transaction.atomic
def booking_respond(*, booking: Booking, action: str, by, note: str = "") -> Booking:
    """accept / decline (the body) or cancel (the enterprise)."""
    if action not in ("accept", "decline", "cancel"):
        raise ValidationFailed({"action": _("操作应为 accept、decline 或 cancel。")})
    if len(note or "") > 500:
        raise ValidationFailed({"note": _("不能超过%(n)d个字符。") % {"n": 500}})
    booking, before = _transition(booking, action, by)
    if note and action != "cancel":
        booking.response_note = note.strip()
    booking.save(update_fields=["status", "response_note", "updated_at"])
    audit.record(by, f"metrology.booking.{booking.status}", booking, {"from": before, "note": note})
    _booking_notify(booking, action)
    return booking


def booking_accept(*, booking: Booking, by, note: str = "") -> Booking:
    return booking_respond(booking=booking, action="accept", by=by, note=note)


def booking_decline(*, booking: Booking, by, note: str = "") -> Booking:
    return booking_respond(booking=booking, action="decline", by=by, note=note)


def booking_cancel(*, booking: Booking, by) -> Booking:
    return booking_respond(booking=booking, action="cancel", by=by)


@transaction.atomic
def booking_complete(
    *, booking: Booking, data: RecordData, by, upload=None, is_demo: bool = False
) -> VerificationRecord:
    """The body records its result: a VerificationRecord on the instrument (body = itself), next_due updated,
    with its certificate file (``upload``, optional)."""
    checked = check_certificate(upload)
    booking, before = _transition(booking, "complete", by)
    instrument = (
        Instrument.objects.select_for_update(of=("self",))
        .select_related("enterprise")
        .get(pk=booking.instrument_id)
    )
    data.body, data.body_name = booking.institution_id, ""
    cleaned = validate_record(data, instrument=instrument)
    booking.save(update_fields=["status", "updated_at"])
    record = _add_record(instrument=instrument, cleaned=cleaned, by=by, booking=booking, is_demo=is_demo)
    _store_file(record, upload, checked, by)
    audit.record(by, "metrology.booking.completed", booking, {"from": before, "record": record.pk})
    _booking_notify(booking, "complete")
    return record
