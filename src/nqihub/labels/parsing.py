"""Small, pure readers of label values: fibre content, quantities, percentages, dates. No Django."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def norm(text: str) -> str:
    """NFKC (full-width digits, letters and ％ become ASCII) with runs of white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


_NUMBER = r"\d+(?:\.\d+)?"


def number(value: object) -> float | None:
    """A finite number from an int/float or from text that starts with one (``"12.5"``, ``"12.5g"``,
    ``"21%"``); None otherwise. ``True``/``False`` are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
        return f if f == f and f not in (float("inf"), float("-inf")) else None
    if isinstance(value, str):
        m = re.match(rf"\s*(-?{_NUMBER})", norm(value))
        if m:
            return float(m.group(1))
    return None


# --- fibre content ------------------------------------------------------------------------------------

#: A part label before a colon: 面料：, 里料：, 填充物：, 表层： … (at most six characters).
_PART = re.compile(r"([\u4e00-\u9fffA-Za-z]{1,6})\s*:\s*")
_NAME = r"[^\d%:;,，、；/\s()（）+]+"
_NAME_FIRST = re.compile(rf"({_NAME})\s*({_NUMBER})\s*%")
_PERCENT_FIRST = re.compile(rf"({_NUMBER})\s*%\s*({_NAME})")
_PURE = re.compile(r"^(?:纯|全)(\S+)$")
_SEPARATORS = re.compile(r"[\s;,，、；/+()（）]+")
#: Labels people put in front of the content itself; not part names.
_CONTENT_LABELS = (
    "纤维成分及含量",
    "纤维成分",
    "纤维含量",
    "面料成分",
    "成分含量",
    "原料成分",
    "成分",
    "材质",
)


@dataclass
class FibreEntry:
    fibre: str
    percent: float | None


@dataclass
class FibrePart:
    name: str  # "" for a single-part label
    entries: list[FibreEntry]
    leftover: str


def parse_fibres(text: str) -> list[FibrePart]:
    """``"棉 60% 聚酯纤维 40%"``, ``"60%棉 40%聚酯纤维"``, ``"纯棉"``, ``"面料：棉100%；里料：聚酯纤维100%"``.

    Each part (面料, 里料 …) is read separately; what could not be read is kept in ``leftover``."""
    s = norm(text)
    for label in _CONTENT_LABELS:
        if s.startswith(label):
            rest = s[len(label) :].lstrip()
            if rest.startswith(":"):
                s = rest[1:].lstrip()
            break
    matches = list(_PART.finditer(s))
    pieces: list[tuple[str, str]] = []
    if not matches:
        pieces.append(("", s))
    else:
        if s[: matches[0].start()].strip():
            pieces.append(("", s[: matches[0].start()]))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(s)
            pieces.append((m.group(1), s[m.end() : end]))
    parts = []
    for name, body in pieces:
        body = body.strip(" ;,，、；。")
        if not body and not name:
            continue
        parts.append(_parse_part(name, body))
    return parts


def _parse_part(name: str, body: str) -> FibrePart:
    pure = _PURE.match(body)
    if pure and "%" not in body:
        return FibrePart(name, [FibreEntry(pure.group(1), 100.0)], "")
    pattern, fibre_group, pct_group = (
        (_PERCENT_FIRST, 2, 1) if re.match(r"\s*\d", body) else (_NAME_FIRST, 1, 2)
    )
    entries = []
    leftover = body
    for m in pattern.finditer(body):
        entries.append(FibreEntry(m.group(fibre_group).strip(), float(m.group(pct_group))))
        leftover = leftover.replace(m.group(0), " ", 1)
    leftover = _SEPARATORS.sub(" ", leftover).strip()
    if not entries and leftover and not re.search(r"\d", leftover):
        # "棉 聚酯纤维": names without any percentage
        entries = [FibreEntry(n, None) for n in leftover.split()]
        leftover = ""
    return FibrePart(name, entries, leftover)


# --- quantities ---------------------------------------------------------------------------------------

_QUANTITY = re.compile(rf"({_NUMBER})\s*([A-Za-zμµ]+|[\u4e00-\u9fff]{{1,2}})?")


def quantity(text: str) -> tuple[float, str] | None:
    """The first number in ``text`` and the unit written after it (``"净含量：1.5 kg"`` → ``(1.5, "kg")``)."""
    m = _QUANTITY.search(norm(text))
    if m is None:
        return None
    return float(m.group(1)), (m.group(2) or "")


# --- dates and durations ------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
_DATE_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_WHERE = re.compile(r"见|详见|喷码|封口|底部|顶部|侧面|背面")


def looks_like_date(text: str) -> bool:
    s = norm(text)
    for m in (*_DATE.finditer(s), *_DATE_COMPACT.finditer(s)):
        year, month, day = (int(g) for g in m.groups())
        if 1900 <= year <= 2200 and 1 <= month <= 12 and 1 <= day <= 31:
            return True
    return bool(_WHERE.search(s))


def first_date(text: str):
    """The first real calendar date in ``text`` (``2026年10月12日``, ``2026-10-12``, ``20261012``) or None."""
    from datetime import date

    s = norm(text)
    for m in (*_DATE.finditer(s), *_DATE_COMPACT.finditer(s)):
        year, month, day = (int(g) for g in m.groups())
        try:
            if 1900 <= year <= 2200:
                return date(year, month, day)
        except ValueError:
            continue
    return None


_DURATION = re.compile(r"(?:\d+|[一二两三四五六七八九十百]+)\s*(?:个)?\s*(?:天|日|月|年|周|小时)")


def looks_like_duration(text: str) -> bool:
    s = norm(text)
    return bool(_DURATION.search(s) or "至" in s or _WHERE.search(s))


def looks_like_contact(text: str) -> bool:
    s = norm(text)
    digits = re.sub(r"[\s\-()]", "", s)
    return bool(re.search(r"\d{7,}", digits) or "@" in s or re.search(r"https?://|www\.|\.com|\.cn", s, re.I))
