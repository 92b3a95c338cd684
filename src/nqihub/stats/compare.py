"""环比 and 同比: which months a period is compared with, and how a change is written. Pure (no Django):
the regulator's home (``web.today``) and the statistics dashboard share it.

A period is a range of ``yyyymm`` months (inclusive). Only complete months are compared: the current month
so far is stated as it stands, never as a fall against a whole month. A period reaching into the current
month is compared over its complete months (the months before this one); a period with no complete month
is not compared at all.

- 环比 (``previous``): the same number of months just before;
- 同比 (``year_ago``): the same months one year earlier.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


def month_index(m: int) -> int:
    return (m // 100) * 12 + m % 100 - 1


def from_index(index: int) -> int:
    return (index // 12) * 100 + index % 12 + 1


def shift(m: int, months: int) -> int:
    """``m`` moved by ``months`` (negative: back)."""
    return from_index(month_index(m) + months)


def month_back(day: datetime.date, back: int = 0) -> int:
    """The month ``back`` months before the month of ``day``."""
    return shift(day.year * 100 + day.month, -back)


def month_text(m: int) -> str:
    """``yyyymm`` as ``yyyy-mm``."""
    return f"{m // 100:04d}-{m % 100:02d}"


def length(from_month: int, to_month: int) -> int:
    return month_index(to_month) - month_index(from_month) + 1


def change(now: float | None, before: float | None) -> str:
    """The relative change in % ("+5%", "-12%"); "—" when the base is 0 or unknown."""
    if now is None or not before:
        return "—"
    return f"{(now - before) * 100 / before:+.0f}%"


def points(now: float | None, before: float | None) -> str:
    """The change of a share (0–1) in percentage points ("+1.5"); "—" when either is unknown."""
    if now is None or before is None:
        return "—"
    return f"{(now - before) * 100:+.1f}"


@dataclass(frozen=True)
class Comparison:
    """The months compared: ``compared`` (the complete part of the asked period, or None when it has
    none), ``previous`` (环比) and ``year_ago`` (同比), each ``(from, to)``; ``unfinished``: the asked
    period reaches into the current month (or beyond)."""

    asked: tuple[int, int]
    compared: tuple[int, int] | None
    previous: tuple[int, int] | None
    year_ago: tuple[int, int] | None
    unfinished: bool


def periods(from_month: int, to_month: int, today: datetime.date) -> Comparison:
    this = today.year * 100 + today.month
    unfinished = to_month >= this
    last_complete = min(to_month, shift(this, -1))
    if last_complete < from_month:
        return Comparison((from_month, to_month), None, None, None, unfinished)
    n = length(from_month, last_complete)
    return Comparison(
        (from_month, to_month),
        (from_month, last_complete),
        (shift(from_month, -n), shift(last_complete, -n)),
        (shift(from_month, -12), shift(last_complete, -12)),
        unfinished,
    )
