"""Microbiological sampling plans (GB 4789.1 3.2, GB 29921): ``n=5,c=2,m=10^4,M=10^5 CFU/g`` judged on the
results of the samples.

GB 4789.1-2016 3.2.2: in a two-class plan (no M) at most c of the n results may exceed m; in a three-class plan
every result must be ≤ M and at most c results may lie in (m, M]. ``m=0/25g`` is a presence/absence plan:
a result above m is a detection.

Decisions: results are read from the text in order (``1#：<10 2#：<10 …``, ``1.2×10^5, 3.5×10^4, …``,
``未检出``); fewer than n results are judged when they decide by themselves (any result > M, or more than c
in (m, M], fails; all ≤ m passes) and otherwise not judged. A result whose interval straddles m or M
(``<100`` against m=10) is not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .base import FAIL, NOT_JUDGED, PASS, Verdict
from .intervals import _parse_value, _scaled, _value_interval
from .text import _NUM_RE, _ZERO, _fmt, _normalise, _number
from .units import _factors, _unit_from

_N_RE = re.compile(r"(?<![A-Za-z])n\s*=\s*(\d+)")
_C_RE = re.compile(r"(?<![A-Za-z])c\s*=\s*(\d+)")
_SMALL_M_RE = re.compile(r"(?<![A-Za-z])m\s*=\s*")
_BIG_M_RE = re.compile(r"(?<![A-Za-z])M\s*=\s*")
_PORTION_RE = re.compile(r"\s*/\s*(\d+(?:\.\d+)?)\s*(g|mL|ml|L|个|件|只)(?:\s*\(\s*mL\s*\))?")
_UNIT_TAIL_RE = re.compile(r"\s*([A-Za-zμ]+\s*/\s*(?:\d+\s*)?[A-Za-z]+)")
_SAMPLE_LABEL_RE = re.compile(r"(?:^|(?<=[\s,，;；、]))(?:\d+\s*#|#\s*\d+|样品?\s*\d+|[①-⑩])\s*[:：]?\s*")
_SPLIT_RE = re.compile(r"\s*[,，;；、/]\s*|\s+(?=[<＜>≤≥]?\s*\d)|\s+(?=未检出|阴性|阳性|检出|ND)")


@dataclass(frozen=True)
class SamplingPlan:
    n: int
    c: int
    m: Decimal
    M: Decimal | None
    unit: str | None
    portion: str = ""  # "25g" for m=0/25g

    def __str__(self) -> str:
        u = f" {self.unit}" if self.unit else ""
        m = f"0/{self.portion}" if self.portion else f"{_fmt(self.m)}{u}"
        big = "" if self.M is None else f", M={_fmt(self.M)}{u}"
        return f"n={self.n}, c={self.c}, m={m}{big}"


def _value_after(s: str, m: re.Match[str]) -> tuple[Decimal, str | None, str, int]:
    num = _NUM_RE.match(s, m.end())
    if num is None:
        raise ValueError(f"采样方案中 {m.group().strip()} 后缺少数值：“{s}”")
    value = _number(num).value
    pos, portion, unit = num.end(), "", None
    p = _PORTION_RE.match(s, pos)
    if p:
        portion, pos = f"{p.group(1)}{p.group(2)}", p.end()
    else:
        u = _UNIT_TAIL_RE.match(s, pos)
        if u:
            unit, pos = _unit_from(u.group(1)), u.end()
    return value, unit, portion, pos


def parse_plan(s: str, default_unit: str | None) -> SamplingPlan | None:
    """A sampling plan in normalised text ``s``; None when ``s`` is not one."""
    n, c, m = _N_RE.search(s), _C_RE.search(s), _SMALL_M_RE.search(s)
    if not (n and c and m):
        return None
    small, unit_m, portion, _ = _value_after(s, m)
    big = _BIG_M_RE.search(s)
    large = unit_big = None
    if big:
        large, unit_big, _, _ = _value_after(s, big)
    tail = _UNIT_TAIL_RE.search(s[s.rfind("=") :]) if not (unit_m or unit_big) else None
    unit = unit_m or unit_big or (_unit_from(tail.group(1)) if tail else None) or default_unit
    plan = SamplingPlan(int(n.group(1)), int(c.group(1)), small, large, unit, portion)
    if plan.n < 1 or plan.c > plan.n:
        raise ValueError(f"采样方案不合理（c 不能大于 n）：“{s}”")
    if plan.M is not None and plan.M < plan.m:
        raise ValueError(f"采样方案中 M 不能小于 m：“{s}”")
    return plan


def _results(text: str) -> list[str]:
    s = _normalise(text, thousands=False)
    s = _SAMPLE_LABEL_RE.sub(" ", s).strip(" ,，;；、")
    parts = [p for p in _SPLIT_RE.split(s) if p and p.strip()]
    return parts or [s]


def judge_plan(plan: SamplingPlan, text: str) -> Verdict:
    if not text.strip():
        return Verdict(NOT_JUDGED, "实测值为空")
    parts = _results(text)
    counts = {"ok": 0, "marginal": 0, "reject": 0, "unsure": 0}
    for part in parts:
        try:
            v = _parse_value(part, grade_context=False, thousands=False)
        except ValueError:
            return Verdict(NOT_JUDGED, f"无法解析实测值“{part}”")
        if v.kind == "nd":
            counts["ok"] += 1  # 未检出 / 阴性: below any positive m, and "absent" for m=0/25g
            continue
        if v.kind == "detected":
            counts["reject" if plan.M is None else "unsure"] += 1
            continue
        if v.kind in ("text",):
            return Verdict(NOT_JUDGED, f"无法解析实测值“{part}”")
        fv, fr = _factors(v.unit or plan.unit, plan.unit)
        (lo, lt), (hi, ht) = _scaled(_value_interval(v, v.unit or plan.unit), fv)
        m, big = plan.m * fr, None if plan.M is None else plan.M * fr
        if (hi, ht) <= (m, 0):
            counts["ok"] += 1
        elif big is not None and (lo, lt) > (big, 0):
            counts["reject"] += 1
        elif big is None and (lo, lt) > (m, 0):
            counts["reject"] += 1
        elif big is not None and (lo, lt) > (m, 0) and (hi, ht) <= (big, 0):
            counts["marginal"] += 1
        else:
            counts["unsure"] += 1
    k = len(parts)
    shown = f"{k} 份结果：≤m {counts['ok']} 份"
    if plan.M is not None:
        shown += f"，m～M 之间 {counts['marginal']} 份，>M {counts['reject']} 份"
    else:
        shown += f"，>m {counts['reject']} 份"
    if plan.M is not None and counts["reject"]:
        return Verdict(FAIL, f"{shown}；有结果大于 M，不满足 {plan}")
    exceed = counts["marginal"] + (counts["reject"] if plan.M is None else 0)
    if exceed > plan.c:
        return Verdict(FAIL, f"{shown}；超过 m 的结果多于 c={plan.c}，不满足 {plan}")
    if counts["unsure"]:
        return Verdict(
            NOT_JUDGED, f"{shown}；{counts['unsure']} 份结果无法与 m/M 比较（检出限或“检出”不足以判定）"
        )
    if k < plan.n and exceed:
        return Verdict(NOT_JUDGED, f"{shown}；只有 {k} 份结果（方案要求 n={plan.n}），无法按方案判定")
    return Verdict(PASS, f"{shown}，满足 {plan}")


def _plans_comparable(a: SamplingPlan, b: SamplingPlan) -> bool:
    return (a.n, a.c, a.M is None, a.portion) == (b.n, b.c, b.M is None, b.portion)


def compare_plans(a: SamplingPlan, b: SamplingPlan) -> str:
    """ "stricter", "equal", "weaker" or "incomparable" (same n, c and class only)."""
    if not _plans_comparable(a, b):
        return "incomparable"
    try:
        fa, fb = _factors(a.unit, b.unit)
    except ValueError:
        return "incomparable"
    pa = (a.m * fa, (a.M or _ZERO) * fa)
    pb = (b.m * fb, (b.M or _ZERO) * fb)
    if pa == pb:
        return "equal"
    if pa[0] <= pb[0] and pa[1] <= pb[1]:
        return "stricter"
    if pa[0] >= pb[0] and pa[1] >= pb[1]:
        return "weaker"
    return "incomparable"
