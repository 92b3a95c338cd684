"""Figures for a region subtree and a period, read from the region's own rollup rows (one per month and
cube value, whatever the number of requests), and the same figures by a direct query over the service requests
(``direct_figures``: the reference the tests and the bench compare with).

A period is a range of months ``yyyymm`` (inclusive). A region is a GB/T 2260 code; its subtree is the
code-prefix range (``core.scoping.prefix_q``), stored as its own "scope" rows in the rollups. One optional
dimension filter: ``dim`` = station, category or industry with its ``value`` (the base cube when there is
none; one more cube per dimension, see docs/decisions/0003).

Definitions (docs/decisions/0003-statistics.md):
- services: requests received (created) in the period; overdue_rate: the share of those flagged overdue;
- accepted / median_accept_hours: requests accepted in the period, time from submission to acceptance;
- resolved / median_resolve_hours: requests resolved in the period, time from submission to resolution;
- problems_solved: resolved in the period as 已解决 and marked a technical problem;
- cost_saved / loss_avoided: the amounts (元) recorded at resolutions in the period;
- enterprises_helped: distinct enterprises with a request resolved in the period as 已解决 or 部分解决;
- satisfaction_mean / satisfaction_high_share: ratings given in the period (mean 1–5, share of 4–5).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from nqihub.core.regions import prefix as region_prefix
from nqihub.core.scoping import prefix_q
from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import StationArea

from . import facts
from .models import DistinctHelped, DurationBucket, Fact, Rollup

DIMENSIONS = ("station", "category", "industry")
BREAKDOWNS = ("child_region", "category", "industry", "station", "month")


def _ratio(a, b, digits: int = 4):
    return round(a / b, digits) if b else None


def _yuan(fen: int) -> float:
    return float(Decimal(fen or 0) / 100)


def compose(sums: dict, histograms: dict[str, dict[int, int]], helped: int | None) -> dict:
    """The figure set from summed measures, duration histograms and the distinct count."""
    s = {m: int(sums.get(m) or 0) for m in facts.MEASURES}
    medians = {}
    for kind in ("accept", "resolve"):
        b = facts.median_bucket(histograms.get(kind, {}))
        medians[kind] = facts.bucket_hours(b) if b is not None else None
    return {
        "services": s["received"],
        "accepted": s["accepted"],
        "resolved": s["resolved"],
        "enterprises_helped": helped,
        "problems_solved": s["solved"],
        "cost_saved": _yuan(s["cost_saved_fen"]),
        "loss_avoided": _yuan(s["loss_avoided_fen"]),
        "cost_saved_fen": s["cost_saved_fen"],
        "loss_avoided_fen": s["loss_avoided_fen"],
        "rated": s["rated"],
        "satisfaction_mean": _ratio(s["rating_sum"], s["rated"], 2),
        "satisfaction_high_share": _ratio(s["rating_high"], s["rated"]),
        "overdue": s["overdue"],
        "overdue_rate": _ratio(s["overdue"], s["received"]),
        "median_accept_hours": medians["accept"],
        "median_resolve_hours": medians["resolve"],
    }


def _cube(dim: str, value) -> tuple[str, str | None]:
    """The cube and value a filter reads: no value → the base cube (every request once)."""
    if value is None:
        return "", ""
    return dim, str(value)


def _months(from_month: int, to_month: int) -> Q:
    return Q(month__gte=from_month, month__lte=to_month)


def _fact_histograms(
    prefix: str, from_month: int, to_month: int, dim: str, value, group: str | None, child_length: int = 6
) -> dict:
    """Duration histograms ``{key: {kind: {bucket: n}}}`` read from the ``Fact`` rows of a region (the
    county scopes, which have no stored histogram: a county is small). ``group``: None (one key, None),
    ``month``, ``child`` (the code's first ``child_length`` digits), ``station``, ``category`` or ``industry``."""
    # A county's subtree is its code: equality lets the planner use the covering (region, month, hours) index.
    qs = (
        Fact.objects.filter(region_code=prefix)
        if len(prefix) == 6
        else Fact.objects.filter(prefix_q("region_code", prefix))
    )
    if dim == "station":
        qs = qs.filter(station_id=int(value)) if value else qs.filter(station_id__isnull=True)
    elif dim == "category":
        qs = qs.filter(categories__contains=f",{value},")
    elif dim == "industry":
        qs = qs.filter(industry=value)
    out: dict = {}
    for kind, month_field, hours_field in (
        ("accept", "accepted_month", "accept_hours"),
        ("resolve", "resolved_month", "resolve_hours"),
    ):
        column = {
            None: None,
            "month": month_field,
            "child": "region_code",
            "station": "station_id",
            "category": "categories",
            "industry": "industry",
        }[group]
        fields = [hours_field] + ([column] if column else [])
        rows = (
            qs.filter(**{f"{month_field}__gte": from_month, f"{month_field}__lte": to_month})
            .values_list(*fields)
            .annotate(n=Count("*"))
            .order_by()
        )
        for hours, *key, n in rows:
            key = key[0] if key else None
            if group == "category":
                keys = facts.split_categories(key)
            elif group == "station":
                keys = [str(key) if key else ""]
            elif group == "child":
                keys = [key[:child_length]]
            else:
                keys = [key]
            b = facts.bucket(hours or 0)
            for k in keys:
                h = out.setdefault(k, {"accept": {}, "resolve": {}})[kind]
                h[b] = h.get(b, 0) + int(n)
    return out


def figures(
    *, region: str, from_month: int, to_month: int, dim: str = "station", value: str | None = None
) -> dict:
    """The figure set of ``region``'s subtree for the months (3 small queries on the region's own rows)."""
    scope = region_prefix(region)
    cube, val = _cube(dim, value)
    where = Q(dim=cube, scope=scope, value=val) & _months(from_month, to_month)
    sums = Rollup.objects.filter(where).aggregate(**{m: Sum(m) for m in facts.MEASURES})
    if len(scope) <= facts.BUCKET_SCOPE_MAX[cube]:
        histograms: dict[str, dict[int, int]] = {"accept": {}, "resolve": {}}
        for kind, b, n in (
            DurationBucket.objects.filter(where).values_list("kind", "bucket").annotate(n=Sum("n")).order_by()
        ):
            histograms[kind][b] = int(n)
    else:
        histograms = _fact_histograms(scope, from_month, to_month, cube, val, None).get(None, {})
    helped = None
    if dim == "station":
        helped = int(
            DistinctHelped.objects.filter(where, prev__lt=from_month).aggregate(n=Sum("n"))["n"] or 0
        )
    return compose(sums, histograms, helped)


def child_prefix_length(region: str) -> int:
    return len(region_prefix(region)) + 2


def child_code(key: str) -> str:
    """A group key of ``breakdown(by="child_region")`` (a prefix of 2, 4 or 6 digits) as a region code."""
    return key.ljust(6, "0")


def breakdown(
    *,
    region: str,
    from_month: int,
    to_month: int,
    by: str,
    dim: str = "station",
    value=None,
    medians: bool = True,
) -> list[dict]:
    """Figure sets grouped by ``by``: ``[{"key": …, **figures}, …]`` (3 queries). ``child_region`` keys are
    the children's codes; a county's own rows (no children) come back under its code. A breakdown by
    station, category or industry ignores the filter (it is the breakdown of the whole).
    ``medians=False`` skips the duration histograms (the medians come back ``None``): the dashboard draws
    no median per group, and per-station histograms of a whole nation are the one large read."""
    scope = region_prefix(region)
    if by in ("category", "industry", "station"):
        cube, val = by, None
        where = Q(dim=cube, scope=scope)
        group, scopes_len = "value", len(scope)
    elif by == "month":
        cube, val = _cube(dim, value)
        where = Q(dim=cube, scope=scope, value=val)
        group, scopes_len = "month", len(scope)
    elif by == "child_region":
        cube, val = _cube(dim, value)
        where = Q(dim=cube, value=val) & (Q(scope=scope) if len(scope) == 6 else Q(parent=scope))
        group, scopes_len = "scope", min(6, len(scope) + 2)
    else:  # pragma: no cover - callers validate
        raise ValueError(by)
    where &= _months(from_month, to_month)
    rows = {
        r[group]: r
        for r in Rollup.objects.filter(where)
        .values(group)
        .annotate(**{m: Sum(m) for m in facts.MEASURES})
        .order_by()
    }
    histograms: dict = {}
    if not medians:
        pass
    elif scopes_len <= facts.BUCKET_SCOPE_MAX[cube]:
        for key, kind, b, n in (
            DurationBucket.objects.filter(where)
            .values_list(group, "kind", "bucket")
            .annotate(n=Sum("n"))
            .order_by()
        ):
            histograms.setdefault(key, {"accept": {}, "resolve": {}})[kind][b] = int(n)
    else:
        fact_group = {"value": by, "month": "month", "scope": "child"}[group]
        fdim, fval = ("", None) if group == "value" else (cube, val)
        histograms = _fact_histograms(scope, from_month, to_month, fdim, fval, fact_group, scopes_len)
    helped: dict | None = None
    if by in ("station", "month", "child_region") and dim == "station":
        hq = DistinctHelped.objects.filter(where)
        if by != "month":  # a month's own figure: every row of the month counts (prev < month)
            hq = hq.filter(prev__lt=from_month)
        helped = {
            k: int(n)
            for k, n in hq.values_list(group).annotate(n=Sum("n")).values_list(group, "n").order_by()
        }
    keys = sorted(set(rows) | set(histograms) | set(helped or {}), key=str)
    out = []
    for key in keys:
        figures_ = compose(
            rows.get(key, {}), histograms.get(key, {}), None if helped is None else helped.get(key, 0)
        )
        out.append({"key": child_code(key) if by == "child_region" else str(key), **figures_})
    return out


# --- the direct query (reference for tests and the bench) -------------------------------------------


def month_bounds(from_month: int, to_month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """Local midnight of the first day of ``from_month`` and of the month after ``to_month``."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime(from_month // 100, from_month % 100, 1, tzinfo=tz)
    y, m = divmod(to_month % 100, 12)
    end = datetime.datetime(to_month // 100 + y, m + 1, 1, tzinfo=tz)
    return start, end


def counted_requests(region: str, dim: str = "station", value: str | None = None):
    """Service requests counted in ``region``'s subtree (the counting rule of ``rollups.counting_region``)."""
    from django.db.models import Case, When

    covered = StationArea.objects.filter(station_id=OuterRef("station_id"), region_id=OuterRef("region_id"))
    qs = ServiceRequest.objects.annotate(
        counted_region=Case(
            When(station__isnull=True, then=F("region_id")),
            When(Exists(covered), then=F("region_id")),
            default=F("station__region_id"),
        )
    ).filter(prefix_q("counted_region", region_prefix(region)))
    if value is not None:
        if dim == "station":
            qs = qs.filter(station_id=int(value)) if value else qs.filter(station__isnull=True)
        elif dim == "category":
            qs = qs.filter(categories__contains=f",{value},")
        elif dim == "industry":
            qs = qs.filter(industry__code__startswith=value) if value else qs.filter(industry__isnull=True)
    return qs


def _median_hours(qs, field: str) -> int | None:
    """Lower median of the whole hours between submission and ``field`` (times truncated to the second),
    as its bucket's lower bound; computed over every duration, as a reference must be."""
    hours = [
        max(
            0,
            (int(end.replace(microsecond=0).timestamp()) - int(start.replace(microsecond=0).timestamp()))
            // 3600,
        )
        for start, end in qs.values_list("created_at", field).iterator(chunk_size=10000)
    ]
    median = facts.lower_median(hours)
    return None if median is None else facts.bucket_hours(facts.bucket(median))


def direct_figures(
    *,
    region: str,
    from_month: int,
    to_month: int,
    dim: str = "station",
    value: str | None = None,
    only: Q | None = None,
) -> dict:
    """The figure set straight from the service requests (slow at scale; the reference). ``only``: a
    further condition on the requests (a cooperative's members at submission)."""
    start, end = month_bounds(from_month, to_month)
    base = counted_requests(region, dim, value)
    if only is not None:
        base = base.filter(only)
    received = base.filter(created_at__gte=start, created_at__lt=end)
    accepted = base.filter(accepted_at__gte=start, accepted_at__lt=end)
    resolved = base.filter(resolved_at__gte=start, resolved_at__lt=end)
    rated = base.filter(rated_at__gte=start, rated_at__lt=end, rating_score__isnull=False)
    r = received.aggregate(n=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)))
    s = resolved.aggregate(
        n=Count("pk"),
        solved=Count("pk", filter=Q(outcome="solved", technical_problem=True)),
        cost=Sum("cost_saved"),
        loss=Sum("loss_avoided"),
    )
    t = rated.aggregate(
        n=Count("pk"), total=Sum("rating_score"), high=Count("pk", filter=Q(rating_score__gte=4))
    )
    helped = (
        resolved.filter(outcome__in=facts.HELPED_OUTCOMES).values("enterprise_id").distinct().count()
        if dim == "station" or only is not None
        else None
    )
    sums = {
        "received": r["n"],
        "overdue": r["overdue"],
        "accepted": accepted.count(),
        "resolved": s["n"],
        "solved": s["solved"],
        "cost_saved_fen": int(round(Decimal(str(s["cost"] or 0)) * 100)),
        "loss_avoided_fen": int(round(Decimal(str(s["loss"] or 0)) * 100)),
        "rated": t["n"],
        "rating_sum": t["total"] or 0,
        "rating_high": t["high"],
    }
    out = compose(sums, {}, helped)
    out["median_accept_hours"] = _median_hours(accepted, "accepted_at")
    out["median_resolve_hours"] = _median_hours(resolved, "resolved_at")
    return out
