"""HTTP load against a running `make prod` (gunicorn + worker + beat) with the demo data loaded.

    .venv/bin/python bench/http_load.py --base http://127.0.0.1:8000 --clients 16 --seconds 20

Each scenario runs for ``--seconds`` with ``--clients`` threads, each with its own HTTP client, signed in as
the demo user of that page (one session per user, shared by the threads). Bounded: every scenario stops
after its time (or ``--max-requests``) and the script ends by itself. Prints one JSON object: per scenario
the requests served, req/s, p50/p95/max latency in ms, non-2xx answers, and the req/s as a share of the
trivial views measured in the same run on the same server:

- ``healthz`` — ``/healthz``, answered by the first middleware (no session, no database);
- ``trivial_signed_in`` — ``/notifications/badge/``: a signed-in page through the whole middleware stack
  doing one small count (the baseline the goal is stated against);
- ``intake_form`` (GET ``/desk/requests/new/`` as an enterprise), ``intake_submit`` (POST of a new service
  request: the write path, notifications queued to the worker), ``station_console`` (``/`` as station
  staff), ``request_list`` (``/desk/requests/`` as station staff), ``standards_list`` (``/standards/`` as
  an enterprise), ``stats_summary`` (``/api/v1/stats/summary`` with a bearer token, as the provincial
  regulator), ``api_me`` (``/api/v1/me``: the caller, one query) and ``api_requests``
  (``GET /api/v1/requests`` as station staff), both with a bearer token; the other lists of issue 18
  item 2: ``enterprise_list``, ``instrument_list``, ``test_order_list``, ``notification_list`` (pages) and
  ``api_enterprises``, ``api_standards``, ``api_instruments``, ``api_test_orders``, ``api_notifications``.

``goals`` states issue 18's targets against figures of the same run: ``api_me`` ≥ 40 % of ``healthz``; every
API list ≥ 50 % and every HTML list ≥ 30 % of ``api_me``. ``healthz``, ``trivial_signed_in`` and ``api_me``
always run (``--only`` adds to them). For a production-like server use ``bench/prod_stack.sh``.

Only loopback or this machine's own addresses are targets (the script refuses anything else).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

PASSWORD = "NqiDemo@2026"


@dataclass
class Scenario:
    name: str
    user: str | None
    path: str
    method: str = "GET"
    token: bool = False


SCENARIOS = [
    Scenario("healthz", None, "/healthz"),
    Scenario("trivial_signed_in", "station_lz", "/notifications/badge/"),
    Scenario("intake_form", "ent_shanyuan", "/desk/requests/new/"),
    Scenario("intake_submit", "ent_shanyuan", "/desk/requests/new/", method="POST"),
    Scenario("station_console", "station_lz", "/"),
    Scenario("request_list", "station_lz", "/desk/requests/"),
    Scenario("standards_list", "ent_shanyuan", "/standards/"),
    Scenario("enterprise_list", "station_lz", "/directory/enterprises/"),
    Scenario("instrument_list", "ent_shanyuan", "/metrology/"),
    Scenario("test_order_list", "lab_lz", "/testing/"),
    Scenario("notification_list", "station_lz", "/notifications/"),
    Scenario("stats_summary", "reg_gx", "/api/v1/stats/summary", token=True),
    Scenario("api_me", "station_lz", "/api/v1/me", token=True),
    Scenario("api_requests", "station_lz", "/api/v1/requests", token=True),
    Scenario("api_enterprises", "station_lz", "/api/v1/enterprises", token=True),
    Scenario("api_standards", "ent_shanyuan", "/api/v1/standards", token=True),
    Scenario("api_instruments", "ent_shanyuan", "/api/v1/instruments", token=True),
    Scenario("api_test_orders", "lab_lz", "/api/v1/test-orders", token=True),
    Scenario("api_notifications", "station_lz", "/api/v1/notifications", token=True),
]
#: Issue 18 goals, as shares of ``api_me`` measured in the same run: API lists ≥ 50 %, HTML lists ≥ 30 %;
#: ``api_me`` itself ≥ 40 % of ``healthz``.
API_LISTS = (
    "api_requests",
    "api_enterprises",
    "api_standards",
    "api_instruments",
    "api_test_orders",
    "api_notifications",
    "stats_summary",
)
HTML_LISTS = (
    "station_console",
    "request_list",
    "standards_list",
    "enterprise_list",
    "instrument_list",
    "test_order_list",
    "notification_list",
)
LIST_PAGES = API_LISTS + HTML_LISTS


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _local_only(base: str) -> None:
    host = urlsplit(base).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    own = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    for address in addresses:
        if not (ipaddress.ip_address(address).is_loopback or address in own):
            raise SystemExit(f"refusing to load {host} ({address}): only this machine is a target")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def sign_in(base: str, username: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=60) as client:
        token = _csrf(client.get("/accounts/login/").text)
        response = client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"},
        )
        if response.status_code != 302:
            raise SystemExit(f"{username} could not sign in ({response.status_code})")
        return dict(client.cookies)


def api_token(base: str, username: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=60
    )
    response.raise_for_status()
    return response.json()["token"]


def _intake(client: httpx.Client, n: int) -> httpx.Response:
    token = _csrf(client.get("/desk/requests/new/").text)
    return client.post(
        "/desk/requests/new/",
        data={
            "csrfmiddlewaretoken": token,
            "categories": ["testing"],
            "title": f"压测示例需求 {n}",
            "product": "螺蛳粉（示例）",
            "description": "示例：负载测试提交的需求。",
            "urgency": "normal",
        },
        headers={"Referer": str(client.base_url) + "/desk/requests/new/"},
    )


def run(base: str, scenario: Scenario, auth: dict, clients: int, seconds: float, max_requests: int) -> dict:
    result = Result()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))
    budget = threading.Semaphore(max_requests)

    def worker():
        headers = {"Authorization": f"Bearer {auth['token']}"} if scenario.token else {}
        with httpx.Client(base_url=base, cookies=auth.get("cookies"), headers=headers, timeout=120) as client:
            while time.monotonic() < deadline and budget.acquire(blocking=False):
                started = time.perf_counter()
                try:
                    if scenario.method == "POST":
                        response = _intake(client, next(counter))
                        ok = response.status_code == 302
                    else:
                        response = client.get(scenario.path)
                        ok = response.status_code == 200
                except httpx.HTTPError:
                    ok, response = False, None
                elapsed = (time.perf_counter() - started) * 1000
                with result.lock:
                    result.latencies.append(elapsed)
                    result.errors += not ok
                    code = response.status_code if response is not None else 0
                    result.statuses[code] = result.statuses.get(code, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    lat = sorted(result.latencies) or [0.0]
    return {
        "requests": len(result.latencies),
        "seconds": round(wall, 1),
        "rps": round(len(result.latencies) / wall, 1),
        "p50_ms": round(statistics.median(lat), 1),
        "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1),
        "max_ms": round(lat[-1], 1),
        "errors": result.errors,
        "statuses": result.statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=20000, help="per scenario")
    parser.add_argument("--only", nargs="*", help="scenario names")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    _local_only(base)
    baselines = ("healthz", "trivial_signed_in", "api_me")
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only or s.name in baselines]
    sessions: dict[str, dict] = {}
    out: dict = {"base": base, "clients": args.clients, "seconds": args.seconds, "scenarios": {}}
    for scenario in chosen:
        auth: dict = {}
        if scenario.user and scenario.token:
            auth["token"] = api_token(base, scenario.user)
        elif scenario.user:
            if scenario.user not in sessions:
                sessions[scenario.user] = sign_in(base, scenario.user)
            auth["cookies"] = sessions[scenario.user]
        out["scenarios"][scenario.name] = run(
            base, scenario, auth, args.clients, args.seconds, args.max_requests
        )
        print(f"{scenario.name}: {out['scenarios'][scenario.name]}", flush=True)
    trivial = out["scenarios"]["trivial_signed_in"]["rps"] or 1
    health = out["scenarios"]["healthz"]["rps"] or 1
    me = out["scenarios"]["api_me"]["rps"] or 1
    for figures in out["scenarios"].values():
        figures["share_of_trivial_signed_in"] = round(figures["rps"] / trivial, 2)
        figures["share_of_healthz"] = round(figures["rps"] / health, 2)
        figures["share_of_api_me"] = round(figures["rps"] / me, 2)
    goals = {"api_me": (out["scenarios"]["api_me"]["share_of_healthz"], 0.4)}
    for name in LIST_PAGES:
        if name in out["scenarios"]:
            goals[name] = (out["scenarios"][name]["share_of_api_me"], 0.5 if name in API_LISTS else 0.3)
    out["goals"] = {
        name: {"share": share, "goal": goal, "met": share >= goal} for name, (share, goal) in goals.items()
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
