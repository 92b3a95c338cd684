"""Logs for operations: one JSON object a line (``LOG_FORMAT=json``, the production default), each carrying
the id of the request that caused it — also in the logs of the Celery tasks that request queued.

- ``RequestIdMiddleware`` takes the id from the proxy's ``X-Request-ID`` header when it is a sane token, or
  makes one, answers it in ``X-Request-ID`` and logs one access line per request (``nqihub.request``).
- ``RequestIdFilter`` puts ``request_id`` (and ``task_id`` in a worker) on every log record.
- ``connect_celery`` carries the id in the task message's headers and restores it in the worker.

No Django models here: the settings module calls ``logging_config``.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
access_log = logging.getLogger("nqihub.request")


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def bind_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        if not hasattr(record, "task_id"):
            record.task_id = _task_id.get() or "-"
        return True


def _user_id(request) -> int | None:
    """The signed-in user's id if the request already looked the user up (never a query just for the log)."""
    from django.utils.functional import empty

    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestIdMiddleware:
    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL or "/static/"

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _SANE.match(incoming) else new_request_id()
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            if response.status_code >= 400 or not request.path.startswith(self.static_prefix):
                access_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                        "user_id": _user_id(request),
                    },
                )
            return response
        finally:
            _request_id.reset(token)


def logging_config(*, level: str = "WARNING", app_level: str | None = None, json: bool = False) -> dict:
    """``LOGGING`` for the settings: everything to stderr, JSON or text, with the request id."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "message", "request_id", "task_id"],
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "nqihub.core.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "nqihub": {"level": app_level or level},
            # Celery's own worker/beat lines (task received, succeeded …).
            "celery": {"level": app_level or level},
        },
    }


# --- Celery: the request id travels with the task ------------------------------------------------------


def _before_publish(headers=None, **kwargs):
    request_id = _request_id.get()
    if request_id and isinstance(headers, dict):
        headers.setdefault("request_id", request_id)


_tokens: dict[str, tuple[contextvars.Token, contextvars.Token]] = {}


def _prerun(task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    request_id = getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get(
        "request_id"
    )
    if getattr(request, "is_eager", False) and not request_id:
        request_id = _request_id.get()  # run in the caller's process: keep its id
    _tokens[task_id] = (_request_id.set(request_id), _task_id.set(task_id))


def _postrun(task_id=None, **kwargs):
    tokens = _tokens.pop(task_id, None)
    if tokens:
        _task_id.reset(tokens[1])
        _request_id.reset(tokens[0])


def connect_celery() -> None:
    from celery import signals

    signals.before_task_publish.connect(_before_publish, weak=False, dispatch_uid="nqihub.logs.publish")
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="nqihub.logs.prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="nqihub.logs.postrun")
