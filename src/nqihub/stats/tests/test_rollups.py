"""The rollups are correct by construction: after any sequence of changes written like the desk's services
write them (the row, then ``upkeep.refresh_request``), (1) every figure equals the direct query over the
service requests and (2) the incrementally kept tables equal a rebuild from scratch."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqihub.stats import facts, rollups
from nqihub.stats.figures import breakdown, direct_figures, figures
from nqihub.stats.models import DistinctHelped, DurationBucket, Fact, Helped, Rollup

from .conftest import deletable, delete, random_history, save

REGIONS = ["000000", "450000", "450200", "450202", "450204", "320000", "320600", "420000", "420102"]
PERIODS = [(202501, 202512), (202503, 202503), (202507, 202609), (202401, 202412)]


def snapshot():
    return {
        "facts": set(Fact.objects.values_list(*(["request_id"] + list(facts.FIELDS)))),
        "rollups": set(
            Rollup.objects.values_list("dim", "value", "scope", "parent", "month", *facts.MEASURES)
        ),
        "buckets": set(
            DurationBucket.objects.values_list(
                "dim", "value", "scope", "parent", "month", "kind", "bucket", "n"
            )
        ),
        "helped": set(Helped.objects.values_list("region_code", "month", "station", "enterprise_id", "n")),
        "distinct": set(
            DistinctHelped.objects.values_list("dim", "value", "scope", "parent", "month", "prev", "n")
        ),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_equal_the_direct_query_after_random_changes(make_request, seed):
    random_history(make_request, seed)
    for region in REGIONS:
        for a, b in PERIODS:
            assert figures(region=region, from_month=a, to_month=b) == direct_figures(
                region=region, from_month=a, to_month=b
            ), (region, a, b)


@pytest.mark.parametrize("seed", [4, 5])
def test_incremental_tables_equal_a_rebuild(make_request, seed):
    random_history(make_request, seed)
    incremental = snapshot()
    rollups.rebuild()
    assert snapshot() == incremental


def test_dimension_filters_and_breakdowns_equal_the_direct_query(make_request):
    random_history(make_request, 7, n=40)
    for region in ("000000", "450000", "450200"):
        for dim, value in (
            ("category", "testing"),
            ("category", "metrology"),
            ("industry", "14"),
            ("station", ""),
        ):
            got = figures(region=region, from_month=202501, to_month=202512, dim=dim, value=value)
            want = direct_figures(region=region, from_month=202501, to_month=202512, dim=dim, value=value)
            assert got == want, (region, dim, value)
        for by in ("station", "category", "industry"):
            for row in breakdown(region=region, from_month=202501, to_month=202512, by=by):
                key = row.pop("key")
                want = direct_figures(region=region, from_month=202501, to_month=202512, dim=by, value=key)
                assert row == want, (region, by, key)
        for row in breakdown(region=region, from_month=202501, to_month=202512, by="month"):
            month = int(row.pop("key"))
            assert row == direct_figures(region=region, from_month=month, to_month=month)
        for row in breakdown(region=region, from_month=202501, to_month=202512, by="child_region"):
            key = row.pop("key")
            if key != region:  # a county's or platform's own rows are checked by the region itself
                assert row == direct_figures(region=key, from_month=202501, to_month=202512), key


def test_reroute_across_regions_is_counted_where_it_was_served(make_request, demo_user):
    from nqihub.directory.models import Enterprise, Station

    yuese = Enterprise.objects.get(name="南通悦瑟家居用品有限公司")
    liuzhou = Station.objects.get(name="广西柳州螺蛳粉质量检测服务站")
    when = datetime.datetime(2025, 5, 10, 9, tzinfo=datetime.UTC)
    before = {
        c: figures(region=c, from_month=202505, to_month=202505)["services"]
        for c in ("320000", "450000", "450204")
    }
    req = make_request(yuese, created_at=when, handling_region="320600")
    assert figures(region="320000", from_month=202505, to_month=202505)["services"] == before["320000"] + 1
    req.station, req.handling_region = liuzhou, None
    save(req)
    # The Liuzhou station does not cover Haimen: the request counts at the station (柳南区 450204).
    assert figures(region="320000", from_month=202505, to_month=202505)["services"] == before["320000"]
    assert figures(region="450000", from_month=202505, to_month=202505)["services"] == before["450000"] + 1
    assert figures(region="450204", from_month=202505, to_month=202505)["services"] == before["450204"] + 1
    if deletable():
        delete(req)
        assert figures(region="450204", from_month=202505, to_month=202505)["services"] == before["450204"]


def test_resolve_and_rate_update_the_figures_at_once(make_request):
    from nqihub.directory.models import Enterprise

    ent = Enterprise.objects.get(name="善元食品有限公司")
    when = datetime.datetime(2025, 3, 3, 1, tzinfo=datetime.UTC)
    base = figures(region="450204", from_month=202503, to_month=202503)
    req = make_request(ent, created_at=when, handling_region="450200")
    req.resolved_at, req.outcome, req.technical_problem = when + datetime.timedelta(hours=5), "solved", True
    req.cost_saved, req.loss_avoided = "1234.56", "100.01"
    save(req)
    req.rating_score, req.rated_at = 5, when + datetime.timedelta(hours=6)
    save(req)
    now = figures(region="450204", from_month=202503, to_month=202503)
    assert now["services"] == base["services"] + 1
    assert now["problems_solved"] == base["problems_solved"] + 1
    assert now["cost_saved_fen"] == base["cost_saved_fen"] + 123456
    assert now["loss_avoided_fen"] == base["loss_avoided_fen"] + 10001
    assert now["rated"] == base["rated"] + 1


@given(st.lists(st.integers(min_value=0, max_value=20000), max_size=60))
def test_median_of_the_histogram_is_the_bucket_of_the_exact_median(hours):
    histogram: dict[int, int] = {}
    for h in hours:
        histogram[facts.bucket(h)] = histogram.get(facts.bucket(h), 0) + 1
    median = facts.lower_median(hours)
    assert facts.median_bucket(histogram) == (None if median is None else facts.bucket(median))


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_buckets_are_monotone_and_lower_bounds_hold(a, b):
    if a <= b:
        assert facts.bucket(a) <= facts.bucket(b)
    assert facts.bucket_hours(facts.bucket(a)) <= a or facts.bucket(a) == facts.MAX_BUCKET


fact_strategy = st.builds(
    facts.FactData,
    region_code=st.sampled_from(["450202", "450204", "320614"]),
    enterprise_id=st.integers(1, 4),
    station_id=st.sampled_from([None, 1, 2]),
    categories=st.sampled_from([",testing,", ",testing,standards,", ""]),
    industry=st.sampled_from(["14", "17", ""]),
    received_month=st.sampled_from([202501, 202502]),
    overdue=st.booleans(),
    accepted_month=st.sampled_from([None, 202502]),
    accept_hours=st.integers(0, 500),
    resolved_month=st.sampled_from([None, 202502, 202503]),
    resolve_hours=st.integers(0, 5000),
    outcome=st.sampled_from(["", "solved", "partly_solved", "not_solved"]),
    technical_problem=st.booleans(),
    cost_saved_fen=st.integers(0, 10**9),
    loss_avoided_fen=st.integers(0, 10**9),
    rated_month=st.sampled_from([None, 202503]),
    rating=st.integers(1, 5),
)


@given(fact_strategy, fact_strategy)
def test_diff_takes_one_contribution_to_the_other(old, new):
    total = {k: dict(v) for k, v in facts.contributions(old).items()}
    for key, delta in facts.diff(old, new).items():
        row = total.setdefault(key, {})
        for m, d in delta.items():
            row[m] = row.get(m, 0) + d
    cleaned = {k: {m: d for m, d in v.items() if d} for k, v in total.items()}
    cleaned = {k: v for k, v in cleaned.items() if v}
    want = {k: {m: d for m, d in v.items() if d} for k, v in facts.contributions(new).items()}
    assert cleaned == {k: v for k, v in want.items() if v}


def test_filtered_figures_and_breakdowns_below_the_stored_histograms_equal_the_direct_query(make_request):
    """Counties (and a city's children, and filtered cubes below the province) read their duration
    histograms from the fact rows: the same figures as the direct query."""
    random_history(make_request, 11, n=40)
    for region in ("450200", "450202", "450204", "320614"):
        for dim, value in (("category", "testing"), ("industry", "14"), ("station", "")):
            got = figures(region=region, from_month=202502, to_month=202511, dim=dim, value=value)
            assert got == direct_figures(
                region=region, from_month=202502, to_month=202511, dim=dim, value=value
            )
            for row in breakdown(
                region=region, from_month=202502, to_month=202511, by="month", dim=dim, value=value
            ):
                month = int(row.pop("key"))
                assert row == direct_figures(
                    region=region, from_month=month, to_month=month, dim=dim, value=value
                )
        for by in ("station", "category", "industry"):
            for row in breakdown(region=region, from_month=202502, to_month=202511, by=by):
                key = row.pop("key")
                assert row == direct_figures(
                    region=region, from_month=202502, to_month=202511, dim=by, value=key
                )
    for region in ("450000", "450200", "450204"):
        for row in breakdown(
            region=region,
            from_month=202501,
            to_month=202512,
            by="child_region",
            dim="category",
            value="testing",
        ):
            key = row.pop("key")
            if key != region:
                want = direct_figures(
                    region=key, from_month=202501, to_month=202512, dim="category", value="testing"
                )
                assert row == want, key


presence_strategy = st.lists(
    st.tuples(
        st.integers(1, 5),
        st.sampled_from(["450202", "450204", "450302", "320614"]),
        st.sampled_from([202411, 202412, 202501, 202502, 202503, 202506, 202512]),
        st.sampled_from(["", "1", "2"]),
    ),
    max_size=25,
)


@given(presence_strategy, st.sampled_from([202411, 202412, 202501, 202503, 202507]), st.integers(0, 14))
def test_distinct_count_from_previous_months_equals_a_set_count(presence, from_month, span):
    y, m = divmod(from_month // 100 * 12 + from_month % 100 - 1 + span, 12)
    to_month = y * 100 + m + 1
    rows: dict = {}
    for enterprise in {e for e, *_ in presence}:
        mine = [(r, m, s) for e, r, m, s in presence if e == enterprise]
        for key, n in facts.distinct_contributions(mine).items():
            rows[key] = rows.get(key, 0) + n
    for scope in ("", "45", "4502", "450202", "32"):
        for station in (None, "", "1"):
            cell = ("", "") if station is None else ("station", station)
            got = facts.distinct_count(
                [(m, p, n) for (d, v, s, m, p), n in rows.items() if s == scope and (d, v) == cell],
                from_month,
                to_month,
            )
            want = {
                e
                for e, r, m, s in presence
                if r.startswith(scope) and from_month <= m <= to_month and station in (None, s)
            }
            assert got == len(want), (scope, station)


def test_breakdown_without_medians_is_the_same_but_the_medians(make_request):
    random_history(make_request, 13, n=20)
    for by in ("station", "category", "industry", "child_region", "month"):
        full = breakdown(region="450000", from_month=202501, to_month=202512, by=by)
        light = breakdown(region="450000", from_month=202501, to_month=202512, by=by, medians=False)
        assert full and [r["key"] for r in light] == [r["key"] for r in full]
        by_key = {r["key"]: r for r in full}
        for row in light:
            assert row["median_accept_hours"] is None and row["median_resolve_hours"] is None
            want = {k: v for k, v in by_key[row["key"]].items() if not k.startswith("median_")}
            assert {k: v for k, v in row.items() if not k.startswith("median_")} == want
