"""Working-day deadlines (Chinese calendar: weekends, public holidays, 调休 make-up days).

``nqihub.core.workdays`` is the project's calendar; until it is installed the same rule is computed here
from the ``chinese_calendar`` package, so the desk works either way.
"""

from datetime import date, timedelta

from django.conf import settings


def _fallback_is_workday(day: date) -> bool:
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(day)
    except (ImportError, NotImplementedError):  # outside the package's years: weekdays only
        return day.weekday() < 5


def deadline(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    try:
        from nqihub.core import workdays
    except ImportError:
        workdays = None
    if workdays is not None and hasattr(workdays, "deadline"):
        return workdays.deadline(start, days)
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if _fallback_is_workday(day):
            left -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    try:
        from nqihub.core import workdays
    except ImportError:
        workdays = None
    if workdays is not None and hasattr(workdays, "working_days_between"):
        return workdays.working_days_between(a, b)
    sign = 1 if b >= a else -1
    lo, hi = (a, b) if b >= a else (b, a)
    count, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        if _fallback_is_workday(day):
            count += 1
    return sign * count


ACCEPT_DAYS = 1
RESPOND_DAYS = 2
RECTIFY_DAYS = 15
DEFAULT_RESOLVE_DAYS = 10


def resolve_days(categories: list[str]) -> int:
    """The resolution target for a request's categories: the longest of them (settings
    ``DESK_RESOLVE_DAYS = {"standards": 20, …}``; default 10 working days)."""
    table = getattr(settings, "DESK_RESOLVE_DAYS", {}) or {}
    return max([int(table.get(c, DEFAULT_RESOLVE_DAYS)) for c in categories] or [DEFAULT_RESOLVE_DAYS])
