"""Dispatch suggestions use the request's product and industry, not only the parameters named in the text
(issue 16 item 8): a 螺蛳粉 shelf-life request that names no test still suggests the Liuzhou food lab."""

import pytest

from nqihub.desk.selectors import industry_products

from .helpers import ids, post, shelf_life_request

pytestmark = pytest.mark.django_db


def _suggestions(api_for, **overrides):
    ent, station = api_for("ent_shanyuan"), api_for("station_lz")
    r = post(ent, "/api/v1/requests", shelf_life_request(**overrides))
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert post(station, f"/api/v1/requests/{rid}/accept").status_code == 200
    return station.get(f"/api/v1/requests/{rid}/suggestions").json()


def test_a_shelf_life_request_naming_no_test_suggests_the_lab_of_the_product(api_for):
    sug = _suggestions(api_for, description="预包装螺蛳粉常温存放两个月后胀袋，想延长保质期，请帮忙。")
    assert sug["parameters"] == []
    lab = next(i for i in sug["institutions"] if i["assignee_id"] == ids()["lab"])
    assert any("能力范围覆盖产品" in reason and "米粉制品" in reason for reason in lab["reasons"])


def test_the_industry_alone_points_to_food_labs(api_for):
    sug = _suggestions(api_for, product="", title="想延长保质期", description="产品常温存放后胀袋，请帮忙。")
    assert sug["parameters"] == []
    assert any(i["assignee_id"] == ids()["lab"] for i in sug["institutions"])


def test_industry_products_follow_the_industry_tree():
    assert "食品" in industry_products("1431")  # 1431 米、面制品制造 → 14 食品制造业
    assert industry_products("") == []
    assert industry_products("9999") == []


def test_parameters_named_in_the_text_still_rank_first(api_for):
    sug = _suggestions(api_for)
    assert "菌落总数" in sug["parameters"]
    first = sug["institutions"][0]
    assert first["assignee_id"] == ids()["lab"]
    assert any("检测项目" in reason for reason in first["reasons"])
