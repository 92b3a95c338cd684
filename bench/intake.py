"""Intake latency: filing a service request in-process on SQLite (issue 18 item 3: ≤ 150 ms p50).

Builds a throw-away SQLite database (migrations, reference data, the demo: ``load_reference``,
``load_demo``), then files ``--runs`` requests three ways, each timed wall-clock including the commit and
everything run after it in the same thread (``transaction.on_commit`` callbacks, Celery tasks eager
without a broker), and counted in SQL statements:

- ``service``: ``desk.services.request_create`` alone;
- ``api``: ``POST /api/v1/requests`` through the Django test client with a bearer token;
- ``form``: ``POST /desk/requests/new/`` (the HTML form, logged in) up to its redirect.

Prints one JSON object: p50/p95 wall ms, p50 CPU ms of this process (steadier on a busy machine) and the
median query count of each. ``--src`` runs the same bench
against another checkout's ``src`` (e.g. main before the change) for a before/after comparison:

    .venv/bin/python bench/intake.py --runs 40
    .venv/bin/python bench/intake.py --runs 40 --src /path/to/other/checkout/src
    .venv/bin/python bench/intake.py --db /tmp/intake.sqlite3 --keep   # then --db … --reuse
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=30, help="timed requests per way")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--src", type=Path, default=ROOT / "src", help="the src directory to import nqihub from")
    p.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary file)")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file")
    p.add_argument("--reuse", action="store_true", help="the --db file is already loaded")
    return p.parse_args(argv)


def setup(args) -> None:
    sys.path.insert(0, str(args.src.resolve()))
    os.environ["DJANGO_SETTINGS_MODULE"] = "nqihub.settings"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["AXES_ENABLED"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(name, None)  # no broker: background tasks run eagerly, in the timed thread
    if args.db is None:
        fd, name = tempfile.mkstemp(prefix="nqihub-bench-intake-", suffix=".sqlite3")
        os.close(fd)
        os.unlink(name)
        args.db = Path(name)
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db.resolve()}"
    import django
    from django.conf import settings

    settings.STORAGES = {  # pages render without a collectstatic manifest
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()
    if args.reuse:
        return
    import io

    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    for command in ("load_reference", "load_demo"):
        call_command(command, stdout=io.StringIO())
    log(f"database ready in {time.perf_counter() - t0:.0f} s: {args.db}")


def payload(i: int) -> dict:
    return {
        "categories": ["testing", "quality_management"],
        "industry": "1431",
        "product": "预包装柳州螺蛳粉（示例）",
        "title": f"螺蛳粉保质期短，想延长保质期（示例 {i}）",
        "description": "预包装螺蛳粉常温存放两个月后出现胀袋，希望专家指导杀菌工艺，并检测菌落总数和霉菌和酵母。",
        "urgency": "normal",
    }


def measure(label: str, fn, runs: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(warmup):
        fn(-1 - i)
    ms, cpu, queries = [], [], []
    for i in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t, c = time.perf_counter(), time.process_time()
            fn(i)
            ms.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        queries.append(len(ctx.captured_queries))
    s = sorted(ms)
    out = {
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(s[min(len(s) - 1, round(0.95 * (len(s) - 1)))], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": int(statistics.median(queries)),
        "runs": runs,
    }
    log(label, out)
    return out


def main(argv=None) -> dict:
    args = parse_args(argv)
    setup(args)
    from django.test import Client

    from nqihub.accounts.models import ApiToken, User
    from nqihub.desk import services

    user = User.objects.get(username="ent_shanyuan")
    _token, key = ApiToken.issue(user)
    api = Client(headers={"Authorization": f"Bearer {key}"})
    web = Client()
    web.force_login(user)

    def by_service(i):
        services.request_create(data=services.RequestData(**payload(i)), by=user)

    def by_api(i):
        r = api.post("/api/v1/requests", json.dumps(payload(i)), content_type="application/json", secure=True)
        assert r.status_code == 201, r.content

    def by_form(i):
        data = {k: v for k, v in payload(i).items() if k != "categories"}
        r = web.post("/desk/requests/new/", {**data, "categories": payload(i)["categories"]}, secure=True)
        assert r.status_code == 302, r.content[:2000]

    result = {
        "src": str(args.src),
        "database": "sqlite",
        "service": measure("service", by_service, args.runs, args.warmup),
        "api": measure("api", by_api, args.runs, args.warmup),
        "form": measure("form", by_form, args.runs, args.warmup),
    }
    if not args.keep:
        args.db.unlink(missing_ok=True)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    main()
