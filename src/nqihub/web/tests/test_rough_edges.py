"""Rough edges a government user met in the browser (issue 17 item 5): the site icon, pages that answered a
bare fragment, date fields that stayed empty, raw numbers on the public figures, case forms without
styling, reports of a period that has not ended."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from nqihub.web.templatetags.nqihub import cn_number

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_site_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    from django.contrib.staticfiles import finders

    assert finders.find("nqihub/favicon.svg")


def test_ccc_guidance_opened_directly_is_a_whole_page_and_htmx_gets_the_fragment(client_for):
    c = client_for("ent_hanxi")
    page = c.get("/certification/guidance/", {"product": "电热水壶"})
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html and 'name="product"' in html and "CCC" in html
    fragment = c.get("/certification/guidance/", {"product": "电热水壶"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()


def test_a_prefilled_date_field_is_iso_whatever_the_language():
    from nqihub.metrology.forms import RecordForm

    with translation.override("zh-hans"):
        html = str(RecordForm(initial={"performed_on": dt.date(2026, 12, 7)})["performed_on"])
    assert 'type="date"' in html and 'value="2026-12-07"' in html


@given(st.integers(min_value=0, max_value=10**13))
def test_cn_number_reads_back_to_the_same_magnitude(n):
    text = cn_number(n)
    if n >= 10**8:
        assert text.endswith("亿") and abs(float(text[:-1]) * 1e8 - n) <= 0.005e8 + 1
    elif n >= 10**4:
        assert text.endswith("万") and abs(float(text[:-1]) * 1e4 - n) <= 0.05e4 + 1
    else:
        assert int(text.replace(",", "")) == n


def test_public_statistics_use_wan_and_yi_and_carry_their_charts_with_tables():
    html = Client().get("/stats/").content.decode()
    charts = json.loads(re.search(r'id="public-charts"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert len(charts["trend"]) == 12 and sum(m["services"] for m in charts["trend"]) > 0
    assert charts["by_category"] and all(row["services"] > 0 for row in charts["by_category"])
    assert "万" in html or "亿" in html
    assert 'id="public-trend"' in html and "<table" in html and "stats/public.js" in html


def test_case_and_article_forms_are_styled_with_labelled_fields(client_for):
    from nqihub.desk.models import ServiceRequest

    station = client_for("station_lz")
    req = ServiceRequest.objects.filter(station__name__contains="螺蛳粉").order_by("pk").first()
    pages = [
        station.get(f"/cases/from-request/{req.pk}/"),
        client_for("reg_lz").get("/cases/articles/new/"),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="form-control' in html and 'class="form-label' in html
        assert "<p>" not in html.split("<form", 1)[1].split("</form>", 1)[0]  # not Django's bare as_p/as_div


def test_a_report_of_a_period_that_has_not_ended_is_flagged(client_for, demo_user):
    from nqihub.stats import services

    today = timezone.localdate()
    report = services.report_create(
        region="450200", period_type="month", year=today.year, part=today.month, by=demo_user("reg_lz")
    )
    assert report.period_unfinished
    html = client_for("reg_lz").get(f"/stats/reports/{report.pk}/").content.decode()
    assert "报表期间尚未结束" in html
    last_year = services.report_create(
        region="450200", period_type="year", year=today.year - 1, by=demo_user("reg_lz")
    )
    assert not last_year.period_unfinished


def test_audit_actions_read_in_chinese_with_the_code_as_a_hint(client_for):
    from nqihub.core.audit_labels import action_label
    from nqihub.core.models import AuditEntry

    assert action_label("desk.request.dispatch") == "服务需求 · 派单"
    assert action_label("accounts.login") == "账户 · 登录"
    assert action_label("something.unknown.thing") == "something.unknown.thing"
    html = client_for("admin").get("/audit/").content.decode()
    known = AuditEntry.objects.order_by("-at", "-id").values_list("action", flat=True)[:10]
    assert any(action_label(a) in html for a in known if action_label(a) != a)


def test_validation_messages_name_choices_in_chinese():
    from nqihub.core.errors import ValidationFailed
    from nqihub.stats.labels import dimension_filter

    with pytest.raises(ValidationFailed) as caught:
        dimension_filter(category="nonsense")
    message = str(caught.value.errors["category"])
    assert "计量" in message and "metrology" not in message
