"""Exact intervals with open or closed ends, and results read as intervals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .base import Kind, Requirement
from .expressions import _CONFORM, _DETECTED, _LEAD_RE, _NONCONFORM, _parse_expr
from .text import _EXACT, _NEG_INF, _POS_INF, _ZERO, _compact, _normalise
from .units import _TEMPERATURE, _dimension

# --- intervals (exact, with open/closed ends) --------------------------------------------------------------
# An end is a key (x, t): a lower end (x, 0) is closed, (x, 1) open ("just above x"); an upper end (x, 0) is
# closed, (x, -1) open. A point p is inside when lo <= (p, 0) <= hi. 未检出 without a limit is [0, 0⁺]: upper
# key (0, 1), i.e. "some non-negative amount smaller than any positive number".

_Key = tuple[Decimal, int]
_Interval = tuple[_Key, _Key]
_ND_INTERVAL: _Interval = ((_ZERO, 0), (_ZERO, 1))


def _interval(req: Requirement) -> _Interval:
    if req.kind == Kind.UPPER:
        return (_NEG_INF, 0), (req.upper, 0 if req.upper_inclusive else -1)  # type: ignore[return-value]
    if req.kind == Kind.LOWER:
        return (req.lower, 0 if req.lower_inclusive else 1), (_POS_INF, 0)  # type: ignore[return-value]
    if req.kind == Kind.NOT_DETECTED:
        return _ND_INTERVAL
    return (req.lower, 0 if req.lower_inclusive else 1), (req.upper, 0 if req.upper_inclusive else -1)  # type: ignore[return-value]


def _scaled(iv: _Interval, factor: Decimal) -> _Interval:
    (lo, lt), (hi, ht) = iv
    return (_EXACT.multiply(lo, factor), lt), (_EXACT.multiply(hi, factor), ht)


def _subset(a: _Interval, b: _Interval) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


def _disjoint(a: _Interval, b: _Interval) -> bool:
    return a[1] < b[0] or b[1] < a[0]


# --- results ----------------------------------------------------------------------------------------------

_ND_VALUE_RE = re.compile(
    r"未检出|未检测到|未检测出|低于检出限|小于检出限|低于定量限|(?<![A-Za-z0-9])n\.?d\.?(?![A-Za-z])"
    r"|not\s*detected|<\s*lo[dq]\b|阴性",
    re.I,
)


@dataclass(frozen=True)
class _Value:
    kind: str  # number, below, above, interval, nd, detected, text
    x: Decimal | None = None
    y: Decimal | None = None
    inclusive: bool = False
    unit: str | None = None
    grade: bool = False
    text: str = ""


def _parse_value(text: str, grade_context: bool, *, thousands: bool = True) -> _Value:
    s = _normalise(text, thousands=thousands).strip()
    if re.fullmatch(r"[(（].*[)）]", s) and not re.search(r"[±~]", s):
        s = s[1:-1].strip()  # "(未检出)"
    if not s:
        raise ValueError("实测值为空")
    c = _compact(s)
    if _ND_VALUE_RE.search(s):
        rest = _ND_VALUE_RE.sub(" ", s)
        rest = re.sub(r"方法检出限|检出限|定量限|LOD|LOQ|[()\[\]:=,;]|为", " ", rest, flags=re.I).strip()
        if not re.search(r"\d", rest):
            return _Value("nd", text=c)
        e = _parse_expr(rest)
        if e is None or e.form != "single" or e.op not in (None, "<", "≤") or e.first.value <= 0:
            raise ValueError(f"无法解析实测值“{text.strip()}”")
        return _Value("below", e.first.value, inclusive=e.op == "≤", unit=e.unit, text=c)
    if c.lower() in _DETECTED:
        return _Value("detected", text=c)
    if c in _CONFORM or c in _NONCONFORM or not re.search(r"\d", s):
        return _Value("text", text=c)
    s = _LEAD_RE.sub("", s) or s
    e = _parse_expr(s)
    if e is None:
        return _Value("text", text=c)
    a = e.first.value
    grade = _dimension(e.unit) == "grade"
    if e.form == "tolerance":
        if e.op is None and e.first.text:
            return _Value("number", a, unit=e.unit, grade=grade, text=c)
    elif e.form == "range":
        if e.op is None:
            if e.half_grade and (grade or grade_context):
                return _Value("number", a + Decimal("0.5"), unit=e.unit, grade=True, text=c)
            b = e.second.value  # type: ignore[union-attr]
            if a <= b:
                return _Value("interval", a, b, unit=e.unit, grade=grade, text=c)
    elif e.op in (None, "="):
        return _Value("number", a, unit=e.unit, grade=grade, text=c)
    elif e.op in ("<", "≤"):
        return _Value("below", a, inclusive=e.op == "≤", unit=e.unit, grade=grade, text=c)
    else:
        return _Value("above", a, inclusive=e.op == "≥", unit=e.unit, grade=grade, text=c)
    raise ValueError(f"无法解析实测值“{text.strip()}”")


def _value_interval(v: _Value, unit: str | None) -> _Interval:
    if v.kind == "number":
        return (v.x, 0), (v.x, 0)  # type: ignore[return-value]
    if v.kind == "interval":
        return (v.x, 0), (v.y, 0)  # type: ignore[return-value]
    if v.kind == "nd":
        return _ND_INTERVAL
    if v.kind == "below":
        hi: _Key = (v.x, 0 if v.inclusive else -1)  # type: ignore[assignment]
        floor = _dimension(unit) != _TEMPERATURE and v.x >= 0  # type: ignore[operator]
        return ((_ZERO, 0) if floor else (_NEG_INF, 0)), hi
    return (v.x, 0 if v.inclusive else 1), (_POS_INF, 0)  # type: ignore[return-value]
