"""Second factor (TOTP) for regulators and administrators: binding, the two-step sign-in, lock-out, API."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from nqihub.accounts.models import User
from nqihub.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def _bound(username: str) -> TOTPDevice:
    return TOTPDevice.objects.create(user=User.objects.get(username=username), name="default", confirmed=True)


def _login(client, username, password, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


@override_settings(REQUIRE_SECOND_FACTOR=True)
def test_a_regulator_without_a_device_must_bind_one_before_anything_else(demo_password):
    c = Client()
    response = _login(c, "reg_lz", demo_password)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp-setup"))
    # Every page sends them back to binding.
    page = c.get(reverse("desk:request-list"))
    assert page.status_code == 302 and reverse("accounts:otp-setup") in page["Location"]
    setup = c.get(reverse("accounts:otp-setup"))
    assert setup.status_code == 200
    assert "<svg" in setup.content.decode() and "密钥" in setup.content.decode()
    device = TOTPDevice.objects.get(user__username="reg_lz", confirmed=False)
    wrong = c.post(
        reverse("accounts:otp-setup"), {"code": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "动态口令不正确" in wrong.content.decode()
    # A failure makes the device wait a moment (django-otp's throttling): said plainly, then it works.
    device.refresh_from_db()
    at_once = c.post(reverse("accounts:otp-setup"), {"code": _code(device)})
    assert at_once.status_code == 200 and "稍候" in at_once.content.decode()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5), tick=False):
        done = c.post(reverse("accounts:otp-setup"), {"code": _code(device), "next": "/desk/"})
    assert done.status_code == 302 and done["Location"] == "/desk/"
    device.refresh_from_db()
    assert device.confirmed
    assert c.get(reverse("desk:request-list")).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.second_factor.bound", actor_username="reg_lz").exists()


@override_settings(REQUIRE_SECOND_FACTOR=True)
def test_an_enterprise_user_is_not_asked_for_a_second_factor(demo_password):
    c = Client()
    response = _login(c, "ent_yuese", demo_password)
    assert response.status_code == 302 and "otp" not in response["Location"]
    assert c.get(reverse("desk:request-list")).status_code == 200


@override_settings(REQUIRE_SECOND_FACTOR=False)
def test_with_the_policy_off_a_regulator_signs_in_with_the_password(demo_password):
    c = Client()
    assert "otp" not in _login(c, "reg_lz", demo_password)["Location"]
    assert c.get(reverse("desk:request-list")).status_code == 200


def test_whoever_has_a_device_signs_in_in_two_steps(demo_password):
    device = _bound("reg_gx")
    c = Client()
    response = _login(c, "reg_gx", demo_password, next_url="/desk/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp-verify"))
    # Not signed in yet: the password alone opens nothing.
    assert "_auth_user_id" not in c.session
    assert c.get(reverse("desk:request-list")).status_code == 302
    ok = c.post(reverse("accounts:otp-verify"), {"code": _code(device), "next": "/desk/"})
    assert ok.status_code == 302 and ok["Location"] == "/desk/"
    assert c.get(reverse("desk:request-list")).status_code == 200


def test_a_code_is_good_once(demo_password):
    device = _bound("reg_gx")
    code = _code(device)
    c = Client()
    _login(c, "reg_gx", demo_password)
    assert c.post(reverse("accounts:otp-verify"), {"code": code}).status_code == 302
    c2 = Client()
    _login(c2, "reg_gx", demo_password)
    again = c2.post(reverse("accounts:otp-verify"), {"code": code})
    assert again.status_code == 200 and "_auth_user_id" not in c2.session


@pytest.mark.parametrize("bad", ["", "12345", "abcdef", "1234567"])
def test_a_malformed_code_gets_a_specific_error(demo_password, bad):
    _bound("reg_gx")
    c = Client()
    _login(c, "reg_gx", demo_password)
    response = c.post(reverse("accounts:otp-verify"), {"code": bad})
    assert response.status_code == 200
    assert "6 位数字" in response.content.decode()
    assert "_auth_user_id" not in c.session


def test_five_wrong_codes_lock_the_account(demo_password):
    device = _bound("reg_gx")
    good = _code(device)
    wrong = "000000" if good != "000000" else "111111"
    c = Client()
    _login(c, "reg_gx", demo_password)
    statuses = [c.post(reverse("accounts:otp-verify"), {"code": wrong}).status_code for _ in range(5)]
    assert statuses[-1] in (403, 429)
    # Locked: even the right password (and later code) no longer gets through.
    c2 = Client()
    assert _login(c2, "reg_gx", demo_password).status_code in (403, 429)
    assert AuditEntry.objects.filter(action="accounts.login_failed", actor_username="reg_gx").count() >= 5


def test_the_second_step_without_a_first_goes_back_to_the_password():
    response = Client().get(reverse("accounts:otp-verify"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_a_session_signed_in_without_the_code_is_asked_for_it(client_for):
    _bound("reg_lz")
    c = client_for("reg_lz")  # e.g. a session from before the device was bound
    response = c.get(reverse("desk:request-list"))
    assert response.status_code == 302 and reverse("accounts:otp-verify") in response["Location"]


@override_settings(REQUIRE_SECOND_FACTOR=True)
def test_the_api_gives_no_token_to_a_regulator_without_a_device(demo_password):
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "reg_lz", "password": demo_password},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["field"] == "otp"
    ok = Client().post(
        "/api/v1/auth/token",
        {"username": "ent_yuese", "password": demo_password},
        content_type="application/json",
    )
    assert ok.status_code == 200


def test_the_api_asks_a_bound_user_for_the_code(demo_password):
    device = _bound("reg_gx")
    c = Client()
    no_code = c.post(
        "/api/v1/auth/token",
        {"username": "reg_gx", "password": demo_password},
        content_type="application/json",
    )
    assert no_code.status_code == 401
    ok = c.post(
        "/api/v1/auth/token",
        {"username": "reg_gx", "password": demo_password, "otp": _code(device)},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["token"]
