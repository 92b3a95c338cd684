"""The browser walk of ``make e2e``: every demo role's home and the pages of the seed's stories, in Chinese,
on a desktop (1366 × 900) and a phone (390 × 844) screen, at 200 % zoom and in the larger-type mode,
each page checked for

- a page wider than the screen (content must reflow, not scroll sideways),

- a server error or a failed request of the page or its assets (4xx/5xx, aborted loads),
- an error in the browser console or an uncaught JavaScript exception,
- an accessibility violation that axe-core (npm ``axe-core``, injected by the walk, rules of WCAG 2.0/2.1
  A and AA) finds.

Not a pytest module: ``test_e2e_walk.py`` runs it; it can also run by hand against any server with the demo
data and keep its screenshots:

    .venv/bin/python src/nqihub/web/tests/e2e/walk.py --base http://127.0.0.1:8000 --out /tmp/walk

It drives Debian's Chromium (``/usr/bin/chromium``) through Playwright; it never downloads a browser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[5]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-sync",
]
SCREENS = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
    # A 1366 × 900 screen at 200 % browser zoom (WCAG 1.4.4 resize text, 1.4.10 reflow): half the CSS
    # pixels, twice the device pixels.
    "zoom200": {"width": 683, "height": 450},
    # The desktop with 大字模式 (适老化: larger type) switched on.
    "large": {"width": 1366, "height": 900},
}
SCALE = {"zoom200": 2}
PASSWORD = os.environ.get("DEMO_PASSWORD", "NqiDemo@2026")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Every demo role's working home (username → what the role is), as ``load_demo`` creates them.
ROLES = {
    "admin": "平台管理员",
    "reg_gx": "省级监管",
    "reg_lz": "市级监管",
    "station_lz": "服务站",
    "expert_lz": "专家",
    "lab_lz": "检验检测机构",
    "lab_lz_review": "报告审核人",
    "lab_lz_approve": "报告批准人",
    "cal_lz": "计量技术机构",
    "ent_shanyuan": "企业（螺蛳粉）",
    "ent_hanxi": "企业（汉烯科技）",
    "coop_haimen": "质量合作社",
    "ent_yuese": "合作社成员企业",
}

#: The seed's stories as pages to walk: (story, user or None for a visitor, paths). The Liuzhou 螺蛳粉
#: station, the Nantong Haimen home-textile cooperative, Wuhan's 汉烯科技 drafting a standard, the enterprise
#: that checks its label, the instruments due for verification, the certificates and the regulator's figures.
STORIES: list[tuple[str, str | None, list[str]]] = [
    ("公众服务", None, ["/", "/desk/track/", "/testing/verify/", "/labels/", "/cases/", "/stats/"]),
    ("柳州螺蛳粉：企业提需求", "ent_shanyuan", ["/desk/requests/", "/desk/requests/new/", "/testing/"]),
    ("柳州螺蛳粉：服务站受理派单", "station_lz", ["/desk/requests/", "/directory/capability/", "/cases/"]),
    ("柳州螺蛳粉：实验室出报告", "lab_lz", ["/testing/", "/directory/institutions/"]),
    ("海门家纺合作社", "coop_haimen", ["/cooperatives/"]),
    ("武汉汉烯科技起草企业标准", "ent_hanxi", ["/drafting/", "/standards/"]),
    ("计量与认证", "ent_shanyuan", ["/metrology/", "/certification/"]),
    ("监管统计", "reg_gx", ["/stats/dashboard/", "/stats/reports/", "/audit/"]),
]


@dataclass
class Walk:
    base: str
    out: Path | None
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _axe(page) -> list[dict]:
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's CSP (script-src 'self')
    # stays as it is in production, and a CSP violation of the page itself is still reported.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))",
        AXE_TAGS,
    )
    return result


def _context(browser, walk: Walk, screen: str, where: list[str], language: str = "zh-hans"):
    ctx = browser.new_context(
        viewport=SCREENS[screen], locale="zh-CN", device_scale_factor=SCALE.get(screen, 1)
    )
    if screen == "large":  # as the toggle in the language menu leaves it
        ctx.add_init_script("window.localStorage.setItem('nqihub.largeType', '1')")
    if language != "zh-hans":
        ctx.add_cookies([{"name": "django_language", "value": language, "url": walk.base}])
    page = ctx.new_page()

    def console(message):
        if message.type == "error":
            walk.problems.append(f"{where[0]}: console: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda e: walk.problems.append(f"{where[0]}: page error: {e}"))
    page.on("requestfailed", lambda r: _failed(walk, where, r))
    page.on(
        "response",
        lambda r: r.status >= 400 and walk.problems.append(f"{where[0]}: {r.status} {r.url}"),
    )
    return ctx, page


def _failed(walk: Walk, where: list[str], request) -> None:
    # A load the browser gave up because the page navigated on (net::ERR_ABORTED) is not a failure.
    if "ERR_ABORTED" not in (request.failure or ""):
        walk.problems.append(f"{where[0]}: request failed: {request.url} {request.failure}")


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")


def _visit(walk: Walk, page, path: str, label: str, where: list[str]) -> None:
    where[0] = label
    page.goto(walk.base + path)
    page.wait_for_load_state("networkidle")
    walk.pages.append(label)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        walk.problems.append(f"{label}: the page is {overflow} px wider than the screen")
    for v in _axe(page):
        walk.problems.append(f"{label}: axe {v['impact']} {v['id']} ({v['help']}) at {', '.join(v['nodes'])}")
    if walk.out is not None:
        page.screenshot(
            path=str(walk.out / f"{len(walk.pages):03d}-{label.replace('/', '_')}.png"), full_page=True
        )


def run(base: str, out: Path | None = None, screens=("desktop", "phone")) -> Walk:
    walk = Walk(base.rstrip("/"), out)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for screen in screens:
            for username, role in ROLES.items():
                where = [f"{screen} {username} sign-in"]
                ctx, page = _context(browser, walk, screen, where)
                _sign_in(page, walk.base, username)
                _visit(walk, page, "/", f"{screen}-home-{username}-{role}", where)
                ctx.close()
            if screen == "desktop":  # English must fit a 1366 px screen too
                for username in ROLES:
                    where = [f"{screen} {username} English"]
                    ctx, page = _context(browser, walk, screen, where, language="en")
                    _sign_in(page, walk.base, username)
                    _visit(walk, page, "/", f"{screen}-home-en-{username}", where)
                    ctx.close()
            for story, username, paths in STORIES:
                where = [f"{screen} {story}"]
                ctx, page = _context(browser, walk, screen, where)
                if username:
                    _sign_in(page, walk.base, username)
                for path in paths:
                    _visit(walk, page, path, f"{screen}-{story}-{path.strip('/') or 'home'}", where)
                ctx.close()
        browser.close()
    return walk


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=None, type=Path)
    parser.add_argument("--screen", action="append", choices=sorted(SCREENS))
    args = parser.parse_args(argv)
    walk = run(args.base, args.out, tuple(args.screen or SCREENS))
    print(json.dumps({"pages": len(walk.pages), "problems": walk.problems}, ensure_ascii=False, indent=1))
    return 1 if walk.problems else 0


if __name__ == "__main__":
    sys.exit(main())
