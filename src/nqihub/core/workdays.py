"""Chinese working days (工作日): weekends, public holidays and 调休 make-up days that are worked.

The calendar has two layers:

1. ``chinese_calendar`` (the State Council's schedule, bundled data for 2004–2026 at version 1.11);
2. ``overrides``: a mapping ``date → is working day`` that wins over (1) and extends it to years the
   package has no data for. In the application it comes from the admin-editable ``WorkdayOverride`` table
   (``calendar_overrides()``).

A date in a year covered by neither layer falls back to Monday–Friday; ``calendar_warnings()`` tells the
admins so. Nothing here ever raises because a year is missing.

This module is pure (no Django, plain dates in and out, property-tested; import contract ``pure-engines``).
``core.workcalendar`` reads and writes the table (``calendar_overrides``, ``calendar_warnings``, the
``workday_override_*`` services) and, from core's ``AppConfig.ready``, makes ``calendar_overrides`` the
source of the overrides that ``deadline`` and ``working_days_since`` use.

Counting rule, shared by every function here: ``start`` itself is never counted.

- ``add_working_days(start, n)`` is the ``n``-th working day after ``start``; ``n == 0`` returns ``start``
  unchanged (even on a holiday: "no working days later" is "now"); ``n < 0`` raises ``ValueError``.
- ``working_days_between(a, b)`` counts the working days ``d`` with ``a < d <= b`` (negative if ``b < a``),
  so ``working_days_between(s, add_working_days(s, n)) == n``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping
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


# --- with the application's overrides --------------------------------------------------------------------

#: Where ``deadline`` and ``working_days_since`` get their overrides: none until core's AppConfig plugs in
#: the ``WorkdayOverride`` table (``workcalendar.calendar_overrides``).
_overrides_source: Callable[[], Overrides] = dict


def use_overrides_from(source: Callable[[], Overrides]) -> None:
    global _overrides_source
    _overrides_source = source


def deadline(start: datetime.date, days: int) -> datetime.date:
    """``add_working_days`` with the application's overrides (the database's): the date a
    ``days``-working-day SLA that starts on ``start`` falls due."""
    return add_working_days(start, days, _overrides_source())


def working_days_since(start: datetime.date, today: datetime.date) -> int:
    """``working_days_between`` with the application's overrides (the database's)."""
    return working_days_between(start, today, _overrides_source())
