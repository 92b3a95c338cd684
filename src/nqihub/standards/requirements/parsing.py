"""Reading a requirement: the dispatch between numbers, 不得检出, sampling plans, declared values, fibre
compositions and text."""

from __future__ import annotations

import re
from decimal import Decimal

from .base import Kind, Requirement
from .declared import parse_declared
from .expressions import _EMBEDDED_RE, _LEAD_RE, _ND_REQUIREMENT_RE, _NO_REQUIREMENT, _parse_expr
from .fibres import parse_composition
from .sampling import parse_plan
from .text import _EXACT, _normalise
from .units import _dimension, _unit_from


def parse_requirement(text: str, unit: str | None = None) -> Requirement:
    """Read a requirement; ``unit`` is its unit when the text has none. ``ValueError`` (Chinese) if garbage."""
    try:
        return _parse_requirement(text, unit)
    except ArithmeticError as exc:
        raise ValueError(f"数值超出可处理范围：“{text}”") from exc


def _parse_requirement(text: str, unit: str | None) -> Requirement:
    s = _normalise(text)
    if not s:
        raise ValueError("限值为空")
    default_unit = _unit_from(_normalise(unit)) if unit else None
    if _compact_key(s) in _NO_REQUIREMENT:
        raise ValueError("无技术要求（“/”），仅提供实测数据，不判定")
    plan = parse_plan(s, default_unit)
    if plan is not None:
        return Requirement(Kind.SAMPLING, unit=plan.unit, detail=plan)
    declared = parse_declared(s, default_unit)
    if declared is not None:
        return Requirement(Kind.DECLARED, unit=declared.unit, detail=declared)
    composition = parse_composition(s)
    if composition is not None:
        return Requirement(Kind.COMPOSITION, unit="%", detail=composition)
    s = _LEAD_RE.sub("", s) or s
    if _ND_REQUIREMENT_RE.fullmatch(s):
        return Requirement(Kind.NOT_DETECTED, text=s)
    expr = _parse_expr(s)
    if expr is None:
        embedded = list(_EMBEDDED_RE.finditer(s))
        if len(embedded) == 1 and re.search(r"[\u4e00-\u9fff]", s[: embedded[0].start()]):
            try:  # prose before one comparator: "管网末梢余量≥0.05"
                expr = _parse_expr(s[embedded[0].start() :])
            except ValueError:
                expr = None
    if expr is None:
        if re.search(r"[\u4e00-\u9fff]", s):
            return Requirement(Kind.TEXT, text=s)
        raise ValueError(f"无法解析限值“{text.strip()}”")
    u = expr.unit or default_unit
    grade = _dimension(u) == "grade"
    a = expr.first.value
    if expr.form == "tolerance":
        b = expr.second.value  # type: ignore[union-attr]
        if b < 0:
            raise ValueError(f"允差不能为负：“{text.strip()}”")
        return Requirement(Kind.RANGE, _EXACT.subtract(a, b), _EXACT.add(a, b), unit=u, grade=grade)
    if expr.form == "range":
        b = expr.second.value  # type: ignore[union-attr]
        if expr.half_grade and (expr.op is not None or grade):
            if u is not None and not grade:
                raise ValueError(f"比较符后不能是范围：“{text.strip()}”")
            return _single(expr.op, a + Decimal("0.5"), u, grade=True)
        if expr.op is not None:
            raise ValueError(f"比较符后不能是范围：“{text.strip()}”")
        if a > b:
            raise ValueError(f"范围下限大于上限：“{text.strip()}”")
        return Requirement(Kind.RANGE, a, b, unit=u, grade=grade)
    return _single(expr.op, a, u, grade=grade)


def _compact_key(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _single(op: str | None, x: Decimal, unit: str | None, grade: bool) -> Requirement:
    """One number. Without a comparator a limit is a maximum (限量 columns print bare numbers: 色度 15,
    镉 0.5 mg/kg); a grade without a comparator is a minimum (色牢度 4 级: higher grades are better).
    Only ``=`` / 等于 makes a 规定值."""
    if op is None:
        op = "≥" if grade else "≤"
    if op in ("≤", "<"):
        return Requirement(Kind.UPPER, upper=x, upper_inclusive=op == "≤", unit=unit, grade=grade)
    if op in ("≥", ">"):
        return Requirement(Kind.LOWER, lower=x, lower_inclusive=op == "≥", unit=unit, grade=grade)
    return Requirement(Kind.EQUALS, x, x, unit=unit, grade=grade)
