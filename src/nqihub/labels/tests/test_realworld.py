"""The label engine on the real-world corpus (tests/data/realworld/labels.jsonl, built from public texts:
e-commerce 产品参数 blocks, hang tags, OCR output, label-printing templates). The thresholds are the issue's
acceptance: fields read ≥ 95 %, defects found ≥ 95 %, no wrong "missing"/"invalid" finding on a field that is
present and valid. The corpus is judged as written (excerpts in excerpt mode)."""

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[4] / "bench" / "realworld_labels.py"


def _bench():
    spec = importlib.util.spec_from_file_location("realworld_labels", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_real_and_large_enough():
    rows = _bench().rows()
    assert len(rows) >= 150
    assert {r["category"] for r in rows} == {"prepackaged_food", "textile"}
    assert all(r["source"] and r["text"].strip() for r in rows)
    assert len({r["text"] for r in rows}) == len(rows)
    assert {r["kind"] for r in rows} == {"complete", "excerpt"}


def test_scores_meet_the_acceptance():
    result = _bench().score()
    assert result["fields_read"] >= 0.95, result["misses"]
    assert result["defects_found"] >= 0.95, result["misses"]
    assert result["wrong_findings"] == 0, result["wrong"]
