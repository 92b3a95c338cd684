from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqihub.metrology.ranges import Range, covers, parse_range, unit_of

D = Decimal


@pytest.mark.parametrize(
    "text, expected",
    [
        # what ledgers and CMC tables write
        ("(0~0.6) MPa", (D(0), D(600000), "pressure")),
        ("0-0.6MPa", (D(0), D(600000), "pressure")),
        ("0～150 ℃", (D(0), D(150), "temperature")),
        ("(-40~150)℃", (D(-40), D(150), "temperature")),
        ("0.01 g~15 kg", (D("0.01"), D(15000), "mass")),
        ("≤15 kg", (D(0), D(15000), "mass")),
        ("15 kg以下", (D(0), D(15000), "mass")),
        ("(0.1~1000) kPa", (D(100), D(1000000), "pressure")),
        ("Max 15kg", (D(0), D(15000), "mass")),
        ("（0～30）kg", (D(0), D(30000), "mass")),
        ("(0～60) MPa", (D(0), D(60000000), "pressure")),
        ("(-40～300) ℃", (D(-40), D(300), "temperature")),
        ("−40－150℃", (D(-40), D(150), "temperature")),
        ("0 ~ 1 MPA", (D(0), D(1000000), "pressure")),
        ("0~1.6Mpa", (D(0), D(1600000), "pressure")),
        ("(0.5~20)mm", (D("0.0005"), D("0.02"), "length")),
        ("0~1000mL", (D(0), D(1), "volume")),
        ("(0~10)kV", (D(0), D(10000), "voltage")),
        ("0~200Ω", (D(0), D(200), "resistance")),
        ("1 mg ~ 200 g", (D("0.001"), D(200), "mass")),
        ("最大称量 30 kg", (D(0), D(30000), "mass")),
        ("Max=150kg", (D(0), D(150000), "mass")),
        ("≤150℃", (None, D(150), "temperature")),
        ("≥10 kPa", (D(10000), None, "pressure")),
        ("10kPa以上", (D(10000), None, "pressure")),
        ("(20~90)%RH", (D(20), D(90), "humidity")),
        ("0.1t~3t", (D(100000), D(3000000), "mass")),
        ("(0～2) m", (D(0), D(2), "length")),
        ("0至100 ℃", (D(0), D(100), "temperature")),
        # cannot tell
        ("", None),
        ("—", None),
        ("abc", None),
        ("15kg", None),  # a bare value: a capacity or a nominal value?
        ("(0~100)", None),  # no unit
        ("(0~100) furlong", None),  # unknown unit
        ("0~15kg e=5g", None),
        ("(0~1)MPa,(1~60)MPa", None),  # several ranges
        ("(100~1)kPa", None),  # upside down
        ("0 g ~ 15 ℃", None),  # two dimensions
        ("见附表", None),
    ],
)
def test_parse_range(text, expected):
    got = parse_range(text)
    if expected is None:
        assert got is None
    else:
        low, high, dimension = expected
        assert got == Range(low, high, dimension)


def test_unit_lookup_is_case_insensitive_only_when_unambiguous():
    assert unit_of("KG") == unit_of("kg")
    assert unit_of("MΩ") != unit_of("mΩ")
    assert unit_of("mω") is None  # mΩ or MΩ?
    assert parse_range("(0~1) MPa").unit == "Pa"


def test_covers():
    assert covers("(0~1) MPa", "(0~600) kPa") is True
    assert covers("(0~0.25) MPa", "(0~0.6) MPa") is False
    assert covers("(0～30) kg", "(0～15) kg") is True
    assert covers("(-40～300) ℃", "(0～150) ℃") is True
    assert covers("(0～60) MPa", "(0～0.6) MPa") is True
    assert covers("(10~100) ℃", "(0~50) ℃") is False  # below the body's lower end
    assert covers("0.1 g ~ 1 kg", "Max 15kg") is False
    assert covers("≥10 kPa", "(20~50) kPa") is True
    assert covers("(-40~300) ℃", "≤150℃") is None  # the instrument's lower end is not stated
    assert covers("(0~300) ℃", "≤400℃") is False  # but its upper end is clearly out
    assert covers("(0~30) kg", "(0~150) ℃") is None  # different dimensions
    assert covers("", "(0~0.6) MPa") is None
    assert covers("(0~1) MPa", "") is None
    assert covers("见附表", "(0~0.6) MPa") is None


_amounts = st.decimals(min_value=-1000, max_value=100000, places=3, allow_nan=False, allow_infinity=False)
_units = st.sampled_from(["MPa", "kPa", "kg", "g", "℃", "mm", "mL", "V", "Ω"])


def _text(low: Decimal, high: Decimal, unit: str, style: int) -> str:
    lo, hi = format(low, "f"), format(high, "f")
    return [f"({lo}~{hi}) {unit}", f"{lo}～{hi}{unit}", f"（{lo}～{hi}）{unit}"][style]


@given(st.lists(_amounts, min_size=4, max_size=4, unique=True), _units, st.integers(0, 2), st.integers(0, 2))
def test_covers_contained_range(values, unit, style_body, style_inst):
    c, a, b, d = sorted(values)
    assert covers(_text(c, d, unit, style_body), _text(a, b, unit, style_inst)) is True
    assert covers(_text(c, d, unit, style_body), _text(c, d, unit, style_inst)) is True


@given(st.lists(_amounts, min_size=4, max_size=4, unique=True), _units, st.integers(0, 2))
def test_covers_false_when_upper_end_is_out(values, unit, style):
    c, a, d, b = sorted(values)  # a < b, c < d, b > d
    assert covers(_text(c, d, unit, style), _text(a, b, unit, style)) is False


@given(st.decimals(min_value=0, max_value=1000, places=3), st.decimals(min_value=0, max_value=1000, places=3))
def test_unit_conversion_is_consistent(x, y):
    """The same amount in MPa and in kPa (×1000) is the same range; containment agrees across units."""
    low, high = sorted((x, y))
    if low == high:
        return
    mpa = f"({format(low, 'f')}~{format(high, 'f')}) MPa"
    kpa = f"({format(low * 1000, 'f')}~{format(high * 1000, 'f')}) kPa"
    assert parse_range(mpa) == parse_range(kpa)
    assert covers(mpa, kpa) is True and covers(kpa, mpa) is True
    assert covers("(0~1) MPa", kpa) is (high <= 1)
