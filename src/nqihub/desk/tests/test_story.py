"""The Liuzhou story end to end through the API: 善元食品 asks for help with shelf life → the 螺蛳粉
station → an expert (韦工) and the food lab → resolved with cost saved → rated."""

import pytest

from nqihub.core.models import AuditEntry
from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import Expert

from .helpers import STATION_LZ, ids, post, shelf_life_request

pytestmark = pytest.mark.django_db


def test_liuzhou_story_end_to_end(api_for):
    ent, station, expert, lab, reg = (
        api_for(u) for u in ("ent_shanyuan", "station_lz", "expert_lz", "lab_lz", "reg_lz")
    )
    known = ids()
    workload_before = Expert.objects.get(pk=known["wei"]).open_workload

    # Given 善元食品 files its problem (no enterprise_id needed: the user has one enterprise)
    r = post(ent, "/api/v1/requests", shelf_life_request())
    assert r.status_code == 201, r.content
    body = r.json()
    rid = body["id"]
    assert body["status"] == "submitted"
    assert body["number"].startswith("FW-20")
    assert body["station"]["name"] == STATION_LZ
    assert body["routing_reason"].startswith("按服务区域分派至" + STATION_LZ)
    assert set(body["due"]) == {"accept_by", "respond_by", "resolve_by"}
    assert body["enterprise"]["id"] == known["shanyuan"]

    # The station sees it, accepts it and gets suggestions: 韦工 and the food lab
    assert any(row["id"] == rid for row in station.get("/api/v1/requests").json()["items"])
    assert post(station, f"/api/v1/requests/{rid}/accept").json()["status"] == "accepted"
    sug = station.get(f"/api/v1/requests/{rid}/suggestions").json()
    assert sug["experts"][0]["name"] == "韦工（示例）"
    assert sug["experts"][0]["reasons"]
    assert "菌落总数" in sug["parameters"]
    assert any(i["assignee_id"] == known["lab"] for i in sug["institutions"])

    # Dispatch to the expert and the lab
    r = post(
        station,
        f"/api/v1/requests/{rid}/dispatch",
        {
            "assignments": [
                {"assignee_type": "expert", "assignee_id": known["wei"], "note": "指导杀菌工艺"},
                {
                    "assignee_type": "institution",
                    "assignee_id": known["lab"],
                    "note": "检测菌落总数、霉菌和酵母",
                },
            ]
        },
    )
    assert r.status_code == 200, r.content
    detail = r.json()
    assert detail["status"] == "dispatched"
    by_type = {a["assignee_type"]: a for a in detail["assignments"]}
    assert by_type["expert"]["assignee"]["id"] == known["wei"]
    assert by_type["expert"]["status"] == "offered"
    assert Expert.objects.get(pk=known["wei"]).open_workload == workload_before + 1

    # Both accept; the request is in progress; both complete
    r = post(expert, f"/api/v1/assignments/{by_type['expert']['id']}/accept")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
    assert post(lab, f"/api/v1/assignments/{by_type['institution']['id']}/accept").status_code == 200
    assert ent.get(f"/api/v1/requests/{rid}").json()["status"] == "in_progress"
    # the expert sees the request assigned to them; an internal note is hidden from the enterprise and the expert
    assert expert.get(f"/api/v1/requests/{rid}").status_code == 200
    post(station, f"/api/v1/requests/{rid}/notes", {"text": "内部：企业杀菌釜温控记录不全", "internal": True})
    post(expert, f"/api/v1/requests/{rid}/notes", {"text": "建议杀菌温度提高至121℃并延长保温时间"})
    assert [n["text"] for n in ent.get(f"/api/v1/requests/{rid}").json()["notes"]] == [
        "建议杀菌温度提高至121℃并延长保温时间"
    ]
    assert len(expert.get(f"/api/v1/requests/{rid}").json()["notes"]) == 1
    assert len(station.get(f"/api/v1/requests/{rid}").json()["notes"]) == 2
    post(
        lab,
        f"/api/v1/requests/{rid}/links",
        {"kind": "test_order", "ref": "JC-2026-0001", "title": "菌落总数检测"},
    )
    assert (
        post(
            expert,
            f"/api/v1/assignments/{by_type['expert']['id']}/complete",
            {"result": "已指导改进杀菌工艺"},
        ).status_code
        == 200
    )
    assert (
        post(
            lab, f"/api/v1/assignments/{by_type['institution']['id']}/complete", {"result": "检测合格"}
        ).status_code
        == 200
    )
    assert Expert.objects.get(pk=known["wei"]).open_workload == workload_before

    # The station resolves with the outcome; amounts in yuan
    r = post(
        station,
        f"/api/v1/requests/{rid}/resolve",
        {
            "outcome": "solved",
            "technical_problem": True,
            "cost_saved": 120000,
            "loss_avoided": 300000.5,
            "summary": "改进杀菌工艺，保质期由2个月延长至6个月",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "resolved"
    assert r.json()["resolution"]["cost_saved"] == 120000.0

    # The enterprise rates it
    r = post(ent, f"/api/v1/requests/{rid}/rate", {"score": 5, "comment": "非常满意"})
    assert r.status_code == 200, r.content
    detail = r.json()
    assert detail["status"] == "rated"
    assert detail["rating"]["score"] == 5
    assert detail["rectification"] is None

    # And the station closes it; the regulator of Liuzhou sees the whole story
    assert post(station, f"/api/v1/requests/{rid}/close").json()["status"] == "closed"
    seen = reg.get(f"/api/v1/requests/{rid}").json()
    kinds = [e["kind"] for e in seen["timeline"]]
    for kind in (
        "submitted",
        "routed",
        "accept",
        "dispatch",
        "start",
        "assignment_accepted",
        "note_added",
        "assignment_completed",
        "resolve",
        "rate",
        "close",
    ):
        assert kind in kinds
    req = ServiceRequest.objects.get(pk=rid)
    assert str(req.cost_saved) == "120000.00"
    assert str(req.loss_avoided) == "300000.50"
    assert AuditEntry.objects.filter(
        object_type="desk.servicerequest", object_id=str(rid), action="desk.request.dispatch"
    ).exists()
