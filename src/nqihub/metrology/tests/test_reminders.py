import datetime
import io

import pytest
from django.core.management import call_command

from nqihub.metrology import reminders
from nqihub.metrology.models import ReminderSent
from nqihub.notifications.models import Notification


def _notes(username):
    return list(
        Notification.objects.filter(recipient__username=username, event="metrology.reminder").values_list(
            "title", flat=True
        )
    )


@pytest.mark.parametrize(
    "days,kind",
    [(45, None), (31, None), (30, "30"), (8, "30"), (7, "7"), (1, "7"), (0, "0"), (-1, "overdue")],
)
def test_kind_for(days, kind):
    assert reminders.kind_for(days) == kind


def test_demo_day_sends_exactly_the_right_reminders_once(
    met_demo, demo_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders.sweep(demo_day)
    assert counts["sent"] == 3 and counts["7"] == 1 and counts["30"] == 1 and counts["overdue"] == 1
    assert counts["0"] == 0
    sent = set(ReminderSent.objects.values_list("instrument__name", "kind"))
    assert sent == {("电子计价秤", "7"), ("温度记录仪", "30"), ("压力表", "overdue")}
    enterprise = _notes("ent_shanyuan")
    assert len(enterprise) == 3
    regulator = _notes("reg_lz")
    assert len(regulator) == 1 and "压力表" in regulator[0] and "禁止使用" in regulator[0]
    assert _notes("ent_yuese") == [] and _notes("reg_gx") == []

    with django_capture_on_commit_callbacks(execute=True):
        again = reminders.sweep(demo_day)
    assert again["sent"] == 0
    assert len(_notes("ent_shanyuan")) == 3 and len(_notes("reg_lz")) == 1


def test_later_days_send_the_next_kinds_once(met_demo, demo_day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(demo_day)
        day5 = reminders.sweep(
            demo_day + datetime.timedelta(days=5)
        )  # scale due today; recorder 20 days left
        day6 = reminders.sweep(demo_day + datetime.timedelta(days=6))  # scale overdue
        day18 = reminders.sweep(demo_day + datetime.timedelta(days=18))  # recorder 7 days left
    assert (day5["0"], day5["sent"]) == (1, 1)
    assert (day6["overdue"], day6["sent"]) == (1, 1)
    assert (day18["7"], day18["sent"]) == (1, 1)
    # Six reminders, grouped in the inbox per instrument (one unread entry each, with its count).
    rows = Notification.objects.filter(recipient__username="ent_shanyuan", event="metrology.reminder")
    assert sum(rows.values_list("count", flat=True)) == 6 and rows.count() == 3


def test_restart_mid_run_completes_without_duplicates(
    met_demo, demo_day, monkeypatch, django_capture_on_commit_callbacks
):
    real = reminders._remind
    calls = {"n": 0}

    def crash_on_second(instrument, today, counts):
        calls["n"] += 1
        if calls["n"] == 2:
            real(instrument, today, counts)
            raise RuntimeError("worker killed")
        return real(instrument, today, counts)

    monkeypatch.setattr(reminders, "_remind", crash_on_second)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        reminders.sweep(demo_day)
    assert ReminderSent.objects.count() == 1  # the first instrument committed, the second rolled back
    assert len(_notes("ent_shanyuan")) == 1
    monkeypatch.setattr(reminders, "_remind", real)
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders.sweep(demo_day)
    assert counts["sent"] == 2
    assert ReminderSent.objects.count() == 3
    assert len(_notes("ent_shanyuan")) == 3 and len(_notes("reg_lz")) == 1


def test_new_due_date_starts_over(met_demo, demo_day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(demo_day)
    gauge = met_demo["压力表"]
    gauge.next_due = demo_day + datetime.timedelta(days=3)
    gauge.save()
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders.sweep(demo_day)
    assert counts["7"] == 1


def test_retired_instruments_are_not_reminded(met_demo, demo_day):
    for i in met_demo.values():
        i.in_use = False
        i.save()
    assert reminders.sweep(demo_day)["sent"] == 0


def test_management_command_and_task_call_the_sweep(met_demo, demo_day):
    out = io.StringIO()
    call_command("send_reminders", "--date", demo_day.isoformat(), stdout=out)
    assert "metrology: {" in out.getvalue() and "'sent': 3" in out.getvalue()
    assert "certification:" in out.getvalue()
    from nqihub.metrology.tasks import send_reminders_task

    assert send_reminders_task.delay(demo_day.isoformat()).get()["sent"] == 0
