"""The shipped catalog loads (idempotently), numbers are looked up with or without year, versions chain."""

import io

import pytest
from django.core.management import call_command

from nqihub.standards import selectors
from nqihub.standards.models import CcsCode, IcsCode, Requirement, Standard


@pytest.fixture(scope="module", autouse=True)
def _catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_standards", stdout=io.StringIO())


def test_real_records_load_with_classifications(db):
    # 1,339 sample + 373 food-safety subset + 22 core; 10 codes in two files.
    assert Standard.objects.count() == 1724
    assert IcsCode.objects.count() == 1381
    assert CcsCode.objects.count() == 1857
    assert Requirement.objects.filter(standard__canonical="GB 18401-2010").count() == 12
    gb = Standard.objects.get(canonical="GB/T 2912.1-2009")
    assert (gb.level, gb.nature, gb.status, gb.code_without_year, gb.year) == (
        "national",
        "recommended",
        "current",
        "GB/T 2912.1",
        2009,
    )
    assert "甲醛" in gb.search_text.split()


def test_loading_twice_changes_nothing(db):
    out = io.StringIO()
    call_command("load_standards", stdout=out)
    assert "created 0, updated 0, unchanged 1724" in out.getvalue()


def test_group_codes_are_normalised_to_ascii_dash(db):
    assert Standard.objects.filter(canonical="T/CYSF 0004-2023").exists()
    assert not Standard.objects.filter(canonical__contains="—").exists()


def test_replaced_by_implies_replaces(db):
    # GB 7718-2011 names its replacement; the new one names the old one back.
    assert Standard.objects.get(canonical="GB 7718-2011").replaced_by == "GB 7718-2025"
    assert Standard.objects.get(canonical="GB 7718-2025").replaces == "GB 7718-2011"


def test_lookup_without_year_finds_current_version_and_lists_others(db):
    lookup = selectors.standard_lookup(fetched_by=None, number="gb 18401")
    assert lookup.standard.canonical == "GB 18401-2010"
    assert [s.canonical for s in lookup.others] == ["GB 18401-2003"]


def test_lookup_with_sloppy_year_finds_that_version(db):
    lookup = selectors.standard_lookup(fetched_by=None, number="GB 18401—2003")
    assert lookup.standard.canonical == "GB 18401-2003"
    assert [s.canonical for s in lookup.others] == ["GB 18401-2010"]


def test_lookup_of_garbage_raises_with_reason(db):
    with pytest.raises(ValueError, match="标准"):
        selectors.standard_lookup(fetched_by=None, number="甲醛")


def test_version_chain_follows_links_and_same_number(db):
    std = Standard.objects.get(canonical="GB 19272-2011")
    chain = [s.canonical for s in selectors.version_chain(fetched_by=None, standard=std)]
    assert chain.index("GB 19272-2003") < chain.index("GB 19272-2011")
    assert "GB 19272-2024" in chain or Standard.objects.filter(canonical="GB 19272-2024").count() == 0
