"""Deadlines in working days, the SLA sweep (flags, escalates, safe twice), the 好差评 rectification,
notifications only after the commit, number sequence, and the state table."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nqihub.accounts.models import User
from nqihub.core.models import AuditEntry
from nqihub.desk import services, states
from nqihub.desk.models import Event, Rectification, ServiceRequest
from nqihub.desk.tasks import schedule_sweep, sweep_deadlines_task

from .helpers import ids, shelf_life_data

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _user(name):
    return User.objects.get(username=name)


def _file() -> ServiceRequest:
    return services.request_create(data=shelf_life_data(), by=_user("ent_shanyuan"))


def test_deadlines_are_working_days_across_the_national_day_holiday():
    # 2026-10-01..07 are holidays, 2026-10-10 (Saturday) is a make-up working day
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        req = _file()
    assert req.accept_by == dt.date(2026, 10, 8)
    assert req.respond_by == dt.date(2026, 10, 9)
    assert req.resolve_by == dt.date(2026, 10, 20)
    assert req.number.startswith("FW-2026-")


def test_numbers_follow_a_per_year_sequence():
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ), tick=False):
        a, b = _file(), _file()
    with time_machine.travel(dt.datetime(2027, 1, 4, 10, 0, tzinfo=TZ), tick=False):
        c = _file()
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1
    assert c.number == "FW-2027-000001"


def test_sweep_flags_overdue_escalates_to_the_city_and_is_safe_twice(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("nqihub.notifications.services.notify", lambda **kw: sent.append(kw))
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        req = _file()
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.sweep_deadlines(today=dt.date(2026, 10, 9))
    req.refresh_from_db()
    assert req.is_overdue
    assert req.overdue_list == ["accept"]
    assert req.escalated_to_id == "450200"  # the Liuzhou regulator, the region above the county
    assert counts["overdue"] == 1 and counts["escalated"] == 1
    overdue_mail = [n for n in sent if n["event"] == "desk.request.overdue"]
    assert {u.username for u in overdue_mail[0]["users"]} >= {"station_lz", "reg_lz"}
    # run twice: nothing new
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.sweep_deadlines(today=dt.date(2026, 10, 9))
    assert again["overdue"] == 0 and again["escalated"] == 0
    assert not [n for n in sent if n["event"] == "desk.request.overdue"]
    assert Event.objects.filter(request=req, kind="overdue").count() == 1
    # later the response and resolution deadlines pass too: added, not escalated again
    services.sweep_deadlines(today=dt.date(2026, 10, 21))
    req.refresh_from_db()
    assert req.overdue_list == ["accept", "respond", "resolve"]
    assert Event.objects.filter(request=req, kind="overdue").count() == 2


def test_sweep_runs_as_an_eager_celery_task():
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        req = _file()
    result = schedule_sweep(dt.date(2026, 10, 9))
    assert result.get()["overdue"] == 1
    assert sweep_deadlines_task.delay("2026-10-09").get()["overdue"] == 0
    assert ServiceRequest.objects.get(pk=req.pk).is_overdue


def test_accepted_in_time_is_not_overdue():
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        req = _file()
        services.request_accept(request=req, by=_user("station_lz"))
        services.note_add(request=req, text="已联系企业", by=_user("station_lz"))
    assert services.sweep_deadlines(today=dt.date(2026, 10, 12))["overdue"] == 0
    assert not ServiceRequest.objects.get(pk=req.pk).is_overdue


def test_deadline_warning_once_a_day(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("nqihub.notifications.services.notify", lambda **kw: sent.append(kw))
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        req = _file()
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_deadlines(today=dt.date(2026, 10, 19))
        services.sweep_deadlines(today=dt.date(2026, 10, 19))
    warnings = [n for n in sent if n["event"] == "desk.request.deadline_warning"]
    assert len(warnings) == 1 and warnings[0]["obj"].pk == req.pk


def _resolved() -> ServiceRequest:
    req = _file()
    station = _user("station_lz")
    services.request_accept(request=req, by=station)
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    services.assignment_accept(assignment=a, by=_user("expert_lz"))
    services.assignment_complete(assignment=a, by=_user("expert_lz"), result="已现场指导")
    services.request_resolve(
        request=req, resolution=services.Resolution(outcome="partly_solved", summary="部分解决"), by=station
    )
    return req


@pytest.mark.parametrize("score", [1, 2])
def test_bad_rating_opens_a_rectification_closed_by_a_callback(score):
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        req = _resolved()
        services.request_rate(request=req, score=score, comment="问题没解决", by=_user("ent_shanyuan"))
    rect = Rectification.objects.get(request=req)
    assert rect.status == "open"
    assert rect.due_by == dt.date(2026, 10, 27)  # 15 working days after 2026-09-30
    # cannot close before the callback; cannot call back before the answer
    with pytest.raises(states.IllegalTransition, match="回访"):
        services.request_close(request=req, by=_user("station_lz"))
    with pytest.raises(states.IllegalTransition, match="整改"):
        services.rectification_callback(request=req, note="已回访", by=_user("reg_lz"))
    services.rectification_respond(request=req, response="已重新安排专家上门指导", by=_user("station_lz"))
    services.rectification_callback(
        request=req, note="电话回访，企业认可整改", satisfied=True, by=_user("reg_lz")
    )
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.callback_satisfied
    services.request_close(request=req, by=_user("station_lz"))
    assert ServiceRequest.objects.get(pk=req.pk).status == "closed"
    assert AuditEntry.objects.filter(
        action="desk.request.rectification_callback", object_id=str(req.pk)
    ).exists()


def test_good_rating_opens_no_rectification():
    req = _resolved()
    services.request_rate(request=req, score=3, by=_user("ent_shanyuan"))
    assert not Rectification.objects.filter(request=req).exists()


@pytest.mark.parametrize("score", [0, 6, -1])
def test_rating_outside_1_to_5_is_refused(score):
    req = _resolved()
    with pytest.raises(services.ValidationFailed):
        services.request_rate(request=req, score=score, by=_user("ent_shanyuan"))


def test_overdue_rectification_is_flagged_once():
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        req = _resolved()
        services.request_rate(request=req, score=1, by=_user("ent_shanyuan"))
    assert services.sweep_deadlines(today=dt.date(2026, 10, 29))["rectifications_overdue"] == 1
    assert services.sweep_deadlines(today=dt.date(2026, 10, 29))["rectifications_overdue"] == 0
    assert Rectification.objects.get(request=req).is_overdue


def test_notifications_are_sent_only_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("nqihub.notifications.services.notify", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        req = _file()
        services.request_accept(request=req, by=_user("station_lz"))
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    events = [n["event"] for n in sent]
    assert events == ["desk.request.status_changed", "desk.request.status_changed"]
    assert {u.username for u in sent[0]["users"]} == {"station_lz"}
    assert {u.username for u in sent[1]["users"]} == {"ent_shanyuan"}


def test_dispatch_notifies_the_assignees(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("nqihub.notifications.services.notify", lambda **kw: sent.append(kw))
    req = _file()
    services.request_accept(request=req, by=_user("station_lz"))
    with django_capture_on_commit_callbacks(execute=True):
        services.request_dispatch(
            request=req,
            assignees=[
                services.AssigneeSpec("expert", ids()["wei"]),
                services.AssigneeSpec("institution", ids()["lab"]),
            ],
            by=_user("station_lz"),
        )
    created = [n for n in sent if n["event"] == "desk.assignment.created"]
    # Every member of the lab's staff hears of it (the tester, the reviewer and the approver).
    lab_staff = {"lab_lz", "lab_lz_review", "lab_lz_approve"}
    assert [{u.username for u in n["users"]} for n in created] == [{"expert_lz"}, lab_staff]


def test_state_table_refuses_with_a_chinese_reason():
    assert states.next_state("submitted", "accept") == "accepted"
    with pytest.raises(states.IllegalTransition) as exc:
        states.next_state("resolved", "accept")
    assert "已办结" in exc.value.message and "受理" in exc.value.message
    assert exc.value.status == 409
    for state in ("closed", "withdrawn", "rejected"):
        assert states.allowed_actions(state) == []


def test_every_write_is_audited():
    req = _file()
    services.request_accept(request=req, by=_user("station_lz"))
    actions = set(
        AuditEntry.objects.filter(object_type="desk.servicerequest", object_id=str(req.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"desk.request.submitted", "desk.request.routed", "desk.request.accept"} <= actions


def test_accepting_the_only_assignment_is_one_timeline_entry_not_two():
    req = _file()
    station = _user("station_lz")
    services.request_accept(request=req, by=station)
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    services.assignment_accept(assignment=a, by=_user("expert_lz"))
    accepted = [e for e in req.events.order_by("at", "id") if e.data.get("assignment") == a.pk]
    assert [e.kind for e in accepted] == ["start"]
    assert req.events.filter(kind="assignment_accepted").count() == 0
