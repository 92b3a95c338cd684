"""Check a label from a photo: OCR on this server, lines in reading order, then the text engine.

``check_photo(image_bytes, category, complete=True, on=None)`` → the answer of the text path (``category``,
``rule_pack_version``, ``edition``, ``complete``, ``errors``, ``warnings``, ``findings``, ``fields``,
``extracted``) plus

* ``text`` — what was read, in reading order (the user corrects it and re-checks it as text);
* ``image`` — ``{"width", "height"}`` of the photo as displayed (EXIF orientation applied);
* ``lines`` — ``[{"text", "score", "box": [x0, y0, x1, y1]}]`` in reading order, photo coordinates;
* ``field_boxes`` — per extracted field, the boxes of the lines its value (or its caption) was read from;
* each finding gets ``boxes``: those of its field (empty when the field is missing from the label).

``ValidationFailed`` on field ``image`` for bytes that are not a readable photo or a photo with no text;
on field ``category`` for an unknown category.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed

from . import ocr
from .checker import check_label, select_pack
from .extract import _table, extract_fields, simplify
from .layout import reading_order
from .packs import UnknownCategory, pack

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub("", simplify(unicodedata.normalize("NFKC", text)))


def _strings(value) -> list[str]:
    """The printed strings a field value came from (list items and their parts for fibres, nutrition)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [str(value)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


class _Locator:
    """Finds which OCR lines a string was read from (the layout text without white space)."""

    def __init__(self, lines, order: list[int]):
        self.chars: list[str] = []
        self.owner: list[int] = []
        for index in order:
            for ch in _norm(lines[index].text):
                self.chars.append(ch)
                self.owner.append(index)
        self.text = "".join(self.chars)

    def find(self, value: str) -> list[int]:
        needle = _norm(value)
        if not needle:
            return []
        start = self.text.find(needle)
        if start >= 0:
            return sorted(set(self.owner[start : start + len(needle)]))
        found: set[int] = set()
        probe = min(len(needle), 6)
        if probe >= 2:
            for piece in (needle[:probe], needle[-probe:]):
                at = self.text.find(piece)
                if at >= 0:
                    found.update(self.owner[at : at + probe])
        return sorted(found)


def restore_captions(category: str, text: str) -> str:
    """OCR drops the space between a caption and its value when the label prints no colon
    (``品 名 小麻花`` is read ``品名小麻花``): a field's caption at the start of a row or cell, glued to a
    value, gets a colon back (``品名：小麻花``). The longest caption at that place decides (``配料表：`` is
    left alone); captions of things not checked and of the nutrition table are left alone."""
    owner = _table(category)[2]
    captions = sorted((c for c in owner if len(c) >= 2), key=len, reverse=True)

    def fix(cell: str) -> str:
        for caption in captions:
            if cell.startswith(caption):
                key = owner[caption][0]
                rest = cell[len(caption) :]
                if key and key != "nutrition" and rest and not _SEPARATOR.match(rest):
                    return f"{caption}：{rest}"
                return cell
        return cell

    return "\n".join("\t".join(fix(cell) for cell in row.split("\t")) for row in text.split("\n"))


_SEPARATOR = re.compile(r"[\s:：(（/【】\[\]0-9A-Za-z]")


def check_photo(
    image_bytes: bytes, category: str, complete: bool = True, on: date | None = None, *, standard_status=None
) -> dict:
    try:
        pack(category)
    except UnknownCategory as exc:
        raise ValidationFailed({"category": str(exc)}) from exc
    if not isinstance(complete, bool):
        raise ValidationFailed({"complete": _("complete 应为 true 或 false。")})
    try:
        reading = ocr.read_lines(image_bytes)
    except ocr.UnreadableImage as exc:
        raise ValidationFailed(
            {"image": _("无法读取这张照片，请上传 JPEG、PNG、WebP 或 HEIC 格式的照片。")}
        ) from exc
    layout = reading_order(reading.lines)
    if not layout.text.strip():
        raise ValidationFailed({"image": _("照片中没有读出文字，请对准标签、保持清晰后重拍。")})
    order = [i for row in layout.rows for i in row]
    extracted = extract_fields(category, restore_captions(category, layout.text))
    used = select_pack(category, extracted, on=on)
    findings = check_label(category, extracted, complete=complete, on=on, standard_status=standard_status)
    locator = _Locator(reading.lines, order)
    box_of = {i: reading.lines[i].box for i in order}
    field_boxes = {}
    for key, value in extracted.items():
        found: set[int] = set()
        for s in _strings(value):
            found.update(locator.find(s))
        if found:
            field_boxes[key] = [box_of[i] for i in sorted(found, key=order.index)]
    for finding in findings:
        finding["boxes"] = field_boxes.get(finding.get("field"), [])
    errors = sum(1 for f in findings if f["severity"] == "error")
    return {
        "category": category,
        "rule_pack_version": used["version"],
        "edition": used.get("edition", ""),
        "complete": complete,
        "errors": errors,
        "warnings": len(findings) - errors,
        "findings": findings,
        "fields": extracted,
        "extracted": extracted,
        "text": layout.text,
        "image": {"width": reading.width, "height": reading.height},
        "lines": [
            {"text": reading.lines[i].text, "score": round(reading.lines[i].score, 3), "box": box_of[i]}
            for i in order
        ],
        "field_boxes": field_boxes,
    }
