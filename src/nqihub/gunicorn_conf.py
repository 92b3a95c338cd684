"""gunicorn settings for ``make prod`` and the Procfile (``--config python:nqihub.gunicorn_conf``), from the
environment:

- ``PORT`` (default 8000) and ``HOST`` (default 127.0.0.1: behind a reverse proxy on the same host; 0.0.0.0
  in a container), or ``GUNICORN_BIND`` for anything else (e.g. ``unix:/run/nqihub.sock``);
- ``WEB_CONCURRENCY`` worker processes (default 2 × cores), preloaded: the application and its start-up
  costs (jieba's dictionary …) are loaded once in the master and shared by the forked workers;
- ``GUNICORN_TIMEOUT`` (default 60 s) per request; a SIGTERM lets running requests finish for up to
  ``graceful_timeout`` seconds.

Access lines come from the application (``core.logs``: JSON with the request id), not from gunicorn.
"""

import multiprocessing
import os

from nqihub.core import logs


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST') or '127.0.0.1'}:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count())
preload_app = True
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 15
keepalive = 5
# Recycle workers now and then (a slow leak never grows without bound); new workers fork from the warm master.
max_requests = 5000
max_requests_jitter = 500
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (heartbeat files, not data)
# X-Forwarded-* are trusted from these proxies only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = None
# gunicorn ≥ 24's admin socket (one per user by default: two servers on a host would fight over it).
control_socket_disable = True
errorlog = "-"
_json = (
    os.environ.get("LOG_FORMAT")
    or ("text" if os.environ.get("DEBUG", "").lower() in {"1", "true"} else "json")
) == "json"
logconfig_dict = logs.logging_config(level="INFO", json=_json)
logconfig_dict["loggers"].update(
    {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    }
)


def pre_fork(server, worker):
    """No database connection may be shared by the master and its workers."""
    from django.db import connections

    connections.close_all()


def _hide_server_software() -> None:
    """gunicorn names itself and its version in every response's ``Server`` header; say nothing about the
    software instead (the proxy may drop the header altogether)."""
    import gunicorn.http.wsgi

    gunicorn.http.wsgi.SERVER = "nqihub"


_hide_server_software()
