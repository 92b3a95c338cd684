"""Metrology's part of today's work (``core.work``): the calibration body's bookings to accept and
results to enter, and the enterprise's instruments falling due."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core import work
from nqihub.core.models import Membership, Organisation
from nqihub.core.work import ROWS, WorkItem, WorkRow, WorkSection, enterprise_block
from nqihub.directory import selectors as directory
from nqihub.directory.models import Institution

from . import selectors
from .models import Booking


def calibration(user, scope, today) -> WorkSection | None:
    if Membership.Role.INSTITUTION_STAFF not in scope.roles:
        return None
    institutions = scope.org_ids_of_kind(Organisation.Kind.INSTITUTION)
    calibration_body = (
        directory.institution_list(fetched_by=user)
        .filter(organisation_id__in=institutions, kind=Institution.Kind.CALIBRATION)
        .exists()
    )
    qs = selectors.booking_list(fetched_by=user).filter(
        institution__organisation_id__in=institutions,
        status__in=[Booking.Status.REQUESTED, Booking.Status.ACCEPTED],
    )
    c = qs.order_by().aggregate(
        requested=Count("pk", filter=Q(status=Booking.Status.REQUESTED)),
        accepted=Count("pk", filter=Q(status=Booking.Status.ACCEPTED)),
    )
    if not (c["requested"] or c["accepted"]) and not calibration_body:
        return None
    base = reverse("metrology:booking-list")
    section = WorkSection("calibration", _("送检/校准预约"), "bi-calendar-check")
    section.items = [
        WorkItem("metrology.requested", _("待确认预约"), c["requested"], f"{base}?status=requested"),
        WorkItem("metrology.results", _("待录入结果"), c["accepted"], f"{base}?status=accepted"),
    ]
    for b in qs.order_by("proposed_date", "pk")[:ROWS]:
        section.rows.append(
            WorkRow(
                str(b.instrument),
                b.get_status_display(),
                reverse("metrology:booking-detail", args=[b.pk]),
                due=b.proposed_date,
            )
        )
    return section


def enterprise(user, scope, today) -> WorkSection | None:
    """The enterprise's instruments due for verification or calibration within 30 days (red when late)."""
    if Membership.Role.ENTERPRISE_USER not in scope.roles:
        return None
    instruments = selectors.instruments_due(fetched_by=user, within_days=30, today=today)
    due = instruments.order_by().aggregate(n=Count("pk"), late=Count("pk", filter=Q(next_due__lt=today)))
    section = enterprise_block()
    section.items = [
        WorkItem(
            "metrology.due",
            _("器具30天内到期"),
            due["n"],
            f"{reverse('metrology:instrument-list')}?status=due30",
            "danger" if due["late"] else "warning",
        )
    ]
    return section


work.register(calibration, order=40)
work.register(enterprise, order=64)
