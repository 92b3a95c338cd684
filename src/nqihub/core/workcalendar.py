"""The working-day calendar's table (``WorkdayOverride``): the overrides read through the shared cache, the
admins' warnings and the audited services that write it. The calculation is ``core.workdays`` (pure)."""

from __future__ import annotations

import datetime
import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import WorkdayOverride
from .workdays import _as_date, years_without_data

CACHE_KEY = "core.workdays.overrides.v2"
#: The generation of the cached calendar: every write moves it on (after commit), and the calendar is
#: cached under its generation, so a process that read the table just before a write commits can only
#: store its stale copy under the old generation, which nobody reads any more.
GENERATION_KEY = "core.workdays.generation"
CACHE_SECONDS = 24 * 3600
#: ``calendar_warnings`` looks this far ahead: deadlines set today may fall in next year.
WARNING_LOOKAHEAD_DAYS = 90


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY) or ""
    return generation


#: Set on the database connection by a write to the table, until it commits: that transaction reads its
#: own rows uncached (nobody else may cache what it has not committed).
_DIRTY = "_nqihub_calendar_dirty"


def calendar_overrides() -> dict[datetime.date, bool]:
    """Every ``WorkdayOverride`` row as ``{date: is working day}``, from the shared cache (Redis in
    production) until a row changes."""
    if connection.in_atomic_block and getattr(connection, _DIRTY, False):
        return dict(WorkdayOverride.objects.values_list("date", "is_working_day"))
    key = f"{CACHE_KEY}:{_generation()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    overrides = dict(WorkdayOverride.objects.values_list("date", "is_working_day"))
    cache.set(key, overrides, CACHE_SECONDS)
    return overrides


def invalidate_calendar_overrides() -> None:
    """Called by every write to the table: the writing transaction reads the table directly from now on,
    and every process sees the changed calendar once it commits."""
    setattr(connection, _DIRTY, True)

    def committed():
        setattr(connection, _DIRTY, False)
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)

    transaction.on_commit(committed)


def calendar_warnings(today: datetime.date | None = None) -> list[str]:
    """Messages for the admins' dashboard, one per year (this year, and next year once deadlines can fall
    in it) whose holidays and make-up days nobody has entered."""
    if today is None:
        today = timezone.localdate()
    horizon = today + datetime.timedelta(days=WARNING_LOOKAHEAD_DAYS)
    years = range(today.year, horizon.year + 1)
    return [
        _("%(year)s 年的节假日与调休安排尚未录入，工作日暂按周一至周五计算。") % {"year": year}
        for year in years_without_data(years, calendar_overrides())
    ]


def workday_override_set(*, date: datetime.date, is_working_day: bool, name: str = "", by):
    """Enter (or change) one date of the calendar: a holiday (``is_working_day=False``) or a make-up
    working day (``True``). Audited; the cached calendar is refreshed."""
    date = _as_date(date, "date")
    with transaction.atomic():
        row, created = WorkdayOverride.objects.update_or_create(
            date=date, defaults={"is_working_day": bool(is_working_day), "name": name.strip()[:64]}
        )
        audit.record(
            by,
            "core.workday_override.created" if created else "core.workday_override.updated",
            row,
            {"date": date.isoformat(), "is_working_day": bool(is_working_day), "name": row.name},
        )
        invalidate_calendar_overrides()
    return row


def workday_override_delete(*, date: datetime.date, by) -> bool:
    """Remove the entry for ``date`` (the day goes back to chinese_calendar / Mon–Fri). Audited."""
    date = _as_date(date, "date")
    with transaction.atomic():
        row = WorkdayOverride.objects.select_for_update().filter(date=date).first()
        if row is None:
            return False
        audit.record(by, "core.workday_override.deleted", row, {"date": date.isoformat()})
        row.delete()
        invalidate_calendar_overrides()
    return True


def next_year_warning(today: datetime.date | None = None) -> str:
    """From December, the admins' warning while next year's schedule is in neither chinese_calendar nor the
    overrides ("" otherwise): the State Council's notice is usually out by then and can be pasted."""
    if today is None:
        today = timezone.localdate()
    if today.month != 12 or not years_without_data([today.year + 1], calendar_overrides()):
        return ""
    return _(
        "%(year)s 年的节假日与调休安排尚无数据，工作日将按周一至周五计算。请粘贴国务院办公厅的节假日安排通知导入。"
    ) % {"year": today.year + 1}


def workday_overrides_from_notice(*, schedule, by) -> int:
    """Write a parsed and confirmed holiday notice (``holiday_notice.NoticeSchedule``) into the calendar: one
    ``WorkdayOverride`` per date, each audited, plus one audit entry for the import. Refuses a schedule with
    problems (``ValueError``). Returns the number of dates written."""
    if schedule.problems:
        raise ValueError("the schedule has problems")
    with transaction.atomic():
        for entry in schedule.entries:
            workday_override_set(date=entry.date, is_working_day=entry.is_working_day, name=entry.name, by=by)
        audit.record(
            by,
            "core.holiday_notice.confirmed",
            None,
            {
                "year": schedule.year,
                "holidays": len(schedule.holidays),
                "workdays": len(schedule.workdays),
            },
        )
    return len(schedule.entries)
