"""``evaluate``: judge one result against one requirement."""

from __future__ import annotations

import re
from decimal import Decimal

from .base import FAIL, NOT_JUDGED, PASS, Kind, Requirement, Verdict
from .declared import judge_declared
from .expressions import (
    _CONFORM,
    _NONCONFORM,
    _PROHIBITED,
    _PROHIBITED_FAIL,
    _PROHIBITED_PASS,
)
from .fibres import judge_composition
from .intervals import (
    _ND_INTERVAL,
    _ND_VALUE_RE,
    _disjoint,
    _Interval,
    _interval,
    _parse_value,
    _scaled,
    _subset,
    _Value,
    _value_interval,
)
from .parsing import _parse_requirement
from .sampling import judge_plan
from .text import _EXACT, _SHOW, _compact, _fmt, _normalise, _quantity
from .units import _dimension, _factors, _unit_key

# --- evaluate ---------------------------------------------------------------------------------------------


def evaluate(requirement: str, value: str, unit: str | None = None) -> Verdict:
    """Judge ``value`` (a result as a report writes it) against ``requirement``. ``unit`` is the item's unit,
    used for whichever side has none. Never raises on text input."""
    req_text = "" if requirement is None else str(requirement)
    val_text = "" if value is None else str(value)
    try:
        req = _parse_requirement(req_text, unit if isinstance(unit, str) else None)
    except ValueError as exc:
        return Verdict(NOT_JUDGED, str(exc))
    except ArithmeticError:
        return Verdict(NOT_JUDGED, f"数值超出可处理范围：“{req_text.strip()}”")
    try:
        if req.kind == Kind.TEXT:
            return _judge_text(req, val_text)
        if req.kind == Kind.NOT_DETECTED:
            return _judge_not_detected(req, val_text)
        conclusion = _lab_conclusion(req, val_text)
        if conclusion is not None:
            return conclusion
        if req.kind == Kind.SAMPLING:
            return judge_plan(req.detail, val_text)  # type: ignore[arg-type]
        if req.kind == Kind.DECLARED:
            return judge_declared(req.detail, val_text)  # type: ignore[arg-type]
        if req.kind == Kind.COMPOSITION:
            return judge_composition(req.detail, val_text)  # type: ignore[arg-type]
        return _judge_numeric(req, val_text)
    except ValueError as exc:
        return Verdict(NOT_JUDGED, str(exc))
    except ArithmeticError:
        return Verdict(NOT_JUDGED, f"数值超出可处理范围：“{val_text.strip()}”")


def _lab_conclusion(req: Requirement, val_text: str) -> Verdict | None:
    """符合 / 不符合 written as the result of a plan, declared value or composition: the laboratory's word."""
    if req.kind not in (Kind.SAMPLING, Kind.DECLARED, Kind.COMPOSITION):
        return None
    v = _compact(_normalise(val_text))
    if v in _CONFORM:
        return Verdict(PASS, f"实测结果“{val_text.strip()}”，符合要求 {req}")
    if v in _NONCONFORM:
        return Verdict(FAIL, f"实测结果“{val_text.strip()}”，不符合要求 {req}")
    return None


def _unreadable(val_text: str) -> ValueError:
    return ValueError(f"无法解析实测值“{val_text.strip()}”")


def _describe_value(
    v: _Value, v_unit: str | None, r_unit: str | None, fv: Decimal, fr: Decimal, grade: bool
) -> str:
    q = _quantity(v.x, v_unit, grade)
    if v.kind == "nd":
        return "实测值 未检出（未注明检出限）"
    if v.kind == "interval":
        return f"实测值 {_fmt(v.x)}～{_quantity(v.y, v_unit, grade)}"
    if v.kind == "below":
        main = f"{'≤' if v.inclusive else '<'}{q}（低于检出限）"
    elif v.kind == "above":
        main = f"{'≥' if v.inclusive else '>'}{q}"
    else:
        main = q
    if v_unit and r_unit and _unit_key(v_unit) != _unit_key(r_unit):
        converted = _SHOW.divide(_EXACT.multiply(v.x, fv), fr).normalize(_SHOW)  # type: ignore[arg-type]
        main += f"（折合 {_quantity(converted, r_unit)}）"
    return f"实测值 {main}"


def _judge_numeric(req: Requirement, val_text: str) -> Verdict:
    grade_context = req.grade or req.unit is None
    try:
        v = _parse_value(val_text, grade_context)
    except ValueError:
        raise _unreadable(val_text) from None
    if v.kind in ("text", "detected"):
        raise _unreadable(val_text)
    if v.unit is not None and req.unit is None and _dimension(v.unit) == "unknown":
        raise ValueError(f"实测值“{val_text.strip()}”带有无法识别的单位“{v.unit}”，限值未注明单位，无法判定")
    r_unit = req.unit
    v_unit = v.unit or r_unit
    fv, fr = _factors(v_unit, r_unit)
    value_iv = _scaled(_value_interval(v, v_unit), fv)
    req_iv = _scaled(_interval(req), fr)
    grade = req.grade or v.grade
    desc = _describe_value(v, v_unit, r_unit, fv, fr, grade)
    if _subset(value_iv, req_iv):
        verdict = PASS
    elif _disjoint(value_iv, req_iv):
        verdict = FAIL
    else:
        verdict = NOT_JUDGED
    limit = (
        _quantity(req.upper if req.kind == Kind.UPPER else req.lower, r_unit, grade)
        if req.kind in (Kind.UPPER, Kind.LOWER, Kind.EQUALS)
        else ""
    )
    if v.kind == "number":
        gap = "" if desc.endswith("）") else " "
        return Verdict(verdict, f"{desc}{gap}{_point_phrase(req, verdict, value_iv, req_iv, limit, grade)}")
    if verdict == PASS:
        return Verdict(verdict, f"{desc}，满足要求 {req}")
    if verdict == FAIL:
        return Verdict(verdict, f"{desc}，不满足要求 {req}")
    if v.kind == "below" and req.kind in (Kind.UPPER, Kind.RANGE):
        return Verdict(verdict, f"{desc}，检出限高于限值 {limit or req}，无法判定")
    return Verdict(verdict, f"{desc} 与要求 {req} 部分重叠，无法判定")


def _point_phrase(req: Requirement, verdict: str, v: _Interval, r: _Interval, limit: str, grade: bool) -> str:
    ok = verdict == PASS
    if req.kind == Kind.UPPER:
        if req.upper_inclusive:
            return f"{'不大于' if ok else '大于'}限值 {limit}"
        return f"{'小于' if ok else '不小于'}限值 {limit}"
    if req.kind == Kind.LOWER:
        if req.lower_inclusive:
            return f"{'不小于' if ok else '小于'}限值 {limit}"
        return f"{'大于' if ok else '不大于'}限值 {limit}"
    if req.kind == Kind.EQUALS:
        return f"{'等于' if ok else '不等于'}规定值 {limit}"
    if ok:
        return f"在要求范围 {req} 内"
    lower, upper = _quantity(req.lower, req.unit, grade), _quantity(req.upper, req.unit, grade)
    side = f"低于下限 {lower}" if v[1] < r[0] else f"高于上限 {upper}"
    return f"超出要求范围 {req}（{side}）"


def _judge_not_detected(req: Requirement, val_text: str) -> Verdict:
    try:
        v = _parse_value(val_text, grade_context=False)
    except ValueError:
        raise _unreadable(val_text) from None
    shown = _normalise(val_text)
    if v.kind in ("nd", "below"):
        return Verdict(PASS, f"实测结果“{shown}”为未检出，符合要求“{req.text}”")
    if v.kind == "detected":
        return Verdict(FAIL, f"实测结果“{shown}”为检出，要求“{req.text}”")
    if v.kind == "text":
        raise _unreadable(val_text)
    iv = _value_interval(v, v.unit)
    if _subset(iv, _ND_INTERVAL):
        return Verdict(PASS, f"实测值 {shown}，未检出，符合要求“{req.text}”")
    if _disjoint(iv, _ND_INTERVAL):
        return Verdict(FAIL, f"检出 {shown}，要求“{req.text}”")
    return Verdict(NOT_JUDGED, f"实测结果“{shown}”无法确定是否检出，要求“{req.text}”")


_ABSENCE_LEAD_RE = re.compile(r"^(?:不得有|不应有|不允许有|不得含有|不应含有|没有|不含)")
_ABSENCE_PASS_LEAD = ("无", "未见", "未发现", "没有", "不含", "未检出")
_PRESENCE_LEAD_RE = re.compile(r"^(?:有|检出|发现|可见|含有)")


def _text_key(t: str) -> str:
    c = _compact(t)
    if c in _CONFORM:
        return "符合"
    if c in _PROHIBITED:
        return "禁用"
    return _ABSENCE_LEAD_RE.sub("无", c)


def _judge_text(req: Requirement, val_text: str) -> Verdict:
    r = _text_key(req.text)
    s = _normalise(val_text)
    v = _compact(s)
    if not v:
        return Verdict(NOT_JUDGED, "实测值为空")
    shown = f"实测结果“{s}”"
    if v in _CONFORM:
        return Verdict(PASS, f"{shown}，符合要求“{req.text}”")
    if v in _NONCONFORM:
        return Verdict(FAIL, f"{shown}，不符合要求“{req.text}”")
    if _text_key(v) == r:
        return Verdict(PASS, f"{shown}与要求一致")
    if r == "禁用":
        if v in _PROHIBITED_PASS or _ND_VALUE_RE.search(s):
            return Verdict(PASS, f"{shown}，符合要求“{req.text}”")
        if v in _PROHIBITED_FAIL:
            return Verdict(FAIL, f"{shown}，不符合要求“{req.text}”")
        if re.search(r"\d", v):
            return Verdict(NOT_JUDGED, f"{shown}为数值，“{req.text}”的判定限值由标准另行规定，需人工判定")
    if r.startswith("无"):
        thing = r[1:]
        v_key = _text_key(v)
        if v_key == "无" or (not thing and v.startswith(_ABSENCE_PASS_LEAD)):
            return Verdict(PASS, f"{shown}，符合要求“{req.text}”")
        if thing and any(v == lead + thing for lead in _ABSENCE_PASS_LEAD + ("未见有",)):
            return Verdict(PASS, f"{shown}，符合要求“{req.text}”")
        presence = _PRESENCE_LEAD_RE.match(v)
        if v == "有" or (presence and (not thing or thing in v or v.endswith(thing[-1]))):
            return Verdict(FAIL, f"{shown}，不符合要求“{req.text}”")
    if v in ("不" + r, "非" + r, "未" + r) or (r.startswith("不") and v == r[1:]):
        return Verdict(FAIL, f"{shown}，不符合要求“{req.text}”")
    return Verdict(NOT_JUDGED, f"{shown}与文字要求“{req.text}”不能自动比对，需人工判定")
