"""Desk API: outsiders get 404 on every route, illegal transitions 409, bad input 422 naming the field,
Idempotency-Key retries, attachments checked for size and type, intake on behalf of an enterprise."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from nqihub.accounts.models import User
from nqihub.desk import services
from nqihub.desk.models import Assignment, Attachment, IdempotencyRecord, ServiceRequest
from nqihub.directory.models import Enterprise

from .helpers import HANXI, SHANYUAN, ids, post, shelf_life_data, shelf_life_request

pytestmark = pytest.mark.django_db


def _file_request(username="ent_shanyuan", enterprise=SHANYUAN, **overrides) -> ServiceRequest:
    return services.request_create(
        data=shelf_life_data(enterprise, **overrides), by=User.objects.get(username=username)
    )


def _dispatched(with_expert=True) -> tuple[ServiceRequest, Assignment]:
    req = _file_request()
    station = User.objects.get(username="station_lz")
    services.request_accept(request=req, by=station)
    known = ids()
    spec = (
        services.AssigneeSpec("expert", known["wei"])
        if with_expert
        else services.AssigneeSpec("institution", known["lab"])
    )
    (a,) = services.request_dispatch(request=req, assignees=[spec], by=station)
    return ServiceRequest.objects.get(pk=req.pk), a


# --- outsiders ---------------------------------------------------------------------------------------

REQUEST_ROUTES = [
    ("get", ""),
    ("get", "/suggestions"),
    ("post", "/accept"),
    ("post", "/reject"),
    ("post", "/reroute"),
    ("post", "/dispatch"),
    ("post", "/resolve"),
    ("post", "/rate"),
    ("post", "/withdraw"),
    ("post", "/close"),
    ("post", "/notes"),
    ("post", "/links"),
    ("post", "/attachments"),
    ("post", "/rectification/respond"),
    ("post", "/rectification/callback"),
]
BODIES = {
    "/reject": {"reason": "x"},
    "/reroute": {"reason": "x"},
    "/withdraw": {"reason": "x"},
    "/dispatch": {"assignments": [{"assignee_type": "expert", "assignee_id": 1}]},
    "/resolve": {"outcome": "solved", "summary": "x"},
    "/rate": {"score": 5},
    "/notes": {"text": "x"},
    "/links": {"kind": "other", "ref": "x"},
    "/rectification/respond": {"response": "x"},
    "/rectification/callback": {"note": "x"},
}


@pytest.mark.parametrize("outsider", ["ent_yuese", "ent_hanxi", "station_wh"])
@pytest.mark.parametrize(("method", "suffix"), REQUEST_ROUTES)
def test_outsider_gets_404_on_every_request_route(api_for, outsider, method, suffix):
    req = _file_request()
    client = api_for(outsider)
    url = f"/api/v1/requests/{req.pk}{suffix}"
    if method == "get":
        r = client.get(url)
    elif suffix == "/attachments":
        r = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")})
    else:
        r = post(client, url, BODIES.get(suffix, {}))
    assert r.status_code == 404, (suffix, r.content)
    assert ServiceRequest.objects.get(pk=req.pk).status == "submitted"


@pytest.mark.parametrize("outsider", ["ent_yuese", "station_wh", "reg_lz"])
def test_outsider_lists_and_details_leak_nothing(api_for, outsider):
    # a Wuhan request: reg_lz (Liuzhou) must not see it, station_wh does
    wuhan = _file_request("ent_hanxi", HANXI, industry="3985", product="导热石墨烯膜")
    liuzhou = _file_request()
    client = api_for(outsider)
    listed = {row["id"] for row in client.get("/api/v1/requests").json()["items"]}
    assert (liuzhou.pk in listed) == (outsider == "reg_lz")
    if outsider == "station_wh":
        assert wuhan.pk in listed
    else:
        assert wuhan.pk not in listed
        assert client.get(f"/api/v1/requests/{wuhan.pk}").status_code == 404


@pytest.mark.parametrize("outsider", ["ent_yuese", "station_wh", "ent_shanyuan", "reg_gx"])
@pytest.mark.parametrize("action", ["accept", "decline", "complete", "reassign"])
def test_assignment_routes_refuse_others(api_for, outsider, action):
    _req, a = _dispatched()
    body = {"reason": "x", "assignee_type": "institution", "assignee_id": ids()["lab"]}
    r = post(api_for(outsider), f"/api/v1/assignments/{a.pk}/{action}", body)
    # outside scope → 404; in scope (the enterprise, the regulator) but not the assignee/station → 403
    expected = 404 if outsider in ("ent_yuese", "station_wh") else 403
    assert r.status_code == expected, r.content
    assert Assignment.objects.get(pk=a.pk).status == "offered"


def test_regulators_see_their_subtree(api_for):
    req = _file_request()
    for user in ("reg_lz", "reg_gx", "reg_national"):
        assert api_for(user).get(f"/api/v1/requests/{req.pk}").status_code == 200
    assert req.pk in {
        r["id"] for r in api_for("reg_lz").get("/api/v1/requests?region=450204").json()["items"]
    }


def test_list_filters_are_validated(api_for):
    r = api_for("reg_lz").get("/api/v1/requests?status=nonsense&category=x")
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["detail"]} == {"status", "category"}


def test_other_experts_cannot_act_and_the_expert_sees_only_their_requests(api_for):
    _req, a = _dispatched(with_expert=False)
    assert api_for("expert_lz").get(f"/api/v1/requests/{a.request_id}").status_code == 404
    assert post(api_for("expert_lz"), f"/api/v1/assignments/{a.pk}/accept").status_code == 404


# --- intake ------------------------------------------------------------------------------------------


def test_create_validates_fields(api_for):
    r = post(
        api_for("ent_shanyuan"),
        "/api/v1/requests",
        shelf_life_request(categories=["magic"], industry="9999", title=""),
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["detail"]} >= {"categories", "industry", "title"}
    r = post(api_for("ent_shanyuan"), "/api/v1/requests", {"title": "x"})
    assert r.status_code == 422


def test_enterprise_cannot_file_for_another_enterprise(api_for):
    hanxi = Enterprise.objects.get(name=HANXI).pk
    r = post(api_for("ent_shanyuan"), "/api/v1/requests", shelf_life_request(enterprise_id=hanxi))
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "enterprise_id"


def test_station_files_on_behalf_of_a_walk_in_enterprise(api_for):
    shanyuan = Enterprise.objects.get(name=SHANYUAN).pk
    r = post(
        api_for("station_lz"), "/api/v1/requests", shelf_life_request(enterprise_id=shanyuan, channel="visit")
    )
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "visit"
    r = post(api_for("station_lz"), "/api/v1/requests", shelf_life_request(enterprise_id=shanyuan))
    assert r.json()["channel"] == "walk_in"
    # outside its service area: refused
    hanxi = Enterprise.objects.get(name=HANXI).pk
    r = post(api_for("station_lz"), "/api/v1/requests", shelf_life_request(enterprise_id=hanxi))
    assert r.status_code == 422
    # the enterprise sees what the station filed for it
    assert api_for("ent_shanyuan").get("/api/v1/requests").json()["count"] >= 2


def test_no_station_goes_to_the_city_platform(api_for):
    r = post(
        api_for("ent_yuese"), "/api/v1/requests", shelf_life_request(industry="1771", product="床上用品")
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["station"] is None
    assert body["routing_level"] == "city"
    assert body["handling_region"] == "320600"
    assert "市级平台" in body["routing_reason"]


def test_station_reroutes_with_a_reason(api_for):
    req = _file_request()
    r = post(api_for("station_lz"), f"/api/v1/requests/{req.pk}/reroute", {"reason": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = post(api_for("station_lz"), f"/api/v1/requests/{req.pk}/reroute", {"reason": "需市级平台协调"})
    assert r.status_code == 200, r.content
    assert r.json()["station"] is None and r.json()["handling_region"] == "450200"
    # the station no longer sees it; the Liuzhou regulator (the city platform) now handles it
    assert api_for("station_lz").get(f"/api/v1/requests/{req.pk}").status_code == 404
    assert post(api_for("reg_lz"), f"/api/v1/requests/{req.pk}/accept").json()["status"] == "accepted"


# --- illegal transitions -----------------------------------------------------------------------------

ACTIONS = {
    "accept": ("station_lz", {}),
    "reject": ("station_lz", {"reason": "不属于服务范围"}),
    "dispatch": ("station_lz", None),
    "resolve": ("station_lz", {"outcome": "solved", "summary": "已解决"}),
    "rate": ("ent_shanyuan", {"score": 4}),
    "withdraw": ("ent_shanyuan", {"reason": "已自行解决"}),
    "close": ("station_lz", {}),
}
LEGAL = {
    "submitted": {"accept", "reject", "withdraw"},
    "accepted": {"reject", "dispatch", "withdraw"},
    "dispatched": {"dispatch", "withdraw"},
    "resolved": {"rate"},
    "rated": {"close"},
    "closed": set(),
    "withdrawn": set(),
    "rejected": set(),
}


def _bring_to(status: str) -> ServiceRequest:
    req = _file_request()
    station = User.objects.get(username="station_lz")
    ent = User.objects.get(username="ent_shanyuan")
    if status == "withdrawn":
        services.request_withdraw(request=req, reason="x", by=ent)
    if status == "rejected":
        services.request_reject(request=req, reason="x", by=station)
    if status in ("accepted", "dispatched", "resolved", "rated", "closed"):
        services.request_accept(request=req, by=station)
    if status in ("dispatched", "resolved", "rated", "closed"):
        (a,) = services.request_dispatch(
            request=req, assignees=[services.AssigneeSpec("institution", ids()["lab"])], by=station
        )
    if status in ("resolved", "rated", "closed"):
        lab = User.objects.get(username="lab_lz")
        services.assignment_accept(assignment=a, by=lab)
        services.assignment_complete(assignment=a, by=lab, result="检测完成（示例）")
        services.request_resolve(
            request=req, resolution=services.Resolution(outcome="solved", summary="x"), by=station
        )
    if status in ("rated", "closed"):
        services.request_rate(request=req, score=5, by=ent)
    if status == "closed":
        services.request_close(request=req, by=station)
    req.refresh_from_db()
    assert req.status == status
    return req


@pytest.mark.parametrize("status", list(LEGAL))
def test_every_illegal_transition_is_409(api_for, status):
    req = _bring_to(status)
    for action, (user, body) in ACTIONS.items():
        if action in LEGAL[status]:
            continue
        if body is None:
            body = {"assignments": [{"assignee_type": "expert", "assignee_id": ids()["wei"]}]}
        r = post(api_for(user), f"/api/v1/requests/{req.pk}/{action}", body)
        assert r.status_code == 409, (status, action, r.content)
        assert "不能" in r.json()["detail"]
        assert ServiceRequest.objects.get(pk=req.pk).status == status


def test_assignment_illegal_transitions_are_409(api_for):
    _req, a = _dispatched()
    expert = api_for("expert_lz")
    assert post(expert, f"/api/v1/assignments/{a.pk}/complete").status_code == 409
    assert post(expert, f"/api/v1/assignments/{a.pk}/accept").status_code == 200
    r = post(expert, f"/api/v1/assignments/{a.pk}/accept")
    assert r.status_code == 409 and "不能接单" in r.json()["detail"]
    assert post(expert, f"/api/v1/assignments/{a.pk}/decline", {"reason": "忙"}).status_code == 409


def test_resolve_refuses_negative_money(api_for):
    req, a = _dispatched()
    services.assignment_accept(assignment=a, by=User.objects.get(username="expert_lz"))
    services.assignment_complete(
        assignment=a, by=User.objects.get(username="expert_lz"), result="已指导（示例）"
    )
    r = post(
        api_for("station_lz"),
        f"/api/v1/requests/{req.pk}/resolve",
        {"outcome": "solved", "summary": "x", "cost_saved": -1, "loss_avoided": "1.234"},
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["detail"]} == {"cost_saved", "loss_avoided"}
    assert ServiceRequest.objects.get(pk=req.pk).status == "in_progress"


def test_decline_then_reassign(api_for):
    req, a = _dispatched()
    r = post(api_for("expert_lz"), f"/api/v1/assignments/{a.pk}/decline", {"reason": "出差"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    r = post(
        api_for("station_lz"),
        f"/api/v1/assignments/{a.pk}/reassign",
        {"assignee_type": "institution", "assignee_id": ids()["lab"], "reason": "专家出差"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["assignee"]["id"] == ids()["lab"]
    assert "assignment_reassigned" in [
        e["kind"] for e in api_for("station_lz").get(f"/api/v1/requests/{req.pk}").json()["timeline"]
    ]


def test_stale_object_cannot_corrupt_the_request():
    """Two people acting at once: the second works on a stale copy, the state is re-checked in the lock."""
    req = _file_request()
    stale = ServiceRequest.objects.get(pk=req.pk)
    station = User.objects.get(username="station_lz")
    services.request_accept(request=req, by=station)
    with pytest.raises(services.states.IllegalTransition):
        services.request_accept(request=stale, by=station)
    services.request_withdraw(request=stale, reason="x", by=User.objects.get(username="ent_shanyuan"))
    with pytest.raises(services.states.IllegalTransition):
        services.request_dispatch(
            request=stale, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
        )
    assert ServiceRequest.objects.get(pk=req.pk).status == "withdrawn"


# --- idempotency -------------------------------------------------------------------------------------


def test_idempotency_key_retry_returns_the_first_result(api_for):
    client = api_for("ent_shanyuan")
    before = ServiceRequest.objects.count()
    first = post(client, "/api/v1/requests", shelf_life_request(), **{"Idempotency-Key": "abc-123"})
    again = post(client, "/api/v1/requests", shelf_life_request(), **{"Idempotency-Key": "abc-123"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["number"] == again.json()["number"]
    assert ServiceRequest.objects.count() == before + 1
    # another key → another request; the same key on another route is independent
    other = post(client, "/api/v1/requests", shelf_life_request(), **{"Idempotency-Key": "abc-456"})
    assert other.json()["id"] != first.json()["id"]
    rid = first.json()["id"]
    r1 = post(client, f"/api/v1/requests/{rid}/notes", {"text": "补充"}, **{"Idempotency-Key": "abc-123"})
    r2 = post(client, f"/api/v1/requests/{rid}/notes", {"text": "补充"}, **{"Idempotency-Key": "abc-123"})
    assert r1.status_code == r2.status_code == 200
    assert len(r2.json()["notes"]) == 1
    assert IdempotencyRecord.objects.count() == 3


def test_idempotency_is_per_user(api_for):
    a = post(api_for("ent_shanyuan"), "/api/v1/requests", shelf_life_request(), **{"Idempotency-Key": "k"})
    b = post(
        api_for("ent_hanxi"),
        "/api/v1/requests",
        shelf_life_request(industry="3985"),
        **{"Idempotency-Key": "k"},
    )
    assert a.json()["id"] != b.json()["id"]


# --- attachments -------------------------------------------------------------------------------------


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return buf.getvalue()


@override_settings(MEDIA_ROOT="/tmp/nqihub-desk-test-media")
def test_attachments_accepted_and_hidden_when_internal(api_for):
    req = _file_request()
    ent = api_for("ent_shanyuan")
    r = ent.post(
        f"/api/v1/requests/{req.pk}/attachments",
        {"file": SimpleUploadedFile("检测报告.pdf", b"%PDF-1.7\n...")},
    )
    assert r.status_code == 200, r.content
    assert [a["name"] for a in r.json()["attachments"]] == ["检测报告.pdf"]
    r = api_for("station_lz").post(
        f"/api/v1/requests/{req.pk}/attachments",
        {"file": SimpleUploadedFile("工艺.docx", _docx()), "internal": "true"},
    )
    assert r.status_code == 200, r.content
    assert len(r.json()["attachments"]) == 2
    assert len(ent.get(f"/api/v1/requests/{req.pk}").json()["attachments"]) == 1
    att = Attachment.objects.get(request=req, name="检测报告.pdf")
    download = ent.get(f"/api/v1/requests/{req.pk}/attachments/{att.pk}")
    assert download.status_code == 200
    internal = Attachment.objects.get(request=req, internal=True)
    assert ent.get(f"/api/v1/requests/{req.pk}/attachments/{internal.pk}").status_code == 404


@override_settings(MEDIA_ROOT="/tmp/nqihub-desk-test-media")
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名"),
        ("fake.docx", b"PK\x03\x04garbage", "内容与扩展名"),
        ("photo.png", b"\xff\xd8\xff\xe0 jpeg", "内容与扩展名"),
        ("noext", b"%PDF-1.4", "不支持的文件类型"),
    ],
)
def test_attachment_bad_type_is_refused(api_for, name, content, message):
    req = _file_request()
    r = api_for("ent_shanyuan").post(
        f"/api/v1/requests/{req.pk}/attachments", {"file": SimpleUploadedFile(name, content)}
    )
    assert r.status_code == 422, r.content
    assert r.json()["detail"][0]["field"] == "file"
    assert message in r.json()["detail"][0]["message"]
    assert not Attachment.objects.filter(request=req).exists()


@override_settings(MEDIA_ROOT="/tmp/nqihub-desk-test-media", DESK_ATTACHMENT_MAX_BYTES=1024)
def test_attachment_too_large_is_refused(api_for):
    req = _file_request()
    r = api_for("ent_shanyuan").post(
        f"/api/v1/requests/{req.pk}/attachments",
        {"file": SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * 2048)},
    )
    assert r.status_code == 422
    assert "超过" in r.json()["detail"][0]["message"]
    assert not Attachment.objects.filter(request=req).exists()


def test_completing_an_assignment_without_a_result_is_a_422_naming_it_and_changes_nothing(api_for):
    _req, a = _dispatched()
    expert = api_for("expert_lz")
    assert post(expert, f"/api/v1/assignments/{a.pk}/accept").status_code == 200
    url = f"/api/v1/assignments/{a.pk}/complete"
    for r in (post(expert, url, {}), post(expert, url, {"result": "   "})):
        assert r.status_code == 422, r.content
        assert "办理结果" in r.content.decode()
        assert Assignment.objects.get(pk=a.pk).status == "accepted"
    r = post(expert, f"/api/v1/assignments/{a.pk}/complete", {"result": "已指导调整杀菌工艺"})
    assert r.status_code == 200 and Assignment.objects.get(pk=a.pk).result == "已指导调整杀菌工艺"
