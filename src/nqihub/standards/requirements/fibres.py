"""Declared fibre composition against the measured one (GB/T 29862-2013 《纺织品 纤维含量的标识》, clause 7).

Tolerances, as summarised by the standard's own change notes (neastd.cn / hqtsgroup.com summaries of the
2013 edition; the standard text itself was not available here):

* a product (or part) of one fibre, declared 100 % / 纯 / 全: the other fibres together may not exceed 0.5 %
  (7.5: ≤0.5 % may be left out of the label; 434wow.cn Q&A: 100%棉 measured 99.6 % 棉 + 0.4 % 聚酯纤维 → 合格);
* two or more fibres: each declared content ±5 % (filling ±10 %); declared ≤10 % → ±3 % (filling ≤20 % → ±5 %);
  declared ≤3 % (filling ≤5 %) must not be measured as 0 (7.4);
* a measured fibre that is not declared may be at most 0.5 % in total (7.5).

Decorative fibres, elastic fibres declared separately (6.12) and the wool 95 % rule of older standards are not
handled: such lines are judged with the rules above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .base import FAIL, NOT_JUDGED, PASS, Verdict
from .text import _fmt, _normalise

#: Generic names (GB/T 4146.1-2020, GB/T 11951-2018, label practice) and their short names, from
#: shared/data/fibre_names.csv, plus trade names that labels use for the same fibres (fibre_trade_names.csv).
_ALIASES: dict[str, str] = {
    "涤纶": "聚酯纤维",
    "聚酯": "聚酯纤维",
    "锦纶": "聚酰胺纤维",
    "尼龙": "聚酰胺纤维",
    "腈纶": "聚丙烯腈纤维",
    "氨纶": "聚氨酯弹性纤维",
    "莱卡": "聚氨酯弹性纤维",
    "维纶": "聚乙烯醇纤维",
    "丙纶": "聚丙烯纤维",
    "乙纶": "聚乙烯纤维",
    "氯纶": "含氯纤维",
    "芳纶": "芳香族聚酰胺纤维",
    "粘纤": "粘胶纤维",
    "粘胶": "粘胶纤维",
    "人造棉": "粘胶纤维",
    "醋纤": "醋酯纤维",
    "莫代尔": "莫代尔纤维",
    "莱赛尔": "莱赛尔纤维",
    "天丝": "莱赛尔纤维",
    "羊毛": "绵羊毛",
    "羊绒": "山羊绒",
    "驼毛": "骆驼毛",
    "真丝": "桑蚕丝",
    "蚕丝": "桑蚕丝",
    "汉麻": "大麻",
    "火麻": "大麻",
    "纯棉": "棉",
    "全棉": "棉",
}
_GENERIC = (
    "铜氨纤维 莱赛尔纤维 莫代尔纤维 粘胶纤维 醋酯纤维 三醋酯纤维 海藻纤维 聚丙烯腈纤维 芳香族聚酰胺纤维 含氯纤维 "
    "聚氨酯弹性纤维 二烯类弹性纤维 聚四氟乙烯纤维 改性聚丙烯腈纤维 聚酰胺纤维 聚酯纤维 聚乙烯纤维 聚酰亚胺纤维 "
    "聚丙烯纤维 玻璃纤维 聚乙烯醇纤维 碳纤维 金属纤维 聚乳酸纤维 聚烯烃弹性纤维 再生蛋白质纤维 聚酯复合弹性纤维 "
    "桑蚕丝 柞蚕丝 绵羊毛 羊驼毛 竹纤维 罗布麻 大麻 黄麻 棉 亚麻 苎麻 木棉 山羊绒 兔毛 兔绒 牦牛毛 牦牛绒 "
    "骆驼毛 骆驼绒 马海毛 羊驼绒 竹原纤维 麻 丝 绒 羽绒 鸭绒 鹅绒 再生纤维素纤维 其他纤维"
).split()
_NAMES = sorted(set(_GENERIC) | set(_ALIASES), key=len, reverse=True)
_NAME = "(?:" + "|".join(map(re.escape, _NAMES)) + ")"
_NUM = r"(\d+(?:\.\d+)?)\s*%"
_PCT_NAME = re.compile(rf"{_NUM}\s*(?P<name>{_NAME})")
_NAME_PCT = re.compile(rf"(?P<name>{_NAME})(?:纤维)?\s*(?:含量)?\s*(?:仅为|为|占|[:：])?\s*{_NUM}")
_PURE = re.compile(rf"(?:纯|全)(?P<name>{_NAME})")
_ZERO_LIST = re.compile(
    rf"(?P<names>{_NAME}(?:[、和及与]{_NAME})*)(?:纤维)?(?:的)?含量(?:均|都)?为\s*0(?![.\d])"
)


def _generic(name: str) -> str:
    return _ALIASES.get(name, name)


@dataclass(frozen=True)
class Composition:
    parts: tuple[tuple[str, Decimal], ...]  # generic name → declared %
    filling: bool = False

    def __str__(self) -> str:
        return "、".join(f"{_fmt(p)}%{n}" for n, p in self.parts)


def _read(s: str) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for m in _ZERO_LIST.finditer(s):
        for name in re.split(r"[、和及与]", m["names"]):
            found.setdefault(_generic(name), Decimal(0))
    s = _ZERO_LIST.sub(" ", s)
    for m in _PCT_NAME.finditer(s):
        found.setdefault(_generic(m["name"]), Decimal(m.group(1)))
    s = _PCT_NAME.sub(" ", s)
    for m in _NAME_PCT.finditer(s):
        found.setdefault(_generic(m["name"]), Decimal(m.group(2)))
    s = _NAME_PCT.sub(" ", s)
    for m in _PURE.finditer(s):
        found.setdefault(_generic(m["name"]), Decimal(100))
    return found


def parse_composition(s: str) -> Composition | None:
    """A declared composition in normalised text ``s`` (``65%棉 35%聚酯纤维``, ``纯棉``); None otherwise."""
    if re.search(r"[≤≥<>~]", s):
        return None
    parts = _read(s)
    if not parts:
        return None
    total = sum(parts.values(), Decimal(0))
    if total != 100:
        raise ValueError(f"明示纤维含量合计应为100%：“{s}”（合计 {_fmt(total)}%）")
    return Composition(tuple(sorted(parts.items())), filling=bool(re.search(r"填充|絮", s)))


def judge_composition(c: Composition, text: str) -> Verdict:
    s = _normalise(text)
    measured = _read(s)
    if not measured:
        return Verdict(NOT_JUDGED, f"实测结果“{s}”中没有读到纤维名称和含量")
    declared = dict(c.parts)
    problems = []
    if len(declared) == 1:
        ((name, _),) = declared.items()
        others = sum((v for n, v in measured.items() if n != name), Decimal(0))
        if name not in measured and others == 0:
            return Verdict(NOT_JUDGED, f"实测结果“{s}”未给出 {name} 的含量")
        share = measured.get(name, Decimal(100) - others)
        if others > Decimal("0.5") or share < Decimal("99.5"):
            problems.append(
                f"{name} 实测 {_fmt(share)}%，其他纤维合计 {_fmt(others)}%（单一纤维产品其他纤维不得超过0.5%）"
            )
    else:
        for name, d in declared.items():
            m = measured.get(name, Decimal(0))
            small, tiny = (Decimal(20), Decimal(5)) if c.filling else (Decimal(10), Decimal(3))
            tol = (
                (Decimal(5) if c.filling else Decimal(3))
                if d <= small
                else (Decimal(10) if c.filling else Decimal(5))
            )
            if abs(m - d) > tol:
                problems.append(f"{name} 明示 {_fmt(d)}%、实测 {_fmt(m)}%，超出允差 ±{_fmt(tol)}%")
            elif d <= tiny and m == 0:
                problems.append(f"{name} 明示 {_fmt(d)}%，实测为0")
        undeclared = sum((v for n, v in measured.items() if n not in declared), Decimal(0))
        if undeclared > Decimal("0.5"):
            problems.append(f"未标注的纤维合计 {_fmt(undeclared)}%（不得超过0.5%）")
    shown = "、".join(f"{n} {_fmt(v)}%" for n, v in sorted(measured.items()))
    if problems:
        return Verdict(FAIL, f"实测 {shown}：" + "；".join(problems) + "（GB/T 29862-2013 第7章）")
    return Verdict(PASS, f"实测 {shown}，在明示 {c} 的允差内（GB/T 29862-2013 第7章）")
