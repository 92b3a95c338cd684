"""Statistics at national scale: figure sets from the rollups vs the direct aggregate query.

Generates N service requests (raw batched INSERTs; default 200 000, ``--requests 10000000`` for the design
target) over 24 months across every county of the real region tree, with stations covering each city,
re-routes to stations elsewhere (2 %), acceptance, resolution, outcomes, money and ratings; builds the
rollups from scratch (``stats.rollups.rebuild``) and runs ANALYZE (the build step, skipped with ``--reuse``
on a kept database). Then times, interleaved on the same regions, the figure set of the last 12 months for
the nation, a province (广西 450000), a county (柳州市城中区 450202) and the busiest county from the rollups
(``stats.figures.figures``) against the naive baseline: ONE SQL query over the per-request fact rows of the
region (every additive measure and the distinct enterprises helped as conditional aggregates, in one pass;
it leaves the medians out, so it is a lower bound of a direct answer). ``--check`` also compares the figure
sets with ``figures.direct_figures`` (the reference the tests use; untimed: many queries, slow at scale).
Prints one JSON object on stdout (progress on stderr).
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=200_000, help="service requests (target: 10000000)")
    p.add_argument("--enterprises", type=int, default=None, help="default: requests/4, at most 2000000")
    p.add_argument("--repeat", type=int, default=7, help="timed runs of each rollup figure set")
    p.add_argument("--direct-repeat", type=int, default=3, help="timed runs of each direct query")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--database-url", default=None, help="PostgreSQL URL (its tables are created/overwritten)")
    p.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary file)")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file")
    p.add_argument("--reuse", action="store_true", help="time a kept database again (no build)")
    p.add_argument("--check", action="store_true", help="compare with figures.direct_figures (untimed)")
    p.add_argument("--batch", type=int, default=20000)
    return p.parse_args(argv)


def setup_django(args) -> str:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["AXES_ENABLED"] = "false"
    sqlite_path = ""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        if args.db is None:
            fd, name = tempfile.mkstemp(prefix="nqihub-bench-stats-", suffix=".sqlite3")
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
            cur.execute("PRAGMA journal_mode=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-400000")
            cur.execute("PRAGMA temp_store=MEMORY")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return sqlite_path


def raw_insert(model, rows: list[dict], now_db) -> None:
    """Rows (field name → value; explicit ids) by one ``executemany`` on the DB-API cursor; other fields
    take their defaults (the bench's generated directory: fast, no per-object ORM work)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    mark = "?" if connection.vendor == "sqlite" else "%s"
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join([mark] * len(fields))})"
    defaults = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now_db)
        elif f.has_default():
            defaults.append(f.get_default())
        elif f.null:
            defaults.append(None)
        else:
            defaults.append("")
    names = [f.name for f in fields]
    values = [[row.get(name, d) for name, d in zip(names, defaults, strict=True)] for row in rows]
    with connection.cursor():  # opens the connection
        pass
    raw = connection.connection.cursor()
    raw.executemany(sql, values)
    raw.close()


def reset_sequences(*models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cur:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cur.execute(statement)


def build(args, rng: random.Random) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from nqihub.core.models import Industry, Organisation, Region
    from nqihub.desk.models import ServiceRequest
    from nqihub.directory.models import Enterprise, Station, StationArea

    t0 = time.perf_counter()
    call_command("load_reference", verbosity=0)
    counties = list(Region.objects.filter(level="county").values_list("code", flat=True))
    cities = sorted({c[:4] + "00" for c in counties})
    industries = list(Industry.objects.filter(level="class").values_list("code", flat=True))[:200]
    n_ent = args.enterprises or min(2_000_000, max(100, args.requests // 4))
    log(f"enterprises: {n_ent}")
    # Weighted counties: a few are much busier (Zipf-like), as real service volumes are.
    weights = [1 / (i + 1) ** 0.6 for i in range(len(counties))]
    rng.shuffle(weights)
    with transaction.atomic():
        stations = []
        for city in cities:
            area = [c for c in counties if c[:4] == city[:4]]
            if not area:
                continue
            org = Organisation.objects.create(kind="station", name=f"bench station {city}", region_id=area[0])
            st = Station.objects.create(organisation=org, name=f"bench station {city}", region_id=area[0])
            StationArea.objects.bulk_create([StationArea(station=st, region_id=c) for c in area])
            stations.append((st.pk, set(area)))
        station_of = {c: pk for pk, area in stations for c in area}
        station_ids = [pk for pk, _ in stations]
        ent_region = {}
        now_db = connection.ops.adapt_datetimefield_value(datetime.datetime.now(datetime.UTC))
        org_id = (Organisation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        ent_id = (Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        for start in range(0, n_ent, args.batch):
            size = min(args.batch, n_ent - start)
            regions = rng.choices(counties, weights, k=size)
            orgs, ents = [], []
            for i, region in enumerate(regions):
                industry = rng.choice(industries)
                orgs.append(
                    {
                        "id": org_id + start + i,
                        "kind": "enterprise",
                        "name": f"e{start + i}",
                        "region": region,
                    }
                )
                ents.append(
                    {
                        "id": ent_id + start + i,
                        "organisation": org_id + start + i,
                        "uscc": f"BENCH{start + i:013d}",
                        "name": f"e{start + i}",
                        "region": region,
                        "industry": industry,
                    }
                )
                ent_region[ent_id + start + i] = (region, industry)
            raw_insert(Organisation, orgs, now_db)
            raw_insert(Enterprise, ents, now_db)
        reset_sequences(Organisation, Enterprise)
    log(f"directory built in {time.perf_counter() - t0:.1f}s; inserting {args.requests} requests")
    ent_ids = list(ent_region)
    fields = [f for f in ServiceRequest._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Text columns not set below (new blind indexes …) take "" (NOT NULL), the others NULL.
    blank = [
        "" if not f.null and f.get_internal_type() in ("CharField", "TextField") else None for f in fields
    ]
    sql = f"INSERT INTO desk_servicerequest ({columns}) VALUES ({marks})"
    if connection.vendor == "sqlite":
        sql = sql.replace("%s", "?")
    adapt = connection.ops.adapt_datetimefield_value
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    first = now - datetime.timedelta(days=730)
    cats = [
        ",testing,",
        ",standards,",
        ",metrology,",
        ",certification,",
        ",quality_management,",
        ",testing,standards,",
    ]
    t1 = time.perf_counter()
    index = {f.name: i for i, f in enumerate(fields)}
    for start in range(0, args.requests, args.batch):
        rows = []
        for n in range(start, min(args.requests, start + args.batch)):
            ent = rng.choice(ent_ids)
            county, industry = ent_region[ent]
            station = station_of.get(county)
            if station and rng.random() < 0.02:
                station = rng.choice(station_ids)
            created = first + datetime.timedelta(seconds=rng.randrange(730 * 86400))
            accepted = (
                created + datetime.timedelta(seconds=rng.randrange(1, 5 * 86400))
                if rng.random() < 0.95
                else None
            )
            resolved = (
                accepted + datetime.timedelta(seconds=rng.randrange(3600, 40 * 86400))
                if accepted and rng.random() < 0.9
                else None
            )
            if resolved and resolved > now:
                resolved = None
            rated = (
                resolved + datetime.timedelta(hours=rng.randrange(1, 200))
                if resolved and rng.random() < 0.7
                else None
            )
            if rated and rated > now:
                rated = None
            v = list(blank)
            v[index["number"]] = f"B{n:011d}"
            if "track_code" in index:  # unique; a bench value, not the public code's alphabet
                v[index["track_code"]] = f"{n:08d}"
            v[index["enterprise"]] = ent
            v[index["region"]] = county
            v[index["contact_name"]] = ""
            v[index["contact_phone"]] = ""
            v[index["categories"]] = rng.choice(cats)
            v[index["industry"]] = industry
            v[index["product"]] = ""
            v[index["title"]] = "bench"
            v[index["description"]] = ""
            v[index["urgency"]] = "normal"
            v[index["channel"]] = "online"
            v[index["status"]] = (
                "rated" if rated else ("resolved" if resolved else ("accepted" if accepted else "submitted"))
            )
            v[index["status_reason"]] = ""
            v[index["station"]] = station
            v[index["handling_region"]] = None if station else county[:4] + "00"
            v[index["routing_level"]] = "station" if station else "city"
            v[index["routing_reason"]] = ""
            day = created.date()
            v[index["accept_by"]] = day + datetime.timedelta(days=1)
            v[index["respond_by"]] = day + datetime.timedelta(days=2)
            v[index["resolve_by"]] = day + datetime.timedelta(days=20)
            v[index["accepted_at"]] = adapt(accepted) if accepted else None
            v[index["resolved_at"]] = adapt(resolved) if resolved else None
            v[index["rated_at"]] = adapt(rated) if rated else None
            v[index["is_overdue"]] = bool(
                resolved is None or resolved.date() > day + datetime.timedelta(days=20)
            )
            v[index["overdue_kinds"]] = ""
            if resolved:
                v[index["outcome"]] = rng.choice(
                    ["solved", "solved", "solved", "partly_solved", "not_solved"]
                )
                v[index["technical_problem"]] = rng.random() < 0.5
                v[index["cost_saved"]] = f"{rng.randrange(0, 10**7) / 100:.2f}"
                v[index["loss_avoided"]] = (
                    f"{rng.randrange(0, 10**8) / 100:.2f}" if rng.random() < 0.5 else None
                )
            else:
                v[index["outcome"]] = ""
            v[index["standards_drafted"]] = 0
            v[index["certifications_obtained"]] = 0
            v[index["summary"]] = ""
            v[index["rating_score"]] = rng.choice([5, 5, 4, 4, 3, 2, 1]) if rated else None
            v[index["rating_comment"]] = ""
            v[index["search_text"]] = ""
            v[index["created_at"]] = adapt(created)
            v[index["updated_at"]] = adapt(created)
            rows.append(v)
        with transaction.atomic():
            raw = connection.connection.cursor()
            raw.executemany(sql, rows)
            raw.close()
        if start and start % (args.batch * 25) == 0:
            log(f"  {start} requests ({time.perf_counter() - t1:.0f}s)")
    insert_s = time.perf_counter() - t1
    log(f"requests inserted in {insert_s:.1f}s; building rollups")
    from nqihub.stats import rollups

    t2 = time.perf_counter()
    counts = rollups.rebuild()
    build_s = time.perf_counter() - t2
    log(f"rollups built in {build_s:.1f}s: {counts}")
    return {
        "insert_seconds": round(insert_s, 1),
        "rollup_build_seconds": round(build_s, 1),
        "tables": counts,
        "enterprises": n_ent,
        "stations": len(stations),
    }


def time_incremental(args, rng: random.Random) -> dict:
    """ms per desk save (accept, then resolve) with the statistics upkeep the desk queues after the commit
    (``stats.upkeep.refresh_request``)."""
    from django.db import transaction
    from django.utils import timezone

    from nqihub.desk.models import ServiceRequest
    from nqihub.stats import upkeep

    ids = list(ServiceRequest.objects.filter(accepted_at__isnull=True).values_list("pk", flat=True)[:2000])
    picked = rng.sample(ids, min(len(ids), max(10, args.repeat * 10)))
    ms = []
    for pk in picked:
        req = ServiceRequest.objects.get(pk=pk)
        now = timezone.now()
        for step in ("accept", "resolve"):
            if step == "accept":
                req.accepted_at, req.status = now, "accepted"
            else:
                req.resolved_at, req.status, req.outcome, req.technical_problem = (
                    now,
                    "resolved",
                    "solved",
                    True,
                )
                req.cost_saved = "100.00"
            t = time.perf_counter()
            with transaction.atomic():
                req.save()
            upkeep.refresh_request(pk)
            ms.append((time.perf_counter() - t) * 1000)
    return summary(ms)


def analyze() -> float:
    from django.db import connection

    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return round(time.perf_counter() - t, 1)


def baseline_sql(region: str, from_month: int, to_month: int) -> dict:
    """The naive answer in one SQL statement: conditional aggregates over the region's fact rows."""
    from django.db import connection

    from nqihub.core.regions import prefix as region_prefix

    scope = region_prefix(region)
    true = "TRUE" if connection.vendor == "postgresql" else "1"

    def within(col: str) -> str:
        return f"{col} BETWEEN %s AND %s"

    where, params = "", []
    if len(scope) == 6:
        where, params = "WHERE f.region_code = %s", [scope]
    elif scope:
        upper = scope[:-1] + chr(ord(scope[-1]) + 1)
        where, params = "WHERE f.region_code >= %s AND f.region_code < %s", [scope, upper]
    m = [from_month, to_month]
    from nqihub.stats import facts

    helped = ", ".join(f"'{o}'" for o in facts.HELPED_OUTCOMES)
    sql = (
        "SELECT "
        f"SUM(CASE WHEN {within('f.received_month')} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.received_month')} AND f.overdue = {true} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.accepted_month')} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.resolved_month')} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.resolved_month')} AND f.outcome = 'solved' AND f.technical_problem = {true} "
        "THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.resolved_month')} THEN f.cost_saved_fen ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.resolved_month')} THEN f.loss_avoided_fen ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.rated_month')} AND f.rating IS NOT NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {within('f.rated_month')} THEN f.rating ELSE 0 END), "
        f"COUNT(DISTINCT CASE WHEN {within('f.resolved_month')} AND f.outcome IN ({helped}) "
        "THEN f.enterprise_id END) "
        f"FROM stats_fact f {where}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*m, *m, *m, *m, *m, *m, *m, *m, *m, *m, *params])
        row = cur.fetchone()
    keys = (
        "received",
        "overdue",
        "accepted",
        "resolved",
        "solved",
        "cost_saved_fen",
        "loss_avoided_fen",
        "rated",
        "rating_sum",
        "enterprises_helped",
    )
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(ms):
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(pct(ms, 95), 2), "runs": len(ms)}


def main(argv=None) -> int:
    args = parse_args(argv)
    sqlite_path = setup_django(args)
    rng = random.Random(args.seed)
    from django.db import connection

    if args.reuse:
        scale = {"reused": True}
    else:
        scale = build(args, rng)
        scale["analyze_seconds"] = analyze()
        log(f"analyzed in {scale['analyze_seconds']}s")
    from django.db.models import Count

    from nqihub.stats.figures import breakdown, direct_figures, figures
    from nqihub.stats.models import Fact

    today = datetime.date.today()
    to_month = today.year * 100 + today.month
    from_month = (today.year - 1) * 100 + today.month + 1 if today.month < 12 else today.year * 100 + 1
    out = {
        "vendor": connection.vendor,
        "requests": Fact.objects.count(),
        **scale,
        "load_average": list(os.getloadavg()),
        "period": [from_month, to_month],
        "figure_sets": {},
    }
    busiest, busiest_n = (
        Fact.objects.values("region_code")
        .annotate(n=Count("*"))
        .order_by("-n")
        .values_list("region_code", "n")
        .first()
    )
    ok = True
    for name, code in (
        ("national", "000000"),
        ("province", "450000"),
        ("county", "450202"),
        ("busiest_county", busiest),
    ):
        rollup_ms, naive_ms = [], []
        fig = naive = None
        figures(region=code, from_month=from_month, to_month=to_month)  # warm
        for i in range(args.repeat):
            t = time.perf_counter()
            fig = figures(region=code, from_month=from_month, to_month=to_month)
            rollup_ms.append((time.perf_counter() - t) * 1000)
            if i < args.direct_repeat:
                t = time.perf_counter()
                naive = baseline_sql(code, from_month, to_month)
                naive_ms.append((time.perf_counter() - t) * 1000)
        r, d = summary(rollup_ms), summary(naive_ms)
        same = {
            "services": fig["services"] == naive["received"],
            "resolved": fig["resolved"] == naive["resolved"],
            "cost_saved_fen": fig["cost_saved_fen"] == naive["cost_saved_fen"],
            "rated": fig["rated"] == naive["rated"],
            "enterprises_helped": fig["enterprises_helped"] == naive["enterprises_helped"],
        }
        entry = {
            "region": code,
            "services": fig["services"],
            "rollup": r,
            "one_sql_baseline": d,
            "baseline_over_rollup_p50": round(d["p50_ms"] / r["p50_ms"], 1) if r["p50_ms"] else None,
            "baseline_over_rollup_p95": round(d["p95_ms"] / r["p95_ms"], 1) if r["p95_ms"] else None,
            "same_as_baseline": all(same.values()),
        }
        if name == "busiest_county":
            entry["facts_in_county"] = busiest_n
        if args.check:
            entry["equal_to_direct_figures"] = fig == direct_figures(
                region=code, from_month=from_month, to_month=to_month
            )
            ok = ok and entry["equal_to_direct_figures"]
        ok = ok and entry["same_as_baseline"]
        out["figure_sets"][name] = entry
        log(name, json.dumps(entry, ensure_ascii=False))
    # What the dashboard draws besides the figure set: five breakdowns.
    out["dashboard_breakdowns"] = {}
    for name, code in (
        ("national", "000000"),
        ("province", "450000"),
        ("city", "450200"),
        ("county", "450202"),
    ):
        ms = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            for by in ("month", "category", "industry", "station", "child_region"):
                breakdown(region=code, from_month=from_month, to_month=to_month, by=by, medians=False)
            ms.append((time.perf_counter() - t) * 1000)
        out["dashboard_breakdowns"][name] = {"region": code, **summary(ms)}
        log("breakdowns", name, json.dumps(out["dashboard_breakdowns"][name]))
    out["api_breakdowns_with_medians"] = {}
    for by in ("station", "industry", "child_region"):
        ms = []
        for _ in range(max(3, args.repeat // 3)):
            t = time.perf_counter()
            breakdown(region="000000", from_month=from_month, to_month=to_month, by=by)
            ms.append((time.perf_counter() - t) * 1000)
        out["api_breakdowns_with_medians"][f"national_by_{by}"] = summary(ms)
    log("api breakdowns", json.dumps(out["api_breakdowns_with_medians"]))
    if not args.reuse:  # the saves change the data: only on a fresh build
        out["incremental_save"] = time_incremental(args, rng)
        log("incremental", json.dumps(out["incremental_save"]))
    print(json.dumps(out, ensure_ascii=False))
    if sqlite_path and not args.keep:
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(sqlite_path + suffix)
            except FileNotFoundError:
                pass
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
