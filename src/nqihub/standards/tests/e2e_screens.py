"""Screenshots of the standards pages as demo users see them, desktop and phone, for a person to look at.

Not a pytest module (pytest only collects ``test_*.py``). Run it against a server with the demo data
(``make run``, or ``manage.py runserver`` on a scratch database after ``load_reference``,
``load_standards`` and ``load_demo``):

    .venv/bin/python src/nqihub/standards/tests/e2e_screens.py --base http://127.0.0.1:8000 --out /tmp/shots/std

It drives Debian's Chromium (``/usr/bin/chromium``) through Playwright; it never downloads a browser. It
changes data (a follow is added and removed, a declaration is published, a small catalog file is imported),
so point it at a scratch database. Exits 1 when a page answered 5xx or logged a JavaScript error, or an
expected text was missing.
"""

import argparse
import os
import sys
import time
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

BAD_CSV = (
    "标准号,标准名称,性质,状态,实施日期,代替标准\n"
    "GB 99999-2024,测试标准甲,mandatory,current,2024-01-01,\n"
    "XX 12,格式错误的标准号,mandatory,current,,\n"
    "GB/T 99998-2024,,recommended,current,2024-13-40,\n"
    "GB/T 99997-2024,状态不对,recommended,在用,,\n"
)


def good_csv() -> str:
    suffix = int(time.time()) % 10000
    return (
        "标准号,标准名称,性质,状态,实施日期,代替标准\n"
        f"GB/T {90000 + suffix}-2025,纺织品 甲醛释放量的快速测定（示例导入）,recommended,current,2025-06-01,\n"
        f"GB/T {80000 + suffix}-2025,预包装食品 标签审核指南（示例导入）,recommended,upcoming,2026-12-01,\n"
        "GB 18401-2010,国家纺织产品基本安全技术规范,mandatory,current,2011-08-01,GB 18401-2003\n"
    )


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
        page.on("console", lambda m: m.type == "error" and self._console(m.text))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "response",
            lambda r: (
                (r.status >= 500 or (r.status == 404 and "/static/" in r.url))
                and self.problems.append(f"{r.status} {r.url}")
            ),
        )
        if username:
            page.goto(f"{self.base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(f"{self.base}/")
        if language == "en":
            self.set_language(page, "en")
        return ctx, page

    def set_language(self, page, code: str):
        page.goto(f"{self.base}/")
        page.evaluate(
            """code => { const b = document.querySelector(`button[name=language][value="${code}"]`);
                         b.form.requestSubmit(b); }""",
            code,
        )
        page.wait_for_load_state("networkidle")

    def _console(self, text: str):
        # Expected answers (a refused form, a forbidden page, the 404 check) are checked where they happen.
        if text.startswith("htmx:") or any(f"status of {n}" in text for n in (403, 404, 422)):
            return
        self.problems.append(f"console: {text}")

    def shot(self, page, name: str, full_page: bool = True):
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path.name)

    def go(self, page, path: str, expect: int | None = None):
        response = page.goto(self.base + path)
        status = response.status if response is not None else 0
        if (expect is None and status >= 400) or (expect is not None and status != expect):
            self.problems.append(f"{status} {path}")
        page.wait_for_load_state("networkidle")
        return response

    def expect_text(self, page, text: str, where: str = "main"):
        if text not in page.inner_text(where):
            self.problems.append(f"missing {text!r} on {page.url}")

    def search(self, page, q: str):
        page.fill("input[name=q]", q)
        page.press("input[name=q]", "Enter")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)


def detail_path(page, shooter: Shooter, number: str) -> str:
    shooter.go(page, f"/standards/lookup/?number={number}")
    return page.url.replace(shooter.base, "")


def declaration_fill(page, *, product: str, own_code: str, formaldehyde: str):
    page.fill("input[name=product]", product)
    page.fill("input[name=product_model]", "200×230 cm")
    page.check("input[name=kind][value=own]")
    page.fill("input[name=own_code]", own_code)
    page.fill("input[name=own_title]", "纯棉床单")
    page.fill("input[name=category]", "B")
    page.fill("textarea[name=references]", "GB 18401-2010")
    rows = [
        ("甲醛含量", formaldehyde, "mg/kg", "GB/T 2912.1"),
        ("pH值", "4.0~8.5", "", "GB/T 7573"),
        ("色牢度（耐水）", "≥3", "级", "GB/T 5713"),
    ]
    for i, (item, requirement, unit, method) in enumerate(rows):
        page.fill(f"input[name=ind-{i}-item]", item)
        page.fill(f"input[name=ind-{i}-requirement]", requirement)
        page.fill(f"input[name=ind-{i}-unit]", unit)
        page.fill(f"input[name=ind-{i}-method]", method)


def run(base: str, out: Path) -> Shooter:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        s = Shooter(browser, base, out)

        # --- Enterprise user (textiles, Nantong): search, lookup, version chains, follow, declarations.
        ctx, page = s.context(DESKTOP, "ent_yuese")
        s.shot(page, "00-home-enterprise-desktop", full_page=False)
        s.go(page, "/standards/")
        s.shot(page, "01-list-desktop")
        s.search(page, "甲醛")
        if not page.locator("#list-body mark").count():
            s.problems.append("search 甲醛: no <mark> in the results")
        s.shot(page, "02-search-formaldehyde-desktop")
        s.search(page, "纺织品 甲醛")
        s.shot(page, "03-search-textile-formaldehyde-desktop")
        s.go(page, "/standards/")
        page.select_option("select[name=level]", "national")
        page.wait_for_load_state("networkidle")
        page.select_option("select[name=nature]", "mandatory")
        page.wait_for_load_state("networkidle")
        page.select_option("select[name=status]", "current")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        s.shot(page, "04-filters-national-mandatory-current-desktop")
        s.search(page, "GB 18401")
        s.shot(page, "05-search-by-number-desktop")

        detail_path(page, s, "gb/t 2912.1—2009")
        s.expect_text(page, "GB/T 2912.1-2009")
        s.shot(page, "06-lookup-gbt2912-desktop")
        gb18401 = detail_path(page, s, "GB 18401")
        s.expect_text(page, "GB 18401-2010")
        s.expect_text(page, "GB 18401-2003")
        s.shot(page, "07-lookup-gb18401-current-desktop")
        s.go(page, "/standards/lookup/?number=GB 99999")
        s.shot(page, "08-lookup-missing-desktop")
        s.go(page, "/standards/lookup/?number=不是标准号")
        s.shot(page, "09-lookup-invalid-desktop")
        detail_path(page, s, "GB 7718-2011")
        s.expect_text(page, "GB 7718-2025")
        s.shot(page, "10-detail-gb7718-2011-chain-desktop")
        detail_path(page, s, "GB 7718-2025")
        s.expect_text(page, "GB 7718-2011")
        s.shot(page, "11-detail-gb7718-2025-chain-desktop")
        s.go(page, detail_path(page, s, "GB 18401-2003"))
        s.shot(page, "12-detail-gb18401-2003-abolished-desktop")

        s.go(page, gb18401)
        if page.locator("form[action$='/unfollow/'] button").count():
            page.click("form[action$='/unfollow/'] button")
            page.wait_for_load_state("networkidle")
        page.click("form[action$='/follow/'] button")
        page.wait_for_load_state("networkidle")
        s.expect_text(page, "已关注")
        s.shot(page, "13-followed-desktop", full_page=False)
        s.go(page, "/standards/following/")
        s.expect_text(page, "GB 18401-2010")
        s.shot(page, "14-following-desktop")
        s.go(page, gb18401)
        page.click("form[action$='/unfollow/'] button")
        page.wait_for_load_state("networkidle")
        s.expect_text(page, "已取消关注")
        s.shot(page, "15-unfollowed-desktop", full_page=False)
        s.go(page, gb18401)
        page.click("form[action$='/follow/'] button")  # keep one follow for the list below
        page.wait_for_load_state("networkidle")

        s.go(page, "/standards/ics/")
        s.shot(page, "16-ics-root-desktop", full_page=False)
        s.go(page, "/standards/ics/59/")
        s.shot(page, "17-ics-59-desktop", full_page=False)
        s.go(page, "/standards/ics/61.020/")
        s.shot(page, "18-ics-61020-desktop")
        s.go(page, "/standards/ccs/")
        s.shot(page, "19-ccs-root-desktop", full_page=False)
        s.go(page, "/standards/ccs/W/")
        s.shot(page, "20-ccs-W-desktop", full_page=False)
        s.go(page, "/standards/ics/NOPE/", expect=404)

        # Declarations: a weaker formaldehyde limit than GB 18401 category B is refused; a valid one.
        s.go(page, "/standards/declarations/new/")
        s.shot(page, "21-declaration-form-desktop")
        stamp = int(time.time()) % 100000
        declaration_fill(page, product="纯棉床单", own_code=f"Q/YS {stamp:05d}-2025", formaldehyde="≤100")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect_text(page, "≤100")
        s.expect_text(page, "≤75")
        s.shot(page, "22-declaration-weaker-refused-desktop")
        page.fill("input[name=ind-0-requirement]", "≤20")
        page.fill("textarea[name=references]", "GB 18401-2010\nGB 99999-2099")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "23-declaration-unknown-reference-desktop")
        page.fill("textarea[name=references]", "GB 18401-2010")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect_text(page, "自我声明已公开")
        s.shot(page, "24-declaration-detail-desktop")
        public = page.locator("a[href*='/public/enterprises/']").first.get_attribute("href")
        s.go(page, "/standards/declarations/")
        s.shot(page, "25-declaration-list-desktop")
        ctx.close()

        ctx, page = s.context(PHONE, "ent_yuese")
        s.go(page, "/standards/")
        s.shot(page, "30-list-phone")
        s.search(page, "纺织品 甲醛")
        s.shot(page, "31-search-phone")
        s.go(page, gb18401)
        s.shot(page, "32-detail-gb18401-phone")
        s.go(page, "/standards/declarations/new/")
        declaration_fill(page, product="纯棉被套", own_code=f"Q/YS {stamp + 1:05d}-2025", formaldehyde="≤100")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "33-declaration-refused-phone")
        s.go(page, "/standards/following/")
        s.shot(page, "34-following-phone")
        ctx.close()

        # Public page, logged out.
        ctx, page = s.context(DESKTOP)
        s.go(page, public)
        s.expect_text(page, "纯棉床单")
        s.shot(page, "40-public-declarations-desktop")
        ctx.close()
        ctx, page = s.context(PHONE)
        s.go(page, public)
        s.shot(page, "41-public-declarations-phone")
        ctx.close()

        # Regulator: reads the catalog, has nothing to follow or declare.
        ctx, page = s.context(DESKTOP, "reg_gx")
        s.go(page, "/standards/")
        s.search(page, "甲醛")
        s.shot(page, "50-search-regulator-desktop")
        s.go(page, gb18401)
        s.shot(page, "51-detail-regulator-desktop")
        s.go(page, "/standards/declarations/")
        s.shot(page, "52-declarations-regulator-desktop")
        s.go(page, "/standards/declarations/new/", expect=403)
        s.go(page, "/standards/import/", expect=403)
        s.go(page, "/standards/following/")
        s.shot(page, "53-following-regulator-desktop")
        ctx.close()

        # Admin: the import page, a bad file (per-row errors), a good one (progress, then done).
        ctx, page = s.context(DESKTOP, "admin")
        s.go(page, "/standards/")
        s.shot(page, "60-list-admin-desktop", full_page=False)
        s.go(page, "/standards/import/")
        s.shot(page, "61-import-desktop")
        page.set_input_files(
            "input[name=file]",
            files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode("utf-8")}],
        )
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect_text(page, "未导入任何数据")
        s.shot(page, "62-import-bad-desktop")
        page.set_input_files(
            "input[name=file]",
            files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": good_csv().encode("utf-8")}],
        )
        page.click("main form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        s.shot(page, "63-import-progress-desktop")
        page.wait_for_selector("#import-progress:not([hx-get])", timeout=30000)
        s.expect_text(page, "完成")
        s.shot(page, "64-import-done-desktop")
        ctx.close()
        ctx, page = s.context(PHONE, "admin")
        s.go(page, "/standards/import/")
        page.set_input_files(
            "input[name=file]",
            files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode("utf-8")}],
        )
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "65-import-bad-phone")
        ctx.close()

        # Navigation of an expert and of an enterprise user (desk links, bell).
        for user in ("expert_lz", "ent_shanyuan", "station_lz", "lab_lz"):
            ctx, page = s.context(DESKTOP, user)
            s.shot(page, f"70-nav-{user}-desktop", full_page=False)
            ctx.close()
        ctx, page = s.context(PHONE, "ent_shanyuan")
        page.click("button.navbar-toggler")
        page.wait_for_timeout(400)
        s.shot(page, "71-nav-open-ent_shanyuan-phone", full_page=False)
        ctx.close()

        # English.
        ctx, page = s.context(DESKTOP, "ent_yuese", language="en")
        s.go(page, "/standards/")
        s.search(page, "甲醛")
        s.shot(page, "80-search-english-desktop")
        s.go(page, gb18401)
        s.shot(page, "81-detail-english-desktop")
        s.go(page, "/standards/declarations/new/")
        declaration_fill(page, product="纯棉枕套", own_code=f"Q/YS {stamp + 2:05d}-2025", formaldehyde="≤100")
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.shot(page, "82-declaration-refused-english-desktop")
        ctx.close()
        ctx, page = s.context(DESKTOP, "ent_shanyuan", language="en")
        s.go(page, "/desk/requests/")
        s.shot(page, "83-desk-requests-english-desktop")
        s.go(page, "/desk/requests/new/")
        s.shot(page, "84-desk-request-form-english-desktop")
        s.go(page, "/desk/requests/?tab=all")
        links = page.locator("main a.font-monospace[href*='/desk/requests/']")
        if links.count():
            s.go(page, links.first.get_attribute("href"))
            s.shot(page, "85-desk-request-detail-english-desktop")
        ctx.close()
        ctx, page = s.context(DESKTOP, "expert_lz", language="en")
        s.go(page, "/desk/assignments/")
        s.shot(page, "86-desk-assignments-english-desktop")
        ctx.close()

        browser.close()
    return s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("/tmp/shots/std"))
    args = parser.parse_args()
    s = run(args.base, args.out)
    print(f"{len(s.taken)} screenshots in {args.out}")
    for problem in s.problems:
        print("PROBLEM", problem)
    return 1 if s.problems else 0


if __name__ == "__main__":
    sys.exit(main())
