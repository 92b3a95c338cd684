"""/healthz (alive: no session, no database) and /readyz (database, cache, broker, storage, migrations)."""

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from nqihub.celery import app
from nqihub.core import health

CHECKS = ("database", "cache", "broker", "storage", "migrations")


@pytest.fixture
def private_root(private_storage):
    return private_storage


def test_healthz_answers_without_the_database_a_session_or_a_known_host(settings):
    # No ``db`` fixture: any database access would raise.
    settings.ALLOWED_HOSTS = ["nqi.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")  # the balancer probes by address
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_names_every_check_ok(private_root):
    response = Client().get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: body[name] for name in CHECKS} == dict.fromkeys(CHECKS, "ok")


def test_healthz_and_readyz_refuse_writes(db):
    assert Client().post("/healthz").status_code == 405
    assert Client().post("/readyz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_503_naming_a_cache_that_does_not_answer(settings, private_root):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failing"] == ["cache"]
    assert body["cache"].startswith("down:") and body["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_naming_a_broker_that_does_not_answer(settings, private_root, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_not_applied(private_root, monkeypatch):
    monkeypatch.setattr(health, "_migrations_ok_at", 0.0)
    newest = MigrationRecorder.Migration.objects.filter(app="core").order_by("-name").first()
    newest.delete()  # the leaf: forgetting an earlier one would leave an inconsistent history
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"] and "1 migration(s) not applied" in body["migrations"]


@pytest.mark.django_db
def test_readyz_is_503_naming_storage_it_cannot_write(settings, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    settings.PRIVATE_FILES_ROOT = settings.MEDIA_ROOT = tmp_path / "a-file" / "private"
    settings.STORAGES = {**settings.STORAGES}  # the storage is made again, with that location
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
