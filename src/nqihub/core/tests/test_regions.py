import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqihub.core import regions


def test_levels_and_prefixes():
    assert regions.level("450000") == "province" and regions.prefix("450000") == "45"
    assert regions.level("450200") == "city" and regions.prefix("450200") == "4502"
    assert regions.level("450202") == "county" and regions.prefix("450202") == "450202"
    assert regions.prefix(regions.NATIONAL) == ""
    assert regions.parent("450202") == "450200" and regions.parent("450200") == "450000"


@pytest.mark.parametrize("bad", ["", "4502", "45020a", "4502021", None])
def test_bad_codes_are_refused(bad):
    with pytest.raises(ValueError):
        regions.level(bad)


def test_closeness_orders_county_city_province_rest():
    assert regions.closeness("450202", "450202") == 3
    assert regions.closeness("450202", "450205") == 2
    assert regions.closeness("450202", "450103") == 1
    assert regions.closeness("450202", "320614") == 0


codes = st.from_regex(r"[1-6][0-9](0[1-9]|[1-9][0-9])[0-9][1-9]", fullmatch=True)


@given(codes)
def test_a_county_is_inside_its_city_and_province(code):
    city = regions.parent(code)
    province = regions.parent(city)
    assert code.startswith(regions.prefix(city)) and code.startswith(regions.prefix(province))
