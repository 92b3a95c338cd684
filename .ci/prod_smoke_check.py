"""The checks of .ci/prod_smoke against a running `make prod` (see there). Exit status 1 on any failure.

1. ``/healthz`` and ``/readyz`` answer 200 with every check "ok".
2. Every page of every demo role, and of an anonymous visitor, answers without a server error: each role signs
   in through the login form and walks the links (``href`` and htmx ``hx-get``) of every page it reaches on
   this site, one URL per route pattern (ids and query values folded), within a page budget per role.
3. A service request filed by an enterprise through the intake form reaches the station user by e-mail
   (the SMTP sink's maildir), with an absolute link to the request; the worker's log shows it sent the mail
   with the request id of the intake request.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import re
import sys
import time
from collections import deque
from email.header import decode_header, make_header
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

PASSWORD = "NqiDemo@2026"
ROLES = [
    "admin",
    "reg_national",
    "reg_gx",
    "reg_lz",
    "reg_chengzhong",
    "station_lz",
    "expert_lz",
    "lab_lz",
    "lab_lz_review",
    "lab_lz_approve",
    "ent_shanyuan",
    "station_wh",
    "ent_hanxi",
    "coop_haimen",
    "ent_yuese",
    "cal_lz",
]
#: Never followed: they sign out, change the language (POST) or are files the app does not serve.
SKIP = re.compile(r"^/(accounts/logout|admin/logout|i18n/|static/|media/)")
PAGE_BUDGET = 60
failures: list[str] = []


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf = attrs.get("value") or ""


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def pattern(url: str) -> str:
    """One URL per route: path segments holding digits (ids, codes, standard numbers) and query values
    folded."""
    parts = urlsplit(url)
    path = "/".join("#" if re.search(r"\d|%", segment) else segment for segment in parts.path.split("/"))
    keys = sorted({kv.split("=", 1)[0] for kv in parts.query.split("&") if kv})
    return path + ("?" + "&".join(keys) if keys else "")


def fail(message: str) -> None:
    failures.append(message)
    print(f"FAIL {message}", flush=True)


def login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=120)
    page = client.get("/accounts/login/")
    form = parse(page.text)
    response = client.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": form.csrf},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    if response.status_code != 302:
        fail(f"{username}: sign-in answered {response.status_code}")
    return client


def crawl(base: str, client: httpx.Client, who: str) -> int:
    origin = urlsplit(base)
    seen: set[str] = set()
    queue = deque(["/"])
    visited = 0
    while queue and visited < PAGE_BUDGET:
        url = queue.popleft()
        key = pattern(url)
        if key in seen:
            continue
        seen.add(key)
        try:
            response = client.get(url, headers={"HX-Request": "true"} if "/_partials/" in url else None)
        except httpx.HTTPError as exc:
            fail(f"{who}: GET {url}: {exc}")
            continue
        visited += 1
        if response.status_code >= 500:
            fail(f"{who}: GET {url} → {response.status_code}: {response.text[:300]!r}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(response.headers.get("location", ""))
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for link in parse(response.text).links:
            target = urlsplit(urljoin(base + url, link))
            if (target.scheme, target.netloc) != (origin.scheme, origin.netloc) or SKIP.match(target.path):
                continue
            relative = urlunsplit(("", "", target.path, target.query, ""))
            if pattern(relative) not in seen:
                queue.append(relative)
    return visited


def check_health(base: str) -> None:
    health = httpx.get(f"{base}/healthz", timeout=30)
    if health.status_code != 200 or health.json() != {"status": "ok"}:
        fail(f"/healthz → {health.status_code} {health.text[:200]}")
    ready = httpx.get(f"{base}/readyz", timeout=30)
    body = ready.json()
    names = ("database", "cache", "broker", "storage", "migrations")
    if ready.status_code != 200 or any(body.get(n) != "ok" for n in names):
        fail(f"/readyz → {ready.status_code} {body}")
    print(f"/readyz: {body}", flush=True)


def file_request(base: str) -> tuple[int, str]:
    client = login(base, "ent_shanyuan")
    form = parse(client.get("/desk/requests/new/").text)
    title = f"生产环境冒烟测试：酸笋亚硝酸盐检测 {int(time.time())}"
    response = client.post(
        "/desk/requests/new/",
        data={
            "csrfmiddlewaretoken": form.csrf,
            "categories": ["testing"],
            "title": title,
            "product": "螺蛳粉（酸笋）",
            "description": "示例：冒烟测试提交的需求，请检测酸笋中的亚硝酸盐含量。",
            "urgency": "normal",
        },
        headers={"Referer": f"{base}/desk/requests/new/"},
    )
    location = response.headers.get("location", "")
    match = re.search(r"/desk/requests/(\d+)/", location)
    if response.status_code != 302 or not match:
        fail(f"filing a request answered {response.status_code} → {location!r}: {response.text[:500]!r}")
        return 0, ""
    return int(match.group(1)), response.headers.get("x-request-id", "")


def wait_for_mail(maildir: str, to: str, needle: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mailbox.Maildir(maildir, create=True):
            if to in (message.get("To") or "") and needle in _text(message):
                return message
        time.sleep(1)
    return None


def _text(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        (p.get_payload(decode=True) or b"").decode(p.get_content_charset() or "utf-8", "replace")
        for p in parts
        if p.get_content_maintype() == "text"
    )


def check_mail(base: str, maildir: str, to: str, log: str) -> None:
    request_id, http_request_id = file_request(base)
    if not request_id:
        return
    link = f"{base}/desk/requests/{request_id}/"
    message = wait_for_mail(maildir, to, link)
    if message is None:
        fail(f"no e-mail to {to} with the absolute link {link} within 120 s")
        return
    types = {p.get_content_type() for p in message.walk()}
    if not {"text/plain", "text/html"} <= types:
        fail(f"the e-mail lacks a text or an HTML body: {sorted(types)}")
    if f"{base}/notifications/preferences/" not in _text(message):
        fail("the e-mail has no absolute link to the notification preferences")
    subject = str(make_header(decode_header(message["Subject"] or "")))
    print(f"mail to {to}: {subject} → {link}", flush=True)
    station = login(base, "station_lz")
    if station.get(f"/desk/requests/{request_id}/").status_code != 200:
        fail(f"the station user cannot open {link}")
    sent_by_worker = False
    for line in open(log, encoding="utf-8", errors="replace"):
        if " worker." not in line or "{" not in line:
            continue
        try:
            record = json.loads(line[line.index("{") :])
        except ValueError:
            continue
        if "sent to user" in record.get("message", "") and record.get("request_id") == http_request_id:
            sent_by_worker = True
    if not sent_by_worker:
        fail(f"no worker log line of the e-mail sent with the request id {http_request_id} of the intake")
    else:
        print(f"the worker sent it, logged with the intake's request id {http_request_id}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--to", required=True)
    args = parser.parse_args()
    started = time.monotonic()
    check_health(args.base)
    total = crawl(
        args.base, httpx.Client(base_url=args.base, follow_redirects=False, timeout=120), "anonymous"
    )
    print(f"anonymous: {total} pages", flush=True)
    for role in ROLES:
        pages = crawl(args.base, login(args.base, role), role)
        total += pages
        print(f"{role}: {pages} pages", flush=True)
    check_mail(args.base, args.maildir, args.to, args.log)
    print(f"{total} pages in {time.monotonic() - started:.0f} s; {len(failures)} failure(s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
