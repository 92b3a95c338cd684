"""Verdicts, kinds and the parsed requirement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .text import _fmt, _quantity

PASS = "pass"
FAIL = "fail"
NOT_JUDGED = "not_judged"

#: The per-item verdict as a report prints it.
LABELS: dict[str, str] = {PASS: "合格", FAIL: "不合格", NOT_JUDGED: "不判定"}


class Strictness(StrEnum):
    STRICTER = "stricter"
    EQUAL = "equal"
    WEAKER = "weaker"
    INCOMPARABLE = "incomparable"


class Kind(StrEnum):
    UPPER = "upper"
    LOWER = "lower"
    RANGE = "range"
    NOT_DETECTED = "not_detected"
    TEXT = "text"
    EQUALS = "equals"
    SAMPLING = "sampling"  # n, c, m, M microbiological sampling plan
    DECLARED = "declared"  # a declared value with a tolerance (net content, filling mass)
    COMPOSITION = "composition"  # declared fibre composition (GB/T 29862)


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str

    @property
    def label(self) -> str:
        return LABELS[self.verdict]


@dataclass(frozen=True)
class Requirement:
    """A parsed requirement. ``lower``/``upper`` are ``None`` when unbounded on that side; for ``equals`` both
    hold the value. ``unit`` is the canonical unit (``None``: none written). ``text`` holds the normalised
    wording for ``text`` and ``not_detected``. ``grade`` marks colour-fastness grades (half grades are .5)."""

    kind: Kind
    lower: Decimal | None = None
    upper: Decimal | None = None
    lower_inclusive: bool = True
    upper_inclusive: bool = True
    unit: str | None = None
    text: str = ""
    grade: bool = False
    detail: object = None  # SamplingPlan, Declared or Composition for those kinds

    def __str__(self) -> str:
        q = _quantity
        if self.kind in (Kind.TEXT, Kind.NOT_DETECTED):
            return self.text
        if self.detail is not None:
            return str(self.detail)
        if self.kind == Kind.UPPER:
            return ("≤" if self.upper_inclusive else "<") + q(self.upper, self.unit, self.grade)
        if self.kind == Kind.LOWER:
            return ("≥" if self.lower_inclusive else ">") + q(self.lower, self.unit, self.grade)
        if self.kind == Kind.EQUALS:
            return q(self.lower, self.unit, self.grade)
        lo, hi = _fmt(self.lower), q(self.upper, self.unit, self.grade)
        if self.lower_inclusive and self.upper_inclusive:
            return f"{lo}～{hi}"
        return f"{'[' if self.lower_inclusive else '('}{lo}, {hi}{']' if self.upper_inclusive else ')'}"
