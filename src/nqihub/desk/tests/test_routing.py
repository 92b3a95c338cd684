"""Routing is a pure function: a table of examples and a property test."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqihub.desk.routing import (
    LEVEL_CITY,
    LEVEL_PROVINCE,
    LEVEL_STATION,
    StationInfo,
    industry_affinity,
    route,
)

LUOSIFEN = StationInfo(
    7, "广西柳州螺蛳粉质量检测服务站", frozenset({"450202", "450204", "450205"}), frozenset({"1431", "1439"})
)
GENERAL = StationInfo(3, "柳南区综合质量服务站", frozenset({"450204"}), frozenset())
TEXTILE = StationInfo(5, "柳州纺织服务站", frozenset({"450204"}), frozenset({"1771"}))
WUHAN = StationInfo(9, "武汉江岸岱家山科创城质量服务站", frozenset({"420102"}), frozenset({"3985"}))


@pytest.mark.parametrize(
    ("county", "industry", "stations", "expected_id", "expected_level", "reason_part"),
    [
        # the county is covered by one station
        (
            "450204",
            "1431",
            [LUOSIFEN, WUHAN],
            7,
            LEVEL_STATION,
            "按服务区域分派至广西柳州螺蛳粉质量检测服务站",
        ),
        ("420102", "3985", [LUOSIFEN, WUHAN], 9, LEVEL_STATION, "按服务区域分派至武汉江岸"),
        # several stations cover it: the industry specialisation breaks the tie
        ("450204", "1431", [GENERAL, TEXTILE, LUOSIFEN], 7, LEVEL_STATION, "按行业 1431"),
        ("450204", "1771", [GENERAL, TEXTILE, LUOSIFEN], 5, LEVEL_STATION, "按行业 1771"),
        # same group (143x) beats nothing
        ("450204", "1432", [GENERAL, LUOSIFEN], 7, LEVEL_STATION, "按服务区域分派至"),
        # no specialisation matches: the lowest id, deterministically
        ("450204", "3985", [TEXTILE, GENERAL, LUOSIFEN], 3, LEVEL_STATION, "按登记先后"),
        # no station covers the county → the city-level platform
        ("450222", "1431", [LUOSIFEN, WUHAN], None, LEVEL_CITY, "转市级平台（450200）"),
        ("320614", "1771", [], None, LEVEL_CITY, "转市级平台（320600）"),
        # a province-level code → the province platform
        ("450000", None, [LUOSIFEN], None, LEVEL_PROVINCE, "转省级平台（450000）"),
    ],
)
def test_route_table(county, industry, stations, expected_id, expected_level, reason_part):
    result = route(county, industry, stations)
    station_id, level, reason = result
    assert station_id == expected_id
    assert level == expected_level
    assert reason_part in reason


def test_route_accepts_tuples_and_dicts():
    as_tuple = (7, "螺蛳粉站", ["450204"], ["1431"], "county")
    as_dict = {"id": 8, "name": "综合站", "counties": ["450204"], "industries": []}
    assert route("450204", "1431", [as_dict, as_tuple]).station_id == 7


def test_city_platform_region_is_recorded():
    r = route("450222", "1431", [])
    assert r.platform_region == "450200"


def test_industry_affinity_levels():
    assert industry_affinity("1431", ["1431"]) == 4
    assert industry_affinity("1432", ["1431"]) == 3
    assert industry_affinity("1411", ["1431"]) == 2
    assert industry_affinity("3985", ["1431"]) == 0
    assert industry_affinity("", ["1431"]) == 0


counties = st.sampled_from(["450202", "450204", "450205", "450222", "420102", "320614"])
industries = st.sampled_from(["1431", "1439", "1771", "3985", ""])
stations_strategy = st.lists(
    st.builds(
        StationInfo,
        id=st.integers(min_value=1, max_value=50),
        name=st.text(min_size=1, max_size=5),
        counties=st.frozensets(counties, max_size=3),
        industries=st.frozensets(industries, max_size=2),
    ),
    max_size=6,
    unique_by=lambda s: s.id,
)


@given(county=counties, industry=industries, stations=stations_strategy)
def test_route_properties(county, industry, stations):
    result = route(county, industry, stations)
    covering = [s for s in stations if county in s.counties]
    if covering:
        # a station serving the county, with the best industry match among those
        chosen = next(s for s in covering if s.id == result.station_id)
        best = max(industry_affinity(industry, s.industries) for s in covering)
        assert industry_affinity(industry, chosen.industries) == best
        assert result.level == LEVEL_STATION
        assert result.reason.startswith("按服务区域分派至" + chosen.name)
        # order of the input does not matter
        assert route(county, industry, list(reversed(stations))).station_id == result.station_id
    else:
        assert result.station_id is None
        assert result.level == LEVEL_CITY
        assert result.platform_region == county[:4] + "00"
