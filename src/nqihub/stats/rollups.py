"""Keeping the rollups: the incremental path (one request changed → its contribution's difference applied)
and the full rebuild in SQL (``rebuild_stats``, the bench). Both follow ``facts`` and a test keeps them
equal.

Where a request is counted (docs/decisions/0003-statistics.md): in the enterprise's county when a platform
handled it or when the serving station's service area covers that county; otherwise — re-routed to a
station outside its own area — in the county of the station that served it.
"""

# SQL here is built from table/column names and constants of this module, never from input: parameters
# go through the driver.
# ruff: noqa: S608
from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from nqihub.directory.models import Station, StationArea

from . import facts
from .facts import FactData
from .models import DistinctHelped, DurationBucket, Fact, Helped, Rollup


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _seconds(moment: datetime.datetime) -> int:
    """Whole seconds since the epoch (durations are measured between times truncated to the second)."""
    return int(moment.replace(microsecond=0).timestamp())


def _hours(start, end) -> int:
    return max(0, (_seconds(end) - _seconds(start)) // 3600)


def _fen(amount) -> int:
    if amount is None:
        return 0
    return int((Decimal(str(amount)) * 100).quantize(Decimal("1")))


def counting_region(req) -> str:
    if not req.station_id:
        return req.region_id

    if StationArea.objects.filter(station_id=req.station_id, region_id=req.region_id).exists():
        return req.region_id
    station_region = Station.objects.filter(pk=req.station_id).values_list("region_id", flat=True).first()
    return station_region or req.region_id


def fact_of(req) -> FactData:
    created = req.created_at
    accepted_month = accept_hours = resolved_month = resolve_hours = rated_month = rating = None
    if req.accepted_at is not None:
        accepted_month = facts.month_of(_local(req.accepted_at))
        accept_hours = _hours(created, req.accepted_at)
    if req.resolved_at is not None:
        resolved_month = facts.month_of(_local(req.resolved_at))
        resolve_hours = _hours(created, req.resolved_at)
    if req.rated_at is not None and req.rating_score is not None:
        rated_month, rating = facts.month_of(_local(req.rated_at)), int(req.rating_score)
    return FactData(
        region_code=counting_region(req),
        enterprise_id=req.enterprise_id,
        station_id=req.station_id,
        categories=req.categories or "",
        industry=(req.industry_id or "")[:2],
        received_month=facts.month_of(_local(created)),
        overdue=bool(req.is_overdue),
        accepted_month=accepted_month,
        accept_hours=accept_hours,
        resolved_month=resolved_month,
        resolve_hours=resolve_hours,
        outcome=req.outcome or "",
        technical_problem=bool(req.technical_problem),
        cost_saved_fen=_fen(req.cost_saved),
        loss_avoided_fen=_fen(req.loss_avoided),
        rated_month=rated_month,
        rating=rating,
    )


def _data_of(row: Fact) -> FactData:
    return FactData(**{name: getattr(row, name) for name in facts.FIELDS})


ROLLUP_KEY = ("dim", "scope", "month", "value")
BUCKET_KEY = ("dim", "scope", "month", "value", "kind", "bucket")
DISTINCT_KEY = ("dim", "scope", "month", "value", "prev")
HELPED_KEY = ("enterprise_id", "region_code", "station", "month")


def _add(table: str, key: tuple[str, ...], measures: tuple[str, ...], rows: list[tuple[dict, dict]]) -> None:
    """Add measure deltas to rows (``INSERT … ON CONFLICT DO UPDATE``: one statement, safe against
    concurrent writers on PostgreSQL, rows in key order), then delete the rows that fell to zero."""
    if not rows:
        return
    rows = sorted(rows, key=lambda r: tuple(str(r[0][k]) for k in key))
    extra = [c for c in rows[0][0] if c not in key]
    columns = list(key) + extra + list(measures)
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(m)} = {q(table)}.{q(m)} + excluded.{q(m)}" for m in measures)
    sql = (
        f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(q(k) for k in key)}) DO UPDATE SET {sets}"
    )
    params = [
        [where[c] for c in list(key) + extra] + [change.get(m, 0) for m in measures] for where, change in rows
    ]
    zero = " AND ".join(f"{q(m)} = 0" for m in measures)
    match = " AND ".join(f"{q(k)} = %s" for k in key)
    shrinking = [[where[k] for k in key] for where, change in rows if any(d < 0 for d in change.values())]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        if shrinking:
            cursor.executemany(f"DELETE FROM {q(table)} WHERE {match} AND {zero}", shrinking)


def _lock_enterprises(ids) -> None:
    """Serialise the distinct-count maintenance per enterprise (PostgreSQL; SQLite has one writer)."""
    if _pg():
        with connection.cursor() as cursor:
            for pk in sorted(ids):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [6006, int(pk) % 2**31])


def _apply_helped(changes: dict[tuple, dict]) -> None:
    """Presence deltas ``{(region, month, station, enterprise): {"n": d}}``: apply them and, for each
    enterprise whose set of (region, month, station) changed, the difference of its ``DistinctHelped``
    contribution."""
    by_enterprise: dict[int, dict] = {}
    for (region, month, station, enterprise), change in changes.items():
        by_enterprise.setdefault(enterprise, {})[(region, month, station)] = change["n"]
    _lock_enterprises(by_enterprise)
    distinct: dict[tuple, int] = {}
    for enterprise, deltas in sorted(by_enterprise.items()):
        before = {
            (r, m, st): n
            for r, m, st, n in Helped.objects.filter(enterprise_id=enterprise).values_list(
                "region_code", "month", "station", "n"
            )
        }
        after = dict(before)
        for k, d in deltas.items():
            after[k] = after.get(k, 0) + d
        after = {k: n for k, n in after.items() if n}
        _add(
            Helped._meta.db_table,
            HELPED_KEY,
            ("n",),
            [
                ({"enterprise_id": enterprise, "region_code": r, "station": st, "month": m}, {"n": d})
                for (r, m, st), d in deltas.items()
                if d
            ],
        )
        if set(before) != set(after):
            old, new = facts.distinct_contributions(before), facts.distinct_contributions(after)
            for k in set(old) | set(new):
                d = new.get(k, 0) - old.get(k, 0)
                if d:
                    distinct[k] = distinct.get(k, 0) + d
    _add(
        DistinctHelped._meta.db_table,
        DISTINCT_KEY,
        ("n",),
        [
            (
                {
                    "dim": dim,
                    "scope": scope,
                    "month": m,
                    "value": value,
                    "prev": prev,
                    "parent": facts.parent_scope(scope),
                },
                {"n": d},
            )
            for (dim, value, scope, m, prev), d in distinct.items()
            if d
        ],
    )


def apply_delta(delta: dict[tuple, dict[str, int]]) -> None:
    """Add ``delta`` (``facts.diff``, county-level keys) to the tables at every scope; rows that fall back
    to zero are removed, so that the tables always equal a rebuild."""
    rows = facts.expand(delta)
    _add(
        Rollup._meta.db_table,
        ROLLUP_KEY,
        facts.MEASURES,
        [
            (
                {
                    "dim": dim,
                    "scope": scope,
                    "month": month,
                    "value": value,
                    "parent": facts.parent_scope(scope),
                },
                change,
            )
            for (dim, value, scope, month), change in rows["R"].items()
        ],
    )
    _add(
        DurationBucket._meta.db_table,
        BUCKET_KEY,
        ("n",),
        [
            (
                {
                    "dim": dim,
                    "scope": scope,
                    "month": month,
                    "value": value,
                    "kind": kind,
                    "bucket": b,
                    "parent": facts.parent_scope(scope),
                },
                change,
            )
            for (dim, value, scope, month, kind, b), change in rows["B"].items()
        ],
    )
    if rows["H"]:
        _apply_helped(rows["H"])


@transaction.atomic
def apply_request(req) -> None:
    """Bring the rollups in line with ``req`` as saved (``upkeep.refresh_request``, after each desk write)."""
    new = fact_of(req)
    row = Fact.objects.select_for_update(of=("self",)).filter(request_id=req.pk).first()
    old = _data_of(row) if row is not None else None
    if old == new:
        return
    apply_delta(facts.diff(old, new))
    values = {name: getattr(new, name) for name in facts.FIELDS}
    if row is None:
        Fact.objects.create(request_id=req.pk, **values)
    else:
        Fact.objects.filter(request_id=req.pk).update(**values)


@transaction.atomic
def remove_request(pk: int) -> None:
    row = Fact.objects.select_for_update(of=("self",)).filter(request_id=pk).first()
    if row is None:
        return
    apply_delta(facts.diff(_data_of(row), None))
    Fact.objects.filter(request_id=pk).delete()


# --- full rebuild in SQL ---------------------------------------------------------------------------------


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _month_sql(column: str) -> str:
    if _pg():
        return f"CAST(to_char({column} AT TIME ZONE '{settings.TIME_ZONE}', 'YYYYMM') AS INTEGER)"
    offset = timezone.localtime(timezone.now()).utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return f"CAST(strftime('%Y%m', {column}, '{minutes:+d} minutes') AS INTEGER)"


def _epoch_sql(column: str) -> str:
    if _pg():
        return f"CAST(EXTRACT(EPOCH FROM date_trunc('second', {column})) AS BIGINT)"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _hours_sql(start: str, end: str) -> str:
    diff = f"(({_epoch_sql(end)} - {_epoch_sql(start)}) / 3600)"
    return f"(CASE WHEN {diff} < 0 THEN 0 ELSE {diff} END)"


def _bucket_sql(hours: str) -> str:
    least = "LEAST" if _pg() else "MIN"
    fine = facts.FINE_HOURS
    return f"(CASE WHEN {hours} < {fine} THEN {hours} ELSE {least}({fine} + ({hours} - {fine}) / 24, {facts.MAX_BUCKET}) END)"


def _text(column: str) -> str:
    return f"COALESCE(CAST({column} AS TEXT), '')"


def _flag(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


FACT_COLUMNS = (
    "request_id, region_code, enterprise_id, station_id, categories, industry, received_month, overdue, "
    "accepted_month, accept_hours, resolved_month, resolve_hours, outcome, technical_problem, cost_saved_fen, "
    "loss_avoided_fen, rated_month, rating"
)


def facts_select_sql() -> str:
    """The fact row of every service request (columns in ``FACT_COLUMNS`` order), as one SELECT: the full
    rebuild inserts it, the upkeep compares it with the stored rows."""
    false = "FALSE" if _pg() else "0"
    return f"""
    SELECT r.id,
        CASE WHEN r.station_id IS NULL THEN r.region_code
             WHEN EXISTS (SELECT 1 FROM directory_stationarea a
                          WHERE a.station_id = r.station_id AND a.region_code = r.region_code) THEN r.region_code
             ELSE COALESCE(s.region_code, r.region_code) END,
        r.enterprise_id, r.station_id, r.categories, COALESCE(SUBSTR(r.industry_id, 1, 2), ''),
        {_month_sql("r.created_at")}, r.is_overdue,
        CASE WHEN r.accepted_at IS NULL THEN NULL ELSE {_month_sql("r.accepted_at")} END,
        CASE WHEN r.accepted_at IS NULL THEN NULL ELSE {_hours_sql("r.created_at", "r.accepted_at")} END,
        CASE WHEN r.resolved_at IS NULL THEN NULL ELSE {_month_sql("r.resolved_at")} END,
        CASE WHEN r.resolved_at IS NULL THEN NULL ELSE {_hours_sql("r.created_at", "r.resolved_at")} END,
        r.outcome, COALESCE(r.technical_problem, {false}),
        COALESCE(CAST(ROUND(r.cost_saved * 100) AS BIGINT), 0),
        COALESCE(CAST(ROUND(r.loss_avoided * 100) AS BIGINT), 0),
        CASE WHEN r.rated_at IS NULL OR r.rating_score IS NULL THEN NULL ELSE {_month_sql("r.rated_at")} END,
        CASE WHEN r.rated_at IS NULL THEN NULL ELSE r.rating_score END
    FROM desk_servicerequest r LEFT JOIN directory_station s ON s.id = r.station_id
    """


def rebuild_facts() -> None:
    """Fact rows from the service requests, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO stats_fact ({FACT_COLUMNS}) {facts_select_sql()}")


def _dimension_sources() -> list[tuple[str, str, str]]:
    """(dim, value expression, FROM clause) for each cube; categories joined on their codes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT categories FROM stats_fact")
        codes = sorted({c for (text,) in cursor.fetchall() for c in facts.split_categories(text)})
    sources = [
        ("", "''", "stats_fact f"),
        ("station", _text("f.station_id"), "stats_fact f"),
        ("industry", "f.industry", "stats_fact f"),
    ]
    codes = [c for c in codes if c.replace("_", "").isalnum()]
    if codes:
        values = " UNION ALL ".join(f"SELECT '{c}' AS code" for c in codes)
        sources.append(
            (
                "category",
                "c.code",
                f"stats_fact f JOIN ({values}) c ON f.categories LIKE '%,' || c.code || ',%'",
            )
        )
    return sources


def _parent_sql(length: int, column: str = "scope") -> str:
    return {0: "NULL", 2: "''", 4: f"SUBSTR({column}, 1, 2)", 6: f"SUBSTR({column}, 1, 4)"}[length]


def _roll_up(cursor, table: str, columns: list[str], measures: tuple[str, ...], lengths, dims=None) -> None:
    """Rows of scope length ``n`` summed from the rows of length ``m`` for each ``(n, m)`` in ``lengths``."""
    cols = ", ".join(columns)
    sums = ", ".join(f"SUM({m})" for m in measures)
    for n, m in lengths:
        only = f" AND dim IN ({', '.join(repr(d) for d in dims)})" if dims else ""
        cursor.execute(
            f"INSERT INTO {table} (scope, parent, {cols}, {', '.join(measures)}) "
            f"SELECT SUBSTR(scope, 1, {n}), {_parent_sql(n, f'SUBSTR(scope, 1, {n})')}, {cols}, {sums} "
            f"FROM {table} WHERE LENGTH(scope) = {m}{only} GROUP BY SUBSTR(scope, 1, {n}), {cols}"
        )


def rebuild_rollups() -> None:
    """Rollups, duration histograms, helped presence and distinct counts from the fact rows: the county
    scopes from the facts, each scope above summed from the one below."""
    zero = ", ".join(["0"] * 7)
    events = """
        SELECT {dim_value} AS value, f.region_code AS region_code, f.received_month AS month, 1 AS received,
               {overdue} AS overdue, 0 AS accepted, 0 AS resolved, 0 AS solved, 0 AS cost_saved_fen,
               0 AS loss_avoided_fen, 0 AS rated, 0 AS rating_sum, 0 AS rating_high FROM {source}
        UNION ALL
        SELECT {dim_value}, f.region_code, f.accepted_month, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 FROM {source}
            WHERE f.accepted_month IS NOT NULL
        UNION ALL
        SELECT {dim_value}, f.region_code, f.resolved_month, 0, 0, 0, 1, {solved}, f.cost_saved_fen,
               f.loss_avoided_fen, 0, 0, 0 FROM {source} WHERE f.resolved_month IS NOT NULL
        UNION ALL
        SELECT {dim_value}, f.region_code, f.rated_month, {zero}, 1, f.rating, {high} FROM {source}
            WHERE f.rated_month IS NOT NULL AND f.rating IS NOT NULL
    """
    true = "TRUE" if _pg() else "1"
    measures = ", ".join(facts.MEASURES)
    sums = ", ".join(f"SUM({m})" for m in facts.MEASURES)
    with connection.cursor() as cursor:
        for dim, value, source in _dimension_sources():
            union = events.format(
                dim_value=value,
                source=source,
                overdue=_flag(f"f.overdue = {true}"),
                solved=_flag(f"f.outcome = 'solved' AND f.technical_problem = {true}"),
                high=_flag("f.rating >= 4"),
                zero=zero,
            )
            cursor.execute(
                f"INSERT INTO stats_rollup (dim, value, scope, parent, month, {measures}) "
                f"SELECT '{dim}', value, region_code, {_parent_sql(6, 'region_code')}, month, {sums} FROM ({union}) e "
                "GROUP BY value, region_code, month"
            )
            length = facts.BUCKET_SCOPE_MAX[dim]
            for kind, month, hours in (
                ("accept", "f.accepted_month", "f.accept_hours"),
                ("resolve", "f.resolved_month", "f.resolve_hours"),
            ):
                cursor.execute(
                    "INSERT INTO stats_durationbucket (dim, value, scope, parent, month, kind, bucket, n) "
                    f"SELECT '{dim}', value, scope, {_parent_sql(length)}, month, '{kind}', b, COUNT(*) FROM ("
                    f"SELECT {value} AS value, SUBSTR(f.region_code, 1, {length}) AS scope, {month} AS month, "
                    f"{_bucket_sql(hours)} AS b FROM {source} WHERE {month} IS NOT NULL) e "
                    "GROUP BY value, scope, month, b"
                )
        _roll_up(cursor, "stats_rollup", ["dim", "value", "month"], facts.MEASURES, [(4, 6), (2, 4), (0, 2)])
        _roll_up(
            cursor,
            "stats_durationbucket",
            ["dim", "value", "month", "kind", "bucket"],
            ("n",),
            [(4, 6), (2, 4)],
            dims=[""],
        )
        _roll_up(
            cursor, "stats_durationbucket", ["dim", "value", "month", "kind", "bucket"], ("n",), [(0, 2)]
        )
        helped = ", ".join(f"'{o}'" for o in facts.HELPED_OUTCOMES)
        cursor.execute(
            "INSERT INTO stats_helped (region_code, month, station, enterprise_id, n) "
            f"SELECT f.region_code, f.resolved_month, {_text('f.station_id')}, f.enterprise_id, COUNT(*) "
            f"FROM stats_fact f WHERE f.resolved_month IS NOT NULL AND f.outcome IN ({helped}) "
            "GROUP BY f.region_code, f.resolved_month, f.station_id, f.enterprise_id"
        )
        for length in facts.SCOPE_LENGTHS:
            for dim, value in (("", "''"), ("station", "h.station")):
                cursor.execute(
                    "INSERT INTO stats_distincthelped (dim, value, scope, parent, month, prev, n) "
                    f"SELECT '{dim}', value, scope, {_parent_sql(length)}, month, prev, COUNT(*) FROM ("
                    "  SELECT value, scope, month, "
                    "         LAG(month, 1, 0) OVER (PARTITION BY value, scope, enterprise_id ORDER BY month) AS prev"
                    f"  FROM (SELECT DISTINCT {value} AS value, SUBSTR(h.region_code, 1, {length}) AS scope,"
                    "               h.enterprise_id AS enterprise_id, h.month AS month FROM stats_helped h) d"
                    ") w GROUP BY value, scope, month, prev"
                )


@transaction.atomic
def rebuild() -> dict:
    """Recompute every statistics table from the service requests (repair; the bench's build step)."""
    for model in (DistinctHelped, Helped, DurationBucket, Rollup, Fact):
        model.objects.all().delete()
    rebuild_facts()
    rebuild_rollups()
    return {
        "facts": Fact.objects.count(),
        "rollups": Rollup.objects.count(),
        "buckets": DurationBucket.objects.count(),
        "helped": Helped.objects.count(),
        "distinct_helped": DistinctHelped.objects.count(),
    }
