"""Comparator expressions (≤75 mg/kg, 4.0~7.5, 20±2, 不超过 0.1) and the word lists shared by the judges."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import _NUM_RE, _ZERO, _Num, _number
from .units import _unit_from, _unit_key

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
#: A comparator inside prose: "管网末梢余量≥0.05", "含量应不低于90%".
_EMBEDDED_RE = re.compile(
    r"(?:[≤≥<>]|(?:不得|不应|不能|不)?(?:超过|大于|高于|多于|低于|小于|少于)|小于或等于|大于或等于)\s*[+-]?\.?\d"
)
#: "No requirement": the report gives the data only.
_NO_REQUIREMENT = {
    "/",
    "-",
    "--",
    "—",
    "——",
    "无要求",
    "不作要求",
    "不要求",
    "实测",
    "实测值",
    "报实测值",
    "仅报告结果",
}

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
