"""Health checks for the load balancer and the orchestrator.

- ``GET /healthz`` → 200 ``{"status": "ok"}`` while the process can answer: no session, no database, no
  cache.
- ``GET /readyz`` → 200 when the database, the cache, the broker, the file storage answer and no migration
  is pending, each named with ``"ok"``; otherwise 503 with what is down named (``"failing": [...]``).

``HealthCheckMiddleware`` (first in ``MIDDLEWARE``) answers both before anything else runs: the balancer
probes by the server's address over plain HTTP, so neither the host check, the HTTPS redirect nor the
session may get in the way. The URLs are also in the URL conf so that they can be reversed.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from nqihub.celery import app

logger = logging.getLogger("nqihub.health")

PATHS = {"/healthz", "/healthz/", "/readyz", "/readyz/"}
CHECKS = ("database", "cache", "broker", "storage", "migrations")
#: A clean migration state is remembered this long by a process (reading the migration graph costs ~0.1 s).
MIGRATIONS_OK_SECONDS = 60

_migrations_ok_at = 0.0


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz() -> JsonResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def check_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    from django.core.cache import cache

    key = f"nqihub:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def check_broker() -> None:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # embedded set-up: tasks run in the web process, there is no broker to reach

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


def check_storage() -> None:
    """The private store can take files: its directory exists (or can be made) and is writable, or its
    bucket answers to our credentials."""
    import os

    from django.core.files.storage import FileSystemStorage, storages

    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        os.makedirs(storage.location, exist_ok=True)
        if not os.access(storage.location, os.W_OK | os.X_OK):
            raise PermissionError(f"{storage.location} is not writable")
    elif getattr(storage, "bucket_name", None):
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    else:
        storage.exists("readyz-probe")


def check_migrations() -> None:
    global _migrations_ok_at
    if time.monotonic() - _migrations_ok_at < MIGRATIONS_OK_SECONDS:
        return
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migration(s) not applied")
    _migrations_ok_at = time.monotonic()


def readiness() -> dict[str, str]:
    functions = {
        "database": check_database,
        "cache": check_cache,
        "broker": check_broker,
        "storage": check_storage,
        "migrations": check_migrations,
    }
    states: dict[str, str] = {}
    for name in CHECKS:
        try:
            functions[name]()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            states[name] = f"down: {type(exc).__name__}: {exc}"[:300]
        else:
            states[name] = "ok"
    return states


def readyz() -> JsonResponse:
    states = readiness()
    failing = [name for name in CHECKS if states[name] != "ok"]
    body = {"status": "ok" if not failing else "unavailable", **states}
    if failing:
        body["failing"] = failing
    return _no_store(JsonResponse(body, status=503 if failing else 200))


@require_safe
def healthz_view(request):
    return healthz()


@require_safe
def readyz_view(request):
    return readyz()


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in PATHS and request.method in {"GET", "HEAD"}:
            return healthz() if request.path.startswith("/healthz") else readyz()
        return self.get_response(request)
