"""``extract_fields(category, text)``: read a pasted label into the category's field keys.

Each field of the rule pack lists the captions a label prints before its value (``extract``: 执行标准,
纤维含量, 净含量 …). A caption followed by ``:``/``：`` starts a value, which runs to the next caption or the end
of the line. The nutrition table is read row by row (``能量 1800千焦 21%``). Never raises on any text.
"""

from __future__ import annotations

import re

from . import parsing
from .packs import nutrients, pack

_MAX_TEXT = 20_000


def _caption_pattern(captions: list[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(c) for c in sorted(captions, key=len, reverse=True))
    # A caption at the start of a line or after a separator, then a colon.
    return re.compile(rf"(?:^|(?<=[\s;；,，。|]))({alternatives})\s*[:：]\s*", re.M)


def extract_fields(category: str, text: object) -> dict:
    """The fields that ``text`` states, as ``check_label`` takes them. Unknown category → ``UnknownCategory``."""
    p = pack(category)
    if not isinstance(text, str) or not text.strip():
        return {}
    text = text[:_MAX_TEXT].replace("\r\n", "\n").replace("\r", "\n")
    # Values are kept as printed (the checker normalises full-width forms itself); only white space is tidied.
    lines = [line.strip() for line in text.split("\n")]
    body = "\n".join(lines)
    owner: dict[str, str] = {}
    for f in p["fields"]:
        for caption in f.get("extract", []):
            owner.setdefault(parsing.norm(caption), f["key"])
    if not owner:
        return {}
    pattern = _caption_pattern(list(owner))
    matches = list(pattern.finditer(body))
    out: dict[str, object] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(body)
        value = body[m.end() : end].split("\n")[0].strip(" ;；,，。|")
        key = owner[m.group(1)]
        if key == "nutrition" or not value or key in out:
            continue
        out[key] = value
    for f in p["fields"]:
        if f["key"] not in out and any(flag in body for flag in f.get("extract_flags", [])):
            out[f["key"]] = next(flag for flag in f["extract_flags"] if flag in body)
    types = {f["key"]: f["type"] for f in p["fields"]}
    if "for_infants" in types and "婴幼儿用品" in body:
        out["for_infants"] = True
    if "nutrition" in types:
        rows = _nutrition_rows(lines, p.get("nutrition_edition", "GB 28050-2011"))
        if rows:
            out["nutrition"] = rows
    return out


_ROW = re.compile(
    r"^\s*[—\-－]*\s*(?P<item>[^\d\s|:：]+?)\s*[|:：]?\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>[A-Za-zμµ]+(?:\s?(?:RE|α-TE|DFE))?|[\u4e00-\u9fff]{1,3})\s*[|]?\s*(?:(?P<nrv>\d+(?:\.\d+)?)\s*%)?\s*$"
)


def _nutrition_rows(lines: list[str], edition: str) -> list[dict]:
    names = nutrients(edition)
    known = set(names) | {"热量", "卡路里", "碳水", "糖类", "蛋白", "脂类"}
    rows = []
    for line in lines:
        m = _ROW.match(parsing.norm(line))
        if not m:
            continue
        item = m.group("item").strip()
        if item not in known:
            continue
        rows.append(
            {
                "item": item,
                "per_100": float(m.group("value")) if "." in m.group("value") else int(m.group("value")),
                "unit": m.group("unit"),
                "nrv_percent": (m.group("nrv") + "%") if m.group("nrv") else "",
            }
        )
    return rows
