"""The admin pastes the State Council's holiday notice, previews the dates and confirms them into the
calendar (issue 16 item 9); from December admins are warned while next year has no data."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from nqihub.core import workcalendar, workdays
from nqihub.core.models import AuditEntry, WorkdayOverride

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "holiday_notices"
URL = "admin:core_workdayoverride_import_notice"

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知（示例：按通知格式编写的测试文本，并非真实通知）
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（周六）至13日（周六）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。"""


def test_preview_writes_nothing_and_confirm_writes_the_dates(client_for, django_capture_on_commit_callbacks):
    client = client_for("admin")
    preview = client.post(reverse(URL), {"notice": NOTICE_2027, "action": "preview"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'id="notice-preview"' in body and "2027-02-14" in body and "确认导入这 13 个日期" in body
    assert not WorkdayOverride.objects.filter(date__year=2027).exists()
    assert workdays.deadline(date(2027, 2, 5), 1) == date(2027, 2, 8)  # Mon–Fri fallback, cached

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse(URL), {"notice": NOTICE_2027, "action": "confirm"})
    assert done.status_code == 302
    assert WorkdayOverride.objects.filter(date__year=2027).count() == 13
    assert WorkdayOverride.objects.get(date=date(2027, 2, 14)).is_working_day is True
    assert WorkdayOverride.objects.get(date=date(2027, 2, 8)).name == "春节"
    assert workdays.deadline(date(2027, 2, 5), 1) == date(2027, 2, 14)  # the make-up Sunday
    assert AuditEntry.objects.filter(action="core.holiday_notice.confirmed").count() == 1
    assert workcalendar.calendar_warnings(today=date(2026, 12, 10)) == []


def test_a_notice_with_problems_is_not_imported(client_for):
    wrong = NOTICE_2027.replace("（周五）", "（周三）")
    client = client_for("admin")
    preview = client.post(reverse(URL), {"notice": wrong, "action": "preview"})
    assert "不是“周三”" in preview.content.decode() and "确认导入" not in preview.content.decode()
    response = client.post(reverse(URL), {"notice": wrong, "action": "confirm"})
    assert response.status_code == 400
    assert not WorkdayOverride.objects.filter(date__year=2027).exists()


@pytest.mark.parametrize(
    "post,message",
    [
        ({"notice": "", "action": "confirm"}, "请粘贴"),
        ({"notice": "祝大家新年快乐", "action": "preview"}, "年份"),
        ({"notice": NOTICE_2027, "year": "27", "action": "confirm"}, "四位数字"),
    ],
)
def test_bad_input_is_400_with_the_reason_and_changes_nothing(client_for, post, message):
    response = client_for("admin").post(reverse(URL), post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WorkdayOverride.objects.exists()


@pytest.mark.parametrize("username", ["ent_shanyuan", "reg_lz"])
def test_outsiders_cannot_import(client_for, username):
    response = client_for(username).post(reverse(URL), {"notice": NOTICE_2027, "action": "confirm"})
    assert response.status_code == 302  # to the admin login
    assert not WorkdayOverride.objects.exists()


def test_real_2026_notice_previews_without_changes_to_the_calendar(client_for):
    body = (
        client_for("admin")
        .post(
            reverse(URL),
            {"notice": (DATA / "2026_traditional.txt").read_text(encoding="utf-8"), "action": "preview"},
        )
        .content.decode()
    )
    assert "2026-02-28" in body and "将改变" not in body  # chinese_calendar already has 2026: all agree


def test_admins_are_warned_from_december_while_next_year_has_no_data(client_for):
    assert workcalendar.next_year_warning(today=date(2026, 11, 30)) == ""
    assert "2027" in workcalendar.next_year_warning(today=date(2026, 12, 1))
    with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=UTC), tick=False):
        admin_home = client_for("admin").get("/").content.decode()
        enterprise_home = client_for("ent_shanyuan").get("/").content.decode()
        page = client_for("admin").get(reverse(URL)).content.decode()
    assert 'id="calendar-warning"' in admin_home and 'id="calendar-warning"' not in enterprise_home
    assert "2027 年的节假日与调休安排尚无数据" in page
    WorkdayOverride.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    workcalendar.invalidate_calendar_overrides()
    from django.core.cache import cache

    cache.clear()
    assert workcalendar.next_year_warning(today=date(2026, 12, 7)) == ""
