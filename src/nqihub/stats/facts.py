"""What one service request adds to the rollups: pure functions, no Django.

A request is described by a ``FactData`` (where it is counted, its months, its measures). Its contribution
is a mapping of rollup keys to measure deltas; when the request changes, ``diff(old, new)`` is what must be
added to the tables. The same rules are written once more in SQL for the full rebuild
(``rollups.rebuild``); a test keeps the two equal.

Durations are in whole hours, bucketed: one bucket per hour below 72 h, one per day above, capped at a
year. The median over any union of buckets is then exact at that resolution (the lower median's bucket).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

FINE_HOURS = 72
MAX_BUCKET = FINE_HOURS + 365

#: Rollup measures, in the order of the table's columns.
MEASURES = (
    "received",
    "overdue",
    "accepted",
    "resolved",
    "solved",
    "cost_saved_fen",
    "loss_avoided_fen",
    "rated",
    "rating_sum",
    "rating_high",
)

#: Outcomes that count as "helped" (the enterprise got a solution, in full or in part).
HELPED_OUTCOMES = ("solved", "partly_solved")


@dataclass(frozen=True)
class FactData:
    region_code: str
    enterprise_id: int
    station_id: int | None
    categories: str
    industry: str
    received_month: int
    overdue: bool = False
    accepted_month: int | None = None
    accept_hours: int | None = None
    resolved_month: int | None = None
    resolve_hours: int | None = None
    outcome: str = ""
    technical_problem: bool = False
    cost_saved_fen: int = 0
    loss_avoided_fen: int = 0
    rated_month: int | None = None
    rating: int | None = None


FIELDS = tuple(FactData.__dataclass_fields__)


def month_of(moment: datetime) -> int:
    """``yyyymm`` of an aware datetime already converted to local time, or of a date."""
    return moment.year * 100 + moment.month


def hours_between(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 3600))


def bucket(hours: int) -> int:
    hours = max(0, int(hours))
    if hours < FINE_HOURS:
        return hours
    return min(FINE_HOURS + (hours - FINE_HOURS) // 24, MAX_BUCKET)


def bucket_hours(b: int) -> int:
    """The lower bound, in hours, of bucket ``b``."""
    return b if b < FINE_HOURS else FINE_HOURS + (b - FINE_HOURS) * 24


def median_bucket(histogram: dict[int, int]) -> int | None:
    """The bucket holding the lower median (rank ``(n - 1) // 2`` in ascending order)."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = (total - 1) // 2
    seen = 0
    for b in sorted(histogram):
        seen += histogram[b]
        if seen > rank:
            return b
    return None  # pragma: no cover - unreachable with non-negative counts


def lower_median(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def split_categories(text: str) -> list[str]:
    return sorted({c for c in (text or "").split(",") if c})


def dims(f: FactData) -> list[tuple[str, str]]:
    """The cube cells a request counts in: the base cube (``""``) and one cell per dimension value."""
    out = [("", ""), ("station", str(f.station_id) if f.station_id else "")]
    out += [("category", c) for c in split_categories(f.categories)]
    out.append(("industry", f.industry or ""))
    return out


def contributions(f: FactData | None) -> dict[tuple, dict[str, int]]:
    """Keys: ``("R", dim, value, region, month)`` rollup rows, ``("B", dim, value, region, month, kind,
    bucket)`` duration buckets, ``("H", region, month, station, enterprise)`` helped enterprises."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if f is None:
        return {}
    region = f.region_code
    for dim, value in dims(f):
        r = out[("R", dim, value, region, f.received_month)]
        r["received"] += 1
        r["overdue"] += int(bool(f.overdue))
        if f.accepted_month is not None:
            out[("R", dim, value, region, f.accepted_month)]["accepted"] += 1
            out[("B", dim, value, region, f.accepted_month, "accept", bucket(f.accept_hours or 0))]["n"] += 1
        if f.resolved_month is not None:
            r = out[("R", dim, value, region, f.resolved_month)]
            r["resolved"] += 1
            r["solved"] += int(f.outcome == "solved" and bool(f.technical_problem))
            r["cost_saved_fen"] += f.cost_saved_fen or 0
            r["loss_avoided_fen"] += f.loss_avoided_fen or 0
            out[("B", dim, value, region, f.resolved_month, "resolve", bucket(f.resolve_hours or 0))][
                "n"
            ] += 1
        if f.rated_month is not None and f.rating is not None:
            r = out[("R", dim, value, region, f.rated_month)]
            r["rated"] += 1
            r["rating_sum"] += int(f.rating)
            r["rating_high"] += int(f.rating >= 4)
    if f.resolved_month is not None and f.outcome in HELPED_OUTCOMES:
        station = str(f.station_id) if f.station_id else ""
        out[("H", region, f.resolved_month, station, f.enterprise_id)]["n"] += 1
    return {k: dict(v) for k, v in out.items()}


#: Scope lengths: the nation (""), the province (2), the city (4), the county (6 digits).
SCOPE_LENGTHS = (0, 2, 4, 6)
#: Duration histograms are stored for the base cube down to the county (so a county's figure set reads a
#: bounded number of rows, whatever its volume), for the other cubes down to the province; below that they
#: are read from the ``Fact`` rows (see ``rollups`` and ``figures``).
BUCKET_SCOPE_MAX = {"": 6, "station": 0, "category": 2, "industry": 2}


def scopes(code: str) -> list[str]:
    """The scopes a request counted in region ``code`` adds to: ``["", "45", "4502", "450202"]``."""
    return [code[:n] for n in SCOPE_LENGTHS]


def parent_scope(scope: str) -> str | None:
    return scope[:-2] if scope else None


def expand(delta: dict[tuple, dict[str, int]]) -> dict[str, dict[tuple, dict[str, int]]]:
    """A ``diff`` (county-level keys) as rows of the stored tables: ``{"R": {(dim, value, scope, month):
    {measure: d}}, "B": {(dim, value, scope, month, kind, bucket): {"n": d}}, "H": {(region, month,
    station, enterprise): {"n": d}}}``."""
    out: dict[str, dict] = {
        "R": defaultdict(lambda: defaultdict(int)),
        "B": defaultdict(lambda: defaultdict(int)),
        "H": {},
    }
    for key, change in delta.items():
        if key[0] == "R":
            _, dim, value, region, month = key
            for scope in scopes(region):
                row = out["R"][(dim, value, scope, month)]
                for m, d in change.items():
                    row[m] += d
        elif key[0] == "B":
            _, dim, value, region, month, kind, b = key
            for scope in scopes(region):
                if len(scope) <= BUCKET_SCOPE_MAX[dim]:
                    out["B"][(dim, value, scope, month, kind, b)]["n"] += change["n"]
        else:
            out["H"][key[1:]] = dict(change)
    return {t: {k: dict(v) for k, v in rows.items() if any(v.values())} for t, rows in out.items()}


def distinct_contributions(presence) -> dict[tuple, int]:
    """``DistinctHelped`` rows of one enterprise from its presence rows ``(region, month, station)``:
    for each scope (and station in it), every month it was helped in with the month before that it was
    last helped (0 if none) → ``{(dim, value, scope, month, prev): 1}``."""
    months: dict[tuple, set] = defaultdict(set)
    for region, month, station in presence:
        for scope in scopes(region):
            months[("", "", scope)].add(month)
            months[("station", station, scope)].add(month)
    out: dict[tuple, int] = {}
    for (dim, value, scope), ms in months.items():
        prev = 0
        for m in sorted(ms):
            out[(dim, value, scope, m, prev)] = 1
            prev = m
    return out


def distinct_count(rows, from_month: int, to_month: int) -> int:
    """The distinct count over months ``from..to`` from ``(month, prev, n)`` rows of one cell."""
    return sum(n for month, prev, n in rows if from_month <= month <= to_month and prev < from_month)


def diff(old: FactData | None, new: FactData | None) -> dict[tuple, dict[str, int]]:
    """What to add to the tables to go from ``old``'s contribution to ``new``'s (zero deltas dropped)."""
    a, b = contributions(old), contributions(new)
    out: dict[tuple, dict[str, int]] = {}
    for key in set(a) | set(b):
        before, after = a.get(key, {}), b.get(key, {})
        delta = {m: after.get(m, 0) - before.get(m, 0) for m in set(before) | set(after)}
        delta = {m: d for m, d in delta.items() if d}
        if delta:
            out[key] = delta
    return out
