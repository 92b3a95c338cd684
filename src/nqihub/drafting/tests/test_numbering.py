"""The enterprise number: parsed by the platform's parser, checked for what an enterprise standard needs."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from nqihub.drafting.numbering import check_number, is_food_industry

codes = st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=8)
sequences = st.integers(min_value=1, max_value=9999).map(lambda n: f"{n:04d}")
years = st.integers(min_value=1995, max_value=2099)


@settings(deadline=None)
@given(codes, sequences, years)
def test_every_well_formed_enterprise_number_is_accepted_in_canonical_form(code, seq, year):
    result = check_number(f"q/{code}{seq}—{year}")
    assert result.error == ""
    assert result.canonical == f"Q/{code} {seq}-{year}"
    assert (result.prefix, result.sequence, result.year) == (f"Q/{code}", seq, year)


@settings(deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_a_result_never_an_exception(text):
    result = check_number(text)
    assert result.error or result.canonical.startswith("Q/")


def test_a_public_standard_number_is_refused_with_the_expected_form():
    result = check_number("GB/T 22588-2008")
    assert "Q/" in result.error and "GB/T 22588-2008" in result.error


def test_a_number_without_year_is_refused():
    assert "年代号" in check_number("Q/HXKJ 0001").error


def test_blank_is_refused():
    assert check_number("  ").error


def test_food_standard_without_s_warns_in_a_province_that_uses_it():
    result = check_number("Q/LPG 0001-2026", food=True, province="510100", food_s_provinces=("51",))
    assert result.error == ""
    assert [w[0] for w in result.warnings] == ["number_food_suffix"]
    assert "Q/LPG 0001S-2026" in result.warnings[0][2]


def test_food_standard_with_s_is_fine_and_other_provinces_are_not_told():
    assert (
        check_number("Q/LPG 0001S-2026", food=True, province="510100", food_s_provinces=("51",)).warnings
        == []
    )
    assert (
        check_number("Q/LPG 0001-2026", food=True, province="420102", food_s_provinces=("51",)).warnings == []
    )


def test_s_on_a_non_food_standard_warns():
    result = check_number("Q/HXKJ 0001S-2026", food=False, province="420102")
    assert [w[0] for w in result.warnings] == ["number_suffix_not_food"]


def test_food_industries_are_gbt4754_divisions_13_to_15():
    assert is_food_industry("1431") and is_food_industry("1310") and is_food_industry("1512")
    assert not is_food_industry("3985") and not is_food_industry(None) and not is_food_industry("")
