"""Statistics at national scale: figure sets from the rollups vs the direct aggregate query.

Generates N service requests (raw batched INSERTs; default 200 000, ``--requests 10000000`` for the design
target) over 24 months across every county of the real region tree, with stations covering each city,
re-routes to stations elsewhere (2 %), acceptance, resolution, outcomes, money and ratings; builds the
rollups from scratch (``stats.rollups.rebuild``), then times the figure set of the last 12 months for the
nation, a province (广西 450000) and a county (柳州市城中区 450202), from the rollups
(``stats.figures.figures``) and by the direct query (``figures.direct_figures``), checks both give the
same numbers, and prints one JSON object with p50/p95 and the ratios.
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
            v = [None] * len(fields)
            v[index["number"]] = f"B{n:011d}"
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

    scale = build(args, rng)
    from django.db.models import Count

    from nqihub.stats.figures import breakdown, direct_figures, figures

    today = datetime.date.today()
    to_month = today.year * 100 + today.month
    from_month = (today.year - 1) * 100 + today.month + 1 if today.month < 12 else today.year * 100 + 1
    out = {
        "vendor": connection.vendor,
        "requests": args.requests,
        **scale,
        "period": [from_month, to_month],
        "figure_sets": {},
    }
    from nqihub.stats.models import Fact

    busiest = (
        Fact.objects.values("region_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("region_code", flat=True)
        .first()
    )
    for name, code in (
        ("national", "000000"),
        ("province", "450000"),
        ("county", "450202"),
        ("busiest_county", busiest),
    ):
        rollup_ms, direct_ms = [], []
        fig = None
        for _ in range(args.repeat):
            t = time.perf_counter()
            fig = figures(region=code, from_month=from_month, to_month=to_month)
            rollup_ms.append((time.perf_counter() - t) * 1000)
        ref = None
        for _ in range(args.direct_repeat):
            t = time.perf_counter()
            ref = direct_figures(region=code, from_month=from_month, to_month=to_month)
            direct_ms.append((time.perf_counter() - t) * 1000)
        r, d = summary(rollup_ms), summary(direct_ms)
        out["figure_sets"][name] = {
            "region": code,
            "services": fig["services"],
            "enterprises_helped": fig["enterprises_helped"],
            "rollup": r,
            "direct": d,
            "speedup_p50": round(d["p50_ms"] / r["p50_ms"], 1) if r["p50_ms"] else None,
            "equal": fig == ref,
        }
        log(name, json.dumps(out["figure_sets"][name], ensure_ascii=False))
    # What the dashboard draws besides the figure set: five breakdowns (not compared: the tests do that).
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
    # The API's breakdown with medians: per-station histograms of the whole nation (the largest read).
    out["api_breakdowns_with_medians"] = {}
    for by in ("station", "industry", "child_region"):
        ms = []
        for _ in range(max(3, args.repeat // 3)):
            t = time.perf_counter()
            breakdown(region="000000", from_month=from_month, to_month=to_month, by=by)
            ms.append((time.perf_counter() - t) * 1000)
        out["api_breakdowns_with_medians"][f"national_by_{by}"] = summary(ms)
    log("api breakdowns", json.dumps(out["api_breakdowns_with_medians"]))
    out["incremental_save"] = time_incremental(args, rng)
    log("incremental", json.dumps(out["incremental_save"]))
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if sqlite_path and not args.keep:
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(sqlite_path + suffix)
            except FileNotFoundError:
                pass
    return 0 if all(v["equal"] for v in out["figure_sets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
