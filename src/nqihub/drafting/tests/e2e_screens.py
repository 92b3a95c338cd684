"""Screenshots of enterprise-standard drafting as demo users see it, desktop and phone, for a person to
look at, plus the pages of the demo standard's PDF as PNG.

Not a pytest module (pytest only collects ``test_*.py``). Run it against a server with the demo data
(``make run``, or ``manage.py runserver`` on a scratch database after ``load_reference``,
``load_standards``, ``load_ccc`` and ``load_demo``):

    .venv/bin/python src/nqihub/drafting/tests/e2e_screens.py --base http://127.0.0.1:8000 --out /tmp/shots/drafting

It drives Debian's Chromium (``/usr/bin/chromium``) through Playwright; it never downloads a browser. It
types a draft into the form (nothing is saved) and checks the table editor by keyboard. Exits 1 when a page
answered 5xx, logged a JavaScript error, or an expected text or behaviour was missing.
"""

import argparse
import os
import subprocess
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

    def context(self, viewport, username: str):
        ctx = self.browser.new_context(
            viewport=viewport, locale="zh-CN", device_scale_factor=1, accept_downloads=True
        )
        page = ctx.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and not m.text.startswith("htmx:") and self.problems.append(m.text),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "response",
            lambda r: (
                (r.status >= 500 or (r.status == 404 and "/static/" in r.url))
                and self.problems.append(f"{r.status} {r.url}")
            ),
        )
        page.goto(f"{self.base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{self.base}/")
        return ctx, page

    def shot(self, page, name: str, full_page: bool = True):
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path.name)

    def go(self, page, path: str):
        response = page.goto(self.base + path)
        if response is not None and response.status >= 400:
            self.problems.append(f"{response.status} {path}")
        page.wait_for_load_state("networkidle")

    def expect(self, ok: bool, what: str):
        if not ok:
            self.problems.append(what)


def type_textile_draft(page):
    page.fill("input[name=number]", "Q/DEMOYS 0009-2026")
    page.fill("input[name=title]", "婴幼儿纯棉床单（示例）")
    page.fill("input[name=product]", "婴幼儿床单")
    page.fill("textarea[name=references]", "GB 18401-2010\nGB 18401-2003\nGB/T 99999-2030")
    rows = [
        ("甲醛含量", "≤30", "mg/kg", "GB/T 2912.1-2009", "A"),
        ("pH值", "4.0~7.5", "", "GB/T 2912.1-2009", "A"),
    ]
    for i, (item, requirement, unit, method, grade) in enumerate(rows):
        page.fill(f"input[name=ind-{i}-item]", item)
        page.fill(f"input[name=ind-{i}-requirement]", requirement)
        page.fill(f"input[name=ind-{i}-unit]", unit)
        page.fill(f"input[name=ind-{i}-method]", method)
        page.fill(f"input[name=ind-{i}-grade]", grade)


def run(base: str, out: Path) -> Shooter:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        s = Shooter(browser, base, out)

        ctx, page = s.context(DESKTOP, "ent_hanxi")
        s.go(page, "/drafting/")
        s.expect("导热石墨烯膜（示例）" in page.inner_text("main"), "demo draft missing from the list")
        s.shot(page, "01-list")
        page.click("#draft-list a")
        page.wait_for_load_state("networkidle")
        detail = page.url
        s.go(page, detail.replace(base, "") + "?from=1&to=2#versions")
        s.expect(page.locator("#diff tbody tr").count() >= 4, "version differences missing")
        s.expect("已通过企业标准自我声明公开" in page.inner_text("main"), "declared banner missing")
        s.shot(page, "02-detail-versions-diff")
        with page.expect_download() as download:
            page.click("text=下载 Word")
        docx = out / "demo-standard.docx"
        download.value.save_as(str(docx))
        pdf = page.request.get(detail + "document.pdf")
        s.expect(pdf.status == 200 and pdf.body().startswith(b"%PDF"), "PDF download failed")
        (out / "demo-standard.pdf").write_bytes(pdf.body())
        ctx.close()

        ctx, page = s.context(DESKTOP, "ent_yuese")
        s.go(page, "/drafting/new/")
        type_textile_draft(page)
        page.wait_for_selector('#findings [data-code="weaker_than_mandatory"]', timeout=10000)
        text = page.inner_text("#findings")
        s.expect("≤30 mg/kg" in text and "≤20 mg/kg" in text, "live finding without both values")
        s.expect("未收录，请核实" in text and "GB 18401-2010" in text, "reference findings missing")
        # Keyboard: Enter in a cell goes to the same column of the next row, and past the last row adds one.
        rows_before = page.locator("#indicator-table tbody tr").count()
        page.focus("input[name=ind-1-requirement]")
        page.keyboard.press("Enter")
        s.expect(
            page.evaluate("document.activeElement.name") == "ind-2-requirement", "Enter did not move down"
        )
        page.focus(f"input[name=ind-{rows_before - 1}-item]")
        page.keyboard.press("Enter")
        s.expect(
            page.locator("#indicator-table tbody tr").count() == rows_before + 1,
            "Enter on the last row did not add one",
        )
        s.expect(
            page.evaluate("document.activeElement.name") == f"ind-{rows_before}-item",
            "focus not in the new row",
        )
        page.keyboard.type("异味")
        page.wait_for_timeout(1200)
        s.shot(page, "03-form-live-findings")
        ctx.close()

        ctx, page = s.context(PHONE, "ent_yuese")
        s.go(page, "/drafting/new/")
        type_textile_draft(page)
        page.wait_for_selector('#findings [data-code="weaker_than_mandatory"]', timeout=10000)
        width = page.evaluate("document.documentElement.scrollWidth")
        s.expect(width <= PHONE["width"] + 1, f"phone form scrolls sideways ({width}px)")
        page.locator("#indicator-table").scroll_into_view_if_needed()
        s.shot(page, "04-form-phone")
        ctx.close()

        ctx, page = s.context(PHONE, "expert_wh")
        s.go(page, detail.replace(base, ""))
        s.expect("导热系数和厚度的指标" in page.inner_text("main"), "expert comments missing")
        s.shot(page, "05-detail-expert-phone")
        ctx.close()
        browser.close()

    pages = out / "pdf-page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out / "demo-standard.pdf"), str(pages)], check=True)
    s.taken += sorted(p.name for p in out.glob("pdf-page*.png"))
    return s


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="/tmp/shots/drafting")
    args = parser.parse_args()
    s = run(args.base, Path(args.out))
    print("\n".join(s.taken))
    if s.problems:
        print("PROBLEMS:\n" + "\n".join(s.problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
