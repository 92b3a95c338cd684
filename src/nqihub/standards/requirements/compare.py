"""``compare``: order two requirements by strictness (the sets of results each one allows)."""

from __future__ import annotations

from .base import Kind, Requirement, Strictness
from .evaluate import _text_key
from .intervals import _ND_INTERVAL, _interval, _scaled, _subset
from .parsing import parse_requirement
from .sampling import compare_plans
from .units import _AMOUNT_DIMENSIONS, _dimension, _factors

# --- compare ----------------------------------------------------------------------------------------------


def compare(a: str, b: str) -> Strictness:
    """Is requirement ``a`` stricter than, equal to, weaker than ``b``, or incomparable with it?"""
    try:
        ra = parse_requirement(a)
        rb = parse_requirement(b)
    except (ValueError, ArithmeticError, TypeError, AttributeError):
        return Strictness.INCOMPARABLE
    special = (Kind.SAMPLING, Kind.DECLARED, Kind.COMPOSITION)
    if ra.kind in special or rb.kind in special:
        if ra.kind == rb.kind == Kind.SAMPLING:
            return Strictness(compare_plans(ra.detail, rb.detail))  # type: ignore[arg-type]
        if ra.kind == rb.kind and ra.detail == rb.detail:
            return Strictness.EQUAL
        return Strictness.INCOMPARABLE
    if Kind.TEXT in (ra.kind, rb.kind):
        if ra.kind == rb.kind and _text_key(ra.text) == _text_key(rb.text):
            return Strictness.EQUAL
        return Strictness.INCOMPARABLE
    if ra.kind == rb.kind == Kind.NOT_DETECTED:
        return Strictness.EQUAL
    if ra.kind == Kind.NOT_DETECTED:
        return Strictness.STRICTER if _nd_within(rb) else Strictness.INCOMPARABLE
    if rb.kind == Kind.NOT_DETECTED:
        return Strictness.WEAKER if _nd_within(ra) else Strictness.INCOMPARABLE
    try:
        fa, fb = _factors(ra.unit, rb.unit)
    except ValueError:
        return Strictness.INCOMPARABLE
    ia, ib = _scaled(_interval(ra), fa), _scaled(_interval(rb), fb)
    if ia == ib:
        return Strictness.EQUAL
    if _subset(ia, ib):
        return Strictness.STRICTER
    if _subset(ib, ia):
        return Strictness.WEAKER
    return Strictness.INCOMPARABLE


def _nd_within(req: Requirement) -> bool:
    if req.unit is not None and _dimension(req.unit) not in _AMOUNT_DIMENSIONS:
        return False
    return _subset(_ND_INTERVAL, _interval(req))
