"""Queries and cache calls per request for the signed-in hot paths, in the production configuration
(run through ``bench/prod_stack.sh py bench/request_queries.py`` after ``setup``). Prints JSON: per route
the status, the number of SQL queries of a warm request (the second of two; the first fills caches) and
their SQL with ``--sql``."""

from __future__ import annotations

import argparse
import json

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PASSWORD = "NqiDemo@2026"  # noqa: S105 (the demo users' published password)
ROUTES = [
    ("session", "station_lz", "/notifications/badge/"),
    ("session", "station_lz", "/"),
    ("session", "station_lz", "/desk/requests/"),
    ("session", "ent_shanyuan", "/standards/"),
    ("token", "station_lz", "/api/v1/me"),
    ("token", "station_lz", "/api/v1/requests"),
    ("token", "reg_gx", "/api/v1/stats/summary"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    out = {}
    for kind, user, path in ROUTES:
        if args.only and path not in args.only:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {}
        if kind == "session":
            client.force_login(get_user_model().objects.get(username=user))
        else:
            response = client.post(
                "/api/v1/auth/token",
                {"username": user, "password": PASSWORD},
                content_type="application/json",
            )
            headers["HTTP_AUTHORIZATION"] = f"Bearer {response.json()['token']}"
        client.get(path, **headers)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, **headers)
        entry = {"status": response.status_code, "queries": len(ctx.captured_queries)}
        if args.sql:
            entry["sql"] = [q["sql"][:300] for q in ctx.captured_queries]
        out[f"{kind} {user} {path}"] = entry
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
