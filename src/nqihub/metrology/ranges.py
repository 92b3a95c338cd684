"""Measuring ranges (测量范围) as ledgers and CMC tables write them, and whether one covers another.

Pure Python (no Django). ``parse_range("(0~0.6) MPa")`` → ``Range(low=0, high=600000, dimension="pressure",
unit="Pa")``; ``covers("(0~1) MPa", "(0~600) kPa")`` → ``True``.

Understood forms (after full-width → half-width): ``(0~0.6) MPa``, ``0-0.6MPa``, ``0～150 ℃``, ``(-40~150)℃``,
``0.01 g~15 kg`` (a unit on each end), ``≤15 kg``, ``15 kg以下``, ``Max 15kg``, ``≥10 kPa``, ``10 kPa以上``.
Units are converted within a dimension by a small table (Pa/kPa/MPa, mg/g/kg/t, mm/cm/m, mL/L, V/kV, …);
℃ is not converted (K is not read). Anything else (no unit, unknown unit, several ranges, a bare value such
as ``15 kg``) gives ``None``: the caller cannot tell.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["UNITS", "Range", "covers", "parse_range", "unit_of"]

#: unit spelling → (dimension, factor to the dimension's base unit). Spellings are after NFKC (℃ → °C,
#: Ω → Ω, µ → μ). Look-up is exact first, then case-insensitive when that is unambiguous (MPa/mpa/MPA).
_TABLE: dict[str, tuple[str, str]] = {
    # pressure (base Pa)
    "Pa": ("pressure", "1"),
    "hPa": ("pressure", "100"),
    "kPa": ("pressure", "1000"),
    "MPa": ("pressure", "1000000"),
    "GPa": ("pressure", "1000000000"),
    "bar": ("pressure", "100000"),
    "mbar": ("pressure", "100"),
    "帕": ("pressure", "1"),
    "千帕": ("pressure", "1000"),
    "兆帕": ("pressure", "1000000"),
    # mass (base g)
    "mg": ("mass", "0.001"),
    "g": ("mass", "1"),
    "kg": ("mass", "1000"),
    "t": ("mass", "1000000"),
    "毫克": ("mass", "0.001"),
    "克": ("mass", "1"),
    "千克": ("mass", "1000"),
    "公斤": ("mass", "1000"),
    "吨": ("mass", "1000000"),
    # length (base m)
    "μm": ("length", "0.000001"),
    "um": ("length", "0.000001"),
    "mm": ("length", "0.001"),
    "cm": ("length", "0.01"),
    "dm": ("length", "0.1"),
    "m": ("length", "1"),
    "km": ("length", "1000"),
    "微米": ("length", "0.000001"),
    "毫米": ("length", "0.001"),
    "厘米": ("length", "0.01"),
    "米": ("length", "1"),
    "千米": ("length", "1000"),
    # temperature (no conversion)
    "°C": ("temperature", "1"),
    "摄氏度": ("temperature", "1"),
    # volume (base L)
    "μL": ("volume", "0.000001"),
    "uL": ("volume", "0.000001"),
    "mL": ("volume", "0.001"),
    "L": ("volume", "1"),
    "m3": ("volume", "1000"),
    "m³": ("volume", "1000"),
    "毫升": ("volume", "0.001"),
    "升": ("volume", "1"),
    # voltage (base V)
    "μV": ("voltage", "0.000001"),
    "mV": ("voltage", "0.001"),
    "V": ("voltage", "1"),
    "kV": ("voltage", "1000"),
    # current (base A)
    "μA": ("current", "0.000001"),
    "uA": ("current", "0.000001"),
    "mA": ("current", "0.001"),
    "A": ("current", "1"),
    "kA": ("current", "1000"),
    # resistance (base Ω)
    "mΩ": ("resistance", "0.001"),
    "Ω": ("resistance", "1"),
    "kΩ": ("resistance", "1000"),
    "MΩ": ("resistance", "1000000"),
    "GΩ": ("resistance", "1000000000"),
    # force (base N)
    "N": ("force", "1"),
    "kN": ("force", "1000"),
    # frequency (base Hz)
    "Hz": ("frequency", "1"),
    "kHz": ("frequency", "1000"),
    "MHz": ("frequency", "1000000"),
    "GHz": ("frequency", "1000000000"),
    # time (base s)
    "ms": ("time", "0.001"),
    "s": ("time", "1"),
    "min": ("time", "60"),
    "h": ("time", "3600"),
    # relative humidity
    "%RH": ("humidity", "1"),
}
UNITS: dict[str, tuple[str, Decimal]] = {k: (dim, Decimal(f)) for k, (dim, f) in _TABLE.items()}
#: dimension → its base unit (what ``Range.low``/``high`` are in).
_BASE = {
    "pressure": "Pa",
    "mass": "g",
    "length": "m",
    "temperature": "℃",
    "volume": "L",
    "voltage": "V",
    "current": "A",
    "resistance": "Ω",
    "force": "N",
    "frequency": "Hz",
    "time": "s",
    "humidity": "%RH",
}


def _folded() -> dict[str, tuple[str, Decimal]]:
    folded: dict[str, list[tuple[str, Decimal]]] = {}
    for unit, value in UNITS.items():
        folded.setdefault(unit.casefold(), []).append(value)
    return {k: v[0] for k, v in folded.items() if len(v) == 1}


_FOLDED = _folded()


def unit_of(text: str) -> tuple[str, Decimal] | None:
    """(dimension, factor to base) of a unit spelling, or None when unknown or ambiguous."""
    text = (text or "").strip().replace(" ", "")
    if not text:
        return None
    return UNITS.get(text) or _FOLDED.get(text.casefold())


@dataclass(frozen=True)
class Range:
    """A measuring range in the dimension's base unit; ``None`` for an open end (≤ / ≥ / 以下 / 以上)."""

    low: Decimal | None
    high: Decimal | None
    dimension: str

    @property
    def unit(self) -> str:
        return _BASE.get(self.dimension, "")


_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_NUM = r"[-+]?\d+(?:\.\d+)?|[-+]?\.\d+"
_UNIT = r"[^\d\s~()\-+.,;，；、≤≥<>=]*"
_SEP = r"(?:~|-|至|到|—|〜)"
_TWO_SIDED = re.compile(
    rf"^\(?(?P<lo>{_NUM})(?P<u1>{_UNIT})\s*{_SEP}\s*(?P<hi>{_NUM})(?P<u2>{_UNIT})\)?(?P<u3>{_UNIT})$"
)
_UPPER = re.compile(
    rf"^(?:≤|<=|<|≦|max[.:=]?|最大(?:称量|量程)?[:=]?|不大于|不超过)\(?(?P<v>{_NUM})(?P<u1>{_UNIT})\)?(?P<u2>{_UNIT})$",
    re.IGNORECASE,
)
_UPPER_SUFFIX = re.compile(rf"^(?P<v>{_NUM})(?P<u1>{_UNIT}?)(?:及以下|以下|以内)$")
_LOWER = re.compile(
    rf"^(?:≥|>=|>|≧|min[.:=]?|不小于|不低于)\(?(?P<v>{_NUM})(?P<u1>{_UNIT})\)?(?P<u2>{_UNIT})$", re.I
)
_LOWER_SUFFIX = re.compile(rf"^(?P<v>{_NUM})(?P<u1>{_UNIT}?)(?:及以上|以上)$")


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "")
    s = s.translate(str.maketrans(dict.fromkeys(_DASHES, "-")))
    s = s.replace("℃", "°C").replace("º", "°").replace("≦", "≤").replace("≧", "≥")
    s = re.sub(r"\s+", " ", s).strip()
    # Spaces only separate tokens here: drop them (keeps "0.01 g ~ 15 kg" and "(0 ~ 1) MPa" alike).
    return s.replace(" ", "")


def _value(number: str, unit: str) -> tuple[str, Decimal] | None:
    found = unit_of(unit)
    if found is None:
        return None
    try:
        return found[0], Decimal(number) * found[1]
    except InvalidOperation:
        return None


def _one_sided(m: re.Match, *, upper: bool) -> Range | None:
    unit = m.group("u1") or (m.groupdict().get("u2") or "")
    if m.group("u1") and m.groupdict().get("u2"):
        return None
    v = _value(m.group("v"), unit)
    if v is None:
        return None
    dim, value = v
    if upper:
        # Below a maximum: from zero, except a temperature (can be negative: the lower end is not stated).
        low = None if dim == "temperature" else Decimal(0)
        return Range(low, value, dim) if low is None or low <= value else None
    return Range(value, None, dim)


def parse_range(text: str) -> Range | None:
    """The range written in ``text``, in base units, or None when it cannot tell."""
    s = _normalise(text)
    if not s or len(s) > 100:
        return None
    m = _TWO_SIDED.match(s)
    if m:
        u1, u2, u3 = m.group("u1"), m.group("u2"), m.group("u3")
        if u2 and u3:
            return None
        high_unit = u2 or u3 or u1
        low_unit = u1 or high_unit
        lo, hi = _value(m.group("lo"), low_unit), _value(m.group("hi"), high_unit)
        if lo is None or hi is None or lo[0] != hi[0] or lo[1] > hi[1]:
            return None
        return Range(lo[1], hi[1], lo[0])
    for pattern, upper in ((_UPPER, True), (_UPPER_SUFFIX, True), (_LOWER, False), (_LOWER_SUFFIX, False)):
        m = pattern.match(s)
        if m:
            return _one_sided(m, upper=upper)
    return None


def covers(body_range_text: str, instrument_range_text: str) -> bool | None:
    """True when the body's range contains the instrument's, False when it clearly does not (same
    dimension, an end outside), None when either range is unknown or the dimensions differ."""
    body, inst = parse_range(body_range_text), parse_range(instrument_range_text)
    if body is None or inst is None or body.dimension != inst.dimension:
        return None
    sides = [
        _side_within(body.low, inst.low, lower=True),
        _side_within(body.high, inst.high, lower=False),
    ]
    if False in sides:
        return False
    if None in sides:
        return None
    return True


def _side_within(body_end: Decimal | None, inst_end: Decimal | None, *, lower: bool) -> bool | None:
    if body_end is None:  # the body's range is open on this side
        return True
    if inst_end is None:  # the instrument's end is not stated (or open) while the body's is bounded
        return None
    return inst_end >= body_end if lower else inst_end <= body_end
