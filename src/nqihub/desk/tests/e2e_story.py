"""The Liuzhou story clicked through the service desk as the demo users, with screenshots (desktop and
phone) for a person to look at. Not collected by pytest.

Run against a server with the demo data (a scratch database after ``load_reference`` and ``load_demo``):

    .venv/bin/python src/nqihub/desk/tests/e2e_story.py --base http://127.0.0.1:8031 --out /tmp/shots/desk

Drives Debian's Chromium (``/usr/bin/chromium``) through Playwright; it never downloads a browser.
"""

import argparse
import os
import sys
import tempfile
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
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Story:
    def __init__(self, browser, base: str, out: Path):
        self.browser = browser
        self.base = base.rstrip("/")
        self.out = out
        self.taken: list[str] = []
        self.problems: list[str] = []

    def login(self, username: str, viewport=DESKTOP):
        ctx = self.browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        page = ctx.new_page()
        page.on("pageerror", lambda e: self.problems.append(f"{username} page error: {e}"))
        page.on("response", lambda r: r.status >= 500 and self.problems.append(f"{r.status} {r.url}"))
        page.goto(f"{self.base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{self.base}/")
        return ctx, page

    def go(self, page, path: str):
        page.goto(self.base + path)
        page.wait_for_load_state("networkidle")

    def shot(self, page, name: str, full_page: bool = True):
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path.name)

    def expect(self, page, text: str, where: str):
        if text not in page.content():
            self.problems.append(f"{where}: “{text}” not on the page")


def run(base: str, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    (tmp / "胀袋照片.pdf").write_bytes(PDF)
    (tmp / "tool.exe").write_bytes(b"MZ\x90\x00")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        s = Story(browser, base, out)

        # 1. 善元食品 files its problem; a bad attachment is refused first
        ctx, page = s.login("ent_shanyuan")
        s.go(page, "/desk/requests/")
        s.shot(page, "01-enterprise-list-empty")
        page.click("text=提交服务需求")
        page.wait_for_load_state("networkidle")
        page.check("input[name=categories][value=testing]")
        page.check("input[name=categories][value=quality_management]")
        page.fill("input[name=title]", "螺蛳粉保质期短，想延长保质期")
        page.fill(
            "textarea[name=description]",
            "预包装螺蛳粉常温存放两个月后出现胀袋，希望专家指导杀菌工艺，并检测菌落总数和霉菌和酵母。",
        )
        page.fill("input[name=product]", "预包装柳州螺蛳粉")
        page.fill("input[name=contact_name]", "覃经理")
        page.fill("input[name=contact_phone]", "13807720000")
        s.shot(page, "02-intake-form")
        page.set_input_files("input[name=attachments]", [str(tmp / "胀袋照片.pdf"), str(tmp / "tool.exe")])
        page.click("#request-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect(page, "不支持的文件类型", "intake with an .exe")
        s.shot(page, "03-intake-bad-attachment")
        page.set_input_files("input[name=attachments]", [str(tmp / "胀袋照片.pdf")])
        page.click("#request-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect(page, "按服务区域分派至", "after intake")
        detail = page.url.replace(base.rstrip("/"), "")
        s.shot(page, "04-detail-after-submit")
        ctx.close()

        # 2. The station: 待受理 queue → accept → dispatch with the suggestions
        ctx, page = s.login("station_lz")
        s.go(page, "/desk/requests/")
        s.shot(page, "05-station-queue")
        s.go(page, detail)
        page.click("button[data-action=accept]")
        page.wait_for_load_state("networkidle")
        page.click("button[data-action=dispatch]")
        page.wait_for_timeout(400)
        page.locator("input[name=assignee][value^='expert:']").first.check()
        page.locator("input[name=assignee][value^='institution:']").first.check()
        page.locator(".suggestion-list input[name^=note_expert_]").first.fill("指导杀菌工艺")
        page.locator(".suggestion-list input[name^=note_institution_]").first.fill("检测菌落总数、霉菌和酵母")
        s.shot(page, "06-dispatch-panel")
        page.click(".dispatch-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect(page, "已派单", "dispatch")
        page.fill("textarea[name=note-text]", "内部：企业杀菌釜温控记录不全")
        page.check("input[name=note-internal]")
        page.click("#notes form button[type=submit]")
        page.wait_for_load_state("networkidle")
        ctx.close()

        # 3. The expert and the lab accept and complete
        for username, result in (
            ("expert_lz", "已指导改进杀菌工艺：121℃ 保温 20 分钟"),
            ("lab_lz", "菌落总数、霉菌和酵母检测合格"),
        ):
            ctx, page = s.login(username)
            s.go(page, "/desk/assignments/")
            if username == "expert_lz":
                s.shot(page, "07-expert-inbox")
            page.locator("form[action*='/accept/'] button").first.click()
            page.wait_for_load_state("networkidle")
            page.click("button[data-action=assignment-complete]")
            page.wait_for_timeout(400)
            page.locator("textarea[name$='-result']").first.fill(result)
            page.locator("form[action*='/complete/'] button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            s.expect(page, "工单已完成", f"{username} completes")
            if username == "expert_lz":
                s.shot(page, "08-expert-completed")
            ctx.close()

        # 4. The station resolves with the outcome
        ctx, page = s.login("station_lz")
        s.go(page, detail)
        page.click("button[data-action=resolve]")
        page.wait_for_timeout(400)
        page.select_option("select[name=resolve-outcome]", "solved")
        page.select_option("select[name=resolve-technical_problem]", "yes")
        page.fill("input[name=resolve-cost_saved]", "120000")
        page.fill("input[name=resolve-loss_avoided]", "300000")
        page.fill("textarea[name=resolve-summary]", "改进杀菌工艺，保质期由2个月延长至6个月")
        s.shot(page, "09-resolve-form")
        page.click("#panel-resolve button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect(page, "120,000.00", "resolved")
        # an illegal action: the station tries to withdraw? (not offered) — resolve again by URL
        ctx.close()

        # 5. The enterprise rates 5 (desktop) and looks at its request on a phone
        ctx, page = s.login("ent_shanyuan")
        s.go(page, detail)
        page.click("button[data-action=rate]")
        page.wait_for_timeout(400)
        page.check("input[name=rate-score][value='5']")
        page.fill("textarea[name=rate-comment]", "非常满意，保质期问题解决了")
        page.click("#panel-rate button[type=submit]")
        page.wait_for_load_state("networkidle")
        s.expect(page, "感谢您的评价", "rate")
        if "温控记录不全" in page.content():
            s.problems.append("the enterprise sees the station's internal note")
        s.shot(page, "10-enterprise-rated")
        ctx.close()
        ctx, page = s.login("ent_shanyuan", PHONE)
        s.go(page, detail)
        s.shot(page, "11-phone-detail")
        s.go(page, "/desk/requests/")
        s.shot(page, "12-phone-list")
        s.go(page, "/desk/requests/new/")
        s.shot(page, "13-phone-intake")
        ctx.close()

        # 6. The station closes; the regulator's console and the overdue tab
        ctx, page = s.login("station_lz")
        s.go(page, detail)
        page.click("button[data-action=close]")
        page.wait_for_load_state("networkidle")
        s.expect(page, "已关闭", "close")
        s.shot(page, "14-station-closed")
        ctx.close()
        ctx, page = s.login("reg_lz")
        s.go(page, "/desk/requests/")
        s.shot(page, "15-regulator-list")
        s.go(page, "/desk/requests/?tab=overdue")
        s.shot(page, "16-regulator-overdue")
        s.go(page, detail)
        s.shot(page, "17-regulator-detail")
        ctx.close()
        browser.close()

    print("screenshots:", ", ".join(s.taken))
    if s.problems:
        print("PROBLEMS:\n  " + "\n  ".join(s.problems))
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8031")
    parser.add_argument("--out", default="/tmp/shots/desk")
    args = parser.parse_args()
    sys.exit(run(args.base, Path(args.out)))
