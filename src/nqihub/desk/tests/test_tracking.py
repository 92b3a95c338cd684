"""Public request tracking (办件进度查询): the track code is given to the enterprise and the filer; anyone
holding number + code sees status and the public timeline — never internal events, notes, names or
contacts; a wrong number or wrong code is the same 404; look-ups are throttled per real client address."""

import re

import pytest
from django.test import Client, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from nqihub.accounts.models import User
from nqihub.desk import services
from nqihub.desk.models import TRACK_ALPHABET, ServiceRequest, new_track_code, normalise_track_code
from nqihub.directory.models import Enterprise

from .helpers import SHANYUAN, ids, post, shelf_life_request

pytestmark = pytest.mark.django_db

TRACK = "/api/v1/requests/track"


def _file(api_for) -> dict:
    r = post(
        api_for("ent_shanyuan"),
        "/api/v1/requests",
        shelf_life_request(contact_name="张三丰", contact_phone="13812345678"),
    )
    assert r.status_code == 201, r.content
    return r.json()


def _worked_on(req_id: int) -> ServiceRequest:
    """Accepted, an internal note, a public note, dispatched to an expert."""
    req = ServiceRequest.objects.get(pk=req_id)
    station = User.objects.get(username="station_lz")
    services.request_accept(request=req, by=station)
    services.note_add(request=req, text="内部：企业负责人难沟通", internal=True, by=station)
    services.note_add(request=req, text="已电话联系企业", internal=False, by=station)
    services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    return ServiceRequest.objects.get(pk=req_id)


def test_code_is_returned_on_filing_and_shown_to_the_enterprise(api_for, client_for):
    body = _file(api_for)
    code = body["track_code"]
    assert re.fullmatch(f"[{TRACK_ALPHABET}]{{8}}", code)
    assert api_for("ent_shanyuan").get(f"/api/v1/requests/{body['id']}").json()["track_code"] == code
    page = client_for("ent_shanyuan").get(f"/desk/requests/{body['id']}/")
    assert code in page.content.decode()


def test_expert_and_regulator_are_not_shown_the_code(api_for):
    body = _file(api_for)
    _worked_on(body["id"])
    expert = User.objects.get(pk=ServiceRequest.objects.get(pk=body["id"]).assignments.get().expert.user_id)
    seen = api_for(expert.username).get(f"/api/v1/requests/{body['id']}")
    assert seen.status_code == 200
    assert seen.json()["track_code"] is None


def test_anyone_with_number_and_code_sees_the_public_timeline_only(api_for):
    body = _file(api_for)
    req = _worked_on(body["id"])
    r = Client().get(TRACK, {"number": req.number, "code": req.track_code.lower()})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["status"] == "dispatched"
    assert [s["kind"] for s in data["timeline"]] == ["submitted", "accept", "dispatch"]
    text = r.content.decode()
    for secret in (
        "内部",
        "难沟通",
        "已电话联系",
        "张三丰",
        "13812345678",
        "138",
        "韦工",
        "善元",
        "station_lz",
    ):
        assert secret not in text
    assert "internal" not in text and "actor" not in text


def test_wrong_number_and_wrong_code_are_the_same_404(api_for):
    body = _file(api_for)
    req = ServiceRequest.objects.get(pk=body["id"])
    other = next(c for c in iter(new_track_code, None) if c != req.track_code)
    wrong_code = Client().get(TRACK, {"number": req.number, "code": other})
    wrong_number = Client().get(TRACK, {"number": "FW-1999-000001", "code": req.track_code})
    missing = Client().get(TRACK, {"number": req.number})
    assert wrong_code.status_code == wrong_number.status_code == missing.status_code == 404
    assert wrong_code.json() == wrong_number.json() == missing.json()


def test_overlong_input_is_422_not_500():
    r = Client().get(TRACK, {"number": "F" * 500, "code": "X"})
    assert r.status_code == 422


@override_settings(PROXY_HOPS=1, DESK_TRACK_LIMIT=3)
def test_lookups_are_throttled_per_real_client_address(api_for):
    body = _file(api_for)
    req = ServiceRequest.objects.get(pk=body["id"])

    def look(forwarded, code="AAAAAAAA"):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).get(
            TRACK, {"number": req.number, "code": code}
        )

    assert [look("203.0.113.7").status_code for _ in range(4)] == [404, 404, 404, 429]
    # Even the right code is refused to the enumerating client …
    assert look("203.0.113.7", req.track_code).status_code == 429
    # … but not to someone else behind the same proxy.
    assert look("198.51.100.5", req.track_code).status_code == 200


def test_public_page_shows_status_and_hides_internal(api_for):
    body = _file(api_for)
    req = _worked_on(body["id"])
    anon = Client()
    assert anon.get("/desk/track/").status_code == 200
    page = anon.get("/desk/track/", {"number": req.number, "code": req.track_code})
    html = page.content.decode()
    assert page.status_code == 200
    assert "已派单" in html and "内部" not in html and "张三丰" not in html
    wrong = anon.get("/desk/track/", {"number": req.number, "code": "22222222"})
    assert wrong.status_code == 404 and "未找到该需求" in wrong.content.decode()
    empty = anon.get("/desk/track/", {"number": req.number, "code": ""})
    assert empty.status_code == 400 and "请输入查询码" in empty.content.decode()


@override_settings(DESK_TRACK_LIMIT=1)
def test_public_page_is_throttled():
    anon = Client()
    assert anon.get("/desk/track/", {"number": "FW-2026-000001", "code": "22222222"}).status_code == 404
    r = anon.get("/desk/track/", {"number": "FW-2026-000001", "code": "22222222"})
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode()


def test_codes_are_unique_and_random():
    codes = {new_track_code() for _ in range(2000)}
    assert len(codes) == 2000


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=TRACK_ALPHABET + TRACK_ALPHABET.lower() + " -", max_size=20))
def test_normalising_is_idempotent_and_keeps_only_the_alphabet(raw):
    once = normalise_track_code(raw)
    assert normalise_track_code(once) == once
    assert set(once) <= set(TRACK_ALPHABET)


def test_new_requests_get_distinct_codes():
    user = User.objects.get(username="ent_shanyuan")
    ent = Enterprise.objects.get(name=SHANYUAN).pk
    data = shelf_life_request()
    made = [
        services.request_create(
            data=services.RequestData(
                enterprise_id=ent,
                categories=data["categories"],
                title=data["title"],
                description=data["description"],
            ),
            by=user,
        )
        for _ in range(3)
    ]
    assert len({r.track_code for r in made}) == 3


def test_migration_backfill_gives_every_existing_request_its_own_code(api_for):
    import importlib

    from django.apps import apps

    _file(api_for)
    _file(api_for)
    before = dict(ServiceRequest.objects.values_list("pk", "track_code"))
    migration = importlib.import_module("nqihub.desk.migrations.0004_servicerequest_track_code")
    migration.backfill(apps, None)
    after = dict(ServiceRequest.objects.values_list("pk", "track_code"))
    assert after.keys() == before.keys()
    assert len(set(after.values())) == len(after)
    assert all(re.fullmatch(f"[{TRACK_ALPHABET}]{{8}}", c) for c in after.values())
