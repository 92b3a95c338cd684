#!/usr/bin/env python
"""The label engine on real label texts (``src/nqihub/labels/tests/data/realworld/labels.jsonl``).

Each corpus entry is a real label or part of one (e-commerce 产品参数 blocks, hang tags, OCR output, label
templates), with its source, whether it is a whole label (``complete``) or an excerpt, the fields a reader
should find (``expected_fields``, ``expected_nutrition``) and the defects a checker should report
(``expected_defects``; ``a|b`` accepts either code). ``score()`` returns:

* ``fields_read`` — share of expected fields read with the expected value (text compared after NFKC,
  Traditional → Simplified and white space removal; fibre contents compared as fibre/percentage pairs;
  nutrition rows as item/value/NRV%);
* ``defects_found`` — share of expected defects reported;
* ``wrong_findings`` — findings on a field that is present in the label and valid: any "missing" finding for
  a field the label states, and any finding whose code is not an expected defect (the catalogue's
  "目录中未收录" note is not counted: the bench runs without the standards catalogue);
* per-category numbers and the misses.

    python bench/realworld_labels.py            # scores as JSON
    LABELS_SRC=/path/to/other/src python bench/realworld_labels.py   # another checkout (before/after)
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "src/nqihub/labels/tests/data/realworld/labels.jsonl"
NOT_COUNTED = {"standard_unknown"}


def rows() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _engine():
    src = os.environ.get("LABELS_SRC") or str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    from nqihub.labels import check_label, extract_fields

    try:
        from nqihub.labels.extract import simplify
    except ImportError:  # an older checkout

        def simplify(text):
            return text

    from nqihub.labels import parsing

    return check_label, extract_fields, simplify, parsing


def _norm(value, simplify) -> str:
    text = simplify(unicodedata.normalize("NFKC", str(value)))
    return re.sub(r"\s+", "", text).strip("。.;,")


def _fibres(value, parsing) -> list:
    if not isinstance(value, str):
        return []
    out = []
    for part in parsing.parse_fibres(value):
        out.extend((e.fibre, e.percent) for e in part.entries)
    return sorted(out, key=lambda t: (t[0], t[1] or 0))


def _same(key, expected, got, simplify, parsing) -> bool:
    if got is None:
        return False
    if key == "fibre_content":
        return _fibres(expected, parsing) == _fibres(got, parsing) and bool(_fibres(expected, parsing))
    return _norm(expected, simplify) == _norm(got, simplify)


def score() -> dict:
    check_label, extract_fields, simplify, parsing = _engine()
    has_complete = "complete" in inspect.signature(check_label).parameters
    data = rows()
    fields_total = fields_ok = defects_total = defects_ok = wrong = 0
    misses: list[str] = []
    wrong_list: list[str] = []
    per_category: dict[str, dict] = {}
    for row in data:
        cat = row["category"]
        stats = per_category.setdefault(
            cat, {"labels": 0, "fields": 0, "fields_read": 0, "defects": 0, "found": 0}
        )
        stats["labels"] += 1
        try:
            got = extract_fields(cat, row["text"])
        except Exception as exc:  # a crash reads nothing
            got = {}
            misses.append(f"{row['id']} extract raised {exc!r}")
        for key, value in row["expected_fields"].items():
            fields_total += 1
            stats["fields"] += 1
            if _same(key, value, got.get(key), simplify, parsing):
                fields_ok += 1
                stats["fields_read"] += 1
            else:
                misses.append(f"{row['id']} {key}: expected {value!r}, read {got.get(key)!r}")
        if row.get("expected_nutrition"):
            fields_total += 1
            stats["fields"] += 1
            rows_got = [
                [r.get("item"), float(r.get("per_100")), r.get("nrv_percent", "")]
                for r in got.get("nutrition") or []
                if isinstance(r, dict)
            ]
            expected = [[i, float(v), n] for i, v, n in row["expected_nutrition"]]
            if rows_got == expected:
                fields_ok += 1
                stats["fields_read"] += 1
            else:
                misses.append(f"{row['id']} nutrition: expected {expected}, read {rows_got}")
        kwargs = {"standard_status": lambda number: {"status": "current"}}
        if has_complete:
            kwargs["complete"] = row["complete"]
        findings = check_label(cat, got, **kwargs)
        codes = {f["code"] for f in findings}
        for defect in row["expected_defects"]:
            defects_total += 1
            stats["defects"] += 1
            if any(alt in codes for alt in defect.split("|")):
                defects_ok += 1
                stats["found"] += 1
            else:
                misses.append(f"{row['id']} defect {defect} not reported")
        allowed = {alt for d in row["expected_defects"] for alt in d.split("|")} | NOT_COUNTED
        present = set(row["expected_fields"]) | ({"nutrition"} if row.get("expected_nutrition") else set())
        for f in findings:
            is_missing_but_present = f["code"] == "missing" and f["field"] in present
            unexpected_on_present = (
                f["code"] not in allowed and f["code"] != "missing" and f["field"] in present
            )
            if is_missing_but_present or unexpected_on_present:
                wrong += 1
                wrong_list.append(f"{row['id']} {f['field']} {f['code']}: {f['message']}")
    return {
        "labels": len(data),
        "fields_read": round(fields_ok / fields_total, 4) if fields_total else 0.0,
        "defects_found": round(defects_ok / defects_total, 4) if defects_total else 0.0,
        "wrong_findings": wrong,
        "counts": {
            "fields": fields_total,
            "fields_read": fields_ok,
            "defects": defects_total,
            "found": defects_ok,
        },
        "per_category": per_category,
        "excerpt_mode": has_complete,
        "misses": misses[:40],
        "wrong": wrong_list[:40],
    }


if __name__ == "__main__":
    print(json.dumps(score(), ensure_ascii=False, indent=2))
