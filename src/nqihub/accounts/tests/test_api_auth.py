"""The token endpoint: issue, use, expiry, wrong passwords, lock-out, second factor, audit."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from nqihub.accounts.models import ApiToken
from nqihub.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def _token(client, username, password, **extra):
    body = {"username": username, "password": password, **extra}
    return client.post(TOKEN_URL, json.dumps(body), content_type="application/json")


def test_token_is_issued_for_the_right_password_and_opens_the_api(demo_password):
    r = _token(Client(REMOTE_ADDR="10.9.8.7"), "reg_lz", demo_password)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "expires_at"} and len(body["token"]) >= 32
    api = Client(headers={"Authorization": f"Bearer {body['token']}"})
    assert api.get("/api/v1/regions/450200").status_code == 200
    # Only the hash is stored.
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()


def test_token_issue_is_audited_as_a_login(demo_password):
    _token(Client(REMOTE_ADDR="10.9.8.7"), "reg_lz", demo_password)
    issued = AuditEntry.objects.get(action="accounts.api_token.issued", actor_username="reg_lz")
    assert issued.ip == "10.9.8.7"
    assert "expires_at" in issued.data and "token" not in json.dumps(issued.data).replace("token_id", "")
    assert AuditEntry.objects.filter(action="accounts.login", actor_username="reg_lz").exists()


def test_wrong_password_is_401_in_chinese_and_audited():
    r = _token(Client(), "reg_lz", "wrong-Password1")
    assert r.status_code == 401
    assert r.json()["detail"] == "用户名或密码错误。"
    assert AuditEntry.objects.filter(action="accounts.login_failed", actor_username="reg_lz").exists()
    assert not AuditEntry.objects.filter(action="accounts.api_token.issued").exists()


def test_unknown_user_gets_the_same_answer_as_a_wrong_password():
    r = _token(Client(), "nobody-here", "wrong-Password1")
    assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误。"


def test_inactive_user_gets_no_token(demo_user, demo_password):
    user = demo_user("reg_lz")
    user.is_active = False
    user.save()
    assert _token(Client(), "reg_lz", demo_password).status_code == 401


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["username", "password"]),
        ({"username": "reg_lz"}, ["password"]),
        ({"username": "", "password": "x"}, ["username"]),
        ({"username": 5, "password": "x"}, ["username"]),
    ],
)
def test_malformed_token_request_is_422_naming_the_field(body, fields):
    r = Client().post(TOKEN_URL, json.dumps(body), content_type="application/json")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["detail"]] == fields


def test_five_failures_lock_the_account_even_for_the_right_password(demo_password):
    c = Client()
    answers = [_token(c, "ent_yuese", "wrong-Password1").status_code for _ in range(5)]
    assert answers[:4] == [401] * 4
    r = _token(Client(), "ent_yuese", demo_password)
    assert r.status_code == 429
    assert r["Content-Type"].startswith("application/json")
    assert "锁定" in r.json()["detail"]
    assert not AuditEntry.objects.filter(
        action="accounts.api_token.issued", actor_username="ent_yuese"
    ).exists()
    # Another account is not affected.
    assert _token(Client(), "ent_hanxi", demo_password).status_code == 200


def test_lock_out_ends_after_the_cool_off(demo_password):
    for _ in range(5):
        _token(Client(), "ent_yuese", "wrong-Password1")
    assert _token(Client(), "ent_yuese", demo_password).status_code == 429
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        assert _token(Client(), "ent_yuese", demo_password).status_code == 200


def test_web_and_api_failures_count_together(demo_password):
    from django.urls import reverse

    for _ in range(3):
        Client().post(reverse("accounts:login"), {"username": "ent_hanxi", "password": "wrong-Password1"})
    for _ in range(2):
        _token(Client(), "ent_hanxi", "wrong-Password1")
    assert _token(Client(), "ent_hanxi", demo_password).status_code == 429


def test_a_successful_token_resets_the_failure_count(demo_password):
    for _ in range(4):
        _token(Client(), "ent_hanxi", "wrong-Password1")
    assert _token(Client(), "ent_hanxi", demo_password).status_code == 200
    for _ in range(4):
        _token(Client(), "ent_hanxi", "wrong-Password1")
    assert _token(Client(), "ent_hanxi", demo_password).status_code == 200


def test_tokens_expire(settings, demo_password):
    settings.API_TOKEN_TTL_HOURS = 2
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        body = _token(Client(), "reg_lz", demo_password).json()
        assert dt.datetime.fromisoformat(body["expires_at"]) == start + dt.timedelta(hours=2)
    api = Client(headers={"Authorization": f"Bearer {body['token']}"})
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=59)):
        assert api.get("/api/v1/regions/450200").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=2, minutes=1)):
        r = api.get("/api/v1/regions/450200")
        assert r.status_code == 401
        assert "令牌" in r.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Bearer nope"}, {"Authorization": "Token abc"}],
)
def test_requests_without_a_valid_token_are_401(headers):
    for url in ("/api/v1/enterprises", "/api/v1/enterprises/1", "/api/v1/capabilities/match?parameter=甲醛"):
        r = Client(headers=headers).get(url)
        assert r.status_code == 401, (headers, url)
        assert r.json()["detail"]


def test_a_web_session_is_not_an_api_credential(client_for):
    assert client_for("reg_lz").get("/api/v1/enterprises").status_code == 401


def test_token_of_a_deactivated_user_stops_working(api_for, demo_user):
    api = api_for("reg_lz")
    assert api.get("/api/v1/regions/450200").status_code == 200
    user = demo_user("reg_lz")
    user.is_active = False
    user.save()
    assert api.get("/api/v1/regions/450200").status_code == 401


# --- second factor -----------------------------------------------------------------------------------


def _totp_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def _current_code(device) -> str:
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def test_user_with_a_second_factor_needs_the_code(demo_user, demo_password):
    device = _totp_device(demo_user("reg_gx"))
    r = _token(Client(), "reg_gx", demo_password)
    assert r.status_code == 401 and r.json()["field"] == "otp"
    r = _token(
        Client(), "reg_gx", demo_password, otp="000000" if _current_code(device) != "000000" else "111111"
    )
    assert r.status_code == 401 and r.json()["field"] == "otp"
    # django-otp throttles a device for a moment after a wrong code.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)):
        assert _token(Client(), "reg_gx", demo_password, otp=_current_code(device)).status_code == 200


def test_wrong_second_factor_codes_count_toward_the_lock_out(demo_user, demo_password):
    _totp_device(demo_user("reg_gx"))
    answers = [_token(Client(), "reg_gx", demo_password, otp="12345x").status_code for _ in range(5)]
    assert answers[:4] == [401] * 4 and answers[4] == 429
    assert _token(Client(), "reg_gx", demo_password).status_code == 429
