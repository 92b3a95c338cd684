"""Benchmark: standards search (stored index: FTS5 on SQLite, a stored tsvector on PostgreSQL) at scale.

    .venv/bin/python bench/standards_search.py --rows 300000 --db /tmp/bench_standards.sqlite3 --build-only
    .venv/bin/python bench/standards_search.py --db /tmp/bench_standards.sqlite3 --reuse --repeat 5
    .venv/bin/python bench/standards_search.py --database-url postgres://postgres@127.0.0.1:5432/nqihub_bench_std
    .venv/bin/python bench/standards_search.py --recall-real      # recall on the real catalogue (load_standards)

Build step (skipped with ``--reuse``; ``--build-only`` stops after it): a scratch database (never the project's;
a temporary SQLite file unless ``--db`` / ``--database-url``), migrated; the real catalogue's titles are cut into
words and recombined into ``--rows`` synthetic titles under enterprise numbers ``Q/BENCH…`` (flagged demo). Each
row's ``search_text`` is the jieba search-mode terms of its words (precomputed per word, as a shortcut for the
bulk load), its number's terms and the title's CJK bigrams (``search.cjk_grams``, as ``index_text`` does).
Then ANALYZE (both databases; VACUUM ANALYZE on PostgreSQL so the visibility map is set).

Timing step: the same fixed queries (no random draws), interleaved, each query through
- ``engine``: ``search_standards(q, limit=25)`` (number look-up, count, first ranked page, model instances);
- ``db_best``: the database's own search on the same index in raw SQL: the count and the first 25 rows
  (every column, as tuples) by rank (bm25 / ts_rank on the stored vector), with the match expression the
  engine builds: what the engine returns, without Django's model instances;
- ``naive``: one SQL statement, ``title LIKE '%w%'`` for each word (ILIKE on PostgreSQL), the count as a window
  aggregate, first 25 by number.
and recall / precision of the engine against the naive answer (exact substring truth), untimed.
Prints one JSON object on stdout and nothing else (progress on stderr).
"""

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

QUERIES = [
    "甲醛",
    "游泳池",
    "足球",
    "人造草",  # jieba: 人造 + 草坪 in the titles, 人造 + 草 in the query
    "造草坪",
    "运动场地 面层",
    "体育场馆",
    "安全 要求",
    "滑雪",
    "健身器材",
    "水质",
    "篮球",
    "品甲醛",
    "照明",
    "纺织品",
    "食品 标签",
    "管理规范",
    "羽毛球",
    "冰球",
    "服务质量",
]
REAL_RECALL_QUERIES = [
    "人造草",
    "造草坪",
    "游泳场",
    "泳池水",
    "全技术",
    "食品添加",
    "测定方法",
    "安全要求",
    "卫生规范",
]


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def setup(args) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    path = ""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        if args.db is None:
            fd, path = tempfile.mkstemp(prefix="nqihub-bench-std-", suffix=".sqlite3")
            os.close(fd)
            os.unlink(path)
        else:
            path = str(Path(args.db).resolve())
            if not args.reuse:
                Path(path).unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.core.management import call_command

    if not args.reuse:
        call_command("migrate", verbosity=0, interactive=False)
    return path


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE standards_standard" if connection.vendor == "postgresql" else "ANALYZE")


def build(rows: int) -> dict:
    from django.db import connection

    from nqihub.core.search import _jieba, terms
    from nqihub.standards.models import Standard
    from nqihub.standards.search import cjk_grams

    Standard.objects.all().delete()
    data = ROOT / "src/nqihub/standards/data"
    titles = []
    for name in ("standards_sample.csv", "standards_core.csv"):
        with (data / name).open(encoding="utf-8") as fh:
            titles += [r["title"] for r in csv.DictReader(fh)]
    words = sorted({w for t in titles for w in _jieba().cut(t) if w.strip() and len(w.strip()) > 1})
    word_terms = {w: terms(w) for w in words}
    rng = random.Random(20260701)
    statuses = ["current"] * 8 + ["abolished", "upcoming"]
    t0 = time.perf_counter()
    batch = []
    for i in range(rows):
        picked = rng.sample(words, rng.randint(3, 6))
        title = "".join(picked)
        canonical = f"Q/BENCH{i // 1000:03d}A {i:06d}-2024"
        st = [t for w in picked for t in word_terms[w]]
        text = " ".join([*dict.fromkeys([*st, *terms(canonical)]), *cjk_grams(title.lower())])
        batch.append(
            Standard(
                canonical=canonical,
                code_without_year=canonical[:-5],
                prefix=canonical.split(" ")[0],
                year=2024,
                title=title,
                level="enterprise",
                nature="recommended",
                status=rng.choice(statuses),
                is_demo=True,
                search_text=text,
            )
        )
        if len(batch) == 5000:
            Standard.objects.bulk_create(batch)
            batch = []
            if i % 50000 < 5000:
                log(f"  {i + 1} rows ({time.perf_counter() - t0:.0f}s)")
    Standard.objects.bulk_create(batch)
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    analyze()
    return {
        "rows_built": rows,
        "load_seconds": round(load, 1),
        "analyze_seconds": round(time.perf_counter() - t1, 1),
        "vendor": connection.vendor,
    }


def db_best(q: str) -> tuple[int, list]:
    """The database's own search on the same index, in raw SQL: the count and the first 25 rows (every column,
    as tuples) by rank: what the engine returns, without Django."""
    from django.db import connection

    from nqihub.standards.models import Standard
    from nqihub.standards.search import FTS_TABLE, _fts_match, _ts_query, query_clauses

    cols = ", ".join(f"s.{connection.ops.quote_name(f.column)}" for f in Standard._meta.concrete_fields)
    clauses = query_clauses(q)
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            m = _fts_match(clauses)
            cur.execute(f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [m])  # noqa: S608
            n = cur.fetchone()[0]
            cur.execute(  # ranked in the index alone, then the page's rows
                f"SELECT {cols} FROM (SELECT rowid AS id, bm25({FTS_TABLE}) AS r FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s ORDER BY r LIMIT 25) h JOIN standards_standard s ON s.id = h.id "
                "ORDER BY h.r",
                [m],
            )
        else:
            tq = _ts_query(clauses)
            cur.execute(
                "SELECT COUNT(*) FROM standards_standard WHERE search_vector @@ to_tsquery('simple', %s)",
                [tq],
            )
            n = cur.fetchone()[0]
            cur.execute(
                f"SELECT {cols} FROM standards_standard s WHERE s.search_vector @@ to_tsquery('simple', %s) "  # noqa: S608
                "ORDER BY ts_rank(s.search_vector, to_tsquery('simple', %s), 1) DESC LIMIT 25",
                [tq, tq],
            )
        return n, cur.fetchall()


def naive(q: str, limit: int | None = 25) -> tuple[int, list[int]]:
    """One SQL statement: every word as a substring of the title; the count as a window aggregate."""
    from django.db import connection

    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    ws = q.split()
    where = " AND ".join([f"title {like} %s"] * len(ws))
    tail = " LIMIT %s" if limit else ""
    sql = f"SELECT id, COUNT(*) OVER () FROM standards_standard WHERE {where} ORDER BY canonical{tail}"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, [*(f"%{w}%" for w in ws), *([limit] if limit else [])])
        rows = cur.fetchall()
    return (rows[0][1] if rows else 0), [r[0] for r in rows]


def pct(values, p):
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)


def summary(ms):
    return {
        "p50_ms": pct(ms, 50),
        "p95_ms": pct(ms, 95),
        "mean_ms": round(statistics.mean(ms), 2),
        "runs": len(ms),
    }


def time_queries(repeat: int) -> dict:
    from django.db import connection

    from nqihub.standards.models import Standard
    from nqihub.standards.search import search_standards

    sides = {"engine": lambda q: search_standards(q, limit=25), "db_best": db_best, "naive": naive}
    for q in QUERIES:  # warm caches
        for fn in sides.values():
            fn(q)
    ms = {k: [] for k in sides}
    cpu = {k: [] for k in sides}
    per_query = {q: {k: [] for k in sides} for q in QUERIES}
    for _ in range(repeat):
        for q in QUERIES:
            for k, fn in sides.items():
                t, c = time.perf_counter(), time.process_time()
                fn(q)
                d = (time.perf_counter() - t) * 1000
                cpu[k].append((time.process_time() - c) * 1000)
                ms[k].append(d)
                per_query[q][k].append(d)
    quality = {}
    for q in QUERIES:
        total = search_standards(q, limit=1).total
        found = {s.pk for s in search_standards(q, limit=total + 1).items}
        truth = set(naive(q, limit=None)[1])
        hit = len(found & truth)
        quality[q] = {
            "engine_hits": total,
            "substring_hits": len(truth),
            "recall": round(hit / len(truth), 4) if truth else None,
            "precision": round(hit / len(found), 4) if found else None,
            "median_ms": {k: round(statistics.median(v), 2) for k, v in per_query[q].items()},
        }
    s = {k: summary(v) for k, v in ms.items()}
    return {
        "rows": Standard.objects.count(),
        "vendor": connection.vendor,
        "load_average": list(os.getloadavg()),
        "queries": len(QUERIES),
        "repeat": repeat,
        **s,
        "engine_over_db_best": {p: round(s["engine"][p] / s["db_best"][p], 2) for p in ("p50_ms", "p95_ms")},
        "naive_over_engine": {p: round(s["naive"][p] / s["engine"][p], 1) for p in ("p50_ms", "p95_ms")},
        # SQLite runs in this process: its CPU time is steadier than wall time on a shared machine.
        **(
            {
                "cpu": {k: summary(v) for k, v in cpu.items()},
                "cpu_engine_over_db_best": {
                    p: round(summary(cpu["engine"])[p] / summary(cpu["db_best"])[p], 2)
                    for p in ("p50_ms", "p95_ms")
                },
                "cpu_naive_over_engine": {
                    p: round(summary(cpu["naive"])[p] / summary(cpu["engine"])[p], 1)
                    for p in ("p50_ms", "p95_ms")
                },
            }
            if connection.vendor == "sqlite"
            else {}
        ),
        "recall_min": min(v["recall"] for v in quality.values() if v["recall"] is not None),
        "per_query": quality,
    }


def recall_real() -> dict:
    """Recall on the real catalogue (load_standards) for substrings jieba cuts differently, against the
    engine before the bigrams (jieba terms only, emulated exactly on each title's terms)."""
    import io

    from django.core.management import call_command

    from nqihub.core.search import terms
    from nqihub.standards.models import Standard
    from nqihub.standards.search import query_words, search_standards

    call_command("load_standards", stdout=io.StringIO())
    rows = list(Standard.objects.values_list("pk", "title", "canonical", "title_en"))
    term_sets = {pk: set(terms(" ".join(p for p in (t, c, e) if p))) for pk, t, c, e in rows}
    out = {"standards": len(rows), "queries": {}}
    for q in REAL_RECALL_QUERIES:
        truth = {pk for pk, title, *_ in rows if q in title.lower()}
        total = search_standards(q, limit=1).total
        found = {s.pk for s in search_standards(q, limit=total + 1).items}
        words = query_words(q)
        jieba_only = {
            pk
            for pk, ts in term_sets.items()
            if all(w in ts or (subs and set(subs) <= ts) for w, *subs in words)
        }
        out["queries"][q] = {
            "titles_containing": len(truth),
            "recall": round(len(found & truth) / len(truth), 4) if truth else None,
            "recall_jieba_terms_only": round(len(jieba_only & truth) / len(truth), 4) if truth else None,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=None, help="SQLite file (default: a temporary file, removed)")
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL scratch database (tables overwritten)"
    )
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="time a database built before (no build)")
    parser.add_argument("--recall-real", action="store_true", help="recall on the real catalogue, then exit")
    args = parser.parse_args()
    if args.recall_real:
        args.rows, args.reuse = 0, False
    path = setup(args)
    try:
        if args.recall_real:
            print(json.dumps(recall_real(), ensure_ascii=False))
            return 0
        out = {} if args.reuse else {"build": build(args.rows)}
        if not args.build_only:
            out.update(time_queries(args.repeat))
        print(json.dumps(out, ensure_ascii=False))
    finally:
        if path and args.db is None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
