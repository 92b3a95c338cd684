"""The visitors' landing page: what the platform offers, stations by region, the public services one click
away (each answering a visitor without a login), "提交需求" and sign in; signed-in users keep their home."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from nqihub.directory.models import Station

pytestmark = pytest.mark.django_db


def _html(client=None) -> str:
    r = (client or Client()).get("/")
    assert r.status_code == 200
    return r.content.decode()


def test_visitor_sees_services_stations_and_sign_in():
    html = _html()
    for text in ("提交需求", "登录", "办件进度查询", "报告真伪查询", "标签合规检查", "典型案例", "公开统计"):
        assert text in html, text
    # Every station of the directory, under its province.
    for station in Station.objects.all():
        assert station.name in html
    assert "广西壮族自治区" in html
    # Demo stations say so.
    if Station.objects.filter(is_demo=True).exists():
        assert "示例" in html


def test_every_public_service_answers_a_visitor_without_login():
    html = _html()
    section = html.split('id="public-services"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="([^"]+)"', section)
    assert len(links) >= 6
    anon = Client()
    for url in links:
        r = anon.get(url)
        assert r.status_code == 200, url


def test_submit_leads_to_sign_in_then_the_request_form():
    html = _html()
    submit = re.search(r'href="([^"]+)" id="landing-submit"', html).group(1).replace("&amp;", "&")
    assert submit.startswith(reverse("accounts:login"))
    assert reverse("desk:request-create") in submit


def test_signed_in_user_keeps_their_home(client_for):
    html = _html(client_for("ent_shanyuan"))
    assert 'id="landing-title"' not in html


def test_landing_is_accessible_and_csp_clean():
    html = _html()
    assert "style=" not in html and "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    # One h1, and headings do not skip a level from h1 to h3.
    assert html.count("<h1") == 1
    assert html.index("<h2") < html.index("<h3")
    assert '<html lang="zh-hans">' in html


def test_register_and_sign_in_links_lead_to_their_forms():
    html = _html()
    for anchor in ("landing-register", "landing-login"):
        url = re.search(rf'href="([^"]+)" id="{anchor}"', html).group(1)
        assert Client().get(url).status_code == 200
