#!/usr/bin/env python
"""Scores of the real-world text engines on their corpora; prints ONE JSON object.

* ``standard_numbers`` — ``parse_standard_number`` on the numbers as people wrote them
  (``src/nqihub/standards/tests/data/realworld/standard_numbers.jsonl``). Baseline: the share of inputs
  that are already written in canonical form (what a parser that only checks the form would get right).
* ``report_lines`` — ``evaluate`` on real report lines (``…/report_lines.jsonl``). Baseline: always answering
  the most common verdict.
* ``labels`` — the label engine's scores from ``bench/realworld_labels.py`` (``score() -> dict``) when that
  module is present.

    python bench/realworld.py            # scores, misses and time per item
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nqihub.standards.tests.realworld import rows, score  # noqa: E402


def _labels() -> dict | None:
    path = Path(__file__).with_name("realworld_labels.py")
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("realworld_labels", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.score()


def main() -> None:
    started = time.perf_counter()
    result = score()
    elapsed = time.perf_counter() - started
    numbers, lines = rows("standard_numbers.jsonl"), rows("report_lines.jsonl")
    already = sum(
        1 for r in numbers if "canonical" in r and r["text"] == r["canonical"] and not r.get("grade")
    )
    result["standard_numbers"]["baseline_already_canonical"] = round(already / len(numbers), 4)
    common = Counter(r["expected"] for r in lines).most_common(1)[0]
    result["report_lines"]["baseline_most_common_verdict"] = {
        "verdict": common[0],
        "score": round(common[1] / len(lines), 4),
    }
    result["seconds_per_item"] = round(elapsed / (len(numbers) + len(lines)), 6)
    labels = _labels()
    if labels is not None:
        result["labels"] = labels
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
