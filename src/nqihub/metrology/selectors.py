"""Scoped reads of metrology: every function takes the acting user (``fetched_by``) first; a record outside
the user's scope does not exist for it (``DoesNotExist``, answered 404)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from nqihub.core.scoping import visible
from nqihub.core.selectors import filter_given

from .models import Booking, Instrument, MandatoryCatalogueEntry, VerificationRecord


def instrument_list(
    *,
    fetched_by,
    enterprise: int | None = None,
    q: str = "",
    status: str = "",
    region: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet:
    """``status``: ``overdue`` (past due or failed), ``due30`` (due within 30 days, overdue included),
    ``mandatory``, ``retired``; empty = in use."""
    today = today or timezone.localdate()
    qs = Instrument.objects.filter(visible(fetched_by, Instrument)).select_related(
        "enterprise", "catalogue_entry"
    )
    if enterprise:
        qs = qs.filter(enterprise_id=enterprise)
    if q:
        q = q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(serial_number__icontains=q) | Q(model_number__icontains=q))
    if region:
        from nqihub.core.regions import is_code, prefix
        from nqihub.core.scoping import prefix_q

        if is_code(region):
            qs = qs.filter(prefix_q("region_id", prefix(region)))
    if status == "retired":
        return qs.filter(in_use=False)
    qs = qs.filter(in_use=True)
    if status == "overdue":
        qs = qs.filter(Q(next_due__lt=today) | Q(failed_verification=True))
    elif status == "due30":
        qs = qs.filter(next_due__lte=today + datetime.timedelta(days=30))
    elif status == "mandatory":
        qs = qs.filter(is_mandatory=True)
    return qs


def instrument_get(*, fetched_by, pk) -> Instrument:
    return (
        Instrument.objects.filter(visible(fetched_by, Instrument))
        .select_related("enterprise", "region", "catalogue_entry")
        .get(pk=pk)
    )


def instruments_due(*, fetched_by, within_days: int, today: datetime.date | None = None) -> QuerySet:
    """Instruments in use the user may see that are due within ``within_days`` days from today, the overdue
    ones included; soonest first."""
    today = today or timezone.localdate()
    return (
        Instrument.objects.filter(visible(fetched_by, Instrument))
        .filter(
            in_use=True, next_due__isnull=False, next_due__lte=today + datetime.timedelta(days=within_days)
        )
        .select_related("enterprise")
        .order_by("next_due", "pk")
    )


def overdue_list(*, fetched_by, region: str | None = None, today: datetime.date | None = None) -> QuerySet:
    """Instruments past due (or failed at verification): 禁止使用. For regulators, their region's subtree."""
    return (
        instrument_list(fetched_by=fetched_by, status="overdue", region=region, today=today)
        .select_related("region__parent")
        .order_by("next_due", "pk")
    )


def records_of(*, fetched_by, instrument: Instrument) -> QuerySet:
    return VerificationRecord.objects.filter(
        instrument__in=Instrument.objects.filter(visible(fetched_by, Instrument), pk=instrument.pk)
    ).select_related("body", "booking__institution", "instrument__enterprise")


def record_get(*, fetched_by, pk) -> VerificationRecord:
    """One record, when its instrument is visible to the user (its enterprise, the station or regulator of
    its region, a body it was booked with)."""
    return (
        VerificationRecord.objects.filter(
            instrument__in=Instrument.objects.filter(visible(fetched_by, Instrument))
        )
        .select_related("instrument__enterprise", "booking__institution", "body")
        .get(pk=pk)
    )


def instruments_by_ids(*, fetched_by, ids) -> dict[int, Instrument]:
    """The visible ones among ``ids``, by id (the others are simply absent)."""
    qs = Instrument.objects.filter(visible(fetched_by, Instrument), pk__in=list(ids)).select_related(
        "enterprise"
    )
    return {i.pk: i for i in qs}


def booking_list(
    *, fetched_by, status: str = "", instrument: int | None = None, institution: int | None = None
) -> QuerySet:
    qs = Booking.objects.filter(visible(fetched_by, Booking)).select_related(
        "instrument__enterprise", "institution"
    )
    return filter_given(qs, status=status, instrument_id=instrument, institution_id=institution)


def booking_get(*, fetched_by, pk) -> Booking:
    return (
        Booking.objects.filter(visible(fetched_by, Booking))
        .select_related("instrument__enterprise", "institution")
        .get(pk=pk)
    )


def catalogue_list(*, q: str = "", active_only: bool = True) -> QuerySet:
    """The catalogue is public reference data (not scoped)."""
    qs = MandatoryCatalogueEntry.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(category__icontains=q))
    return qs
