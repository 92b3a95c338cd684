"""Benchmark: standards search (jieba terms + FTS5 / tsvector) against a naive ``title__icontains`` at scale.

    .venv/bin/python bench/standards_search.py [--rows 300000] [--repeat 5] [--db /tmp/bench_standards.sqlite3]

Builds a scratch database (never the project's): the real catalog's titles are cut into words and
recombined into ``--rows`` synthetic titles under enterprise numbers ``Q/BENCH… `` (flagged demo: no
real-looking numbers are invented). Then runs the same queries through ``search_standards`` (count + first
page of 25, ranked) and through ``Standard.objects.filter(title__icontains=…)`` (count + first page), in
the same run, and prints p50 / p95 in milliseconds as JSON. Set DATABASE_URL to a PostgreSQL URL to bench
that backend instead.
"""

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

QUERIES = [
    "甲醛",
    "游泳池",
    "足球",
    "人造草",
    "运动场地 面层",
    "体育场馆",
    "安全 要求",
    "滑雪",
    "健身器材",
    "水质",
    "篮球",
    "自行车",
    "照明",
    "纺织品",
    "食品 标签",
    "管理规范",
    "羽毛球",
    "攀岩",
    "冰球",
    "服务质量",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="/tmp/bench_standards.sqlite3")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        Path(args.db).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from nqihub.core.search import _jieba, terms
    from nqihub.standards.models import Standard
    from nqihub.standards.search import rebuild_index, search_standards

    call_command("migrate", "standards", verbosity=0)
    Standard.objects.all().delete()

    # Vocabulary from the real titles (precise-mode words), each with its search-mode terms.
    data = ROOT / "src/nqihub/standards/data"
    titles = []
    for name in ("standards_sample.csv", "standards_core.csv"):
        with (data / name).open(encoding="utf-8") as fh:
            titles += [r["title"] for r in csv.DictReader(fh)]
    words = sorted({w for t in titles for w in _jieba().cut(t) if w.strip() and len(w.strip()) > 1})
    word_terms = {w: terms(w) for w in words}
    rng = random.Random(20260701)
    levels = [("enterprise", "recommended")]
    statuses = ["current"] * 8 + ["abolished", "upcoming"]

    t0 = time.perf_counter()
    batch = []
    for i in range(args.rows):
        picked = rng.sample(words, rng.randint(3, 6))
        title = "".join(picked)
        seq = f"{i:06d}"
        canonical = f"Q/BENCH{i // 1000:03d}A {seq}-2024"
        level, nature = levels[0]
        st = []
        for w in picked:
            st.extend(word_terms[w])
        batch.append(
            Standard(
                canonical=canonical,
                code_without_year=canonical[:-5],
                prefix=canonical.split(" ")[0],
                year=2024,
                title=title,
                level=level,
                nature=nature,
                status=rng.choice(statuses),
                is_demo=True,
                search_text=" ".join(dict.fromkeys([*st, canonical.lower()])),
            )
        )
        if len(batch) == 5000:
            Standard.objects.bulk_create(batch)
            batch = []
    Standard.objects.bulk_create(batch)
    rebuild_index()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    load_seconds = time.perf_counter() - t0

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return (time.perf_counter() - start) * 1000

    def fts(q):
        return lambda: search_standards(q, limit=25)

    def naive(q):
        def run():
            qs = Standard.objects.all()
            for w in q.split():
                qs = qs.filter(title__icontains=w)
            qs.count()
            list(qs.order_by("canonical")[:25])

        return run

    for q in QUERIES:  # warm caches
        fts(q)()
        naive(q)()
    results = {"search": [], "icontains": []}
    hits = {}
    for _ in range(args.repeat):
        for q in QUERIES:
            results["search"].append(timed(fts(q)))
            results["icontains"].append(timed(naive(q)))
    for q in QUERIES:
        hits[q] = search_standards(q, limit=1).total

    def pct(values, p):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))], 2)

    out = {
        "rows": Standard.objects.count(),
        "backend": connection.vendor,
        "queries": len(QUERIES),
        "repeat": args.repeat,
        "load_seconds": round(load_seconds, 1),
        "search_ms": {
            "p50": pct(results["search"], 50),
            "p95": pct(results["search"], 95),
            "mean": round(statistics.mean(results["search"]), 2),
        },
        "icontains_ms": {
            "p50": pct(results["icontains"], 50),
            "p95": pct(results["icontains"], 95),
            "mean": round(statistics.mean(results["icontains"]), 2),
        },
        "hits": hits,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
