import json

import pytest

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def issued(make_order, advance):
    return advance(make_order(), "issued")


def test_list_is_scoped_and_filters(api_for, issued):
    body = api_for("reg_lz").get(f"{API}/test-orders", {"status": "issued"}).json()
    assert issued.number in [o["number"] for o in body["items"]]
    assert all(o["status"] == "issued" for o in body["items"])
    outsider = api_for("ent_yuese").get(f"{API}/test-orders").json()
    assert issued.number not in [o["number"] for o in outsider["items"]]
    bad = api_for("reg_lz").get(f"{API}/test-orders", {"status": "done"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "status"


def test_detail_carries_the_report_once_issued(api_for, issued):
    body = api_for("ent_shanyuan").get(f"{API}/test-orders/{issued.pk}").json()
    report = issued.reports.get()
    assert body["report"]["number"] == report.number
    assert body["report"]["check_code"] == report.check_code
    assert body["report"]["status"] == "valid"
    assert body["report"]["pdf_url"].endswith(f"/api/v1/reports/{report.pk}/pdf")
    assert [i["verdict"] for i in body["items"]] == ["pass", "pass"]
    assert [s["level"] for s in body["signoffs"]] == ["test", "review", "approve"]
    pdf = api_for("ent_shanyuan").get(body["report"]["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_detail_has_no_report_before_issue(api_for, make_order):
    order = make_order()
    assert api_for("ent_shanyuan").get(f"{API}/test-orders/{order.pk}").json()["report"] is None


@pytest.mark.parametrize("outsider", ["ent_yuese", "station_wh", "coop_haimen", "reg_chengzhong"])
def test_outsiders_get_404(api_for, issued, outsider):
    client = api_for(outsider)
    report = issued.reports.get()
    item = issued.items.first()
    assert client.get(f"{API}/test-orders/{issued.pk}").status_code == 404
    assert client.get(f"{API}/reports/{report.pk}/pdf").status_code == 404
    assert _post(client, f"{API}/test-orders/{issued.pk}/samples", {"name": "x"}).status_code == 404
    assert _post(client, f"{API}/test-orders/{issued.pk}/items", {"parameter": "水分"}).status_code == 404
    assert (
        client.patch(
            f"{API}/test-orders/{issued.pk}/items/{item.pk}", data="{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert _post(client, f"{API}/test-orders/{issued.pk}/results", {"results": []}).status_code == 404
    assert _post(client, f"{API}/test-orders/{issued.pk}/actions/revise", {"reason": "x"}).status_code == 404
    rates = client.get(f"{API}/test-orders/pass-rates", {"group_by": "enterprise"}).json()
    assert "善元食品有限公司" not in [r["label"] for r in rates]


def test_the_whole_flow_through_the_api(api_for, lab, shanyuan):
    client = api_for("ent_shanyuan")
    created = _post(
        client,
        f"{API}/test-orders",
        {
            "enterprise": shanyuan.pk,
            "lab": lab.pk,
            "product_name": "预包装柳州螺蛳粉",
            "items": [
                {
                    "parameter": "水分",
                    "method_standard": "GB 5009.3-2016",
                    "requirement": "≤14.5",
                    "unit": "g/100g",
                }
            ],
            "samples": [{"name": "螺蛳粉", "batch": "A1"}],
        },
    )
    assert created.status_code == 201, created.content
    order = created.json()
    oid = order["id"]
    assert order["status"] == "draft" and order["region_code"] == "450204"
    added = _post(
        client,
        f"{API}/test-orders/{oid}/items",
        {"parameter": "大肠菌群", "method_standard": "GB 4789.3", "requirement": "≤10", "unit": "CFU/g"},
    )
    assert added.status_code == 201 and added.json()["seq"] == 2
    assert _post(client, f"{API}/test-orders/{oid}/samples", {"name": "备样"}).status_code == 201
    assert _post(client, f"{API}/test-orders/{oid}/actions/submit").json()["status"] == "submitted"
    lab_api = api_for("lab_lz")
    assert (
        _post(lab_api, f"{API}/test-orders/{oid}/actions/receive", {"condition": "完好"}).json()["status"]
        == "sample_received"
    )
    items = lab_api.get(f"{API}/test-orders/{oid}").json()["items"]
    entered = _post(
        lab_api,
        f"{API}/test-orders/{oid}/results",
        {"results": [{"item": items[0]["id"], "result": "15"}, {"item": items[1]["id"], "result": "<10"}]},
    ).json()
    assert entered["status"] == "testing" and entered["conclusion"] == "fail"
    assert [i["verdict"] for i in entered["items"]] == ["fail", "pass"]
    assert _post(lab_api, f"{API}/test-orders/{oid}/actions/complete").json()["status"] == "results_entered"
    # The same person cannot review (403 without the role, 409 with it).
    assert _post(lab_api, f"{API}/test-orders/{oid}/actions/review").status_code == 403
    assert (
        _post(api_for("lab_lz_review"), f"{API}/test-orders/{oid}/actions/review").json()["status"]
        == "reviewed"
    )
    approver = api_for("lab_lz_approve")
    early = _post(approver, f"{API}/test-orders/{oid}/actions/issue")
    assert early.status_code == 409 and "三级签署" in early.json()["detail"]
    assert _post(approver, f"{API}/test-orders/{oid}/actions/approve").json()["status"] == "approved"
    issued = _post(approver, f"{API}/test-orders/{oid}/actions/issue").json()
    assert issued["status"] == "issued" and issued["conclusion"] == "fail"
    assert issued["report"]["number"].startswith("示例LZ-")
    # An issued report cannot be edited.
    again = _post(
        lab_api, f"{API}/test-orders/{oid}/results", {"results": [{"item": items[0]["id"], "result": "1"}]}
    )
    assert again.status_code == 409
    # A revision supersedes it.
    revised = _post(approver, f"{API}/test-orders/{oid}/actions/revise", {"reason": "结果录入错误"})
    assert revised.json()["status"] == "testing"
    _post(
        lab_api, f"{API}/test-orders/{oid}/results", {"results": [{"item": items[0]["id"], "result": "12.5"}]}
    )
    _post(lab_api, f"{API}/test-orders/{oid}/actions/complete")
    _post(api_for("lab_lz_review"), f"{API}/test-orders/{oid}/actions/review")
    _post(approver, f"{API}/test-orders/{oid}/actions/approve")
    final = _post(approver, f"{API}/test-orders/{oid}/actions/issue").json()
    assert final["conclusion"] == "pass"
    assert final["report"]["number"] == issued["report"]["number"] + "-R1"
    assert final["report"]["replaces"] == issued["report"]["number"]
    assert [r["status"] for r in final["reports"]] == ["valid", "superseded"]


def test_create_answers_bad_input_with_422(api_for, lab, shanyuan):
    client = api_for("ent_shanyuan")
    missing = _post(client, f"{API}/test-orders", {"enterprise": shanyuan.pk, "lab": lab.pk})
    assert missing.status_code == 422
    fields = {d["field"] for d in missing.json()["detail"]}
    assert {"product_name", "items"} <= fields
    uncovered = _post(
        client,
        f"{API}/test-orders",
        {"enterprise": shanyuan.pk, "lab": lab.pk, "product_name": "x", "items": [{"parameter": "甲醛含量"}]},
    )
    assert uncovered.status_code == 422 and uncovered.json()["detail"][0]["field"] == "lab"
    other = _post(
        api_for("ent_yuese"),
        f"{API}/test-orders",
        {"enterprise": shanyuan.pk, "lab": lab.pk, "product_name": "x", "items": [{"parameter": "水分"}]},
    )
    assert other.status_code == 404
    bad_action = _post(client, f"{API}/test-orders/1/actions/explode")
    assert bad_action.status_code in (404, 422)


def test_verify_is_public(client, issued):
    report = issued.reports.get()
    ok = client.get(f"{API}/reports/verify", {"number": report.number, "code": report.check_code}).json()
    assert ok["genuine"] is True and ok["number"] == report.number
    assert ok["client_name"] == "善元食品有限公司" and ok["status"] == "valid" and ok["item_count"] == 2
    wrong = client.get(f"{API}/reports/verify", {"number": report.number, "code": "ZZZZZZZZ"}).json()
    assert wrong == {
        "genuine": False,
        "reason": wrong["reason"],
        **{k: None for k in wrong if k not in ("genuine", "reason")},
    }
    assert "查无此报告" in wrong["reason"] and wrong["client_name"] is None
    unknown = client.get(
        f"{API}/reports/verify", {"number": "示例LZ-2000-0001", "code": report.check_code}
    ).json()
    assert unknown["genuine"] is False and unknown["reason"] == wrong["reason"]


def test_verify_api_is_rate_limited(client, settings):
    settings.TESTING_VERIFY_LIMIT = 2
    for _ in range(2):
        assert client.get(f"{API}/reports/verify", {"number": "a", "code": "b"}).status_code == 200
    limited = client.get(f"{API}/reports/verify", {"number": "a", "code": "b"})
    assert limited.status_code == 429 and "查询过于频繁" in limited.json()["detail"]


def test_private_routes_need_a_token(client, issued):
    assert client.get(f"{API}/test-orders").status_code == 401
    assert client.get(f"{API}/test-orders/{issued.pk}").status_code == 401
