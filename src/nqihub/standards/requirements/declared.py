"""Declared values with a tolerance: net content (净含量) and other declared quantities (充绒量, 填充物质量).

* **Net content** — a requirement naming 净含量 and a quantity (``标注净含量 500g``, ``净含量：500 mL``). Without
  a stated tolerance the permitted shortfall T is the one of 《定量包装商品计量监督管理办法》 / JJF 1070-2005
  表3 (允许短缺量): mass and volume Qn ≤50 → 9 %, ≤100 → 4.5 g, ≤200 → 4.5 %, ≤300 → 9 g, ≤500 → 3 %,
  ≤1000 → 15 g, ≤10000 → 1.5 %, ≤15000 → 150 g, ≤50000 → 1 % (mL as g); length ≤5 m → 0, above → 2 %;
  count ≤50 → 0, above → 1 % rounded up. One result: it passes when it is ≥ Qn − T. Several results (a batch):
  every result ≥ Qn − 2T, at most the JJF 1070 表1 number of results below Qn − T (≤10 results: 0, 13: 1,
  50: 3, 80: 5, 125: 7; other sizes use the nearest smaller table size), and the mean ≥ Qn; when the mean is
  below Qn for more than 10 results the JJF 1070 correction λ·s would decide — not judged.
* **Declared value with a stated tolerance** — ``标称值 200g，允差 ±5%``, ``明示 200 g，偏差率≥-5%``,
  ``500g（允许短缺量15g）``: every result must lie within the tolerance (one-sided when only a minus side is
  given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from .base import FAIL, NOT_JUDGED, PASS, Verdict
from .intervals import _parse_value
from .text import _EXACT, _normalise, _quantity
from .units import _dimension, _factors, _unit_from

_NET_WORDS = ("净含量", "净重", "净容量")
_DECLARED_WORDS = _NET_WORDS + ("标注", "标称", "明示", "标示", "声称", "允许短缺量", "允差", "偏差")
_QUANTITY_RE = re.compile(
    r"(?:净含量|净重|净容量|标注值|标称值|明示值|标示值|声称值|标注|标称|明示|标示|声称|规格)\s*[:：为]?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>kg|g|mg|L|mL|ml|l|cm|mm|m|千克|克|毫升|升|米|厘米|个|片|粒|只|支|袋|张)"
    r"|(?P<num2>\d+(?:\.\d+)?)\s*(?P<unit2>kg|g|mL|ml|L|l)\s*[(（]?\s*(?=允许短缺量)"
)
_SHORTFALL_RE = re.compile(
    r"允许短缺量\s*[:：为]?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|kg|g|mL|ml|L|l|mm|cm|m)?"
)
_TOLERANCE_RE = re.compile(
    r"(?:允差|允许偏差|偏差率|偏差)\s*[:：为]?\s*(?P<op>[≥≤]|不低于|不小于)?\s*(?P<sign>[±+-])?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|kg|g|mL|ml|L|l|mm|cm|m)?"
    r"|(?P<pm>±)\s*(?P<num3>\d+(?:\.\d+)?)\s*(?P<unit3>%|kg|g|mL|ml|L|l)?"
)
_COUNT_UNITS = {"个", "片", "粒", "只", "支", "袋", "张"}
_SAMPLE_SIZES = ((125, 7), (80, 5), (50, 3), (13, 1), (0, 0))


@dataclass(frozen=True)
class Declared:
    value: Decimal
    unit: str | None
    net_content: bool  # 净含量: JJF 1070 shortfall when no tolerance is written
    minus: Decimal | None  # permitted shortfall, in the declared unit (None: from the JJF 1070 table)
    plus: Decimal | None  # permitted excess (None: unlimited)

    def __str__(self) -> str:
        q = _quantity(self.value, self.unit)
        if self.minus is None:
            return f"净含量 {q}（允许短缺量按 JJF 1070）"
        if self.plus is None:
            return f"{'净含量' if self.net_content else '标注值'} {q}（允许短缺 {_quantity(self.minus, self.unit)}）"
        return f"标注值 {q}（允差 ±{_quantity(self.minus, self.unit)}）"


def parse_declared(s: str, default_unit: str | None) -> Declared | None:
    """A declared value in normalised text ``s``; None when ``s`` names no declared quantity."""
    if not any(w in s for w in _DECLARED_WORDS) or re.search(r"[≤≥<>]\s*\d", s.split("偏差")[0]):
        return None
    q = _QUANTITY_RE.search(s)
    if q is None:
        return None
    value = Decimal(q["num"] or q["num2"])
    unit = _unit_from(q["unit"] or q["unit2"]) or default_unit
    net = any(w in s for w in _NET_WORDS)
    minus = plus = None
    short = _SHORTFALL_RE.search(s)
    tol = _TOLERANCE_RE.search(s, q.end())
    if short:
        minus = _amount(Decimal(short["num"]), short["unit"], value, unit)
    elif tol:
        num = Decimal(tol["num"] or tol["num3"])
        amount = _amount(num, tol["unit"] or tol["unit3"], value, unit)
        one_sided = (tol["sign"] == "-") or bool(tol["op"])
        minus, plus = amount, (None if one_sided else amount)
    elif not net:
        raise ValueError(f"标注值未给出允差，无法判定：“{s}”")
    return Declared(value, unit, net, minus, plus)


def _amount(num: Decimal, unit: str | None, declared: Decimal, declared_unit: str | None) -> Decimal:
    if unit == "%":
        return _EXACT.multiply(declared, num) / 100
    if unit is None:
        return num
    fa, fb = _factors(_unit_from(unit), declared_unit)
    return _EXACT.multiply(num, fa) / fb


def _jjf1070_shortfall(qn: Decimal, unit: str | None) -> Decimal:
    """JJF 1070-2005 表3 允许短缺量 T, in the declared unit."""
    dim = _dimension(unit)
    if unit in _COUNT_UNITS:
        return Decimal(0) if qn <= 50 else (qn / 100).to_integral_value(ROUND_CEILING)
    if dim == "length":
        metres = qn * _factors(unit, "m")[0] / _factors(unit, "m")[1]
        return Decimal(0) if metres <= 5 else qn * Decimal("0.02")
    if dim not in ("mass", "volume"):
        raise ValueError(f"净含量单位不是质量、体积、长度或计数单位：{unit}")
    base = "g" if dim == "mass" else "mL"
    fa, fb = _factors(unit, base)
    g = qn * fa / fb
    table = (
        (50, lambda x: x * Decimal("0.09")),
        (100, lambda x: Decimal("4.5")),
        (200, lambda x: x * Decimal("0.045")),
        (300, lambda x: Decimal(9)),
        (500, lambda x: x * Decimal("0.03")),
        (1000, lambda x: Decimal(15)),
        (10000, lambda x: x * Decimal("0.015")),
        (15000, lambda x: Decimal(150)),
        (50000, lambda x: x * Decimal("0.01")),
    )
    for upper, rule in table:
        if g <= upper:
            return rule(g) * fb / fa
    raise ValueError(f"标注净含量 {_quantity(qn, unit)} 超出 JJF 1070 允许短缺量表的范围（50 kg）")


def judge_declared(d: Declared, text: str) -> Verdict:
    s = _normalise(text, thousands=False)
    parts = [p for p in re.split(r"\s*[,，;；、]\s*|\s+(?=\d)", s) if p.strip()]
    values = []
    for part in parts:
        try:
            v = _parse_value(part, grade_context=False, thousands=False)
        except ValueError:
            return Verdict(NOT_JUDGED, f"无法解析实测值“{part}”")
        if v.kind != "number":
            return Verdict(NOT_JUDGED, f"实测值“{part}”不是一个确定的数值，无法与标注值比较")
        fa, fb = _factors(v.unit or d.unit, d.unit)
        values.append(_EXACT.multiply(v.x, fa) / fb)
    if not values:
        return Verdict(NOT_JUDGED, "实测值为空")
    t = d.minus if d.minus is not None else _jjf1070_shortfall(d.value, d.unit)
    low, high = d.value - t, (None if d.plus is None else d.value + d.plus)
    shown = "、".join(_quantity(v, d.unit) for v in values)
    if high is not None or len(values) == 1:
        bad = [v for v in values if v < low or (high is not None and v > high)]
        rng = (
            f"{_quantity(low, d.unit)}～{_quantity(high, d.unit)}"
            if high is not None
            else f"≥{_quantity(low, d.unit)}"
        )
        if bad:
            return Verdict(FAIL, f"实测 {shown}，超出允许范围 {rng}（{d}）")
        return Verdict(PASS, f"实测 {shown}，在允许范围 {rng} 内（{d}）")
    k = len(values)
    allowed = next(a for size, a in _SAMPLE_SIZES if k >= size)
    short = [v for v in values if v < low]
    mean = sum(values) / k
    if any(v < d.value - 2 * t for v in values):
        return Verdict(
            FAIL, f"实测 {shown}：有单件短缺量大于 2 倍允许短缺量 {_quantity(2 * t, d.unit)}（{d}）"
        )
    if len(short) > allowed:
        return Verdict(
            FAIL,
            f"实测 {shown}：{len(short)} 件短缺量大于允许短缺量 {_quantity(t, d.unit)}，{k} 件样本最多允许 {allowed} 件（{d}）",
        )
    if mean < d.value:
        if k > 10:
            return Verdict(
                NOT_JUDGED,
                f"平均实际含量 {_quantity(mean, d.unit)} 小于标注净含量，需按 JJF 1070 修正值 λ·s 判定",
            )
        return Verdict(
            FAIL,
            f"平均实际含量 {_quantity(mean.normalize(), d.unit)} 小于标注净含量 {_quantity(d.value, d.unit)}",
        )
    return Verdict(PASS, f"实测 {shown}：平均实际含量不小于标注净含量，短缺件数在允许范围内（{d}）")
