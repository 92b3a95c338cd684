"""环比 / 同比 periods: only complete months are compared, the previous period is as long and ends just
before, the year-ago one is twelve months back; a change against 0 is "—"."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from nqihub.stats import compare

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
