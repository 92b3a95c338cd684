"""HTML pages of metrology: the instrument ledger with due/overdue badges and 禁止使用, an instrument with
its records and bookings, the regulator's overdue list, bookings for the calibration body, the import.

Thin: reads through ``selectors`` (outside scope = 404), writes through ``services`` (``ValidationFailed``
shown field by field on the form, ``PermissionDenied`` a 403, other ``DomainError`` a message)."""

import dataclasses
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.files import file_response
from nqihub.core.http import form_data, scoped_or_404
from nqihub.core.models import ImportJob, Organisation
from nqihub.core.scoping import scope_of
from nqihub.core.tabular import read_upload
from nqihub.directory import selectors as directory_selectors

from . import imports, selectors, services, services_bulk
from .forms import BookingForm, CertificateFileForm, ImportForm, InstrumentForm, RecordForm
from .models import Booking

PAGE_SIZE = 25


def _form_errors(form, exc: ValidationFailed) -> None:
    for name, message in exc.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _submitted(request, form, save, *, success: str, domain_errors: bool = False) -> tuple[bool, object]:
    """Run ``save(cleaned_data)`` on a valid POSTed form: (True, what it returned) once saved, with the
    success message. The service's ``ValidationFailed`` goes on the form; another ``DomainError`` is a
    message when ``domain_errors`` (else it propagates)."""
    if request.method != "POST" or not form.is_valid():
        return False, None
    try:
        obj = save(form.cleaned_data)
    except ValidationFailed as exc:
        _form_errors(form, exc)
        return False, None
    except DomainError as exc:
        if not domain_errors:
            raise
        messages.error(request, exc.message)
        return False, None
    messages.success(request, success)
    return True, obj


def _form_page(request, form, *, title: str, subject, cancel_url: str, **extra):
    context = {"form": form, "title": title, "subject": subject, "cancel_url": cancel_url, **extra}
    return render(request, "metrology/form.html", context)


def _save_or_form(
    request, form, save, *, success: str, done_url, title: str, subject, cancel_url: str, **extra
):
    """``save(cleaned_data)`` on a valid POST, then to ``done_url(saved)``; else the form page (again)."""
    done, saved = _submitted(request, form, save, success=success)
    if done:
        return redirect(done_url(saved))
    return _form_page(request, form, title=title, subject=subject, cancel_url=cancel_url, **extra)


def _list_page(request, template: str, qs, key: str, **context):
    """A paginated list: the page as ``page_obj`` and its rows as ``key``, with more context."""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"page_obj": page, key: page.object_list, **context})


def _managed_instrument(request, pk, message: str):
    """The instrument (404 outside scope), once the user may keep its enterprise's ledger (else 403)."""
    instrument = scoped_or_404(selectors.instrument_get, request, pk)
    if not services.can_manage_ledger(request.user, instrument.enterprise):
        raise Forbidden(message)
    return instrument


def _manageable_enterprises(user):
    return [
        e
        for e in directory_selectors.enterprise_list(fetched_by=user)[:200]
        if services.can_manage_ledger(user, e)
    ]


def _own_enterprise(user):
    ids = scope_of(user).org_ids_of_kind(Organisation.Kind.ENTERPRISE)
    own = list(directory_selectors.enterprise_list(fetched_by=user).filter(organisation_id__in=ids)[:2])
    return own[0] if len(own) == 1 else None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def instrument_list(request):
    """The ledger (计量器具台账): one enterprise's (``?enterprise=``; an enterprise user's own by default) or
    every visible one."""
    today = timezone.localdate()
    enterprise = None
    enterprise_id = _int(request.GET.get("enterprise"))
    if enterprise_id:
        enterprise = scoped_or_404(directory_selectors.enterprise_get, request, enterprise_id)
    elif not scope_of(request.user).is_regulator:
        enterprise = _own_enterprise(request.user)
    status = request.GET.get("status", "")
    qs = selectors.instrument_list(
        fetched_by=request.user,
        enterprise=enterprise.pk if enterprise else None,
        q=request.GET.get("q", ""),
        status=status if status in ("overdue", "due30", "mandatory", "retired") else "",
        today=today,
    )
    return _list_page(
        request,
        "metrology/instrument_list.html",
        qs,
        "instruments",
        today=today,
        enterprise=enterprise,
        status=status,
        q=request.GET.get("q", ""),
        can_manage=enterprise is not None and services.can_manage_ledger(request.user, enterprise),
    )


def _instrument_data(cd) -> services.InstrumentData:
    return services.InstrumentData(
        **{f.name: cd.get(f.name) for f in dataclasses.fields(services.InstrumentData) if f.name in cd}
    )


def _catalogue():
    return list(selectors.catalogue_list())


@login_required
def instrument_create(request):
    enterprise_id = _int(request.GET.get("enterprise") or request.POST.get("enterprise"))
    enterprise = (
        scoped_or_404(directory_selectors.enterprise_get, request, enterprise_id)
        if enterprise_id
        else _own_enterprise(request.user)
    )
    if enterprise is None:
        choices = _manageable_enterprises(request.user)
        if len(choices) == 1:
            enterprise = choices[0]
        else:
            raise Http404
    if not services.can_manage_ledger(request.user, enterprise):
        raise Forbidden(_("您无权维护该企业的计量器具台账。"))
    form = InstrumentForm(form_data(request), catalogue=_catalogue())
    return _save_or_form(
        request,
        form,
        lambda cd: services.instrument_create(
            enterprise=enterprise, data=_instrument_data(cd), by=request.user
        ),
        success=_("已登记到计量器具台账。"),
        done_url=_instrument_url,
        title=_("登记计量器具"),
        subject=enterprise,
        enterprise_id=enterprise.pk,
        cancel_url=reverse("metrology:instrument-list") + f"?enterprise={enterprise.pk}",
    )


@login_required
def instrument_detail(request, pk):
    instrument = scoped_or_404(selectors.instrument_get, request, pk)
    today = timezone.localdate()
    bookings = selectors.booking_list(fetched_by=request.user, instrument=instrument.pk)
    records = list(selectors.records_of(fetched_by=request.user, instrument=instrument))
    for r in records:
        r.may_attach = services.may_attach_file(request.user, r)
    return render(
        request,
        "metrology/instrument_detail.html",
        {
            "instrument": instrument,
            "today": today,
            "records": records,
            "bookings": bookings,
            "can_manage": services.can_manage_ledger(request.user, instrument.enterprise),
            "has_open_booking": any(b.status in services.OPEN_STATUSES for b in bookings),
        },
    )


@login_required
def instrument_edit(request, pk):
    instrument = _managed_instrument(request, pk, _("您无权维护该企业的计量器具台账。"))
    initial = {
        f.name: getattr(instrument, f.name)
        for f in dataclasses.fields(services.InstrumentData)
        if f.name != "catalogue_entry"
    }
    initial["catalogue_entry"] = instrument.catalogue_entry_id
    form = InstrumentForm(form_data(request), initial=initial, catalogue=_catalogue())
    texts = (_("已保存。"), _("修改计量器具"))
    return _instrument_form(request, instrument, form, services.instrument_update, _instrument_data, *texts)


def _instrument_form(request, instrument, form, service, to_data, success: str, title: str):
    """An instrument's form page, writing through ``service(instrument=, data=to_data(cleaned), by=)``:
    saved, back to the instrument; else the form again, with its errors."""
    save = partial(service, instrument=instrument, by=request.user)
    return _save_or_form(
        request,
        form,
        lambda cd: save(data=to_data(cd)),
        success=success,
        done_url=lambda _saved: _instrument_url(instrument),
        title=title,
        subject=instrument,
        cancel_url=_instrument_url(instrument),
    )


def _instrument_url(instrument) -> str:
    return reverse("metrology:instrument-detail", args=[instrument.pk])


def _record_data(cd) -> services.RecordData:
    return services.RecordData(
        kind=cd["kind"],
        performed_on=cd.get("performed_on"),
        body_name=cd.get("body_name", ""),
        result=cd.get("result", ""),
        certificate_number=cd.get("certificate_number", ""),
        valid_until=cd.get("valid_until"),
        suggested_next=cd.get("suggested_next"),
        uncertainty=cd.get("uncertainty", ""),
        data=cd.get("data", ""),
    )


@login_required
def record_create(request, pk):
    instrument = _managed_instrument(request, pk, _("您无权维护该企业的计量器具台账。"))
    form = RecordForm(form_data(request), request.FILES or None, initial={"kind": instrument.record_kind})
    texts = (_("已记录检定/校准结果。"), _("录入检定/校准结果"))
    service = partial(services.record_add, upload=request.FILES.get("file"))
    return _instrument_form(request, instrument, form, service, _record_data, *texts)


@login_required
def booking_create(request, pk):
    instrument = _managed_instrument(request, pk, _("您无权为该器具预约送检/校准。"))
    bodies = services.suggest_bodies(instrument=instrument, fetched_by=request.user)
    form = BookingForm(form_data(request), bodies=bodies)

    def book(cd):
        return services.booking_create(
            instrument=instrument,
            institution=next(b.institution for b in bodies if b.id == cd["institution"]),
            proposed_date=cd.get("proposed_date"),
            note=cd.get("note", ""),
            by=request.user,
        )

    done, booking = _submitted(
        request, form, book, success=_("已提交预约，等待计量技术机构确认。"), domain_errors=True
    )
    if done:
        return redirect("metrology:booking-detail", booking.pk)
    return render(
        request,
        "metrology/booking_form.html",
        {"form": form, "instrument": instrument, "bodies": bodies},
    )


def _selected_instruments(request) -> list:
    """The instruments ticked on the ledger (``instrument`` repeated), each one the user's to book: 404 for
    one it cannot see, 403 for one it may not book."""
    raw = (
        request.POST.getlist("instrument") if request.method == "POST" else request.GET.getlist("instrument")
    )
    ids = list(dict.fromkeys(i for i in map(_int, raw) if i and i > 0))
    services_bulk.check_count(ids)
    found = selectors.instruments_by_ids(fetched_by=request.user, ids=ids)
    if len(found) != len(ids):
        raise Http404
    instruments = [found[pk] for pk in ids]
    if not all(services.can_manage_ledger(request.user, i.enterprise) for i in instruments):
        raise Forbidden(_("您无权为这些器具预约送检/校准。"))
    return instruments


@login_required
def booking_bulk(request):
    """批量预约: the ticked instruments, the bodies covering every one, a date; one booking each, all or none."""
    try:
        instruments = _selected_instruments(request)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("metrology:instrument-list")
    choice = services_bulk.bodies_for(instruments=instruments, fetched_by=request.user)
    form = BookingForm(form_data(request), bodies=choice.common)

    def book(cd):
        return services_bulk.booking_create_bulk(
            instruments=instruments,
            institution=next(b.institution for b in choice.common if b.id == cd["institution"]),
            proposed_date=cd.get("proposed_date"),
            note=cd.get("note", ""),
            by=request.user,
        )

    done, bookings = _submitted(request, form, book, success=_("已提交预约，等待计量技术机构确认。"))
    if done:
        return redirect("metrology:booking-list")
    return render(
        request,
        "metrology/booking_bulk.html",
        {"form": form, "choice": choice, "instruments": instruments, "today": timezone.localdate()},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def record_file(request, pk):
    """The certificate / result file of a record: whoever sees the instrument (else 404)."""
    record = scoped_or_404(selectors.record_get, request, pk)
    return file_response(record.file, filename=record.file_name, content_type=record.file_type)


@login_required
def record_file_upload(request, pk):
    record = scoped_or_404(selectors.record_get, request, pk)
    if not services.may_attach_file(request.user, record):
        raise Forbidden(_("只有出具该证书的计量技术机构或台账维护人可以上传证书文件。"))
    form = CertificateFileForm(form_data(request), request.FILES or None)
    return _save_or_form(
        request,
        form,
        lambda cd: services.record_attach_file(record=record, upload=cd.get("file"), by=request.user),
        success=_("证书文件已上传。"),
        done_url=lambda saved: _instrument_url(saved.instrument),
        title=_("上传证书/结果文件"),
        subject=record,
        cancel_url=_instrument_url(record.instrument),
    )


@login_required
def booking_list(request):
    status = request.GET.get("status", "")
    qs = selectors.booking_list(
        fetched_by=request.user, status=status if status in Booking.Status.values else ""
    )
    return _list_page(
        request, "metrology/booking_list.html", qs, "bookings", status=status, statuses=Booking.Status.choices
    )


@login_required
def booking_detail(request, pk):
    booking = scoped_or_404(selectors.booking_get, request, pk)
    actions = services.allowed_actions(request.user, booking)
    record = getattr(booking, "record", None) if booking.status == Booking.Status.COMPLETED else None
    return render(
        request,
        "metrology/booking_detail.html",
        {
            "booking": booking,
            "actions": [a for a in actions if a != "complete"],
            "can_complete": "complete" in actions,
            "labels": services.ACTION_LABELS,
            "record": record,
            "can_attach": record is not None and services.may_attach_file(request.user, record),
        },
    )


@login_required
@require_POST
def booking_action(request, pk, action):
    booking = scoped_or_404(selectors.booking_get, request, pk)
    if action not in ("accept", "decline", "cancel"):
        raise Http404
    try:
        services.booking_respond(
            booking=booking, action=action, by=request.user, note=request.POST.get("note", "")[:500]
        )
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("预约已%(a)s。") % {"a": services.ACTION_LABELS[action]})
    return redirect("metrology:booking-detail", booking.pk)


@login_required
def booking_complete(request, pk):
    booking = scoped_or_404(selectors.booking_get, request, pk)
    if "complete" not in services.allowed_actions(request.user, booking):
        raise Forbidden(_("只有受理该预约的计量技术机构可以录入结果。"))
    form = RecordForm(
        form_data(request),
        request.FILES or None,
        initial={"kind": booking.kind, "performed_on": timezone.localdate()},
    )
    form.fields.pop("body_name")
    done, _saved = _submitted(
        request,
        form,
        lambda cd: services.booking_complete(
            booking=booking, data=_record_data(cd), upload=cd.get("file"), by=request.user
        ),
        success=_("已录入结果，证书已记录到器具台账。"),
        domain_errors=True,
    )
    if done:
        return redirect("metrology:booking-detail", booking.pk)
    return _form_page(
        request,
        form,
        title=_("录入检定/校准结果"),
        subject=booking.instrument,
        cancel_url=reverse("metrology:booking-detail", args=[booking.pk]),
    )


@login_required
def overdue_list(request):
    """超期（禁止使用）器具: for a regulator, its region's subtree; for others, what they may see."""
    today = timezone.localdate()
    qs = selectors.overdue_list(
        fetched_by=request.user, today=today, region=request.GET.get("region") or None
    )
    return _list_page(request, "metrology/overdue_list.html", qs, "instruments", today=today)


@login_required
def instrument_import(request):
    enterprises = _manageable_enterprises(request.user)
    if not enterprises:
        raise Forbidden(_("您无权维护任何企业的计量器具台账。"))
    form = ImportForm(form_data(request), request.FILES or None)
    errors = []
    selected = _int(request.POST.get("enterprise") or request.GET.get("enterprise"))
    if request.method == "POST" and form.is_valid():
        enterprise = next((e for e in enterprises if e.pk == selected), None)
        if enterprise is None:
            form.add_error(None, _("请选择企业。"))
        else:
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_job_start(
                    enterprise=enterprise, data=read_upload(upload), filename=upload.name, by=request.user
                )
            except imports.InstrumentImportRejected as exc:
                errors = exc.errors
                form.add_error(None, exc.message)
            except ValidationFailed as exc:
                _form_errors(form, exc)
            except services.PermissionDenied as exc:
                raise Forbidden(exc.message) from exc
            else:
                return _after_import(request, job, enterprise)
    return render(
        request,
        "metrology/import.html",
        {
            "form": form,
            "errors": errors,
            "enterprises": enterprises,
            "selected": selected,
            "columns": imports.template_header(),
        },
        # Bad input (no file, a bad file, bad rows, no enterprise) is a 422 with the reasons on the page.
        status=422 if request.method == "POST" else 200,
    )


def _after_import(request, job, enterprise):
    """A job run at once (no broker): the ledger with a message, as before; otherwise its progress page."""
    job.refresh_from_db()
    if job.status == ImportJob.Status.DONE:
        messages.success(request, _("已导入%(n)d件计量器具。") % {"n": job.result.get("created", 0)})
        return redirect(reverse("metrology:instrument-list") + f"?enterprise={enterprise.pk}")
    return redirect("import-status", job_id=job.pk.hex)


@login_required
def import_template(request):
    body = ("\ufeff" + ",".join(imports.template_header()) + "\n").encode("utf-8")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _("计量器具台账导入模板.csv"))
    return response


@login_required
def catalogue_list(request):
    qs = selectors.catalogue_list(q=request.GET.get("q", ""))
    return render(request, "metrology/catalogue_list.html", {"entries": qs, "q": request.GET.get("q", "")})
