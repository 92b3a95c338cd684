"""The page, the API, the catalogue lookup and the 南通悦瑟 bed-sheet story (with the real standards catalogue)."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from nqihub.labels import check_label
from nqihub.labels.demo import SHANYUAN_LUOSIFEN_TEXT, YUESE_BEDSHEET_AFTER, YUESE_BEDSHEET_BEFORE
from nqihub.labels.selectors import standard_status

pytestmark = pytest.mark.django_db
URL = "/api/v1/labels/check"


def test_catalogue_status():
    assert standard_status("GB/T 22796-2021")["status"] == "current"
    old = standard_status("GB/T 22796-2009")  # not in the catalogue; 2021 lists it under "replaces"
    assert old["status"] == "abolished" and old["replaced_by"] == "GB/T 22796-2021"
    gone = standard_status("GB 18401-2003")
    assert (gone["status"], gone["replaced_by"]) == ("abolished", "GB 18401-2010")
    assert standard_status("GB 7718-2025")["status"] == "upcoming"
    assert standard_status("Q/DEMO 0099-2025") is None
    assert standard_status("GB/T 22796")["status"] == "current"  # no year: the current version


def test_yuese_bedsheet_story_before_and_after():
    before = check_label("textile", YUESE_BEDSHEET_BEFORE)
    codes = {(f["field"], f["code"]) for f in before if f["severity"] == "error"}
    assert codes == {
        ("manufacturer_address", "missing"),
        ("size", "size_letters_only"),
        ("fibre_content", "fibre_trade_name"),
        ("fibre_content", "fibre_sum"),
        ("care_instructions", "missing"),
        ("standard_number", "standard_abolished"),
        ("safety_category", "skin_contact_c"),
    }
    abolished = next(f for f in before if f["code"] == "standard_abolished")
    assert "GB/T 22796-2021" in abolished["message"]
    assert check_label("textile", YUESE_BEDSHEET_AFTER) == []


def test_page_is_open_to_anonymous_users_and_prefills_from_get():
    r = Client().get(
        "/labels/?"
        + urlencode({"category": "textile", **{k: str(v) for k, v in YUESE_BEDSHEET_BEFORE.items()}})
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "“天丝”是商品名" in html and "GB/T 22796-2021" in html
    assert 'value="全棉印花床单（示例）"' in html  # the form keeps what was sent
    assert html.index("缺少制造者地址") < html.index('id="pane-fields"')  # findings above the form


def test_page_post_fields_and_text(client_for):
    c = client_for("ent_yuese")
    r = c.post(
        "/labels/",
        {
            "category": "textile",
            "mode": "fields",
            **{k: str(v) for k, v in YUESE_BEDSHEET_AFTER.items() if k != "for_infants"},
        },
    )
    assert r.status_code == 200 and "未发现问题" in r.content.decode()
    r = c.post(
        "/labels/", {"category": "prepackaged_food", "mode": "text", "label_text": SHANYUAN_LUOSIFEN_TEXT}
    )
    html = r.content.decode()
    assert r.status_code == 200 and "从标签文字中识别出的内容" in html
    assert "目录中未收录" in html  # the demo enterprise standard is not in the catalogue
    assert "未发现错误，有 1 项提示请核实" in html


def test_page_post_nutrition_rows(client_for):
    rows = {}
    for i, (item, value, unit, nrv) in enumerate(
        [
            ("能量", "1480", "kJ", "18%"),
            ("蛋白质", "7.2", "g", "12%"),
            ("脂肪", "10.5", "g", "18%"),
            ("碳水化合物", "55.0", "g", "18%"),
            ("钠", "1350", "mg", "6.8%"),
        ]
    ):
        rows.update(
            {
                f"nutrition-{i}-item": item,
                f"nutrition-{i}-per_100": value,
                f"nutrition-{i}-unit": unit,
                f"nutrition-{i}-nrv_percent": nrv,
            }
        )
    r = client_for("ent_shanyuan").post(
        "/labels/", {"category": "prepackaged_food", "mode": "fields", "food_name": "螺蛳粉", **rows}
    )
    html = r.content.decode()
    assert "“钠”的 NRV% 标为 6.8%" in html and "应为 68%" in html
    assert "缺少配料表" in html


def test_page_bad_input_is_a_message_not_a_500():
    c = Client()
    r = c.get("/labels/?category=shoes")
    assert r.status_code == 400 and "未知的标签类别“shoes”" in r.content.decode()
    r = c.post("/labels/", {"category": "textile", "mode": "fields"})
    assert r.status_code == 422 and "请填写标签内容" in r.content.decode()
    r = c.post(
        "/labels/",
        {"category": "prepackaged_food", "mode": "fields", "food_name": "x", "nutrition": "not json"},
    )
    assert r.status_code == 200 and "营养成分表”应为" in r.content.decode()


def test_rules_page_and_menu(client_for):
    r = Client().get("/labels/rules/")
    assert (
        r.status_code == 200 and "GB 5296.4-2012" in r.content.decode() and "2026.11-1" in r.content.decode()
    )
    home = client_for("coop_haimen").get("/labels/").content.decode()
    assert 'href="/labels/rules/"' in home and "bi-tags" in home


def test_api_fields_and_text():
    c = Client()
    r = c.post(URL, {"category": "textile", "fields": YUESE_BEDSHEET_AFTER}, content_type="application/json")
    assert r.status_code == 200 and r.json()["findings"] == [] and r.json()["extracted"] is None
    assert r.json()["fields"] == YUESE_BEDSHEET_AFTER and r.json()["complete"] is True
    r = c.post(
        URL,
        {"category": "prepackaged_food", "text": "品名：螺蛳粉\n净含量：2斤"},
        content_type="application/json",
    )
    body = r.json()
    assert body["fields"] == body["extracted"] == {"food_name": "螺蛳粉", "net_content": "2斤"}
    assert {"field": "net_content", "severity": "error"}.items() <= next(
        f for f in body["findings"] if f["field"] == "net_content"
    ).items()
    assert body["errors"] == len([f for f in body["findings"] if f["severity"] == "error"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "shoes", "fields": {"a": 1}}, "category"),
        ({"category": "textile"}, "fields"),
        ({"category": "textile", "fields": {}, "text": "  "}, "fields"),
        ({"fields": {"size": "M"}}, "category"),
        ({"category": "textile", "fields": "M"}, "fields"),
        ({"category": "textile", "text": "x" * 20_001}, "text"),
    ],
)
def test_api_bad_input_is_422(payload, field):
    r = Client().post(URL, payload, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == field


def test_api_wrong_types_inside_fields_are_findings():
    r = Client().post(
        URL,
        {"category": "prepackaged_food", "fields": {"nutrition": [{"item": 3}], "net_content": 300}},
        content_type="application/json",
    )
    assert r.status_code == 200
    codes = {(f["field"], f["code"]) for f in r.json()["findings"]}
    assert ("nutrition", "nutrition_malformed") in codes and ("net_content", "type") in codes


def test_api_anonymous_rate_limit_but_not_with_a_token(api_for, settings):
    settings.LABELS_ANONYMOUS_RATE = 3
    anon = Client()
    body = {"category": "textile", "fields": {"size": "M"}}
    assert [anon.post(URL, body, content_type="application/json").status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    assert "过于频繁" in anon.post(URL, body, content_type="application/json").json()["detail"]
    token = api_for("ent_yuese")
    assert all(token.post(URL, body, content_type="application/json").status_code == 200 for _ in range(5))


def test_categories_route():
    r = Client().get("/api/v1/labels/categories")
    cats = {c["category"]: c for c in r.json()}
    assert set(cats) == {"textile", "prepackaged_food"}
    assert [f["key"] for f in cats["prepackaged_food"]["fields"]][-1] == "nutrition"
    json.dumps(cats)
