"""API tokens end with the password (by any path), on deactivation, lock-out and admin reset; the caller
ends its own token with DELETE /api/v1/auth/token; the token page lists and revokes a user's tokens."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from nqihub.accounts.models import ApiToken
from nqihub.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
NEW_PASSWORD = "Changed#Pass2027"


def _issue(username, password, **client_kwargs) -> str:
    client = Client(**client_kwargs)
    response = client.post(
        TOKEN_URL, json.dumps({"username": username, "password": password}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _works(token) -> bool:
    return (
        Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/notifications").status_code == 200
    )


@pytest.fixture
def token(demo_password):
    return _issue("ent_yuese", demo_password, REMOTE_ADDR="10.2.3.4", headers={"User-Agent": "probe/1.0"})


def test_only_the_sm3_digest_is_stored_with_where_it_came_from(token):
    stored = ApiToken.objects.get(user__username="ent_yuese")
    assert token not in (stored.key_hash, stored.password_fingerprint)
    assert len(stored.key_hash) == 64
    assert (stored.created_ip, stored.user_agent) == ("10.2.3.4", "probe/1.0")
    assert _works(token)


def test_a_password_change_by_a_script_ends_every_token(token, demo_user):
    # set_password + save, as a script or `manage.py shell` would: no form, no signal of ours.
    user = demo_user("ent_yuese")
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not _works(token)
    assert ApiToken.objects.get(user=user).revoked_reason == ApiToken.Ended.PASSWORD


def test_changepassword_command_ends_every_token(token, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", "ent_yuese", stdout=io.StringIO())
    assert not _works(token)


def test_the_password_page_changes_it_ends_tokens_and_audits(token, client_for, demo_password):
    c = client_for("ent_yuese")
    response = c.post(
        reverse("accounts:password-change"),
        {"old_password": demo_password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _works(token)
    assert AuditEntry.objects.filter(action="accounts.password.changed", actor_username="ent_yuese").exists()
    assert AuditEntry.objects.filter(
        action="accounts.api_token.revoked_all", actor_username="ent_yuese"
    ).exists()
    # This session stays signed in.
    assert c.get(reverse("web:home")).status_code == 200


def test_the_password_page_refuses_a_weak_password_and_changes_nothing(token, client_for, demo_password):
    response = client_for("ent_yuese").post(
        reverse("accounts:password-change"),
        {"old_password": demo_password, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert _works(token)


def test_an_admin_password_reset_ends_every_token(token, client_for, demo_user):
    user = demo_user("ent_yuese")
    response = client_for("admin").post(
        f"/admin/accounts/user/{user.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not _works(token)
    assert AuditEntry.objects.filter(
        action="admin.accounts.user.password_reset", object_id=str(user.pk)
    ).exists()


def test_deactivation_ends_every_token_even_after_reactivation(token, demo_user):
    user = demo_user("ent_yuese")
    user.is_active = False
    user.save()
    assert not _works(token)
    user.is_active = True
    user.save()
    assert not _works(token)
    assert ApiToken.objects.get(user=user).revoked_reason == ApiToken.Ended.DEACTIVATED


def test_a_lock_out_ends_every_token(token):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        attacker.post(
            TOKEN_URL,
            json.dumps({"username": "ent_yuese", "password": "wrong-Password1"}),
            content_type="application/json",
        )
    assert not _works(token)
    assert ApiToken.objects.get(user__username="ent_yuese").revoked_reason == ApiToken.Ended.LOCKED_OUT


def test_delete_ends_the_calling_token_only(demo_password):
    first = _issue("ent_yuese", demo_password)
    second = _issue("ent_yuese", demo_password)
    response = Client(headers={"Authorization": f"Bearer {first}"}).delete(TOKEN_URL)
    assert response.status_code == 204
    assert not _works(first) and _works(second)
    assert Client(headers={"Authorization": f"Bearer {first}"}).delete(TOKEN_URL).status_code == 401
    entry = AuditEntry.objects.get(action="accounts.api_token.revoked", actor_username="ent_yuese")
    assert entry.data["reason"] == "signed_out"


def test_delete_without_a_token_is_401():
    assert Client().delete(TOKEN_URL).status_code == 401


def test_the_token_page_lists_own_tokens_with_origin_and_revokes_them(token, client_for):
    c = client_for("ent_yuese")
    page = c.get(reverse("accounts:tokens"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "10.2.3.4" in text and "probe/1.0" in text and "有效" in text
    stored = ApiToken.objects.get(user__username="ent_yuese")
    assert c.post(reverse("accounts:token-revoke", args=[stored.pk])).status_code == 302
    assert not _works(token)
    assert "用户撤销" in c.get(reverse("accounts:tokens")).content.decode()
    assert AuditEntry.objects.filter(
        action="accounts.api_token.revoked", object_id=str(stored.user_id)
    ).exists()


def test_nobody_sees_or_revokes_another_users_tokens(token, client_for):
    stored = ApiToken.objects.get(user__username="ent_yuese")
    other = client_for("ent_hanxi")
    assert "10.2.3.4" not in other.get(reverse("accounts:tokens")).content.decode()
    assert other.post(reverse("accounts:token-revoke", args=[stored.pk])).status_code == 404
    assert _works(token)


def test_revoke_all_ends_every_live_token(client_for, demo_password):
    tokens = [_issue("ent_yuese", demo_password) for _ in range(3)]
    client_for("ent_yuese").post(reverse("accounts:tokens-revoke-all"))
    assert not any(_works(t) for t in tokens)


def test_the_token_page_needs_a_sign_in():
    response = Client().get(reverse("accounts:tokens"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_tokens_issued_before_the_password_change_end_but_new_ones_work(token, demo_user):
    user = get_user_model().objects.get(username="ent_yuese")
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not _works(token)
    assert _works(_issue("ent_yuese", NEW_PASSWORD))


def test_obtaining_a_token_starts_no_session(demo_password):
    """An API client signs in for a bearer token: no session row is written and no session cookie sent
    (the login is audited all the same)."""
    before = Session.objects.count()
    client = Client()
    response = client.post(
        TOKEN_URL,
        json.dumps({"username": "ent_yuese", "password": demo_password}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == before
    assert AuditEntry.objects.filter(action="accounts.login", actor__username="ent_yuese").exists()
