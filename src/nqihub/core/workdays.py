"""Chinese working days (工作日): weekends, public holidays and 调休 make-up days that are worked.

The calendar has two layers:

1. ``chinese_calendar`` (the State Council's schedule, bundled data for 2004–2026 at version 1.11);
2. ``overrides``: a mapping ``date → is working day`` that wins over (1) and extends it to years the
   package has no data for. In the application it comes from the admin-editable ``WorkdayOverride`` table
   (``calendar_overrides()``).

A date in a year covered by neither layer falls back to Monday–Friday; ``calendar_warnings()`` tells the
admins so. Nothing here ever raises because a year is missing.

The top half of this module is pure (no Django, plain dates in and out, property-tested); the bottom half
(``calendar_overrides``, ``deadline``, ``calendar_warnings``, the ``workday_override_*`` services) reads and
writes the table and imports Django lazily.

Counting rule, shared by every function here: ``start`` itself is never counted.

- ``add_working_days(start, n)`` is the ``n``-th working day after ``start``; ``n == 0`` returns ``start``
  unchanged (even on a holiday: "no working days later" is "now"); ``n < 0`` raises ``ValueError``.
- ``working_days_between(a, b)`` counts the working days ``d`` with ``a < d <= b`` (negative if ``b < a``),
  so ``working_days_between(s, add_working_days(s, n)) == n``.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable, Mapping
from functools import lru_cache

import chinese_calendar

logger = logging.getLogger(__name__)

Overrides = Mapping[datetime.date, bool]

#: Upper bound on ``days`` accepted by ``add_working_days``: about 80 years, far beyond any SLA, and it
#: keeps the walk away from ``date.max``.
MAX_DAYS = 20_000


# --- pure part ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _package_says(day: datetime.date) -> bool | None:
    """``chinese_calendar``'s answer for ``day``, or ``None`` when it has no data for that year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@lru_cache(maxsize=256)
def package_has_year(year: int) -> bool:
    """Whether ``chinese_calendar`` has the holiday schedule of ``year``."""
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return False
    return _package_says(datetime.date(year, 1, 1)) is not None


def _as_date(value, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")
    return value


def is_working_day(day: datetime.date, overrides: Overrides | None = None) -> bool:
    """Whether people work on ``day``: the override if there is one, else chinese_calendar, else Mon–Fri."""
    day = _as_date(day, "day")
    if overrides:
        override = overrides.get(day)
        if override is not None:
            return bool(override)
    known = _package_says(day)
    if known is not None:
        return known
    return day.weekday() < 5


def add_working_days(start: datetime.date, days: int, overrides: Overrides | None = None) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    ``add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)`` (after the National Day holiday).
    ``days == 0`` returns ``start``; a negative ``days`` raises ``ValueError``.
    """
    start = _as_date(start, "start")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {type(days).__name__}")
    if days < 0:
        raise ValueError(f"days must be zero or positive, got {days}")
    if days > MAX_DAYS:
        raise ValueError(f"days must be at most {MAX_DAYS}, got {days}")
    day = start
    remaining = days
    one = datetime.timedelta(days=1)
    while remaining:
        day += one
        if is_working_day(day, overrides):
            remaining -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date, overrides: Overrides | None = None) -> int:
    """Working days ``d`` with ``a < d <= b``; ``-working_days_between(b, a)`` when ``b < a``.

    For overdue computation: a request due on ``due`` is ``working_days_between(due, today)`` working days
    late when that is positive.
    """
    a = _as_date(a, "a")
    b = _as_date(b, "b")
    if b < a:
        return -working_days_between(b, a, overrides)
    count = 0
    day = a
    one = datetime.timedelta(days=1)
    while day < b:
        day += one
        if is_working_day(day, overrides):
            count += 1
    return count


def years_without_data(years: Iterable[int], overrides: Overrides | None = None) -> list[int]:
    """The years (sorted, unique) for which neither chinese_calendar nor ``overrides`` hold any data.

    A year counts as entered as soon as the overrides hold one date in it: whoever enters a year's
    schedule enters its holidays and make-up days together.
    """
    override_years = {d.year for d in (overrides or {})}
    return sorted({y for y in years if not package_has_year(y) and y not in override_years})


# --- Django side: the WorkdayOverride table -----------------------------------------------------------------

CACHE_KEY = "core.workdays.overrides.v2"
#: The generation of the cached calendar: every write moves it on (after commit), and the calendar is
#: cached under its generation, so a process that read the table just before a write commits can only
#: store its stale copy under the old generation, which nobody reads any more.
GENERATION_KEY = "core.workdays.generation"
CACHE_SECONDS = 24 * 3600
#: ``calendar_warnings`` looks this far ahead: deadlines set today may fall in next year.
WARNING_LOOKAHEAD_DAYS = 90


def _generation() -> str:
    from django.core.cache import cache

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
    from django.core.cache import cache
    from django.db import connection

    from .models import WorkdayOverride

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
    from django.core.cache import cache
    from django.db import connection, transaction

    setattr(connection, _DIRTY, True)

    def committed():
        setattr(connection, _DIRTY, False)
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)

    transaction.on_commit(committed)


def deadline(start: datetime.date, days: int) -> datetime.date:
    """``add_working_days`` with the overrides from the database: the date a ``days``-working-day SLA
    that starts on ``start`` falls due."""
    return add_working_days(start, days, calendar_overrides())


def working_days_since(start: datetime.date, today: datetime.date) -> int:
    """``working_days_between`` with the overrides from the database."""
    return working_days_between(start, today, calendar_overrides())


def calendar_warnings(today: datetime.date | None = None) -> list[str]:
    """Messages for the admins' dashboard, one per year (this year, and next year once deadlines can fall
    in it) whose holidays and make-up days nobody has entered."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

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
    from django.db import transaction

    from . import audit
    from .models import WorkdayOverride

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
    from django.db import transaction

    from . import audit
    from .models import WorkdayOverride

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
    from django.utils import timezone
    from django.utils.translation import gettext as _

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
    from django.db import transaction

    from . import audit

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
