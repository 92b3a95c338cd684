"""Lock-out cannot be turned against a user: locked by username + client address (behind the configured
proxies), an account-wide limit over 24 hours, the user told; throttles key on the real client address."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from nqihub.core.middleware import ip_from_request
from nqihub.core.models import AuditEntry
from nqihub.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_an_attacker_elsewhere_cannot_lock_the_user_out(demo_password):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(6):
        _login(attacker, "ent_yuese", "wrong-Password1")
    assert _login(attacker, "ent_yuese", demo_password).status_code == 429
    # The real user, from the office, signs in.
    assert _login(Client(REMOTE_ADDR="10.20.30.40"), "ent_yuese", demo_password).status_code == 302


def test_the_user_is_told_when_their_account_is_attacked_once_an_hour(
    demo_user, django_capture_on_commit_callbacks
):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            _login(attacker, "ent_yuese", "wrong-Password1")
    notes = Notification.objects.filter(recipient=demo_user("ent_yuese"), event="accounts.login.attacked")
    assert notes.count() == 1
    assert "203.0.113.7" in notes.get().body
    entry = AuditEntry.objects.filter(action="accounts.locked_out", actor_username="ent_yuese").first()
    assert entry is not None and entry.data["ip"] == "203.0.113.7" and entry.data["account_wide"] is False


@override_settings(ACCOUNT_LOCK_FAILURES=8)
def test_many_failures_from_many_addresses_lock_the_account_whatever_the_address(
    demo_password, demo_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(8):
            _login(Client(REMOTE_ADDR=f"198.51.100.{i}"), "ent_yuese", "wrong-Password1")
    response = _login(Client(REMOTE_ADDR="10.20.30.40"), "ent_yuese", demo_password)
    assert response.status_code == 429
    assert "小时内登录失败次数过多" in response.content.decode()
    assert Notification.objects.filter(
        recipient=demo_user("ent_yuese"), event="accounts.login.attacked"
    ).exists()
    assert AuditEntry.objects.filter(action="accounts.locked_out", data__account_wide=True).exists()
    # The API answers the same way.
    api = Client(REMOTE_ADDR="10.20.30.41").post(
        "/api/v1/auth/token",
        {"username": "ent_yuese", "password": demo_password},
        content_type="application/json",
    )
    assert api.status_code == 429 and "小时内" in api.json()["detail"]
    # Other accounts are not affected.
    assert _login(Client(REMOTE_ADDR="10.20.30.40"), "ent_hanxi", demo_password).status_code == 302


@override_settings(ACCOUNT_LOCK_FAILURES=8)
def test_the_account_wide_lock_ends_when_the_failures_age_out(demo_password):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        for i in range(8):
            _login(Client(REMOTE_ADDR=f"198.51.100.{i}"), "ent_yuese", "wrong-Password1")
    with time_machine.travel(start + dt.timedelta(hours=25), tick=False):
        assert _login(Client(REMOTE_ADDR="10.20.30.40"), "ent_yuese", demo_password).status_code == 302


@override_settings(ACCOUNT_LOCK_FAILURES=8)
def test_an_administrator_unlocks_the_account(demo_password, client_for, demo_user):
    for i in range(8):
        _login(Client(REMOTE_ADDR=f"198.51.100.{i}"), "ent_yuese", "wrong-Password1")
    user = demo_user("ent_yuese")
    response = client_for("admin").post(
        "/admin/accounts/user/", {"action": "unlock", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    assert _login(Client(REMOTE_ADDR="10.20.30.40"), "ent_yuese", demo_password).status_code == 302


# --- the client address behind proxies -----------------------------------------------------------------


def _request(remote="192.0.2.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(PROXY_HOPS=0)
def test_without_a_proxy_forwarded_for_is_ignored():
    assert ip_from_request(_request("192.0.2.1", "6.6.6.6")) == "192.0.2.1"


@override_settings(PROXY_HOPS=1)
def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote():
    # The client wrote "6.6.6.6"; our proxy appended the address it received the connection from.
    assert ip_from_request(_request("10.0.0.2", "6.6.6.6, 198.51.100.23")) == "198.51.100.23"
    assert ip_from_request(_request("10.0.0.2", "198.51.100.23")) == "198.51.100.23"
    assert ip_from_request(_request("10.0.0.2")) == "10.0.0.2"


@override_settings(PROXY_HOPS=2)
def test_behind_two_proxies_the_outer_ones_entry_counts():
    # client → CDN/WAF (appends client) → nginx (appends WAF) → app
    assert ip_from_request(_request("10.0.0.3", "6.6.6.6, 198.51.100.23, 10.0.0.9")) == "198.51.100.23"


@override_settings(PROXY_HOPS=1)
def test_garbage_in_forwarded_for_falls_back_to_the_peer():
    assert ip_from_request(_request("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    assert ip_from_request(_request("10.0.0.2", "2001:DB8::1")) == "2001:db8::1"


@override_settings(PROXY_HOPS=1)
def test_lock_out_keys_on_the_real_client_behind_the_proxy(demo_password):
    # Every request arrives from the proxy (10.0.0.2); the attacker and the user differ in what it saw.
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(6):
        _login(attacker, "ent_yuese", "wrong-Password1")
    user = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.20.30.40")
    assert _login(user, "ent_yuese", demo_password).status_code == 302
    # A spoofed header from the attacker does not free it.
    spoofed = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.20.30.40, 203.0.113.7")
    assert _login(spoofed, "ent_yuese", demo_password).status_code == 429


@override_settings(PROXY_HOPS=1, LABELS_ANONYMOUS_RATE=2)
def test_the_label_check_throttle_keys_on_the_real_client_behind_the_proxy():
    body = {"category": "textile", "text": "品名：示例毛巾"}

    def check(forwarded):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).post(
            "/api/v1/labels/check", body, content_type="application/json"
        )

    assert [check("203.0.113.7").status_code for _ in range(3)][-1] == 429
    assert check("198.51.100.5").status_code == 200


@override_settings(PROXY_HOPS=1, TESTING_VERIFY_LIMIT=2)
def test_the_report_verification_throttle_keys_on_the_real_client_behind_the_proxy():
    def verify(forwarded):
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).get(
            "/api/v1/reports/verify", {"number": "示例-0001", "code": "ABCD"}
        )

    assert [verify("203.0.113.7").status_code for _ in range(3)][-1] == 429
    assert verify("198.51.100.5").status_code != 429
