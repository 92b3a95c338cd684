"""Units: canonical names, quantities and conversion factors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

# --- units -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    canonical: str
    dimension: str
    factor: Decimal  # to the dimension's base unit


_MASS_FRACTION = "mass_fraction"
_CONCENTRATION = "mass_concentration"
_VOLUME_FRACTION = "volume_fraction"
_TEMPERATURE = "temperature"
#: Quantities for which "不得检出" means anything (concentrations and counts).
_AMOUNT_DIMENSIONS = {
    _MASS_FRACTION,
    _CONCENTRATION,
    _VOLUME_FRACTION,
    "cfu_per_g",
    "cfu_per_ml",
    "mpn_per_g",
    "mpn_per_ml",
}


def _unit_key(u: str) -> str:
    k = unicodedata.normalize("NFKC", u).lower()
    k = re.sub(r"\s+", "", k)
    k = k.replace("°c", "℃")
    k = re.sub(r"(^|/)u(?=[glm])", r"\1μ", k)
    k = re.sub(r"(^|/)mc(?=g)", r"\1μ", k)
    return k.replace("^", "").replace("·", "")


def _build_units() -> dict[str, _Unit]:
    table: dict[str, _Unit] = {}

    def add(dimension: str, canonical: str, factor: str, *aliases: str) -> None:
        for alias in (canonical, *aliases):
            table[_unit_key(alias)] = _Unit(canonical, dimension, Decimal(factor))

    mf = _MASS_FRACTION
    add(mf, "mg/kg", "1", "毫克/千克", "毫克每千克", "mg/1kg")
    add(mf, "ppm", "1")
    add(mf, "μg/g", "1", "微克/克")
    add(mf, "g/kg", "1000", "克/千克", "克每千克")
    add(mf, "mg/g", "1000", "mgKOH/g", "mg KOH/g", "毫克/克")
    add(mf, "μg/kg", "0.001", "微克/千克", "微克每千克")
    add(mf, "ppb", "0.001")
    add(mf, "ng/g", "0.001")
    add(mf, "ng/kg", "0.000001")
    add(mf, "%", "10000")
    add(mf, "‰", "1000")
    add(mf, "‱", "100")
    add(mf, "g/100g", "10000", "克/100克")
    add(mf, "mg/100g", "10", "毫克/100克")
    add(mf, "μg/100g", "0.01")
    mc = _CONCENTRATION
    add(mc, "mg/L", "1", "毫克/升")
    add(mc, "g/L", "1000", "克/升")
    add(mc, "μg/L", "0.001", "微克/升")
    add(mc, "ng/L", "0.000001")
    add(mc, "mg/mL", "1000")
    add(mc, "μg/mL", "1")
    add(mc, "g/100mL", "10000")
    add(mc, "mg/100mL", "10", "mg/dL")
    add(mc, "μg/100mL", "0.01")
    add(mc, "g/mL", "1000000", "g/cm3")
    add(_VOLUME_FRACTION, "%vol", "1", "vol%", "%(v/v)", "mL/100mL")
    add(_VOLUME_FRACTION, "mL/L", "0.1")
    add("cfu_per_g", "CFU/g", "1")
    add("cfu_per_g", "CFU/100g", "0.01")
    add("cfu_per_ml", "CFU/mL", "1")
    add("cfu_per_ml", "CFU/100mL", "0.01")
    add("cfu_per_ml", "CFU/L", "0.001")
    add("mpn_per_g", "MPN/g", "1")
    add("mpn_per_g", "MPN/100g", "0.01")
    add("mpn_per_ml", "MPN/mL", "1")
    add("mpn_per_ml", "MPN/100mL", "0.01")
    add("mpn_per_ml", "MPN/L", "0.001")
    add(_TEMPERATURE, "℃", "1", "°C", "摄氏度")
    add("length", "mm", "1", "毫米")
    add("length", "cm", "10", "厘米")
    add("length", "m", "1000", "米")
    add("length", "μm", "0.001", "微米")
    add("length", "nm", "0.000001", "纳米")
    add("length", "km", "1000000", "千米", "公里")
    add("mass", "mg", "1", "毫克")
    add("mass", "g", "1000", "克")
    add("mass", "kg", "1000000", "千克", "公斤")
    add("mass", "μg", "0.001", "微克")
    add("mass", "t", "1000000000", "吨")
    add("volume", "mL", "1", "毫升")
    add("volume", "L", "1000", "升")
    add("volume", "μL", "0.001", "微升")
    add("pressure", "Pa", "1", "帕")
    add("pressure", "kPa", "1000", "千帕")
    add("pressure", "MPa", "1000000", "兆帕")
    add("time", "s", "1", "秒")
    add("time", "min", "60", "分钟")
    add("time", "h", "3600", "小时")
    add("time", "d", "86400", "天")
    add("grade", "级", "1", "級", "grade")
    return table


_UNITS = _build_units()
#: A unit that is not in the table: letters first (NTU, 度 are fine), never a stray "." or digit, which is how a
#: damaged number (``12.5.0``, ``7?5``) would otherwise slip through as a "unit".
_RAW_UNIT_RE = re.compile(
    r"[A-Za-zμΩ%‰°℃][A-Za-zμΩ%‰°℃/·^\d]{0,19}|[个次只件粒片根处点块张条颗倍度](?:/[A-Za-z0-9μ]+)?"
    r"|[\u4e00-\u9fff]{1,8}单位"
)


def _unit_from(text: str) -> str | None:
    """The canonical unit written in ``text`` (``None`` for none); ``ValueError`` when it is not a unit."""
    t = text.strip()
    if not t:
        return None
    volume = "%" in t and re.search(r"v/v|vol|体积", t, re.I)
    t = re.sub(r"\([^()]*\)", "", t).strip()
    if volume:
        return "%vol"
    if not t:
        return None
    known = _UNITS.get(_unit_key(t))
    if known:
        return known.canonical
    if _RAW_UNIT_RE.fullmatch(t):
        return t
    raise ValueError(f"无法识别单位“{text.strip()}”")


def _factors(u_value: str | None, u_requirement: str | None) -> tuple[Decimal, Decimal]:
    """Factors that bring both sides to one base unit; ``ValueError`` when they measure different things."""
    one = Decimal(1)
    if u_value is None or u_requirement is None or _unit_key(u_value) == _unit_key(u_requirement):
        return one, one
    a, b = _UNITS.get(_unit_key(u_value)), _UNITS.get(_unit_key(u_requirement))
    if a and b and a.dimension == b.dimension and a.dimension != _TEMPERATURE:
        return a.factor, b.factor
    raise ValueError(f"单位不可换算：{u_value} 与 {u_requirement}")


def _dimension(unit: str | None) -> str | None:
    if unit is None:
        return None
    known = _UNITS.get(_unit_key(unit))
    return known.dimension if known else "unknown"
