"""Notifications that matter (issue 17 item 2): enterprises hear of milestones, never of internal steps;
one unread inbox entry per object; a daily digest; read once the action asked for is done."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from nqihub.notifications import digest, selectors, services
from nqihub.notifications.events import EVENTS
from nqihub.notifications.models import DigestSetting, Notification
from nqihub.testing import services as testing

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_enterprise_hears_the_milestones_but_not_the_labs_steps(
    make_order, advance, users, new_notifications, run_commits
):
    with run_commits():
        order = make_order()
    with run_commits():
        advance(order, "results_entered")
    with run_commits():
        testing.order_return(
            order=order, by=users["lab_lz_review"], items=[order.items.first()], reason="内部复核意见甲"
        )
    with run_commits():
        testing.results_enter(
            order=order,
            by=users["lab_lz"],
            results={str(i.pk): "11.2" for i in order.items.filter(result="")},
        )
        advance(order, "issued")
    ent = new_notifications(recipient=users["ent_shanyuan"])
    texts = " ".join(f"{n.title} {n.body}" for n in ent)
    assert "内部复核意见甲" not in texts
    assert not ent.filter(event="testing.signoff.needed").exists()
    assert ent.filter(event="testing.report_issued").exists()
    # The lab itself still hears of the return and its reason.
    lab_rows = new_notifications(recipient=users["lab_lz"])
    assert any("内部复核意见甲" in n.body for n in lab_rows)


def test_an_internal_event_never_reaches_a_user_who_is_only_an_enterprise_user(
    demo_user, new_notifications, run_commits
):
    ent, station = demo_user("ent_shanyuan"), demo_user("station_lz")
    with run_commits():
        services.notify(users=[ent, station], event="desk.assignment.created", title="新工单：内部派单")
    assert not new_notifications(recipient=ent).exists()
    assert new_notifications(recipient=station).exists()


def test_events_about_one_object_are_one_unread_entry_with_a_count(
    with_email, new_notifications, run_commits, mailoutbox
):
    station = with_email("station_lz")
    before = selectors.unread_count(fetched_by=station)
    obj = DigestSetting.objects.create(user=station)  # any record will do
    with run_commits():
        services.notify(users=[station], event="desk.request.status_changed", title="第一条", obj=obj)
    with run_commits():
        services.notify(users=[station], event="desk.request.status_changed", title="第二条", obj=obj)
    inbox = new_notifications(recipient=station, via_inbox=True)
    assert inbox.count() == 1
    row = inbox.get()
    assert row.count == 2 and row.title == "第二条"
    assert selectors.unread_count(fetched_by=station) == before + 1
    assert len(mailoutbox) == 2  # each event is still e-mailed
    # Once read, the next event opens a new entry.
    services.notification_mark_read(notification_id=row.pk, by=station)
    with run_commits():
        services.notify(users=[station], event="desk.request.status_changed", title="第三条", obj=obj)
    assert new_notifications(recipient=station, via_inbox=True).count() == 2


def test_the_daily_digest_replaces_the_mails_and_goes_once_a_day(
    with_email, client_for, new_notifications, run_commits, mailoutbox
):
    station = with_email("station_lz")
    grid = {f"{event}:{name}": "on" for event in ["*", *EVENTS] for name in ("inbox", "email")}
    response = client_for("station_lz").post(
        reverse("notifications:preferences"), {**grid, "daily_digest": "on"}
    )
    assert response.status_code == 302
    assert DigestSetting.objects.get(user=station).daily
    with run_commits():
        services.notify(users=[station], event="standards.changed", title="关注的标准已修订")
        services.notify(users=[station], event="metrology.reminder", title="器具即将到期")
    assert mailoutbox == []
    day = datetime.now(SHANGHAI).date() + timedelta(days=1)
    early = datetime(day.year, day.month, day.day, 6, tzinfo=SHANGHAI)
    assert digest.send_daily_digests(early)["sent"] == 0
    nine = early + timedelta(hours=3)
    assert digest.send_daily_digests(nine)["sent"] == 1
    assert len(mailoutbox) == 1 and "关注的标准已修订" in mailoutbox[0].body
    assert digest.send_daily_digests(nine + timedelta(hours=1))["sent"] == 0
    assert not new_notifications(recipient=station, in_digest=True, digested_at__isnull=True).exists()
    page = client_for("station_lz").get(reverse("notifications:preferences")).content.decode()
    assert 'name="daily_digest" id="daily-digest" checked' in page


def test_the_digest_is_a_periodic_job():
    from nqihub.core.schedule import BY_NAME

    assert BY_NAME["notifications.send_digests"].function.endswith("digest.send_daily_digests")


def test_signing_the_report_marks_the_sign_off_request_read(
    make_order, advance, users, client_for, new_notifications, run_commits
):
    with run_commits():
        order = make_order()
        advance(order, "results_entered")
    asked = new_notifications(recipient=users["lab_lz_review"], action="signoff", read_at__isnull=True)
    assert asked.exists()
    with run_commits():
        response = client_for("lab_lz_review").post(
            reverse("testing:order-action", args=[order.pk, "review"])
        )
    assert response.status_code == 302
    assert not asked.exists()
    # The approver's new request (sent by the review itself) stays unread.
    assert new_notifications(
        recipient=users["lab_lz_approve"], action="signoff", read_at__isnull=True
    ).exists()


def test_action_done_marks_only_that_action_on_that_object(demo_user, new_notifications, run_commits):
    ent = demo_user("ent_shanyuan")
    a, b = DigestSetting.objects.create(user=ent), DigestSetting.objects.create(user=demo_user("ent_yuese"))
    with run_commits():
        services.notify(users=[ent], event="desk.request.rating_requested", title="请评价", obj=a)
        services.notify(users=[ent], event="desk.request.rating_requested", title="请评价", obj=b)
    assert services.notification_action_done(obj=a, action="rate") == 1
    rows = new_notifications(recipient=ent)
    assert rows.filter(object_id=str(a.pk), read_at__isnull=False).exists()
    assert rows.filter(object_id=str(b.pk), read_at__isnull=True).exists()
    assert Notification.objects.filter(pk__in=rows.values("pk"), action="rate").count() == 2


def test_rating_the_request_marks_please_rate_read_and_accepting_marks_the_assignment_read(
    demo_user, client_for, new_notifications, run_commits
):
    from nqihub.desk import services as desk
    from nqihub.desk.models import Assignment
    from nqihub.desk.tests.helpers import ids, shelf_life_request

    ent, station, expert = demo_user("ent_shanyuan"), demo_user("station_lz"), demo_user("expert_lz")
    with run_commits():
        req = desk.request_create(data=desk.RequestData(**shelf_life_request()), by=ent)
        desk.request_accept(request=req, by=station)
        (assignment,) = desk.request_dispatch(
            request=req,
            assignees=[desk.AssigneeSpec(Assignment.AssigneeType.EXPERT, ids()["wei"])],
            by=station,
        )
    offered = new_notifications(recipient=expert, action="assignment", read_at__isnull=True)
    assert offered.exists()
    with run_commits():
        client_for("expert_lz").post(reverse("desk:assignment-action", args=[assignment.pk, "accept"]))
    assert not offered.exists()
    with run_commits():
        desk.assignment_complete(assignment=assignment, result="已现场指导", by=expert)
        desk.request_resolve(
            request=req, resolution=desk.Resolution(outcome="solved", summary="已指导杀菌工艺"), by=station
        )
    please_rate = new_notifications(recipient=ent, action="rate", read_at__isnull=True)
    assert please_rate.exists()
    with run_commits():
        response = client_for("ent_shanyuan").post(
            reverse("desk:request-action", args=[req.pk, "rate"]), {"rate-score": "5", "rate-comment": "很好"}
        )
    assert response.status_code == 302
    assert not please_rate.exists()
    # The enterprise heard of the milestones (accepted, assigned, in progress, resolved, please rate) as one
    # entry about the request, now read; the rating itself opens a new one.
    grouped = new_notifications(recipient=ent, action="rate").get()
    assert grouped.count == 5 and grouped.read_at is not None
    assert new_notifications(recipient=ent, read_at__isnull=True).get().title.endswith("已评价")


def test_accepting_through_the_api_marks_the_assignment_read(
    demo_user, api_for, new_notifications, run_commits
):
    from nqihub.desk import services as desk
    from nqihub.desk.models import Assignment
    from nqihub.desk.tests.helpers import ids, post, shelf_life_request

    ent, station, expert = demo_user("ent_shanyuan"), demo_user("station_lz"), demo_user("expert_lz")
    with run_commits():
        req = desk.request_create(data=desk.RequestData(**shelf_life_request()), by=ent)
        desk.request_accept(request=req, by=station)
        (assignment,) = desk.request_dispatch(
            request=req,
            assignees=[desk.AssigneeSpec(Assignment.AssigneeType.EXPERT, ids()["wei"])],
            by=station,
        )
    offered = new_notifications(recipient=expert, action="assignment", read_at__isnull=True)
    assert offered.exists()
    with run_commits():
        assert post(api_for("expert_lz"), f"/api/v1/assignments/{assignment.pk}/accept").status_code == 200
    assert not offered.exists()
