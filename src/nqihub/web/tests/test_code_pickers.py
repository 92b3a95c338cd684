"""Region, industry and ICS codes are picked by name (issue 17 item 6): every form that takes such a code
offers the type-ahead (a datalist filled from an options route) and shows the name of the code it holds;
lists of codes are chips with their names. Bad choices are answered in Chinese, naming the choices by
their labels."""

import re

import pytest
from django.urls import reverse

from nqihub.desk.models import Category
from nqihub.desk.tests.helpers import post, shelf_life_request
from nqihub.directory.models import Station

pytestmark = pytest.mark.django_db


def _picker(body: str, name: str) -> str:
    """The markup of the picker of field ``name`` (its input and datalist)."""
    match = re.search(rf'<input[^>]*name="{name}(__q)?"[^>]*>\s*<datalist[^>]*>.*?</datalist>', body, re.S)
    assert match, f"no type-ahead for {name}"
    return match.group()


def test_ics_classes_are_found_by_chinese_name_english_name_or_code(client_for):
    c = client_for("ent_shanyuan")
    url = reverse("web:ics-options")
    by_name = c.get(url, {"field": "ics", "ics": "食品技术"}).content.decode()
    assert '<option value="67">67 食品技术</option>' in by_name
    assert '<option value="67.100">' in c.get(url, {"field": "ics", "ics": "Milk"}).content.decode()
    assert '<option value="67.100">' in c.get(url, {"field": "ics", "ics": "67.1"}).content.decode()
    assert "<option" not in c.get(url, {"field": "ics", "ics": ""}).content.decode()


def test_ics_options_need_a_signed_in_user(client):
    assert client.get(reverse("web:ics-options"), {"q": "67"}).status_code == 302


def test_standards_list_filters_by_an_ics_class_picked_by_name(client_for):
    body = client_for("ent_shanyuan").get(reverse("standards:list"), {"ics": "67"}).content.decode()
    picker = _picker(body, "ics")
    assert reverse("web:ics-options") in picker
    assert "67 食品技术" in body  # the class held is named


#: A code of each kind and the name a person reads for it.
NAMED = {"industry": ("1431", "米、面制品制造"), "region": ("450202", "城中区")}


@pytest.mark.parametrize(
    ("url", "field"),
    [("cases:list", "industry"), ("cases:list", "region"), ("testing:pass-rates", "region")]
    + [("certification:guidance", "industry")],
)
def test_filters_take_region_and_industry_by_name(client_for, url, field):
    code, name = NAMED[field]
    body = client_for("reg_lz").get(reverse(url), {field: code}).content.decode()
    picker = _picker(body, field)
    options = reverse("web:region-options" if field == "region" else "web:industry-options")
    assert options in picker
    assert name in body


def test_an_experts_industries_are_picked_by_name(client_for):
    body = client_for("reg_lz").get(reverse("directory:expert-create")).content.decode()
    assert reverse("web:industry-options") in _picker(body, "industries")


def test_a_stations_service_area_and_industries_are_named_chips(client_for):
    station = Station.objects.filter(areas__region_id="450202").first()
    body = client_for("reg_lz").get(reverse("directory:station-edit", args=[station.pk])).content.decode()
    area = list(station.areas.values_list("region_id", flat=True))
    hidden = re.search(r'<input type="hidden" name="service_area" value="([^"]*)"', body)
    assert hidden and sorted(hidden.group(1).split(", ")) == sorted(area)
    chip = re.search(r'<li[^>]*data-code="450202">(.*?)</li>', body, re.S)
    assert chip and "城中区" in chip.group(1)
    assert reverse("web:region-options") in _picker(body, "service_area")
    assert reverse("web:industry-options") in _picker(body, "industries")
    assert "<textarea" not in body.split('name="service_area"')[1].split("</datalist>")[0]


def test_an_api_bad_choice_names_the_choices_by_their_chinese_labels(api_for):
    r = post(api_for("ent_shanyuan"), "/api/v1/requests", shelf_life_request(categories=["magic"]))
    assert r.status_code == 422
    message = next(e["message"] for e in r.json()["detail"] if e["field"] == "categories")
    testing_label = str(Category("testing").label)
    assert f"{testing_label}（testing）" in message  # the label, with the code as a hint
    assert not message.split("：", 1)[1].startswith("testing")


def test_a_form_bad_choice_is_answered_in_chinese_and_changes_nothing(client_for):
    c = client_for("reg_gx")
    body = c.get(reverse("directory:enterprise-list"), {"scale": "huge"}).content.decode()
    assert "规模应为微型、小型、中型或大型。" in body
