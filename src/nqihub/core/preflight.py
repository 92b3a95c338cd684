"""What a production process needs before it starts, named when missing.

``configuration_problems()`` reads the settings only; ``connection_problems()`` also reaches PostgreSQL,
Redis and the broker. ``manage.py preflight`` (run by ``make prod`` before anything else) prints both and
exits non-zero; the WSGI application and the Celery worker/beat refuse to start on the first kind
(``refuse_if_misconfigured``); ``manage.py check --deploy`` reports them as errors. With ``DEBUG`` on
(the embedded set-up) nothing is required.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.checks import Error, Tags, register

from . import health

#: Placeholders of .env.example that must never reach production.
PLACEHOLDERS = {"", "change-me", "changeme", "secret"}
SECRET_KEY_MIN_LENGTH = 50


def _secret_key() -> str:
    """The configured SECRET_KEY without Django's own refusal of an empty one (we name it ourselves)."""
    settings.DEBUG  # noqa: B018  (sets the settings up)
    return getattr(settings._wrapped, "SECRET_KEY", "") or ""


def configuration_problems() -> list[str]:
    """Each missing or unusable production setting, as a sentence naming the variable."""
    if settings.DEBUG:
        return []
    problems = []
    secret = _secret_key()
    if secret in PLACEHOLDERS or secret.startswith("dev-only-"):
        problems.append("SECRET_KEY is not set (manage.py generate_secrets prints one).")
    elif len(secret) < SECRET_KEY_MIN_LENGTH or len(set(secret)) < 5:
        problems.append(f"SECRET_KEY is too weak: use at least {SECRET_KEY_MIN_LENGTH} random characters.")
    if not settings.FIELD_ENCRYPTION_KEYS:
        problems.append(
            "FIELD_ENCRYPTION_KEYS is not set: personal data must be encrypted with keys of its own "
            "(manage.py generate_secrets prints them)."
        )
    if not [h for h in settings.ALLOWED_HOSTS if h.strip()]:
        problems.append("ALLOWED_HOSTS is empty: name the host(s) the platform is reached by.")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point to PostgreSQL (postgres://user:password@host:5432/name).")
    if not settings.REDIS_URL:
        problems.append(
            "REDIS_URL is not set: the cache, sessions and throttles must be shared by every process."
        )
    if not settings.CELERY_BROKER_URL:
        problems.append("CELERY_BROKER_URL is not set: background jobs need a broker (Redis).")
    if not settings.PUBLIC_BASE_URL.startswith(("https://", "http://")):
        problems.append(
            "PUBLIC_BASE_URL is not set (e.g. https://nqi.example.gov.cn): links in e-mails and SMS must be absolute."
        )
    if settings.STORAGE_BACKEND == "s3":
        for name in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
            if not getattr(settings, name, ""):
                problems.append(f"{name} is not set (STORAGE_BACKEND=s3).")
    for check in _app_checks():
        problems += check()
    return problems


def _app_checks() -> list:
    """The settings checks the apps declare (``preflight_checks`` on their AppConfig: dotted paths of
    functions returning a list of problems), e.g. notifications' SMS provider. Core names no app."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    if not apps.ready:  # a Celery signal may come before the app registry is populated
        import django

        django.setup()
    return [
        import_string(path)
        for config in apps.get_app_configs()
        for path in getattr(config, "preflight_checks", ())
    ]


def connection_problems() -> list[str]:
    """The services that do not answer (with DEBUG on too: ``make prod`` asks)."""
    problems = []
    targets = [
        ("database", health.check_database, "PostgreSQL (DATABASE_URL)"),
        ("cache", health.check_cache, "Redis (REDIS_URL)"),
        ("broker", health.check_broker, "the Celery broker (CELERY_BROKER_URL)"),
        ("storage", health.check_storage, "the file storage"),
    ]
    for _name, check, label in targets:
        try:
            check()
        except Exception as exc:
            problems.append(f"{label} does not answer: {type(exc).__name__}: {exc}")
    return problems


def refuse_if_misconfigured(process: str) -> None:
    problems = configuration_problems()
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        sys.stderr.write(f"NQI Hub ({process}) refuses to start with DEBUG=false:\n{lines}\n")
        raise SystemExit(78)  # EX_CONFIG


@register(Tags.security, deploy=True)
def production_configuration(app_configs, **kwargs):
    return [
        Error(p, id="nqihub.E010", hint="See .env.example and docs/operations.md.")
        for p in configuration_problems()
    ]


@register()
def secret_key_present(app_configs, **kwargs):
    """Every command (runserver, migrate, check …) refuses to run in production without a SECRET_KEY."""
    if settings.DEBUG or _secret_key():
        return []
    return [Error("SECRET_KEY must be set when DEBUG is false.", id="nqihub.E001")]
