"""Requirement expressions (技术要求 / 限值): judge a result against one, and order two by strictness.

Pure: no Django, no files, no clock.

* ``evaluate(requirement, value, unit=None)`` → :class:`Verdict` (``verdict`` is ``"pass"``, ``"fail"`` or
  ``"not_judged"``; ``reason`` is Chinese; ``label`` is 合格 / 不合格 / 不判定). It never raises on text:
  anything it cannot read is ``not_judged`` with the reason.
* ``compare(a, b)`` → :class:`Strictness` (a ``str`` enum: ``"stricter"``, ``"equal"``, ``"weaker"``,
  ``"incomparable"``): is requirement ``a`` stricter than ``b``? Decided on the sets of results each one
  allows: ``a`` is stricter when its set is a proper subset of ``b``'s, equal when the sets are the same.
  Hence antisymmetric (``compare(a, b) == "stricter"`` iff ``compare(b, a) == "weaker"``) and reflexive.
* ``parse_requirement(text, unit=None)`` → :class:`Requirement`, or ``ValueError`` with a Chinese reason.

What it reads (after NFKC: full-width digits, letters and punctuation, ``㎎/㎏``, ``µ`` are folded)::

    upper      ≤75  ≤ 75 mg/kg  ≦0.3  <=75  ＜0.1  ≯75  不大于/不超过/不高于/不多于/不得超过 75  最大 75  75以下
    lower      ≥95%  ≧95  >=95  >5  不小于/不低于/不少于 90%  大于 5  超过 5  最小 2  3以上
    range      75~300  75～300  75-300  75—300  75 至 300  0.5%~1.0%  -10~40 ℃  (4.0~8.5)  20±2  (20±2)℃  ±0.5
    equals     =7  7  7 mg/kg        (a bare number is a 规定值, see below)
    not found  不得检出  不应检出  阴性  ND  0/25g  不得检出/25g
    text       符合  符合要求  无  无异味  不得有异物  禁用  具有该产品应有的色泽 …
    numbers    80  0.050  -18  1.0×10^4  1×10⁴  10^4  10⁵  1.5e3

Results (``value``): ``80``, ``80 mg/kg``, ``<0.5`` / ``<0.5 (未检出)`` / ``未检出(检出限 0.5 mg/kg)`` (below the
limit of detection), ``未检出`` / ``ND`` / ``阴性``, ``检出`` / ``阳性``, ``>1.1×10^3`` (above the range),
``3-4`` / ``4级`` (colour-fastness grades), ``符合`` / ``合格`` / ``不合格``, free text for text requirements.

Decisions (change them here, nowhere else):

* **以上 / 以下 / 以内 include the number** (``75以下`` ≡ ``≤75``, ``3以上`` ≡ ``≥3``), as 民法典 第一千二百五十九条
  defines them (“所称的‘以上’、‘以下’、‘以内’……包括本数；所称的‘不满’、‘超过’、‘以外’，不包括本数”) and as
  Chinese standards use them. 超过 / 大于 / 高于 / 多于 are ``>``; 不满 / 小于 / 低于 / 少于 / 不足 are ``<``; every
  “不…” form (不超过, 不低于 …) includes the number.
* **Ranges include both ends**: ``75~300`` is ``75 ≤ x ≤ 300``; ``20±2`` is ``18 ≤ x ≤ 22`` (a unit anywhere in a
  ``±`` form applies to both numbers: ``20±2%`` is 18%~22%, not a relative tolerance). In ``75-300`` the dash is a
  range separator, never a minus sign: a sign is read only at the start of a number (``-10~-5``, ``-10-40``).
* **A bare number is a 规定值** (kind ``equals``): ``7`` passes only a result equal to 7. Limits copied from a
  “最大限量” column must be written ``≤0.2``; the parser does not guess the column's meaning.
* **No rounding** (GB/T 8170-2008 4.3.1 全数值比较法): numbers are read as :class:`~decimal.Decimal` and the result is
  compared exactly as given, so ``0.30000000000000004`` fails ``≤0.3``. The 修约值比较法 is not applied.
* **Colour-fastness grades** (GB/T 250 / GB/T 251 grey scales, GB 18401 “≥3-4 级”): ``N-(N+1)`` with N a digit
  1–4 is the half grade N.5 when it follows a comparator (``≥3-4`` — a comparator before a range means nothing
  else) or carries 级 (``3-4级``). A *result* of that shape is a half grade too (``3-4`` → 3.5), unless the
  requirement carries a unit other than 级. A bare ``3-4`` requirement without 级 stays the range 3~4.
* **Below the limit of detection.** ``<X`` (or ``≤X``) as a result is the interval [0, X): it passes an upper
  limit L when X ≤ L, fails a lower limit L when X ≤ L, passes 不得检出, and is ``not_judged`` when the limit lies
  inside [0, X) (“检出限高于限值”). For temperatures the interval is unbounded below. ``>X`` is (X, ∞).
  ``未检出`` / ``ND`` / ``阴性`` without a stated limit is “below any positive limit”: it passes a positive upper
  limit and 不得检出 and fails a positive lower limit — the laboratory is trusted to use a method whose limit of
  detection is fit for the requirement.
* **Uncertainty is not used**: a result written ``80±3`` is judged on 80 (simple acceptance).
* **Units** are converted only within one quantity: mass fraction (mg/kg = ppm = μg/g, g/kg, μg/kg, ppb, mg/g,
  %, ‰, g/100g, mg/100g); mass concentration (mg/L, μg/L, g/L, mg/mL, g/100mL, mg/100mL = mg/dL); volume fraction
  (%vol, %(v/v)); colony counts per gram (CFU/g, CFU/100g) and per millilitre (CFU/mL, CFU/100mL), and MPN per
  gram and per millilitre, four separate quantities; length, mass, volume, pressure, time; ℃ (no conversion);
  级. ``%`` means mass fraction. A unit missing on either side is taken to be the requirement's (the ``unit``
  argument supplies the requirement's unit when its text has none). Different quantities, or unknown units
  that differ, are ``not_judged`` (“单位不可换算：mg/kg 与 CFU/g”). Qualifiers in brackets — ``(以Pb计)``,
  ``(KOH)``, ``(以脂肪计)`` — are ignored.
* **不得检出** ≡ 不应检出 ≡ 阴性 ≡ ND ≡ ``0/25g`` (the sample mass is ignored). A result passes it when it is
  未检出 / ND / 阴性 / below the limit of detection / exactly 0, fails when it is 检出 / 阳性 / a positive number.
  In :func:`compare`, 不得检出 is stricter than any positive upper limit (and any range or lower limit that
  admits 0 and small positive values) of a concentration or count, and incomparable with everything else.
* **Text requirements** pass on the same text (ignoring spaces and punctuation) and on the laboratory's own
  conclusion 符合 / 合格 / 符合要求 (fail on 不符合 / 不合格). 无X (also 不得有X) passes 无 / 无X / 未见X / 未发现X and
  fails 有 / 有X / 有… naming the same thing (same last character: 有霉味 fails 无异味). 禁用 passes 未检出 / 未使用 and
  fails 检出 / 使用; a number against 禁用 is not judged (the limit behind 禁用 lives elsewhere, e.g. GB 18401's
  20 mg/kg). A result 不X / 非X / 未X fails the requirement X. Anything else is ``not_judged``.
* **Sampling plans** (GB 4789 ``n=5,c=2,m=10^4,M=10^5``) are out of scope: ``not_judged`` with
  “三级采样方案需逐份判定” (二级 when there is no M); :func:`parse_requirement` raises with that reason.
* :func:`compare` returns ``incomparable`` when either side cannot be parsed, when the kinds cannot be ordered
  (text vs numbers, lower vs upper limit), or when the units are different quantities. Two text requirements
  are ``equal`` when they say the same (符合 ≡ 符合要求 ≡ 合格; 不得有X ≡ 无X), otherwise incomparable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from enum import StrEnum

__all__ = [
    "FAIL",
    "LABELS",
    "NOT_JUDGED",
    "PASS",
    "Kind",
    "Requirement",
    "Strictness",
    "Verdict",
    "compare",
    "evaluate",
    "parse_requirement",
]

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

    def __str__(self) -> str:
        q = _quantity
        if self.kind in (Kind.TEXT, Kind.NOT_DETECTED):
            return self.text
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


# --- numbers and normalisation ----------------------------------------------------------------------------

#: Multiplication and scaling are exact in this context (no rounding, no overflow).
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
#: Only for showing a converted value.
_SHOW = Context(prec=28)
_NEG_INF = Decimal("-Infinity")
_POS_INF = Decimal("Infinity")
_ZERO = Decimal(0)

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUPERSCRIPT_RE = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+")
_COMPARATOR_FOLD = {"≦": "≤", "⩽": "≤", "≯": "≤", "≧": "≥", "⩾": "≥", "≮": "≥"}
_POWER_UNIT_RE = re.compile(
    r"(?<![A-Za-zμ])(ng|μg|ug|mg|g|cfu|mpn)\s*[·.⋅•\s]\s*(kg|g|l|ml)\s*\^?\s*-1(?!\d)", re.I
)


def _normalise(text: str) -> str:
    s = _SUPERSCRIPT_RE.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    s = unicodedata.normalize("NFKC", s)
    s = s.replace("——", "-")
    s = re.sub(r"[‐‑‒–—―−﹣]", "-", s)
    s = re.sub(r"(?<=\d)\s*一\s*(?=\d)", "-", s)
    s = re.sub(r"[〜∼]", "~", s)
    for k, v in _COMPARATOR_FOLD.items():
        s = s.replace(k, v)
    s = re.sub(r"<\s*=|=\s*<|≤\s*=", "≤", s)
    s = re.sub(r">\s*=|=\s*>|≥\s*=", "≥", s)
    s = _POWER_UNIT_RE.sub(r"\1/\2", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s.strip("\"'“”‘’「」『』")


def _compact(s: str) -> str:
    return re.sub(r"[\s,.;:!?'\"“”‘’、，。；：！？()\[\]【】《》]+", "", s)


_NUM_RE = re.compile(
    r"(?P<num>[+-]?(?:\d+(?:\.\d+)?|\.\d+))"
    r"(?:\s*[×xX*·]\s*10\s*\^\s*(?P<e1>[+-]?\d{1,4})"
    r"|[eE](?P<e2>[+-]?\d{1,4})"
    r"|\s*\^\s*(?P<e3>[+-]?\d{1,4}))?"
)


@dataclass(frozen=True)
class _Num:
    value: Decimal
    text: str


def _number(m: re.Match[str]) -> _Num:
    num = m["num"]
    if m["e3"] is not None:
        if num.lstrip("+-") != "10":
            raise ValueError(f"无法解析数值“{m.group()}”")
        value = Decimal(num[:-2] + "1").scaleb(int(m["e3"]), _EXACT)
    else:
        value = Decimal(num)
        exp = m["e1"] or m["e2"]
        if exp is not None:
            value = value.scaleb(int(exp), _EXACT)
    return _Num(value, m.group())


def _fmt(d: Decimal | None) -> str:
    if d is None:
        return ""
    if d.is_infinite():
        return "∞" if d > 0 else "-∞"
    return format(d, "f")


def _fmt_grade(d: Decimal) -> str:
    if d == d.to_integral_value():
        return _fmt(d.to_integral_value())
    if (d * 2) == (d * 2).to_integral_value() and d > 0:
        low = int(d - Decimal("0.5"))
        return f"{low}-{low + 1}"
    return _fmt(d)


_TIGHT_UNITS = {"%", "‰", "‱", "级", "%vol"}


def _quantity(x: Decimal | None, unit: str | None, grade: bool = False) -> str:
    if x is None:
        return ""
    if grade and unit in (None, "级"):
        return _fmt_grade(x) + "级"
    s = _fmt(x)
    if not unit:
        return s
    return f"{s}{unit}" if unit in _TIGHT_UNITS else f"{s} {unit}"


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
_RAW_UNIT_RE = re.compile(
    r"[A-Za-zμΩ%‰°℃/·.^][A-Za-zμΩ%‰°℃/·.^\d]{0,19}|[个次只件粒片根处点块张条颗倍](?:/[A-Za-z0-9μ]+)?"
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


# --- expressions -------------------------------------------------------------------------------------------

_PREFIX_RE = re.compile(
    r"\s*(?:"
    r"(?P<le>(?:不得|不应|不能|不可|不宜|未|不)(?:超过|大于|高于|多于)|小于或等于|小于等于|低于或等于|≤"
    r"|最大值?|最高值?|至多|max(?:imum)?\.?)"
    r"|(?P<ge>(?:不得|不应|不能|不可|不宜|不)(?:低于|小于|少于)|大于或等于|大于等于|高于或等于|≥"
    r"|最小值?|最低值?|至少|min(?:imum)?\.?)"
    r"|(?P<lt><|小于|低于|少于|不足|未满|不满(?!足))"
    r"|(?P<gt>>|大于|高于|多于|超过|超出)"
    r"|(?P<eq>=|等于)"
    r")\s*(?:[:：]|为)?\s*",
    re.I,
)
_OP_BY_GROUP = {"le": "≤", "ge": "≥", "lt": "<", "gt": ">", "eq": "="}
_SUFFIX_RE = re.compile(r"\s*(?P<le>(?:及|或)?(?:以下|以内|之内))$|\s*(?P<ge>(?:及|或)?以上)$")
_RANGE_SEP_RE = re.compile(r"(?P<u1>[^~至到\-±]*?)\s*(?P<sep>~|至|到|-)\s*")
_LEAD_RE = re.compile(
    r"^(?:(?:应当为|应当|应为|应是|应|须为|须|必须|要求|限量|限值)\s*[:：]?\s*|pH\s*值?\s*[:：]?\s*)"
)


@dataclass(frozen=True)
class _Expr:
    op: str | None  # "≤", "<", "≥", ">", "=" or None
    form: str  # "single", "range" or "tolerance"
    first: _Num
    second: _Num | None
    unit: str | None
    sep: str | None = None

    @property
    def half_grade(self) -> bool:
        """``3-4``: a colour-fastness half grade if the context says grades."""
        if self.form != "range" or self.sep != "-" or self.second is None:
            return False
        a, b = self.first.text, self.second.text
        return bool(re.fullmatch(r"[1-4]", a) and re.fullmatch(r"[2-5]", b) and int(b) == int(a) + 1)


def _merge_units(*units: str | None) -> str | None:
    found = [u for u in units if u is not None]
    for u in found[1:]:
        if _unit_key(u) != _unit_key(found[0]):
            raise ValueError(f"范围两端单位不一致：{found[0]} 与 {u}")
    return found[0] if found else None


def _parse_expr(s: str) -> _Expr | None:
    """Comparator, number(s) and unit; ``None`` when ``s`` does not start with a number (after a comparator
    word); ``ValueError`` when it does but the rest cannot be read."""
    op = None
    symbol = False
    pos = 0
    m = _PREFIX_RE.match(s)
    if m:
        group = next(g for g in _OP_BY_GROUP if m.group(g) is not None)
        op = _OP_BY_GROUP[group]
        symbol = m.group(group) in "≤<≥>="
        pos = m.end()
    body = s[pos:].strip()
    sm = _SUFFIX_RE.search(body)
    if sm:
        if op is not None:
            raise ValueError(f"比较符重复：“{s}”")
        op = "≤" if sm.group("le") else "≥"
        body = body[: sm.start()].strip()
    paren = body.startswith("(")
    if paren:
        body = body[1:].lstrip()
    if body.startswith("±"):
        after = body[1:].lstrip()
        m2 = _NUM_RE.match(after)
        if not m2 or op is not None:
            raise ValueError(f"无法解析“{s}”")
        rest = _close_paren(after[m2.end() :], paren, s)
        return _Expr(None, "tolerance", _Num(_ZERO, ""), _number(m2), _unit_from(rest))
    m1 = _NUM_RE.match(body)
    if not m1:
        if symbol or paren:
            raise ValueError(f"比较符后缺少数值：“{s}”")
        return None
    first = _number(m1)
    rest = _close_paren(body[m1.end() :], paren, s)
    if "±" in rest:
        i = rest.index("±")
        after = rest[i + 1 :].lstrip()
        m2 = _NUM_RE.match(after)
        if not m2 or op is not None:
            raise ValueError(f"无法解析“{s}”")
        unit = _merge_units(_unit_from(rest[:i]), _unit_from(after[m2.end() :]))
        return _Expr(None, "tolerance", first, _number(m2), unit)
    rm = _RANGE_SEP_RE.match(rest)
    if rm:
        m2 = _NUM_RE.match(rest, rm.end())
        if m2:
            unit = _merge_units(_unit_from(rm["u1"]), _unit_from(rest[m2.end() :]))
            return _Expr(op, "range", first, _number(m2), unit, rm["sep"])
    return _Expr(op, "single", first, None, _unit_from(rest))


def _close_paren(rest: str, paren: bool, s: str) -> str:
    if not paren:
        return rest
    i = rest.find(")")
    if i < 0:
        raise ValueError(f"括号不配对：“{s}”")
    return rest[:i] + " " + rest[i + 1 :]


# --- requirements -----------------------------------------------------------------------------------------

_ND_REQUIREMENT_RE = re.compile(
    r"(?:不得检出|不得检测出|不应检出|不可检出|不能检出|不允许检出|未检出|不检出|阴性|nd|n\.d\.?)(?:\s*[(/].*)?"
    r"|0\s*/\s*\d+(?:\.\d+)?\s*(?:g|ml|l|个|件|只)?",
    re.I,
)
_SAMPLING_RE = re.compile(r"(?<![A-Za-z])n\s*=\s*\d+.*?(?<![A-Za-z])c\s*=\s*\d+", re.I)

_CONFORM = {
    "符合",
    "符合要求",
    "符合规定",
    "符合标准",
    "符合标准要求",
    "合格",
    "满足要求",
    "通过",
    "符合本标准",
}
_NONCONFORM = {
    "不符合",
    "不符合要求",
    "不符合规定",
    "不符合标准",
    "不符合标准要求",
    "不合格",
    "不满足要求",
    "未通过",
    "不通过",
}
_PROHIBITED = {"禁用", "禁止使用", "不得使用", "不得添加", "禁止添加", "不得人为添加"}
_PROHIBITED_PASS = {"未使用", "未添加", "不含", "无", "未检出", "阴性", "未发现"}
_PROHIBITED_FAIL = {"检出", "有检出", "阳性", "使用", "添加", "含有", "有", "已使用", "已添加"}
_DETECTED = {"检出", "有检出", "阳性", "检出阳性", "detected", "positive"}


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
    sampling = _SAMPLING_RE.search(s)
    if sampling:
        classes = "三" if re.search(r"(?<![A-Za-z])M\s*=", s) else "二"
        raise ValueError(f"{classes}级采样方案需逐份判定：{s}")
    s = _LEAD_RE.sub("", s) or s
    if _ND_REQUIREMENT_RE.fullmatch(s):
        return Requirement(Kind.NOT_DETECTED, text=s)
    expr = _parse_expr(s)
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


def _single(op: str | None, x: Decimal, unit: str | None, grade: bool) -> Requirement:
    if op in ("≤", "<"):
        return Requirement(Kind.UPPER, upper=x, upper_inclusive=op == "≤", unit=unit, grade=grade)
    if op in ("≥", ">"):
        return Requirement(Kind.LOWER, lower=x, lower_inclusive=op == "≥", unit=unit, grade=grade)
    return Requirement(Kind.EQUALS, x, x, unit=unit, grade=grade)


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


def _parse_value(text: str, grade_context: bool) -> _Value:
    s = _normalise(text)
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
        return _judge_numeric(req, val_text)
    except ValueError as exc:
        return Verdict(NOT_JUDGED, str(exc))
    except ArithmeticError:
        return Verdict(NOT_JUDGED, f"数值超出可处理范围：“{val_text.strip()}”")


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


# --- compare ----------------------------------------------------------------------------------------------


def compare(a: str, b: str) -> Strictness:
    """Is requirement ``a`` stricter than, equal to, weaker than ``b``, or incomparable with it?"""
    try:
        ra = parse_requirement(a)
        rb = parse_requirement(b)
    except (ValueError, ArithmeticError, TypeError, AttributeError):
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
