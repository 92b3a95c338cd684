"""Screenshots of the main pages as demo users see them, desktop and phone, for a person to look at.

Not a pytest module (pytest only collects ``test_*.py``). Run it against a server with the demo data
(``make run``, or ``manage.py runserver`` on a scratch database after ``load_reference`` and
``load_demo``):

    .venv/bin/python src/nqihub/web/tests/e2e/screenshots.py --base http://127.0.0.1:8000 --out /tmp/shots

It drives Debian's Chromium (``/usr/bin/chromium``) through Playwright; it never downloads a browser.
"""

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = os.environ.get("DEMO_PASSWORD", "NqiDemo@2026")


class Shooter:
    def __init__(self, browser, base: str, out: Path):
        self.browser = browser
        self.base = base.rstrip("/")
        self.out = out
        self.taken: list[str] = []
        self.problems: list[str] = []

    def context(self, viewport, username: str | None = None, language: str = "zh-CN"):
        ctx = self.browser.new_context(viewport=viewport, locale=language, device_scale_factor=1)
        page = ctx.new_page()
        page.on("console", lambda m: m.type == "error" and self._console(m.text, page.url))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "response",
            lambda r: r.status >= 500 and self.problems.append(f"{r.status} {r.url}"),
        )
        if username:
            page.goto(f"{self.base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(f"{self.base}/")
        return ctx, page

    def _console(self, text: str, url: str = ""):
        # 429 is the expected answer of the lock-out check; htmx logs the requests it replaces.
        if "status of 429" in text or text.startswith("htmx:"):
            return
        self.problems.append(f"console at {url}: {text}")

    def shot(self, page, name: str, full_page: bool = True):
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path.name)

    def go(self, page, path: str):
        response = page.goto(self.base + path)
        if response is not None and response.status >= 400:
            self.problems.append(f"{response.status} {path}")
        page.wait_for_load_state("networkidle")
        return response


def first_link(page, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    if not href:
        raise RuntimeError(f"no link for {selector}")
    return href


def run(base: str, out: Path) -> Shooter:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        s = Shooter(browser, base, out)

        # Login page, its errors and the lock-out page.
        ctx, page = s.context(DESKTOP)
        s.go(page, "/accounts/login/")
        s.shot(page, "01-login-desktop")
        page.fill("input[name=username]", "reg_lz")
        page.fill("input[name=password]", "wrong-Password1")
        page.click("main form button[type=submit]")
        s.shot(page, "02-login-error-desktop")
        for _ in range(6):
            s.go(page, "/accounts/login/")
            page.fill("input[name=username]", "no_such_user_e2e")
            page.fill("input[name=password]", "wrong-Password1")
            page.click("main form button[type=submit]")
        s.shot(page, "03-locked-out-desktop")
        ctx.close()
        ctx, page = s.context(PHONE)
        s.go(page, "/accounts/login/")
        s.shot(page, "04-login-phone")
        ctx.close()

        # Enterprise user: home, my enterprise with contacts, edit form with a bad USCC.
        ctx, page = s.context(DESKTOP, "ent_shanyuan")
        s.shot(page, "10-home-enterprise-desktop")
        page.click("text=服务资源库")
        s.shot(page, "11-nav-directory-menu-desktop", full_page=False)
        detail = first_link(page, "a.dropdown-item:has-text('我的企业')")
        s.go(page, detail)
        if page.locator("form[action$='/contacts/'] input[name=name]").count():
            page.fill("form[action$='/contacts/'] input[name=name]", "李建国")
            page.fill("form[action$='/contacts/'] input[name=phone]", "13877123456")
            page.fill("form[action$='/contacts/'] input[name=position]", "质量负责人")
            page.click("form[action$='/contacts/'] button[type=submit]")
            page.wait_for_load_state("networkidle")
        s.shot(page, "12-enterprise-detail-owner-desktop")
        s.go(page, detail + "edit/")
        uscc = page.input_value("input[name=uscc]")
        page.fill("input[name=uscc]", uscc[:17] + ("0" if uscc[17] != "0" else "1"))
        page.fill("input[name=name]", "")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "13-enterprise-edit-errors-desktop")
        s.go(page, "/directory/capability/?parameter=菌落总数&product=螺蛳粉&region=450204")
        s.shot(page, "14-capability-search-desktop")
        ctx.close()

        ctx, page = s.context(PHONE, "ent_shanyuan")
        s.shot(page, "15-home-enterprise-phone")
        page.click("button.navbar-toggler")
        page.wait_for_timeout(400)
        s.shot(page, "16-nav-open-phone", full_page=False)
        s.go(page, "/directory/capability/?parameter=菌落总数&product=螺蛳粉&region=450204")
        s.shot(page, "17-capability-search-phone")
        s.go(page, "/directory/stations/")
        s.shot(page, "18-station-list-phone")
        ctx.close()

        # Regulator (city): home, lists, filters via htmx, create form with errors, audit log.
        ctx, page = s.context(DESKTOP, "reg_lz")
        s.shot(page, "20-home-regulator-desktop")
        s.go(page, "/directory/enterprises/")
        s.shot(page, "21-enterprise-list-regulator-desktop")
        page.fill("input[name=q]", "螺蛳粉")
        page.press("input[name=q]", "Enter")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        s.shot(page, "22-enterprise-list-search-htmx-desktop")
        s.go(page, "/directory/enterprises/new/")
        page.fill("input[name=uscc]", "91450205000000007X")
        page.fill("input[name=name]", "柳江螺蛳粉厂")
        page.fill("input[name=region]", "450200")
        page.fill("input[name=industry]", "9999")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "23-enterprise-create-errors-desktop")
        s.go(page, "/directory/stations/")
        s.shot(page, "24-station-list-desktop")
        s.go(page, first_link(page, "table a[href*='/directory/stations/']"))
        s.shot(page, "25-station-detail-desktop")
        s.go(page, page.url.replace(s.base, "") + "edit/")
        s.shot(page, "26-station-edit-desktop")
        s.go(page, "/directory/experts/")
        s.shot(page, "27-expert-list-desktop")
        s.go(page, first_link(page, "table a[href*='/directory/experts/']"))
        s.shot(page, "28-expert-detail-desktop")
        s.go(page, "/directory/experts/new/")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "29-expert-create-errors-desktop")
        s.go(page, "/audit/")
        s.shot(page, "30-audit-log-regulator-desktop")
        ctx.close()

        ctx, page = s.context(PHONE, "reg_lz")
        s.go(page, "/directory/enterprises/")
        s.shot(page, "31-enterprise-list-phone")
        s.go(page, "/directory/enterprises/new/")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "32-enterprise-create-errors-phone")
        ctx.close()

        # Institution staff: their lab with inline qualifications; a bad CNAS number via htmx.
        ctx, page = s.context(DESKTOP, "lab_lz")
        s.go(page, "/directory/institutions/")
        s.shot(page, "40-institution-list-desktop")
        s.go(page, first_link(page, "table a:has-text('柳州')"))
        s.shot(page, "41-institution-detail-staff-desktop")
        if page.locator("select[name=qnew-kind]").count():  # only on the staff's own institution
            page.select_option("select[name=qnew-kind]", "cnas")
            page.fill("input[name=qnew-number]", "L-12")
            page.click("form.qualification-new button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
            s.shot(page, "42-qualification-error-htmx-desktop")
        ctx.close()
        ctx, page = s.context(PHONE, "lab_lz")
        s.go(page, "/directory/institutions/")
        s.go(page, first_link(page, "table a:has-text('柳州')"))
        s.shot(page, "43-institution-detail-phone")
        ctx.close()

        # Admin and station staff homes; the national view of the enterprise list.
        for username, name in (("admin", "50-home-admin-desktop"), ("station_lz", "51-home-station-desktop")):
            ctx, page = s.context(DESKTOP, username)
            s.shot(page, name)
            ctx.close()
        ctx, page = s.context(DESKTOP, "admin")
        s.go(page, "/directory/enterprises/?region=450000")
        s.shot(page, "52-enterprise-list-admin-region-desktop")
        ctx.close()

        # English.
        ctx, page = s.context(DESKTOP, "reg_lz")
        page.click("#language-menu")
        page.click("button[name=language][value=en]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "60-home-english-desktop")
        s.go(page, "/directory/enterprises/")
        s.shot(page, "61-enterprise-list-english-desktop")
        s.go(page, "/directory/capability/?parameter=菌落总数&region=450204")
        s.shot(page, "62-capability-search-english-desktop")
        s.go(page, "/directory/enterprises/new/")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "63-enterprise-create-errors-english-desktop")
        ctx.close()
        ctx, page = s.context(PHONE, "ent_yuese", language="en-US")
        page.click("button.navbar-toggler")
        page.click("#language-menu")
        page.click("button[name=language][value=en]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "64-home-english-phone")
        ctx.close()

        browser.close()
    return s


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="/tmp/shots", type=Path)
    args = parser.parse_args(argv)
    s = run(args.base, args.out)
    print(f"{len(s.taken)} screenshots in {args.out}:")
    for name in s.taken:
        print("  " + name)
    if s.problems:
        print("problems:")
        for problem in s.problems:
            print("  " + problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
