"""The issue's acceptance criteria."""

import json

from nqihub.cases.suggest import suggest

SHELF_LIFE = "我们的预包装螺蛳粉保质期太短，放一个月就胀袋，怎么延长保质期？"


def test_shelf_life_text_suggests_liuzhou_case_and_expert_first(db, demo_user):
    result = suggest(SHELF_LIFE, fetched_by=demo_user("ent_shanyuan"))
    assert result["cases"][0]["title"] == "预包装柳州螺蛳粉保质期由10天延长到6个月"
    assert "保质期" in result["cases"][0]["matched_terms"]
    assert "螺蛳粉" in result["cases"][0]["matched_terms"]
    assert result["experts"][0]["name"] == "韦工（示例）"
    assert "保质期" in result["experts"][0]["matched_terms"]


def test_shelf_life_suggestion_through_the_api(api_for):
    r = api_for("station_lz").post(
        "/api/v1/suggest", json.dumps({"text": SHELF_LIFE}), content_type="application/json"
    )
    assert r.status_code == 200
    body = r.json()
    assert body["cases"][0]["title"].startswith("预包装柳州螺蛳粉")
    assert body["experts"][0]["name"] == "韦工（示例）"
    assert body["cases"][0]["matched_terms"]


def test_suggest_requires_auth(client):
    r = client.post("/api/v1/suggest", json.dumps({"text": SHELF_LIFE}), content_type="application/json")
    assert r.status_code == 401


def test_suggest_empty_text_is_422_naming_text(api_for):
    r = api_for("station_lz").post(
        "/api/v1/suggest", json.dumps({"text": "  "}), content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "text"


def test_textile_and_graphene_texts_find_their_cases(db):
    assert "家纺" in suggest("家纺床上用品标识标签不合格")["cases"][0]["title"]
    graphene = suggest("石墨烯导热膜没有标准，良品率低")
    assert "石墨烯" in graphene["cases"][0]["title"]
    assert graphene["experts"][0]["name"] == "陈工（示例）"
