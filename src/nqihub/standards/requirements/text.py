"""Normalisation of requirement and result text, and exact numbers.

Traditional characters are folded to Simplified with OpenCC (``t2s``) so that 不超過 / 不得檢出 / 個/g read
like 不超过 / 不得检出 / 个/g; full-width forms, µ and superscripts are folded with NFKC."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from functools import lru_cache

from opencc import OpenCC

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


_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_THOUSANDS_RE = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+)(?![\d,]|\.\d)")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=4096)
def _simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC t2s); text without CJK characters is returned as is."""
    if not _CJK_RE.search(text):
        return text
    return _t2s().convert(text)


def _normalise(text: str, *, thousands: bool = True) -> str:
    """Fold widths, Traditional characters, dashes, comparators and superscripts. ``thousands`` joins
    ``30,000`` into ``30000`` (off for lists of results, where the comma separates values)."""
    s = _SUPERSCRIPT_RE.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    s = _simplified(unicodedata.normalize("NFKC", s))
    s = s.replace("——", "-")
    s = re.sub(r"[‐‑‒–—―−﹣]", "-", s)
    s = re.sub(r"(?<=\d)\s*一\s*(?=\d)", "-", s)
    s = re.sub(r"[〜∼]", "~", s)
    for k, v in _COMPARATOR_FOLD.items():
        s = s.replace(k, v)
    s = re.sub(r"<\s*=|=\s*<|≤\s*=", "≤", s)
    s = re.sub(r">\s*=|=\s*>|≥\s*=", "≥", s)
    s = _POWER_UNIT_RE.sub(r"\1/\2", s)
    if thousands:
        s = _THOUSANDS_RE.sub(lambda m: m.group(1).replace(",", ""), s)
    s = re.sub(r"\s+", " ", s).strip()
    return s.strip("\"'“”‘’「」『』")


def _compact(s: str) -> str:
    return re.sub(r"[\s,.;:!?'\"“”‘’、，。；：！？()\[\]【】《》]+", "", s)


_NUM_RE = re.compile(
    r"(?P<num>[+-]?(?:\d+(?:\.\d+)?|\.\d+))"
    r"(?:\s*[×xX*·]\s*10\s*\^\s*(?P<e1>[+-]?\d{1,4})"
    r"|[eE](?P<e2>[+-]?\d{1,4})"
    r"|\s*\^\s*(?P<e3>[+-]?\d{1,4})"
    r"|\s*[×xX*·]\s*10(?P<e4>-?[1-9]\d?)(?![\d.]))?"
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
        exp = m["e1"] or m["e2"] or m["e4"]  # e4: 2.77×102, <4×10-5 — a superscript flattened by copying
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
