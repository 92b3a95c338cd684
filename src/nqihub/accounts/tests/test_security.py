"""Login, lock-out, password policy, idle timeout and the audit of logins."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from nqihub.core.models import AuditEntry


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_and_logout_are_audited_with_the_client_address(demo_password):
    c = Client(REMOTE_ADDR="10.1.2.3")
    response = _login(c, "reg_lz", demo_password)
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="accounts.login", actor_username="reg_lz").first()
    assert entry is not None and entry.ip == "10.1.2.3"
    c.post(reverse("accounts:logout"))
    assert AuditEntry.objects.filter(action="accounts.logout", actor_username="reg_lz").exists()


@pytest.mark.django_db
def test_failed_login_is_audited_and_shows_an_error():
    c = Client()
    response = _login(c, "reg_lz", "wrong-Password1")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="accounts.login_failed", actor_username="reg_lz").exists()
    assert "_auth_user_id" not in c.session


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_for_the_right_password(demo_password):
    c = Client()
    for _ in range(5):
        _login(c, "ent_yuese", "wrong-Password1")
    response = _login(c, "ent_yuese", demo_password)
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in c.session
    # Another account is not affected.
    assert _login(Client(), "ent_hanxi", demo_password).status_code == 302


@pytest.mark.django_db
def test_lock_out_ends_after_fifteen_minutes(demo_password):
    c = Client()
    for _ in range(5):
        _login(c, "ent_yuese", "wrong-Password1")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        assert _login(Client(), "ent_yuese", demo_password).status_code == 302


@pytest.mark.parametrize(
    "password",
    ["Ab1!", "alllowercase", "lowercase123", "ALLUPPER123", "aa-bb-cc", "12345678"],
)
def test_password_policy_needs_eight_characters_of_three_classes(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Quality#2026", "nqi-hub-Station", "质量Service99"])
def test_good_passwords_pass(password):
    validate_password(password)


@pytest.mark.django_db
def test_idle_session_expires_after_thirty_minutes(demo_password):
    c = Client()
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        assert _login(c, "reg_gx", demo_password).status_code == 302
        assert c.get(reverse("web:home")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        # Activity renews the session.
        assert c.get(reverse("web:home")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        assert c.get(reverse("web:home")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=81), tick=False):
        # ``/`` now shows visitors the landing page: a signed-in-only page tells the expiry.
        response = c.get(reverse("desk:request-list"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_a_read_within_a_minute_of_the_last_renewal_writes_no_session(
    demo_password, django_assert_max_num_queries
):
    from django.contrib.sessions.models import Session

    c = Client()
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        assert _login(c, "reg_gx", demo_password).status_code == 302
        c.get(reverse("web:home"))
        expiry = Session.objects.get().expire_date
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        response = c.get(reverse("web:home"))
        assert response.status_code == 200 and "sessionid" not in response.cookies
        assert Session.objects.get().expire_date == expiry
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        response = c.get(reverse("web:home"))
        assert Session.objects.get().expire_date > expiry
