"""Figures through the API and the pages: scoped by region (404 outside), the demo's figures match the
records, bad input is a field-level 422, reports go up one level and back, XLSX exports open."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from nqihub.stats import selectors
from nqihub.stats.figures import direct_figures

KEYS = {
    "services",
    "enterprises_helped",
    "problems_solved",
    "cost_saved",
    "loss_avoided",
    "satisfaction_mean",
    "overdue_rate",
    "median_accept_hours",
    "median_resolve_hours",
    "satisfaction_high_share",
    "instruments_overdue",
    "certificates_expiring",
    "test_pass_rate",
}


@pytest.mark.parametrize(
    "user,region",
    [("reg_gx", "450000"), ("reg_lz", "450200"), ("reg_chengzhong", "450202"), ("reg_national", "000000")],
)
def test_summary_matches_the_records_for_each_regulator(api_for, user, region):
    body = api_for(user).get("/api/v1/stats/summary").json()
    assert KEYS <= set(body)
    assert body["region"] == region
    f, t = (int(x.replace("-", "")) for x in (body["from"], body["to"]))
    ref = direct_figures(region=region, from_month=f, to_month=t)
    assert {k: body[k] for k in ref} == ref
    assert body["services"] > 0  # the demo's generated year reaches every level, 城中区 included


def test_county_regulator_sees_only_its_county(api_for):
    api = api_for("reg_chengzhong")
    assert api.get("/api/v1/stats/summary?region=450202").status_code == 200
    for region in ("450200", "450000", "450204", "320614", "000000"):
        assert api.get(f"/api/v1/stats/summary?region={region}").status_code == 404
        assert api.get(f"/api/v1/stats/breakdown?region={region}&by=month").status_code == 404


@pytest.mark.parametrize("user", ["ent_shanyuan", "station_lz", "coop_haimen", "lab_lz"])
def test_non_regulators_get_404(api_for, client_for, user):
    assert api_for(user).get("/api/v1/stats/summary").status_code == 404
    assert api_for(user).get("/api/v1/stats/summary?region=450204").status_code == 404
    c = client_for(user)
    for url in (
        "/stats/dashboard/",
        "/stats/dashboard/data/",
        "/stats/screen/",
        "/stats/records/",
        "/stats/export/",
        "/stats/reports/",
        "/stats/geo/450000.json",
    ):
        assert c.get(url).status_code == 404, url


def test_outsider_regulator_gets_404_on_every_route(client_for):
    c = client_for("reg_lz")
    for url in (
        "/stats/dashboard/?region=320000",
        "/stats/dashboard/data/?region=450000",
        "/stats/screen/?region=420102",
        "/stats/records/?region=450000",
        "/stats/export/?region=450000&by=month",
        "/stats/geo/450000.json",
    ):
        assert c.get(url).status_code == 404, url


def test_breakdown_values_of_by_and_bad_input(api_for):
    api = api_for("reg_gx")
    for by in ("child_region", "category", "industry", "station", "month"):
        body = api.get(f"/api/v1/stats/breakdown?by={by}&from=2025-01&to=2026-12").json()
        assert body["by"] == by and all("label" in r and "services" in r for r in body["rows"])
    children = api.get("/api/v1/stats/breakdown?by=child_region&from=2025-01&to=2026-12").json()["rows"]
    total = api.get("/api/v1/stats/summary?from=2025-01&to=2026-12").json()["services"]
    assert sum(r["services"] for r in children) == total
    r = api.get("/api/v1/stats/breakdown?by=color")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "by"
    r = api.get("/api/v1/stats/summary?from=2026-13")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "from"
    r = api.get("/api/v1/stats/summary?from=2026-05&to=2026-01")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "from"
    r = api.get("/api/v1/stats/summary?region=45")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "region"
    r = api.get("/api/v1/stats/summary?category=tea")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "category"
    r = api.get("/api/v1/stats/summary?category=testing&industry=14")
    assert r.status_code == 422


def test_category_filter_matches_the_direct_query(api_for):
    body = api_for("reg_lz").get("/api/v1/stats/summary?category=testing&from=2025-01&to=2026-12").json()
    ref = direct_figures(region="450200", from_month=202501, to_month=202612, dim="category", value="testing")
    assert {k: body[k] for k in ref} == ref


def test_dashboard_pages_render_and_data_has_a_fixed_query_count(client_for):
    c = client_for("reg_gx")
    assert c.get("/stats/dashboard/").status_code == 200
    assert c.get("/stats/screen/").status_code == 200
    with CaptureQueriesContext(connection) as small:
        body = c.get("/stats/dashboard/data/?region=450202").json()
    with CaptureQueriesContext(connection) as big:
        c.get("/stats/dashboard/data/?region=000000".replace("000000", "450000"))
    assert body["region"]["code"] == "450202" and body["month"]
    assert len(big) <= 40 and len(big) - len(small) <= 2


def test_map_outline_is_served_by_the_app(client_for):
    r = client_for("reg_gx").get("/stats/geo/450000.json")
    assert r.status_code == 200
    import json

    geo = json.loads(r.content)
    codes = {f["properties"]["code"] for f in geo["features"]}
    assert "450200" in codes and len(codes) == 14
    names = {f["properties"]["name"] for f in geo["features"]}
    assert "柳州市" in names
    county = json.loads(client_for("reg_lz").get("/stats/geo/450200.json").content)
    assert "450202" in {f["properties"]["code"] for f in county["features"]}


def test_records_behind_a_figure_match_it(client_for, api_for):
    body = api_for("reg_lz").get("/api/v1/stats/summary?from=2025-01&to=2026-12").json()
    r = client_for("reg_lz").get("/stats/records/?from=2025-01&to=2026-12&figure=problems_solved")
    assert r.status_code == 200
    assert r.context["page_obj"].paginator.count == body["problems_solved"]


def test_public_page_needs_no_login_and_shows_national_figures(client, db):
    r = client.get("/stats/")
    assert r.status_code == 200
    assert r.context["totals"]["services"] > 0
    assert "联系" not in r.content.decode()


def _xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_exports_open_with_chinese_headers(client_for):
    c = client_for("reg_gx")
    ws = _xlsx(c.get("/stats/export/?by=child_region"))
    headers = [cell.value for cell in ws[1]]
    assert headers[0] == "地区" and "服务需求数" in headers and "超期率" in headers
    ws = _xlsx(c.get("/stats/records/?figure=services&format=xlsx"))
    assert ws["A1"].value == "需求编号"


def test_export_file_names_are_chinese_names_not_codes(client_for):
    from urllib.parse import unquote

    c = client_for("reg_gx")
    for url, words in [
        ("/stats/export/?by=child_region", ["统计表", "地区"]),
        ("/stats/records/?figure=services&format=xlsx", ["指标明细"]),
    ]:
        disposition = unquote(c.get(url)["Content-Disposition"])
        assert all(w in disposition for w in words), disposition
        assert "广西" in disposition and "stats-" not in disposition


def test_report_workflow_up_one_level(api_for, client_for):
    lz, gx, cz = api_for("reg_lz"), api_for("reg_gx"), api_for("reg_chengzhong")
    r = lz.post(
        "/api/v1/stats/reports",
        {"period_type": "quarter", "year": 2026, "part": 1, "remarks": "一季度"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    report = r.json()
    assert report["status"] == "draft" and report["parent_region"] == "450000"
    assert report["figures"]["totals"]["services"] >= 0
    rid = report["id"]
    # Only the level above decides; the author cannot approve its own report; a county cannot see it.
    assert gx.post(f"/api/v1/stats/reports/{rid}/approve").status_code == 404  # drafts are the author's own
    assert cz.get(f"/api/v1/stats/reports/{rid}").status_code == 404
    assert (
        lz.post(
            f"/api/v1/stats/reports/{rid}/submit", {"remarks": "请审核"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert lz.post(f"/api/v1/stats/reports/{rid}/approve").status_code == 409
    r = gx.post(f"/api/v1/stats/reports/{rid}/return", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = gx.post(
        f"/api/v1/stats/reports/{rid}/return", {"reason": "请补充说明"}, content_type="application/json"
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "returned"
        and r.json()["decision_reason"] == "请补充说明"
    )
    assert gx.post(f"/api/v1/stats/reports/{rid}/approve").status_code == 409
    assert lz.post(f"/api/v1/stats/reports/{rid}/submit").status_code == 200
    r = gx.post(f"/api/v1/stats/reports/{rid}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    history = [(e["action"], e["to"]) for e in r.json()["history"]]
    assert history == [
        ("create", "draft"),
        ("submit", "submitted"),
        ("return", "returned"),
        ("submit", "submitted"),
        ("approve", "approved"),
    ]
    assert (
        lz.post(
            "/api/v1/stats/reports",
            {"period_type": "quarter", "year": 2026, "part": 1},
            content_type="application/json",
        ).status_code
        == 409
    )
    assert (
        cz.post(
            "/api/v1/stats/reports",
            {"region": "450200", "period_type": "year", "year": 2025},
            content_type="application/json",
        ).status_code
        == 409
    )
    ws = _xlsx(client_for("reg_gx").get(f"/stats/reports/{rid}/export/"))
    assert ws["A1"].value == "地区"
    assert client_for("reg_chengzhong").get(f"/stats/reports/{rid}/").status_code == 404
    assert client_for("reg_gx").get(f"/stats/reports/{rid}/").status_code == 200


def test_report_html_workflow(client_for):
    cz = client_for("reg_chengzhong")
    r = cz.post(
        "/stats/reports/",
        {"region": "450202", "period_type": "month", "year": "2026", "part": "1", "remarks": "一月"},
    )
    assert r.status_code == 302
    pk = int(r["Location"].rstrip("/").split("/")[-1])
    assert cz.post(f"/stats/reports/{pk}/submit/", {"remarks": "一月"}).status_code == 302
    from nqihub.stats.models import Report

    assert Report.objects.get(pk=pk).parent_region_id == "450200"
    lz = client_for("reg_lz")
    assert lz.post(f"/stats/reports/{pk}/approve/").status_code == 302
    assert Report.objects.get(pk=pk).status == "approved"
    bad = cz.post("/stats/reports/", {"period_type": "month", "year": "x"})
    assert bad.status_code == 302 and not Report.objects.filter(year=0).exists()


def test_home_region_of_each_regulator(demo_user):
    assert selectors.home_region(demo_user("reg_lz")) == "450200"
    assert selectors.home_region(demo_user("admin")) == "000000"
    assert selectors.home_region(demo_user("ent_yuese")) is None
