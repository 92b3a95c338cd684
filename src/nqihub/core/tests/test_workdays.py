"""Working days: chinese_calendar, the WorkdayOverride table on top of it, Mon–Fri beyond both."""

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from nqihub.core import workcalendar, workdays
from nqihub.core.models import AuditEntry, WorkdayOverride
from nqihub.core.workcalendar import calendar_overrides, calendar_warnings
from nqihub.core.workdays import (
    add_working_days,
    deadline,
    is_working_day,
    working_days_between,
    years_without_data,
)

# --- what the package itself says (checked, not remembered) -------------------------------------------------


def test_the_package_knows_2026_and_not_2027():
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 17)) == (True, "Spring Festival")
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 3, 1))


# --- examples ----------------------------------------------------------------------------------------------


def test_the_issues_example_national_day_2026():
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_national_day_2026_week_and_make_up_saturday():
    assert all(not is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert is_working_day(date(2026, 10, 10))  # Saturday, worked (调休)
    assert not is_working_day(date(2026, 10, 11))  # Sunday
    # Thu 8, Fri 9, Sat 10 (make-up), Mon 12.
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_spring_festival_2026():
    holiday = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]  # 15..23 Feb
    assert all(not is_working_day(d) for d in holiday)
    assert is_working_day(date(2026, 2, 14))  # Saturday, make-up working day
    assert is_working_day(date(2026, 2, 28))  # Saturday, make-up working day
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    # 24, 25, 26, 27, 28 (Sat, worked), then Mon 2 Mar.
    assert add_working_days(date(2026, 2, 23), 5) == date(2026, 2, 28)
    assert add_working_days(date(2026, 2, 23), 6) == date(2026, 3, 2)


def test_zero_days_is_the_start_itself_even_on_a_holiday():
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_a_year_without_data_falls_back_to_monday_to_friday():
    # 2027-02-05 is a Friday; chinese_calendar has no 2027 data.
    assert add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 8)
    assert not is_working_day(date(2027, 2, 6))
    assert is_working_day(date(2027, 2, 8))
    # Across the year boundary: Thu 31 Dec 2026 → Fri 1 Jan 2027 counts (no data says otherwise).
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)


def test_overrides_win_and_extend():
    overrides = {date(2027, 2, 8): False, date(2027, 2, 6): True, date(2026, 10, 8): False}
    assert not is_working_day(date(2027, 2, 8), overrides)
    assert is_working_day(date(2027, 2, 6), overrides)
    assert add_working_days(date(2027, 2, 5), 1, overrides) == date(2027, 2, 6)
    assert add_working_days(date(2027, 2, 6), 1, overrides) == date(2027, 2, 9)
    # An override also wins over chinese_calendar's own data.
    assert add_working_days(date(2026, 9, 30), 1, overrides) == date(2026, 10, 9)


def test_working_days_between():
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert working_days_between(date(2026, 10, 8), date(2026, 9, 30)) == -1
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 5, 5), date(2026, 5, 5)) == 0


def test_years_without_data():
    assert years_without_data([2025, 2026, 2027, 2028]) == [2027, 2028]
    assert years_without_data([2027, 2028], {date(2027, 10, 1): False}) == [2028]
    assert years_without_data([1999]) == [1999]


@pytest.mark.parametrize(
    ("start", "days", "error"),
    [
        (date(2026, 1, 5), -1, ValueError),
        (date(2026, 1, 5), workdays.MAX_DAYS + 1, ValueError),
        (date(2026, 1, 5), 1.5, TypeError),
        (date(2026, 1, 5), True, TypeError),
        ("2026-01-05", 1, TypeError),
    ],
)
def test_bad_input_is_refused(start, days, error):
    with pytest.raises(error):
        add_working_days(start, days)


# --- properties --------------------------------------------------------------------------------------------

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=400)
override_maps = st.dictionaries(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), st.booleans(), max_size=30
)


@settings(max_examples=150, deadline=None)
@given(start=starts, days=st.integers(min_value=1, max_value=400), overrides=override_maps)
def test_result_is_a_later_working_day(start, days, overrides):
    result = add_working_days(start, days, overrides)
    assert result > start
    assert is_working_day(result, overrides)
    assert working_days_between(start, result, overrides) == days


@settings(max_examples=150, deadline=None)
@given(start=starts, a=counts, b=counts, overrides=override_maps)
def test_monotonic_and_additive(start, a, b, overrides):
    low, high = sorted((a, b))
    assert add_working_days(start, low, overrides) <= add_working_days(start, high, overrides)
    if low < high:
        assert add_working_days(start, low, overrides) < add_working_days(start, high, overrides)
    assert add_working_days(add_working_days(start, a, overrides), b, overrides) == add_working_days(
        start, a + b, overrides
    )


# --- the table, the cache, the warnings and the admin ------------------------------------------------------


def test_deadline_uses_the_table(db, demo_user):
    admin = demo_user("admin")
    assert deadline(date(2027, 2, 5), 1) == date(2027, 2, 8)
    workcalendar.workday_override_set(date=date(2027, 2, 8), is_working_day=False, name="春节", by=admin)
    assert calendar_overrides() == {date(2027, 2, 8): False}
    assert deadline(date(2027, 2, 5), 1) == date(2027, 2, 9)
    assert AuditEntry.objects.filter(action="core.workday_override.created").exists()

    assert workcalendar.workday_override_delete(date=date(2027, 2, 8), by=admin) is True
    assert workcalendar.workday_override_delete(date=date(2027, 2, 8), by=admin) is False
    assert deadline(date(2027, 2, 5), 1) == date(2027, 2, 8)


def test_warning_for_a_year_nobody_has_entered(db, demo_user):
    assert calendar_warnings(today=date(2026, 5, 1)) == []
    warnings = calendar_warnings(today=date(2026, 11, 26))  # deadlines soon fall in 2027
    assert warnings == ["2027 年的节假日与调休安排尚未录入，工作日暂按周一至周五计算。"]
    assert len(calendar_warnings(today=date(2027, 6, 1))) == 1

    workcalendar.workday_override_set(date=date(2027, 2, 8), is_working_day=False, by=demo_user("admin"))
    assert calendar_warnings(today=date(2026, 11, 26)) == []


def test_admin_changelist_shows_the_warning_and_saves_refresh_the_calendar(
    client_for, django_capture_on_commit_callbacks
):
    url = reverse("admin:core_workdayoverride_changelist")
    with time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=UTC), tick=False):
        client = client_for("admin")
        response = client.get(url)
    assert response.status_code == 200
    assert "2027 年的节假日与调休安排尚未录入" in response.content.decode()
    client = client_for("admin")  # a fresh session, in real time

    assert deadline(date(2027, 2, 5), 1) == date(2027, 2, 8)  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_workdayoverride_add"),
            {"date": "2027-02-08", "is_working_day": "False", "name": "春节"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WorkdayOverride.objects.get(date=date(2027, 2, 8)).is_working_day is False
    assert deadline(date(2027, 2, 5), 1) == date(2027, 2, 9)
    assert AuditEntry.objects.filter(action="admin.core.workdayoverride.created").exists()
    assert calendar_warnings(today=date(2026, 11, 26)) == []


def test_outsiders_cannot_open_the_calendar_admin(client_for):
    response = client_for("ent_shanyuan").get(reverse("admin:core_workdayoverride_changelist"))
    assert response.status_code == 302  # to the admin login


def test_a_stale_read_cannot_outlive_a_committed_write(db, demo_user, django_capture_on_commit_callbacks):
    """Another process read the table just before a write committed and stores what it saw: the calendar
    every process reads after the commit is the new one all the same (shared cache, Redis in production)."""
    from django.core.cache import cache

    assert calendar_overrides() == {}
    stale_key = f"{workcalendar.CACHE_KEY}:{workcalendar._generation()}"
    with django_capture_on_commit_callbacks(execute=True):
        workcalendar.workday_override_set(date=date(2027, 2, 8), is_working_day=False, by=demo_user("admin"))
    cache.set(stale_key, {}, 3600)  # the slow reader's late write
    assert calendar_overrides() == {date(2027, 2, 8): False}
    assert deadline(date(2027, 2, 5), 1) == date(2027, 2, 9)
