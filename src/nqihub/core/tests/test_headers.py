"""Security headers (issue 13 item 8): a Content-Security-Policy on every page and no inline script or
style left for it to forbid; no caching of what a signed-in user, the API or a report download shows; no
Server banner; HSTS in production. Also: the public declarations page is no existence oracle (item 6),
and refusals are audited."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from nqihub.core.models import AuditEntry

ROOT = Path(__file__).resolve().parents[4]
TEMPLATES = sorted(ROOT.glob("src/nqihub/**/templates/**/*.html"))
#: Rendered by WeasyPrint into a PDF, never served to a browser.
PDF_TEMPLATES = {"report.html", "standard.html"}

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"hx-(?:vals|vars)\s*=\s*['\"]js:", re.I), "htmx js: expression"),
    (re.compile(r"hx-on", re.I), "hx-on handler"),
]


def test_no_template_has_an_inline_script_style_or_handler():
    found = []
    for path in TEMPLATES:
        if path.name in PDF_TEMPLATES and "pdf" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert len(TEMPLATES) > 50
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/cases/", "/labels/", "/testing/verify/", "/stats/"])
def test_every_public_page_has_a_strict_content_security_policy(url):
    response = Client().get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Server" not in response.headers


@pytest.mark.django_db
def test_pages_of_a_signed_in_user_are_not_stored(client_for):
    c = client_for("reg_lz")
    for url in [reverse("web:home"), reverse("web:audit-log"), "/desk/requests/"]:
        response = c.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "no-store", url
        assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_anonymous_public_pages_may_be_cached_but_api_answers_never(api_for):
    assert "no-store" not in Client().get("/cases/").get("Cache-Control", "")
    assert Client().get("/api/v1/labels/categories")["Cache-Control"] == "no-store"
    assert api_for("reg_lz").get("/api/v1/notifications")["Cache-Control"] == "no-store"
    assert Client().get("/api/v1/openapi.json")["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_report_pdfs_are_not_stored(api_for):
    from nqihub.testing.models import Report

    report = Report.objects.order_by("pk").first()
    if report is None:
        pytest.skip("the demo world issued no report")
    response = api_for("admin").get(f"/api/v1/reports/{report.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/pdf")
    assert response["Cache-Control"] == "no-store"


def test_hsts_and_secure_cookies_are_on_with_debug_off(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="nqi.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        DJANGO_SETTINGS_MODULE="nqihub.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "True"]


@pytest.mark.django_db
def test_public_declarations_answer_404_for_an_enterprise_without_published_declarations():
    from nqihub.directory.models import Enterprise
    from nqihub.standards.models import Declaration

    without = Enterprise.objects.exclude(pk__in=Declaration.objects.values("enterprise_id")).first()
    response = Client().get(reverse("standards:public-declarations", args=[without.pk]))
    assert response.status_code == 404
    assert without.name not in response.content.decode()
    declared = Declaration.objects.select_related("enterprise").first()
    if declared is not None:
        page = Client().get(reverse("standards:public-declarations", args=[declared.enterprise_id]))
        assert page.status_code == 200 and declared.enterprise.name in page.content.decode()


@pytest.mark.django_db
def test_refusals_of_the_api_are_audited(api_for):
    # Writing guidance articles is for regulators: an enterprise user is refused (403), and it is audited.
    body = {"title": "示例", "body": "示例正文", "category": "x"}
    response = api_for("ent_yuese").post("/api/v1/articles", body, "application/json")
    assert response.status_code == 403
    denied = AuditEntry.objects.get(action="security.permission_denied", actor_username="ent_yuese")
    assert denied.data["path"] == "/api/v1/articles" and denied.data["method"] == "POST"
