"""A verified bearer token is served from the cache (no database query for the token or its user, no
write but one a minute for its last use), and whatever ends a token or changes its user still takes
effect on the very next request, the cache notwithstanding (issue 18 item 1)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nqihub.accounts import services
from nqihub.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def _issue(username, password) -> str:
    response = Client().post(
        TOKEN_URL, json.dumps({"username": username, "password": password}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def key(demo_password):
    return _issue("ent_yuese", demo_password)


def _me(key, **extra):
    return Client(headers={"Authorization": f"Bearer {key}"}, **extra).get("/api/v1/me")


def _token_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "accounts_" in q["sql"]]


def test_a_cached_token_costs_no_query_for_itself_or_its_user(key):
    assert _me(key).status_code == 200  # verified in the database, cached
    with CaptureQueriesContext(connection) as ctx:
        response = _me(key)
    assert response.status_code == 200 and response.json()["username"] == "ent_yuese"
    assert _token_queries(ctx) == []
    assert len(ctx.captured_queries) == 1  # the memberships, read once for the scope and the answer


def test_last_use_is_written_at_most_once_a_minute_and_on_a_new_address(key):
    _me(key)
    first = ApiToken.objects.get(user__username="ent_yuese").last_used_at
    with CaptureQueriesContext(connection) as ctx:
        _me(key)
        _me(key)
    assert not [sql for sql in _token_queries(ctx) if sql.startswith("UPDATE")]
    assert ApiToken.objects.get(user__username="ent_yuese").last_used_at == first
    _me(key, REMOTE_ADDR="10.9.8.7")
    assert ApiToken.objects.get(user__username="ent_yuese").last_used_ip == "10.9.8.7"
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        _me(key, REMOTE_ADDR="10.9.8.7")
        assert ApiToken.objects.get(user__username="ent_yuese").last_used_at > first + timedelta(minutes=2)


def test_revoking_a_cached_token_ends_it_at_once(key):
    assert _me(key).status_code == 200
    token = ApiToken.objects.get(user__username="ent_yuese")
    services.token_end(token=token, by=token.user)
    assert _me(key).status_code == 401


def test_signing_out_ends_a_cached_token_at_once(key):
    assert _me(key).status_code == 200
    assert Client(headers={"Authorization": f"Bearer {key}"}).delete(TOKEN_URL).status_code in (200, 204)
    assert _me(key).status_code == 401


def test_deactivating_the_user_ends_a_cached_token_at_once(key, demo_user):
    assert _me(key).status_code == 200
    user = demo_user("ent_yuese")
    user.is_active = False
    user.save()
    assert _me(key).status_code == 401


def test_a_password_change_ends_a_cached_token_at_once(key, demo_user):
    assert _me(key).status_code == 200
    user = demo_user("ent_yuese")
    user.set_password("Changed#Pass2027")
    user.save()
    assert _me(key).status_code == 401
    assert ApiToken.objects.get(user=user).revoked_reason == ApiToken.Ended.PASSWORD


def test_a_lock_out_ends_a_cached_token_at_once(key):
    assert _me(key).status_code == 200
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        attacker.post(
            TOKEN_URL,
            json.dumps({"username": "ent_yuese", "password": "wrong-Password1"}),
            content_type="application/json",
        )
    assert _me(key).status_code == 401


def test_a_cached_token_still_expires(key):
    assert _me(key).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert _me(key).status_code == 401


def test_a_token_read_before_its_revocation_is_not_cached_after_it(key):
    """The race a plain cache would lose: a request verified the token, the token is revoked, then that
    request stores what it read. The stored copy must not bring the token back."""
    from nqihub.accounts import token_cache
    from nqihub.accounts.models import _entry, _hash

    token = ApiToken.objects.select_related("user").get(user__username="ent_yuese")
    services.token_end(token=token, by=token.user)
    token_cache.remember(_hash(key), _entry(token))  # the late write of the earlier request
    assert _me(key).status_code == 401


# --- the session's user ---------------------------------------------------------------------------------


def _user_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]


def test_a_signed_in_page_reads_its_user_from_the_cache(client_for):
    client = client_for("station_lz")
    assert client.get("/notifications/badge/").status_code == 200  # the user read once, cached
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/notifications/badge/").status_code == 200
    assert _user_queries(ctx) == []


def test_deactivating_a_cached_user_signs_the_session_out_at_once(client_for, demo_user):
    client = client_for("station_lz")
    assert client.get("/desk/requests/").status_code == 200
    user = demo_user("station_lz")
    user.is_active = False
    user.save()
    assert client.get("/desk/requests/").status_code == 302


def test_a_password_change_signs_other_sessions_out_at_once(client_for, demo_user):
    client = client_for("station_lz")
    assert client.get("/desk/requests/").status_code == 200
    user = demo_user("station_lz")
    user.set_password("Changed#Pass2027")
    user.save()
    assert client.get("/desk/requests/").status_code == 302


def test_a_deleted_user_is_signed_out_at_once(client_for, demo_user):
    from nqihub.accounts.models import User

    client = client_for("ent_yuese")
    assert client.get("/notifications/").status_code == 200
    user = User.objects.create_user("temp_user_q", password="Temp#Pass2027")
    other = client_for("temp_user_q")
    assert other.get("/notifications/").status_code == 200
    user.delete()
    assert other.get("/notifications/").status_code == 302
