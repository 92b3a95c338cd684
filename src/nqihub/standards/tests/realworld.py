"""Scores of the standard-number and requirement engines on the real-world corpus in ``data/realworld/``.

``standard_numbers.jsonl``: one number per line as it was written (``text``), its ``source`` (URL, or
repository + path, or the search index's file id when the index gave no repository) and either the expected
``canonical`` reading (with ``grade`` when a grade or category follows the number) or ``error`` (a word of
the expected reason: the text must be refused, never read as a wrong number).

``report_lines.jsonl``: one report line per row — ``requirement``, ``result``, ``unit`` (the item's unit
column, may be null), the ``expected`` verdict 合格 / 不合格 / 不判定 and the ``source``.

Used by the test suite (thresholds) and by ``bench/realworld.py`` (prints the scores)."""

from __future__ import annotations

import json
from pathlib import Path

from nqihub.standards.numbers import parse_standard_number
from nqihub.standards.requirements import LABELS, evaluate

DATA = Path(__file__).parent / "data" / "realworld"


def rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def number_outcome(row: dict) -> tuple[bool, str]:
    """(right?, what was read) for one standard-number row."""
    try:
        number = parse_standard_number(row["text"])
    except ValueError as exc:
        return "error" in row, f"refused: {exc}"
    read = f"{number.canonical} {number.grade}".strip()
    if "error" in row:
        return False, read
    return number.canonical == row["canonical"] and number.grade == row.get("grade", ""), read


def line_outcome(row: dict) -> tuple[bool, str]:
    """(right?, verdict label and reason) for one report line."""
    verdict = evaluate(row["requirement"], row["result"], row.get("unit"))
    return verdict.label == row["expected"], f"{verdict.label}: {verdict.reason}"


def score() -> dict:
    """Scores per engine, with the misses."""
    out = {}
    for key, name, judge in (
        ("standard_numbers", "standard_numbers.jsonl", number_outcome),
        ("report_lines", "report_lines.jsonl", line_outcome),
    ):
        data = rows(name)
        results = [(row, *judge(row)) for row in data]
        right = sum(1 for _, ok, _ in results if ok)
        out[key] = {
            "cases": len(data),
            "right": right,
            "score": round(right / len(data), 4) if data else None,
            "misses": [
                {"input": row.get("text") or f"{row['requirement']} | {row['result']}", "got": got}
                for row, ok, got in results
                if not ok
            ],
        }
    out["report_lines"]["by_expected"] = {
        label: sum(1 for r in rows("report_lines.jsonl") if r["expected"] == label)
        for label in LABELS.values()
    }
    return out
