"""The case library's search also shows the matching standards ("相关标准"), titles highlighted."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.fixture
def catalog(db):
    call_command("load_standards", stdout=io.StringIO())


def test_search_shows_related_standards(catalog, client):
    r = client.get(reverse("cases:list"), {"q": "甲醛"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "相关标准" in page
    assert "GB/T 2912.1-2009" in page
    assert "<mark>甲醛</mark>" in page
    row = next(s for s in r.context["standards"] if s["standard"].canonical == "GB/T 2912.1-2009")
    assert "<mark>甲醛</mark>" in row["title"]


def test_standard_number_query_finds_the_standard(catalog, client):
    r = client.get(reverse("cases:list"), {"q": "GB/T 2912.1-2009"})
    assert [s["standard"].canonical for s in r.context["standards"]][:1] == ["GB/T 2912.1-2009"]


def test_no_query_no_standards_section(catalog, client):
    r = client.get(reverse("cases:list"))
    assert r.context["standards"] == []
    assert "相关标准" not in r.content.decode()
