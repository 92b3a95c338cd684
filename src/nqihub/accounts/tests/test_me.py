"""``GET /api/v1/me``: the caller, roles and organisations (issue 18 item 1)."""

import pytest

pytestmark = pytest.mark.django_db


def test_me_names_the_caller_with_roles_and_organisations(api_for):
    body = api_for("station_lz").get("/api/v1/me").json()
    assert body["username"] == "station_lz" and body["is_admin"] is False
    assert body["roles"] == ["station_staff"]
    (m,) = body["memberships"]
    assert m["kind"] == "station" and m["region"].startswith("4502") and m["role_label"]
    assert api_for("admin").get("/api/v1/me").json()["is_admin"] is True


def test_me_without_a_token_is_401():
    from django.test import Client

    assert Client().get("/api/v1/me").status_code == 401


def test_the_openapi_document_is_built_once_per_language(monkeypatch):
    from django.test import Client

    from nqihub.api import api

    api._openapi_cache.clear()
    built = []
    original = api._build_openapi_schema
    monkeypatch.setattr(api, "_build_openapi_schema", lambda *a, **k: built.append(1) or original(*a, **k))
    c = Client()
    first = c.get("/api/v1/openapi.json").json()
    second = c.get("/api/v1/openapi.json").json()
    assert first == second and "/api/v1/me" in first["paths"] and len(built) == 1
