"""The regulator's plan on the dashboard: 环比/同比 of the headline figures (complete months only), yearly
targets against the year-to-date actual (set only in one's own region), and the stations ranked by the
share of requests resolved within their SLA."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nqihub.core.audit import AuditEntry
from nqihub.core.models import Region
from nqihub.directory.models import Enterprise, StationArea
from nqihub.stats import compare, selectors
from nqihub.stats import figures as figs
from nqihub.stats.models import Target

from .conftest import save

pytestmark = pytest.mark.django_db


def _last_months(n: int) -> tuple[int, int]:
    """The ``n`` complete months ending last month."""
    last = compare.month_back(timezone.localdate(), 1)
    return compare.shift(last, -(n - 1)), last


# --- 环比 / 同比 ----------------------------------------------------------------------------------------


def test_comparison_of_a_complete_period_reads_the_previous_and_the_year_ago_figures():
    a, b = _last_months(3)
    region = Region.objects.get(code="450200")
    c = selectors.comparison(region=region, from_month=a, to_month=b)
    assert not c["unfinished"] and c["compared"] == {
        "from": compare.month_text(a),
        "to": compare.month_text(b),
    }
    previous = figs.figures(region="450200", from_month=compare.shift(a, -3), to_month=compare.shift(b, -3))
    year_ago = figs.figures(region="450200", from_month=compare.shift(a, -12), to_month=compare.shift(b, -12))
    now = figs.figures(region="450200", from_month=a, to_month=b)
    services = c["figures"]["services"]
    assert (services["now"], services["previous"], services["year_ago"]) == (
        now["services"],
        previous["services"],
        year_ago["services"],
    )
    assert services["mom"] == compare.change(now["services"], previous["services"])
    assert services["yoy"] == compare.change(now["services"], year_ago["services"])
    assert now["services"] > 0  # the demo's year has requests in Liuzhou


def test_a_change_against_an_empty_period_is_a_dash():
    region = Region.objects.get(code="450200")
    c = selectors.comparison(region=region, from_month=200103, to_month=200103)
    assert all(f["mom"] == "—" and f["yoy"] == "—" for f in c["figures"].values())


def test_this_month_so_far_is_marked_unfinished_and_not_compared(client_for, make_request):
    this = compare.month_back(timezone.localdate())
    region = Region.objects.get(code="450200")
    only_now = selectors.comparison(region=region, from_month=this, to_month=this)
    assert only_now["unfinished"] and only_now["figures"] == {}
    body = client_for("reg_lz").get(
        f"/stats/dashboard/?from={compare.month_text(this)}&to={compare.month_text(this)}"
    )
    text = body.content.decode()
    assert "期间未结束" in text and "暂不计算环比、同比" in text and 'data-compare="services"' not in text
    # A period reaching into this month compares its complete months only: a request made today is in
    # neither side of the comparison.
    a = compare.shift(this, -2)
    before = selectors.comparison(region=region, from_month=a, to_month=this)
    make_request(Enterprise.objects.filter(region__code__startswith="4502").order_by("pk").first())
    after = selectors.comparison(region=region, from_month=a, to_month=this)
    assert after["unfinished"] and after["compared"]["to"] == compare.month_text(compare.shift(this, -1))
    assert after["figures"]["services"] == before["figures"]["services"]


def test_dashboard_cards_show_month_on_month_and_year_on_year(client_for):
    a, b = _last_months(2)
    page = client_for("reg_lz").get(
        f"/stats/dashboard/?from={compare.month_text(a)}&to={compare.month_text(b)}"
    )
    text = page.content.decode()
    c = selectors.comparison(region=Region.objects.get(code="450200"), from_month=a, to_month=b)
    assert 'data-compare="services"' in text and "期间未结束" not in text
    assert f"环比 {c['figures']['services']['mom']}" in text
    assert f"同比 {c['figures']['services']['yoy']}" in text
    assert "个百分点" in text  # the overdue rate changes in percentage points


# --- stations ranked by SLA kept ----------------------------------------------------------------------


def _covered_pairs():
    """Two (enterprise, station) pairs of Guangxi, each station covering its enterprise's county."""
    pairs, stations = [], set()
    for area in (
        StationArea.objects.filter(region__code__startswith="45").select_related("station").order_by("pk")
    ):
        if area.station_id in stations:
            continue
        ent = Enterprise.objects.filter(region_id=area.region_id).order_by("pk").first()
        if ent is not None:
            pairs.append((ent, area.station))
            stations.add(area.station_id)
        if len(pairs) == 2:
            return pairs
    pytest.skip("the demo world has fewer than two covered stations in Guangxi")


def _resolved(make_request, ent, station, *, deadline, at, overdue=False):
    tz = timezone.get_current_timezone()
    req = make_request(ent, station=station, created_at=datetime.datetime(2020, 3, 2, 9, tzinfo=tz))
    req.resolve_by = deadline
    req.resolved_at = at.replace(tzinfo=tz)
    req.status, req.outcome, req.is_overdue = "resolved", "solved", overdue
    save(req)


def test_stations_are_ranked_by_the_share_resolved_within_the_deadline(api_for, make_request):
    (ent_a, a), (ent_b, b) = _covered_pairs()
    api = api_for("reg_gx")
    url = "/api/v1/stats/station-sla?region=450000&from=2020-03&to=2020-03"
    base = api.get(url).json()["total"]
    day = datetime.date(2020, 3, 10)
    # Resolved on the deadline's last evening (kept), a day late by local time (not kept).
    _resolved(make_request, ent_a, a, deadline=day, at=datetime.datetime(2020, 3, 10, 23, 30))
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    _resolved(make_request, ent_a, a, deadline=day, at=datetime.datetime(2020, 3, 9, 10))
    _resolved(make_request, ent_b, b, deadline=day, at=datetime.datetime(2020, 3, 11, 0, 30))
    _resolved(make_request, ent_b, b, deadline=day, at=datetime.datetime(2020, 3, 5), overdue=True)
    _resolved(make_request, ent_b, b, deadline=day, at=datetime.datetime(2020, 3, 6))
    _resolved(make_request, ent_b, None, deadline=day, at=datetime.datetime(2020, 3, 6))  # a platform's
    with CaptureQueriesContext(connection) as many:
        body = api.get(url).json()
    assert len(many) == len(few)
    rows = {r["station"]: r for r in body["rows"]}
    assert (rows[a.pk]["handled"], rows[a.pk]["kept"], rows[a.pk]["kept_rate"]) == (2, 2, 1.0)
    assert (rows[b.pk]["handled"], rows[b.pk]["kept"], rows[b.pk]["late"]) == (3, 1, 2)
    assert rows[a.pk]["rank"] < rows[b.pk]["rank"]
    assert body["total"]["handled"] - base["handled"] == 6 and body["total"]["kept"] - base["kept"] == 4
    ranks = [r["rank"] for r in body["rows"]]
    assert ranks == sorted(ranks)


def test_station_ranking_is_scoped_and_checks_its_input(api_for, client_for):
    assert api_for("reg_chengzhong").get("/api/v1/stats/station-sla?region=450000").status_code == 404
    assert api_for("station_lz").get("/api/v1/stats/station-sla").status_code == 404
    bad = api_for("reg_lz").get("/api/v1/stats/station-sla?from=2026-13")
    assert bad.status_code == 422 and "from" in str(bad.json())
    page = client_for("reg_lz").get("/stats/dashboard/").content.decode()
    assert 'data-table="station_sla"' in page and "服务站按时办结排名" in page


# --- yearly targets -----------------------------------------------------------------------------------


def test_regulator_sets_targets_and_the_dashboard_shows_progress(client_for, api_for):
    year = timezone.localdate().year
    c = client_for("reg_lz")
    r = c.post(
        f"/stats/targets/?region=450200&year={year}",
        {
            "enterprises_helped": "200",
            "resolved": "",
            "problems_solved": "10",
            "sla_kept_rate": "95",
            "satisfaction_rate": "90.5",
        },
    )
    assert r.status_code == 302
    targets = dict(Target.objects.filter(region_id="450200", year=year).values_list("metric", "value"))
    assert {k: float(v) for k, v in targets.items()} == {
        "enterprises_helped": 200,
        "problems_solved": 10,
        "sla_kept_rate": 95,
        "satisfaction_rate": 90.5,
    }
    assert AuditEntry.objects.filter(action="stats.target.set").count() >= 4
    body = api_for("reg_lz").get(f"/api/v1/stats/targets?region=450200&year={year}").json()
    rows = {r["metric"]: r for r in body["rows"]}
    ytd = figs.figures(
        region="450200", from_month=year * 100 + 1, to_month=compare.month_back(timezone.localdate())
    )
    assert rows["enterprises_helped"]["actual"] == ytd["enterprises_helped"]
    assert rows["enterprises_helped"]["progress"] == round(ytd["enterprises_helped"] * 100 / 200, 1)
    assert rows["resolved"]["target"] is None and rows["resolved"]["progress"] is None
    page = c.get("/stats/dashboard/").content.decode()
    assert 'data-table="targets"' in page and "<progress" in page and "设置目标" in page
    # A blank value removes a target.
    c.post(f"/stats/targets/?region=450200&year={year}", {"problems_solved": "", "enterprises_helped": "200"})
    assert not Target.objects.filter(region_id="450200", year=year, metric="problems_solved").exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("enterprises_helped", "abc"),
        ("enterprises_helped", "1.5"),
        ("sla_kept_rate", "120"),
        ("satisfaction_rate", "-1"),
        ("resolved", "NaN"),
        ("satisfaction_rate", "90.123"),
    ],
)
def test_bad_target_values_are_refused_and_change_nothing(client_for, field, value):
    c = client_for("reg_lz")
    c.post("/stats/targets/?region=450200&year=2026", {"resolved": "500"})
    r = c.post("/stats/targets/?region=450200&year=2026", {"resolved": "700", field: value})
    assert r.status_code == 400
    assert "is-invalid" in r.content.decode()
    assert Target.objects.get(region_id="450200", year=2026, metric="resolved").value == 500


def test_targets_are_set_only_in_ones_own_region(client_for, api_for):
    # A city regulator cannot reach the province; a county regulator cannot reach its city; others see nothing.
    before = set(Target.objects.values_list("region_id", "year", "metric", "value"))
    assert client_for("reg_lz").post("/stats/targets/?region=450000", {"resolved": "1"}).status_code == 404
    assert client_for("reg_chengzhong").get("/stats/targets/?region=450200").status_code == 404
    for user in ("ent_shanyuan", "station_lz"):
        assert client_for(user).get("/stats/targets/").status_code == 404
        assert api_for(user).get("/api/v1/stats/targets").status_code == 404
    payload = {"region": "450000", "year": 2026, "metric": "resolved", "value": 1}
    assert (
        api_for("reg_lz").post("/api/v1/stats/targets", payload, content_type="application/json").status_code
        == 404
    )
    assert set(Target.objects.values_list("region_id", "year", "metric", "value")) == before
    # The province sets its city's target; the city sees it.
    payload["region"] = "450200"
    r = api_for("reg_gx").post("/api/v1/stats/targets", payload, content_type="application/json")
    assert r.status_code == 200 and {x["metric"]: x["target"] for x in r.json()["rows"]}["resolved"] == 1
    assert client_for("reg_lz").get("/stats/targets/?region=450200&year=2026").status_code == 200


def test_target_api_names_the_field_at_fault(api_for):
    api = api_for("reg_lz")

    def post(**body):
        return api.post("/api/v1/stats/targets", {"year": 2025, **body}, content_type="application/json")

    r = post(metric="nonsense", value=1)
    assert r.status_code == 422 and "metric" in str(r.json())
    r = post(metric="sla_kept_rate", value=101)
    assert r.status_code == 422 and "sla_kept_rate" in str(r.json())
    assert post(metric="resolved", value=-1).status_code == 422
    assert post(metric="resolved", value=10**12).status_code == 422
    assert not Target.objects.filter(year=2025).exists()
    assert post(metric="resolved", value=300).status_code == 200
    assert post(metric="resolved", value=None).status_code == 200
    assert not Target.objects.filter(year=2025).exists()
