"""Metrology routes: instruments (CRUD within scope, records, the due list) and bookings. Thin: reads go
through ``selectors`` (outside scope = 404), writes through ``services``."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from nqihub.core.api import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS, Pages
from nqihub.core.bounds import Code, Days, Id, IsoDate
from nqihub.core.errors import ValidationFailed
from nqihub.core.files import file_response
from nqihub.core.http import get_or_404
from nqihub.directory.selectors import enterprise_get, institution_get

from . import selectors, services, services_bulk
from .models import Booking, Instrument, Purpose

router = Router(tags=["metrology"])


class InstrumentIn(Schema):
    enterprise: Id = Field(..., description="企业 id（仅创建时使用）")
    name: str = Field(..., max_length=100)
    serial_number: str = Field(..., max_length=100)
    purpose: str = Field(
        Purpose.INTERNAL,
        description="trade 贸易结算 / safety 安全防护 / medical 医疗卫生 / environment 环境监测 / internal 其他",
        max_length=12,
    )
    model_number: str = Field("", max_length=100)
    manufacturer: str = Field("", max_length=200)
    measuring_range: str = Field("", max_length=100)
    accuracy_class: str = Field("", max_length=100)
    quantity: str = Field("", max_length=50)
    location: str = Field("", max_length=200)
    catalogue_entry: Id | None = Field(None, description="强制检定目录条目 id")
    internal_interval_days: Days | None = None
    next_due: IsoDate | None = None
    in_use: bool = True


class InstrumentOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    name: str
    model_number: str
    serial_number: str
    manufacturer: str
    measuring_range: str
    accuracy_class: str
    quantity: str
    location: str
    purpose: str
    catalogue_entry_id: int | None
    is_mandatory: bool
    record_kind: str
    internal_interval_days: int | None
    next_due: datetime.date | None
    days_left: int | None
    overdue: bool
    blocked: bool = Field(..., description="禁止使用：已超期或检定不合格")
    in_use: bool
    is_demo: bool


class RecordIn(Schema):
    kind: str = Field(..., description="verification 检定 / calibration 校准", max_length=12)
    performed_on: IsoDate | None = None
    body: Id | None = Field(None, description="机构 id（目录中有时）")
    body_name: str = Field("", max_length=200)
    result: str = Field("", description="检定：pass / fail；校准：留空", max_length=4)
    certificate_number: str = Field("", max_length=100)
    valid_until: IsoDate | None = None
    suggested_next: IsoDate | None = None
    uncertainty: str = Field("", max_length=200)
    data: str = Field("", max_length=5000)


class RecordOut(Schema):
    id: int
    kind: str
    body_id: int | None
    body_name: str
    performed_on: datetime.date
    result: str
    certificate_number: str
    document: str
    valid_until: datetime.date | None
    suggested_next: datetime.date | None
    uncertainty: str
    data: str
    booking_id: int | None
    file_name: str = Field(..., description="证书/结果文件名；空 = 未上传（下载：GET /records/{id}/file）")


class BookingIn(Schema):
    instrument: Id
    institution: Id
    proposed_date: IsoDate
    note: str = Field("", max_length=500)


class BulkBookingIn(Schema):
    instruments: list[Id] = Field(
        ..., min_length=1, max_length=services.MAX_BULK_BOOKING, description="器具 id（至多 50 件）"
    )
    institution: Id
    proposed_date: IsoDate
    note: str = Field("", max_length=500)


class BookingOut(Schema):
    id: int
    instrument_id: int
    instrument_name: str
    enterprise_name: str
    institution_id: int
    institution_name: str
    kind: str
    proposed_date: datetime.date
    status: str
    note: str
    response_note: str
    record_id: int | None


class BodyOut(Schema):
    id: int
    name: str
    closeness: str


class DueQuery(Schema):
    within_days: int = Field(30, ge=0, le=3650, description="从今天起多少天内到期（含已超期）")


class InstrumentFilter(Schema):
    enterprise: Id | None = None
    q: str = Field("", max_length=100)
    status: str = Field("", description="overdue / due30 / mandatory / retired", max_length=16)


def _instrument_out(i: Instrument, today: datetime.date) -> dict:
    return {
        "id": i.pk,
        "enterprise_id": i.enterprise_id,
        "enterprise_name": i.enterprise.name,
        "region_code": i.region_id,
        **{
            f: getattr(i, f)
            for f in (
                "name",
                "model_number",
                "serial_number",
                "manufacturer",
                "measuring_range",
                "accuracy_class",
                "quantity",
                "location",
                "purpose",
                "catalogue_entry_id",
                "is_mandatory",
                "internal_interval_days",
                "next_due",
                "in_use",
                "is_demo",
            )
        },
        "record_kind": i.record_kind,
        "days_left": i.days_left(today),
        "overdue": i.is_overdue(today),
        "blocked": i.is_blocked(today),
    }


def _record_out(r) -> dict:
    return {
        **{
            f: getattr(r, f)
            for f in (
                "id",
                "kind",
                "body_id",
                "performed_on",
                "result",
                "certificate_number",
                "valid_until",
                "suggested_next",
                "uncertainty",
                "data",
                "booking_id",
                "file_name",
            )
        },
        "body_name": r.body_display,
        "document": r.document_label,
    }


def _booking_out(b: Booking) -> dict:
    record = getattr(b, "record", None) if b.status == Booking.Status.COMPLETED else None
    return {
        "id": b.pk,
        "instrument_id": b.instrument_id,
        "instrument_name": str(b.instrument),
        "enterprise_name": b.instrument.enterprise.name,
        "institution_id": b.institution_id,
        "institution_name": b.institution.name,
        "kind": b.kind,
        "proposed_date": b.proposed_date,
        "status": b.status,
        "note": b.note,
        "response_note": b.response_note,
        "record_id": record.pk if record else None,
    }


def _data(payload: InstrumentIn) -> services.InstrumentData:
    return services.InstrumentData(**payload.dict(exclude={"enterprise"}))


# --- instruments -----------------------------------------------------------------------------------------------


@router.get(
    "/instruments", response={200: list[InstrumentOut], **READ_ERRORS}, summary="Instruments in scope"
)
@paginate(Pages)
def list_instruments(request, filters: Query[InstrumentFilter]):
    today = timezone.localdate()
    qs = selectors.instrument_list(
        fetched_by=request.user,
        enterprise=filters.enterprise,
        q=filters.q,
        status=filters.status,
        today=today,
    )
    return [_instrument_out(i, today) for i in qs]


@router.get(
    "/instruments/due",
    response={200: list[InstrumentOut], **READ_ERRORS},
    summary="Instruments due within N days from today (overdue ones included, overdue: true)",
)
def due_instruments(request, query: Query[DueQuery]):
    today = timezone.localdate()
    qs = selectors.instruments_due(fetched_by=request.user, within_days=query.within_days, today=today)
    return [_instrument_out(i, today) for i in qs[:1000]]


@router.post(
    "/instruments", response={201: InstrumentOut, **WRITE_ERRORS}, summary="Add an instrument to a ledger"
)
def create_instrument(request, payload: InstrumentIn):
    enterprise = get_or_404(enterprise_get, fetched_by=request.user, pk=payload.enterprise)
    instrument = services.instrument_create(enterprise=enterprise, data=_data(payload), by=request.user)
    return Status(201, _instrument_out(instrument, timezone.localdate()))


@router.get("/instruments/{pk}", response={200: InstrumentOut, **DETAIL_ERRORS}, summary="One instrument")
def get_instrument(request, pk: Id):
    return _instrument_out(
        get_or_404(selectors.instrument_get, fetched_by=request.user, pk=pk), timezone.localdate()
    )


@router.put(
    "/instruments/{pk}", response={200: InstrumentOut, **WRITE_ERRORS}, summary="Update an instrument"
)
def update_instrument(request, pk: Id, payload: InstrumentIn):
    instrument = get_or_404(selectors.instrument_get, fetched_by=request.user, pk=pk)
    instrument = services.instrument_update(instrument=instrument, data=_data(payload), by=request.user)
    return _instrument_out(instrument, timezone.localdate())


@router.delete(
    "/instruments/{pk}", response={204: None, **WRITE_ERRORS}, summary="Delete an instrument without history"
)
def delete_instrument(request, pk: Id):
    instrument = get_or_404(selectors.instrument_get, fetched_by=request.user, pk=pk)
    services.instrument_delete(instrument=instrument, by=request.user)
    return Status(204, None)


@router.get("/instruments/{pk}/records", response={200: list[RecordOut], **DETAIL_ERRORS}, summary="Records")
def list_records(request, pk: Id):
    instrument = get_or_404(selectors.instrument_get, fetched_by=request.user, pk=pk)
    return [_record_out(r) for r in selectors.records_of(fetched_by=request.user, instrument=instrument)]


@router.post(
    "/instruments/{pk}/records", response={201: RecordOut, **WRITE_ERRORS}, summary="Enter a 检定/校准 result"
)
def create_record(request, pk: Id, payload: RecordIn):
    instrument = get_or_404(selectors.instrument_get, fetched_by=request.user, pk=pk)
    record = services.record_add(
        instrument=instrument, data=services.RecordData(**payload.dict()), by=request.user
    )
    return Status(201, _record_out(record))


@router.get(
    "/instruments/{pk}/bodies",
    response={200: list[BodyOut], **DETAIL_ERRORS},
    summary="Calibration bodies covering it",
)
def list_bodies(request, pk: Id):
    instrument = get_or_404(selectors.instrument_get, fetched_by=request.user, pk=pk)
    return [
        {"id": r.id, "name": r.name, "closeness": r.closeness}
        for r in services.suggest_bodies(instrument=instrument, fetched_by=request.user)
    ]


# --- bookings ------------------------------------------------------------------------------------------------


@router.get("/bookings", response={200: list[BookingOut], **READ_ERRORS}, summary="Bookings in scope")
@paginate(Pages)
def list_bookings(request, status: Code = "", instrument: Id | None = None):
    return [
        _booking_out(b)
        for b in selectors.booking_list(fetched_by=request.user, status=status, instrument=instrument)
    ]


@router.post(
    "/bookings", response={201: BookingOut, **WRITE_ERRORS}, summary="Book a calibration/verification"
)
def create_booking(request, payload: BookingIn):
    instrument = get_or_404(selectors.instrument_get, fetched_by=request.user, pk=payload.instrument)
    institution = get_or_404(institution_get, fetched_by=request.user, pk=payload.institution)
    booking = services.booking_create(
        instrument=instrument,
        institution=institution,
        proposed_date=payload.proposed_date,
        note=payload.note,
        by=request.user,
    )
    return Status(201, _booking_out(booking))


@router.post(
    "/bookings/bulk",
    response={201: list[BookingOut], **WRITE_ERRORS},
    summary="Book several instruments with one body (all or none)",
)
def create_bookings_bulk(request, payload: BulkBookingIn):
    """One booking per instrument. An instrument not found (or not visible), or one the body cannot take
    (capability/range, an open booking already), is a 422 with field ``instruments.<position>`` and the
    reason; then nothing is booked."""
    found = selectors.instruments_by_ids(fetched_by=request.user, ids=payload.instruments)
    missing = {
        f"instruments.{n}": _("器具 %(id)s 不存在或不在您的可见范围内。") % {"id": pk}
        for n, pk in enumerate(payload.instruments)
        if pk not in found
    }
    if missing:
        raise ValidationFailed(missing)
    institution = get_or_404(institution_get, fetched_by=request.user, pk=payload.institution)
    bookings = services_bulk.booking_create_bulk(
        instruments=[found[pk] for pk in payload.instruments],
        institution=institution,
        proposed_date=payload.proposed_date,
        note=payload.note,
        by=request.user,
    )
    return Status(201, [_booking_out(b) for b in bookings])


@router.get("/bookings/{pk}", response={200: BookingOut, **DETAIL_ERRORS}, summary="One booking")
def get_booking(request, pk: Id):
    return _booking_out(get_or_404(selectors.booking_get, fetched_by=request.user, pk=pk))


@router.post(
    "/bookings/{pk}/complete",
    response={201: RecordOut, **WRITE_ERRORS},
    summary="Record the result (the body)",
)
def complete_booking(request, pk: Id, payload: RecordIn):
    booking = get_or_404(selectors.booking_get, fetched_by=request.user, pk=pk)
    record = services.booking_complete(
        booking=booking, data=services.RecordData(**payload.dict()), by=request.user
    )
    return Status(201, _record_out(record))


@router.post(
    "/records/{pk}/file",
    response={200: RecordOut, **WRITE_ERRORS},
    summary="Attach the certificate or result file of a record (PDF, PNG, JPG; at most 20 MB)",
)
def attach_record_file(request, pk: Id, file: File[UploadedFile]):
    record = get_or_404(selectors.record_get, fetched_by=request.user, pk=pk)
    return _record_out(services.record_attach_file(record=record, upload=file, by=request.user))


@router.get(
    "/records/{pk}/file",
    response={200: None, **DETAIL_ERRORS},
    summary="Download a record's certificate file",
)
def get_record_file(request, pk: Id):
    record = get_or_404(selectors.record_get, fetched_by=request.user, pk=pk)
    return file_response(record.file, filename=record.file_name, content_type=record.file_type)


def _note(request) -> str:
    """The optional ``{"note": "…"}`` body of an action (no body at all is fine)."""
    import json

    if request.content_type != "application/json":
        return str(request.POST.get("note", ""))
    if not request.body:
        return ""
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise ValidationFailed({"body": _("请求体不是有效的 JSON。")}) from exc
    note = data.get("note", "") if isinstance(data, dict) else None
    if not isinstance(note, str):
        raise ValidationFailed({"note": _("应为字符串。")})
    return note


def _respond(request, pk: Id, action: str):
    booking = get_or_404(selectors.booking_get, fetched_by=request.user, pk=pk)
    note = _note(request)
    return _booking_out(services.booking_respond(booking=booking, action=action, by=request.user, note=note))


@router.post("/bookings/{pk}/accept", response={200: BookingOut, **WRITE_ERRORS}, summary="Accept (the body)")
def accept_booking(request, pk: Id):
    """Optional JSON body: {"note": "…"} (at most 500 characters)."""
    return _respond(request, pk, "accept")


@router.post(
    "/bookings/{pk}/decline", response={200: BookingOut, **WRITE_ERRORS}, summary="Decline (the body)"
)
def decline_booking(request, pk: Id):
    """Optional JSON body: {"note": "…"} (at most 500 characters)."""
    return _respond(request, pk, "decline")


@router.post(
    "/bookings/{pk}/cancel", response={200: BookingOut, **WRITE_ERRORS}, summary="Cancel (the enterprise)"
)
def cancel_booking(request, pk: Id):
    """Optional JSON body: {"note": "…"} (at most 500 characters)."""
    return _respond(request, pk, "cancel")
