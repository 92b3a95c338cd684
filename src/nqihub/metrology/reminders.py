"""The daily reminder sweep: 30 and 7 days before an instrument's due date, on the day, and once overdue.

Rule, for each instrument in use with a ``next_due`` (``days_left = next_due - today``):

- ``days_left < 0`` → kind ``overdue`` (enterprise users and the supervising regulators);
- ``days_left == 0`` → kind ``0``; ``1..7`` → kind ``7``; ``8..30`` → kind ``30`` (enterprise users).

A kind is sent at most once per (instrument, due date) — the ``ReminderSent`` unique key — and only when no
*stronger* reminder (30 < 7 < 0 < overdue) was sent for that due date; weaker ones it supersedes are never sent
late (an instrument first seen 5 days before due gets the 7-day reminder only). A new due date (after a
new certificate) starts over.

Idempotent and restart-safe: each instrument is handled in its own transaction that inserts the
``ReminderSent`` row (``get_or_create`` on the unique key) and queues the notification (``notify`` sends on
commit). A second run on the same day finds the rows and sends nothing; a run that dies halfway has committed
the instruments it finished and the next run does the rest.
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.notifications.services import notify

from .models import Instrument, ReminderSent
from .services import enterprise_users, instrument_url, supervising_regulator_users

logger = logging.getLogger(__name__)

#: Reminders start this many days before the due date.
WINDOW_DAYS = 30
STRENGTH = {
    ReminderSent.Kind.DAYS_30: 1,
    ReminderSent.Kind.DAYS_7: 2,
    ReminderSent.Kind.DUE_DAY: 3,
    ReminderSent.Kind.OVERDUE: 4,
}


def kind_for(days_left: int) -> str | None:
    """The reminder due for an instrument ``days_left`` days before its due date (negative: overdue)."""
    if days_left < 0:
        return ReminderSent.Kind.OVERDUE
    if days_left == 0:
        return ReminderSent.Kind.DUE_DAY
    if days_left <= 7:
        return ReminderSent.Kind.DAYS_7
    if days_left <= WINDOW_DAYS:
        return ReminderSent.Kind.DAYS_30
    return None


def _message(instrument: Instrument, kind: str, days_left: int) -> tuple[str, str]:
    what = _("检定") if instrument.is_mandatory else _("校准")
    params = {
        "e": instrument.enterprise.name,
        "i": instrument,
        "w": what,
        "d": instrument.next_due.isoformat(),
        "n": abs(days_left),
    }
    if kind == ReminderSent.Kind.OVERDUE:
        title = _("【禁止使用】%(e)s 的 %(i)s 已超过%(w)s有效期 %(n)d 天") % params
        body = _("有效期至 %(d)s。超期器具禁止使用，请尽快送%(w)s。") % params
    elif kind == ReminderSent.Kind.DUE_DAY:
        title = _("%(i)s 今天到期，请完成%(w)s") % params
        body = _("有效期至 %(d)s，到期后禁止使用。") % params
    else:
        title = _("%(i)s 将于 %(n)d 天后到期，请安排%(w)s") % params
        body = _("有效期至 %(d)s。可在器具页面预约计量技术机构。") % params
    return title, body


def _remind(instrument: Instrument, today: datetime.date, counts: dict) -> None:
    """One instrument, in its own transaction (the caller's ``atomic``)."""
    days_left = (instrument.next_due - today).days
    kind = kind_for(days_left)
    if kind is None:
        return
    sent = set(
        ReminderSent.objects.filter(instrument=instrument, due_date=instrument.next_due).values_list(
            "kind", flat=True
        )
    )
    if any(STRENGTH[k] >= STRENGTH[kind] for k in sent):
        counts["skipped"] += 1
        return
    row, created = ReminderSent.objects.get_or_create(
        instrument=instrument, due_date=instrument.next_due, kind=kind
    )
    if not created:  # another worker got here first
        counts["skipped"] += 1
        return
    users = enterprise_users(instrument.enterprise)
    if kind == ReminderSent.Kind.OVERDUE:
        users += supervising_regulator_users(instrument.region_id)
    title, body = _message(instrument, kind, days_left)
    notify(
        users=users,
        event="metrology.reminder",
        title=title,
        body=body,
        url=instrument_url(instrument),
        obj=instrument,
    )
    row.recipients = len({u.pk for u in users})
    row.save(update_fields=["recipients"])
    counts[str(kind)] += 1
    counts["sent"] += 1


def sweep(today: datetime.date | None = None) -> dict:
    """Send the reminders due on ``today`` (default: the local date). Returns counts by kind."""
    today = today or timezone.localdate()
    counts = {"checked": 0, "sent": 0, "30": 0, "7": 0, "0": 0, "overdue": 0, "skipped": 0}
    horizon = today + datetime.timedelta(days=WINDOW_DAYS)
    ids = list(
        Instrument.objects.filter(in_use=True, next_due__isnull=False, next_due__lte=horizon)
        .order_by("next_due", "pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        counts["checked"] += 1
        try:
            with transaction.atomic():
                instrument = (
                    Instrument.objects.select_for_update(of=("self",))
                    .select_related("enterprise")
                    .filter(pk=pk)
                    .first()
                )
                if instrument is None or instrument.next_due is None or not instrument.in_use:
                    continue
                _remind(instrument, today, counts)
        except IntegrityError:
            # A concurrent sweep inserted the same reminder between our read and our insert.
            counts["skipped"] += 1
    logger.info("metrology reminder sweep %s: %s", today, counts)
    return counts
