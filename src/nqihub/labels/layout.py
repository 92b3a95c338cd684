"""Put OCR lines back in reading order, as text the label reader (``extract.py``) understands.

``reading_order(lines)`` → ``Layout(text, rows)``: ``rows`` are lists of line indexes, one per text row, in
reading order; ``text`` joins a row's pieces with a space (close together) or a tab (a table gap) and the
rows with new lines.

* A slightly rotated photo is deskewed first (median angle of the long line boxes).
* Blocks are cut recursively: a vertical gap no line crosses splits *columns* (read the left column to its
  end, then the next) — unless the two sides' rows line up and are short, which is a *table* (the nutrition
  table: 项目 / 每100克 / NRV%), read row by row with its cells joined by tabs; a large horizontal gap splits
  blocks top to bottom.
* Inside a block, lines whose vertical extents overlap form one row, sorted left to right.
* A row that runs to the right margin of a block of running text, followed by a row at the left margin, is a
  wrapped line: the two are joined (``厂址：…芜湖市`` / ``弋江区…``).

Lines are anything with ``.quad`` (four points) and ``.text`` (``ocr.Line``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import median


@dataclass
class _Box:
    index: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def h(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Layout:
    text: str
    rows: list[list[int]]


def _angle(lines) -> float:
    angles = []
    for line in lines:
        (x0, y0), (x1, y1) = line.quad[0], line.quad[1]
        width = math.hypot(x1 - x0, y1 - y0)
        height = math.hypot(line.quad[3][0] - x0, line.quad[3][1] - y0)
        if width > 2 * max(height, 1):
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return median(angles) if angles else 0.0


def _boxes(lines) -> list[_Box]:
    angle = _angle(lines)
    cos, sin = math.cos(-angle), math.sin(-angle)
    out = []
    for i, line in enumerate(lines):
        pts = [(x * cos - y * sin, x * sin + y * cos) for x, y in line.quad]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        out.append(_Box(i, line.text, min(xs), min(ys), max(xs), max(ys)))
    return out


def _rows(boxes: list[_Box]) -> list[list[_Box]]:
    rows: list[list[_Box]] = []
    for box in sorted(boxes, key=lambda b: b.cy):
        if rows:
            row = rows[-1]
            top = median([b.y0 for b in row])
            bottom = median([b.y1 for b in row])
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap >= 0.5 * min(bottom - top, box.h):
                row.append(box)
                continue
        rows.append([box])
    return [sorted(row, key=lambda b: b.x0) for row in rows]


def _gaps(intervals: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """(cut position, gap width) of the gaps wider than ``min_gap`` between the union of intervals."""
    cuts = []
    intervals = sorted(intervals)
    reach = intervals[0][1]
    for start, end in intervals[1:]:
        if start - reach > min_gap:
            cuts.append(((start + reach) / 2, start - reach))
        reach = max(reach, end)
    return cuts


def _split(boxes: list[_Box], cuts: list[float], axis: str) -> list[list[_Box]]:
    parts: list[list[_Box]] = [[] for _ in range(len(cuts) + 1)]
    for box in boxes:
        centre = (box.x0 + box.x1) / 2 if axis == "x" else box.cy
        parts[sum(1 for c in cuts if centre > c)].append(box)
    return [p for p in parts if p]


#: A row that starts a new item ("保质期：", "【配料】"), not the rest of a wrapped line.
_NEW_ITEM = re.compile(r"^(?:[^:：,，;；、。()（）\s]{2,8}[:：]|[【\[])")
_CAPTION = re.compile(r"^[^:：\t]{1,10}[:：]")


def _is_table(parts: list[list[_Box]], line_h: float) -> bool:
    """Two side-by-side parts whose rows line up and hold short cells: a table, not columns of text.

    Columns when one side is itself a table (rows of several cells) and the other is not, when one side is
    running text (long lines, or "caption：value" lines), or when the rows do not line up."""
    rows = [_rows(p) for p in parts]
    if any(len(r) == 1 for r in rows):
        return True  # one row split by gaps: cells of that row
    celled = [
        sum(1 for row in r if len(row) > 1 and _gaps([(b.x0, b.x1) for b in row], 0.8 * line_h)) / len(r)
        for r in rows
    ]
    captions = [sum(1 for row in r if _CAPTION.match(row[0].text)) / len(r) for r in rows]
    chars = [sum(len(b.text) for b in p) / max(len(r), 1) for p, r in zip(parts, rows, strict=True)]
    plain = min(range(len(rows)), key=lambda i: celled[i])
    text_like = chars[plain] >= 6 or captions[plain] >= 0.3
    if max(celled) >= 0.5 and celled[plain] < 0.2 and text_like:
        return False
    if max(captions) >= 0.5 and min(len(r) for r in rows) >= 3:
        return False
    if min(chars) >= 12:
        return False
    first, others = rows[0], [b for r in rows[1:] for row in r for b in row]
    aligned = 0
    for row in first:
        top, bottom = min(b.y0 for b in row), max(b.y1 for b in row)
        if any(min(bottom, b.y1) - max(top, b.y0) >= 0.4 * min(bottom - top, b.h) for b in others):
            aligned += 1
    return aligned >= 0.6 * len(first)


def _order(boxes: list[_Box], line_h: float, depth: int = 0) -> list[list[list[_Box]]]:
    """Blocks (each a list of rows) in reading order (recursive cuts at the widest gap)."""
    if len(boxes) <= 1 or depth > 24:
        return [_rows(boxes)]
    xcuts = _gaps([(b.x0, b.x1) for b in boxes], 0.8 * line_h)
    if xcuts:
        widest = max(xcuts, key=lambda c: c[1])[0]
        parts = _split(boxes, [widest], "x")
        if len(parts) > 1 and not _is_table(parts, line_h):
            return [block for part in parts for block in _order(part, line_h, depth + 1)]
        if len(parts) > 1:
            return [_rows(boxes)]
    ycuts = _gaps([(b.y0, b.y1) for b in boxes], 0.9 * line_h)
    if ycuts:
        parts = _split(boxes, [c for c, _w in ycuts], "y")
        if len(parts) > 1:
            return [block for part in parts for block in _order(part, line_h, depth + 1)]
    return [_rows(boxes)]


def _row_text(row: list[_Box]) -> str:
    out = row[0].text
    for prev, box in zip(row, row[1:], strict=False):
        gap = box.x0 - prev.x1
        out += ("\t" if gap > 1.2 * min(prev.h, box.h) else " ") + box.text
    return out


def reading_order(lines) -> Layout:
    if not lines:
        return Layout("", [])
    boxes = _boxes(lines)
    line_h = median([b.h for b in boxes])
    texts: list[str] = []
    rows_out: list[list[int]] = []
    for block in _order(boxes, line_h):
        left = min(b.x0 for row in block for b in row)
        right = max(b.x1 for row in block for b in row)
        width = max(right - left, 1.0)
        full = sum(1 for row in block if right - row[-1].x1 < 1.5 * row[-1].h)
        prose = len(block) >= 3 and full >= 2 and all(len(row) == 1 for row in block)
        joined_prev = False
        for row in block:
            text = _row_text(row)
            index = [b.index for b in row]
            starts_left = row[0].x0 - left < 1.5 * row[0].h
            caption = _NEW_ITEM.match(text)
            if joined_prev and starts_left and texts and not caption:
                texts[-1] += text
                rows_out[-1].extend(index)
            else:
                texts.append(text)
                rows_out.append(index)
            joined_prev = prose and right - row[-1].x1 < 1.5 * row[-1].h and row[-1].x1 - left > 0.9 * width
    return Layout("\n".join(texts), rows_out)
