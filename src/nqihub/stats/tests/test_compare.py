"""环比 / 同比 periods: only complete months are compared, the previous period is as long and ends just
before, the year-ago one is twelve months back; a change against 0 is "—". And a typed target value is
either a bounded number or an error naming its field."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from nqihub.core.errors import ValidationFailed
from nqihub.stats import compare
from nqihub.stats.models import Target
from nqihub.stats.services import TARGET_COUNT_MAX, clean_target

months = st.builds(lambda y, m: y * 100 + m, st.integers(2000, 2100), st.integers(1, 12))
days = st.dates(datetime.date(2001, 1, 1), datetime.date(2099, 12, 31))


@given(months, st.integers(-600, 600))
def test_shifting_a_month_back_and_forth_returns_it(m, n):
    moved = compare.shift(m, n)
    assert 1 <= moved % 100 <= 12
    assert compare.shift(moved, -n) == m
    assert compare.length(min(m, moved), max(m, moved)) == abs(n) + 1


@given(months, st.integers(0, 119), days)
def test_only_complete_months_are_compared(start, extra, today):
    end = compare.shift(start, extra)
    c = compare.periods(start, end, today)
    this = today.year * 100 + today.month
    assert c.unfinished == (end >= this)
    if start >= this:
        assert c.compared is None and c.previous is None and c.year_ago is None
        return
    a, b = c.compared
    assert a == start and b == min(end, compare.shift(this, -1)) and b < this
    n = compare.length(a, b)
    pa, pb = c.previous
    assert compare.length(pa, pb) == n and compare.shift(pb, 1) == a
    assert c.year_ago == (compare.shift(a, -12), compare.shift(b, -12))


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_change_is_signed_and_dash_against_nothing(now, before):
    text = compare.change(now, before)
    if before == 0:
        assert text == "—"
    else:
        assert text.endswith("%")
        assert text[0] == ("-" if now < before else "+")
        assert round((now - before) * 100 / before) == int(text[:-1])


def test_change_and_points_read_as_a_person_expects():
    assert compare.change(110, 100) == "+10%"
    assert compare.change(75, 100) == "-25%"
    assert compare.change(5, 0) == "—"
    assert compare.change(None, 3) == "—"
    assert compare.points(0.95, 0.9) == "+5.0"
    assert compare.points(0.5, None) == "—"


def test_this_month_so_far_is_not_compared_with_a_whole_month():
    today = datetime.date(2026, 12, 8)
    only_now = compare.periods(202612, 202612, today)
    assert only_now.unfinished and only_now.compared is None
    year = compare.periods(202601, 202612, today)
    assert year.unfinished and year.compared == (202601, 202611)
    assert year.previous == (202502, 202512) and year.year_ago == (202501, 202511)
    done = compare.periods(202607, 202609, today)
    assert not done.unfinished and done.previous == (202604, 202606) and done.year_ago == (202507, 202509)


@given(
    st.sampled_from(["enterprises_helped", "resolved", "sla_kept_rate", "satisfaction_rate", "other"]),
    st.one_of(
        st.text(max_size=20),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.integers(-(10**12), 10**12).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    ),
)
def test_a_typed_target_is_a_bounded_value_or_an_error_naming_its_field(metric, text):
    try:
        value = clean_target(metric, text)
    except ValidationFailed as exc:
        assert set(exc.errors) == {"metric" if metric == "other" else metric}
        return
    assert metric != "other"
    if value is None:
        assert not text.strip()
        return
    assert isinstance(value, Decimal) and value >= 0
    if metric in Target.PERCENT:
        assert value <= 100 and value == value.quantize(Decimal("0.01"))
    else:
        assert value <= TARGET_COUNT_MAX and value == value.to_integral_value()
