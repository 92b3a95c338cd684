"""Inbox, mark read (htmx), open, preferences grid: own notifications only; another user's id is a 404."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nqihub.notifications.context_processors import unread_count
from nqihub.notifications.events import EVENTS
from nqihub.notifications.models import Notification, NotificationPreference
from nqihub.notifications.services import notify

HTMX = {"HX-Request": "true"}


@pytest.fixture
def inbox_of(demo_user, django_capture_on_commit_callbacks, new_notifications):
    """``inbox_of("station_lz", "title", ...)`` → the notifications written now for that user (the demo world
    may have left the user some of its own)."""

    def make(username, *titles, url="/desk/"):
        user = demo_user(username)
        with django_capture_on_commit_callbacks(execute=True):
            for title in titles:
                notify(users=[user], event="desk.request.status_changed", title=title, url=url)
        return list(new_notifications(recipient=user).order_by("id"))

    return make


def unread_of(username) -> int:
    """What the user had unread before the test's own notifications (the demo world's)."""
    return Notification.objects.filter(
        recipient__username=username, read_at__isnull=True, via_inbox=True
    ).count()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_inbox_shows_only_my_notifications(client_for, inbox_of):
    inbox_of("station_lz", "服务站的通知")
    inbox_of("reg_lz", "监管人员的通知")
    response = client_for("station_lz").get(reverse("notifications:inbox"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'hx-swap-oob="true"' not in page  # the out-of-band badge is for htmx responses only
    assert "服务站的通知" in page
    assert "监管人员的通知" not in page


def test_unread_filter_and_paging(client_for, inbox_of):
    rows = inbox_of("station_lz", *[f"通知{i:02d}" for i in range(25)])
    Notification.objects.filter(pk=rows[0].pk).update(read_at="2026-01-01T00:00Z")
    client = client_for("station_lz")
    page = client.get(reverse("notifications:inbox"), {"unread": "1"}).content.decode()
    assert "通知24" in page and "通知00" not in page
    second = client.get(reverse("notifications:inbox"), {"page": "2"}).content.decode()
    assert "通知00" in second
    assert client.get(reverse("notifications:inbox"), {"page": "abc"}).status_code == 200
    partial = client.get(reverse("notifications:inbox"), headers={**HTMX, "HX-Target": "notification-list"})
    assert "<html" not in partial.content.decode()


def test_mark_read_with_htmx_returns_the_row_and_the_badge(client_for, inbox_of):
    before = unread_of("station_lz")
    first, _second = inbox_of("station_lz", "一", "二")
    response = client_for("station_lz").post(
        reverse("notifications:mark-read", args=[first.pk]), headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{first.pk}"' in html
    assert 'id="notification-badge"' in html and 'hx-swap-oob="true"' in html and f">{before + 1}<" in html
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_read_without_htmx_redirects_and_get_is_refused(client_for, inbox_of):
    (row,) = inbox_of("station_lz", "一")
    client = client_for("station_lz")
    assert client.get(reverse("notifications:mark-read", args=[row.pk])).status_code == 405
    response = client.post(reverse("notifications:mark-read", args=[row.pk]))
    assert response.status_code == 302


def test_outsider_gets_404(client_for, inbox_of):
    (row,) = inbox_of("reg_lz", "监管人员的通知")
    client = client_for("ent_shanyuan")
    assert client.post(reverse("notifications:mark-read", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:mark-read", args=[999_999_999])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_open_marks_read_and_goes_to_the_record(client_for, inbox_of):
    (row,) = inbox_of("station_lz", "一", url="/desk/requests/7/")
    response = client_for("station_lz").post(reverse("notifications:open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == "/desk/requests/7/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_mark_all_read(client_for, inbox_of):
    before = unread_of("station_lz")
    inbox_of("station_lz", "一", "二")
    others = inbox_of("reg_lz", "三")
    client = client_for("station_lz")
    response = client.post(reverse("notifications:mark-all-read"))
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"已将 {before + 2} 条通知标记为已读。"]
    assert not Notification.objects.filter(recipient__username="station_lz", read_at__isnull=True).exists()
    assert Notification.objects.get(pk=others[0].pk).read_at is None
    partial = client.post(reverse("notifications:mark-all-read"), headers=HTMX)
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert 'id="notification-badge"' in partial.content.decode()  # the navbar badge, swapped out of band


def test_badge_and_the_context_processor(client_for, inbox_of, demo_user, django_assert_num_queries):
    before = unread_of("station_lz")
    inbox_of("station_lz", "一", "二", "三")
    badge = client_for("station_lz").get(reverse("notifications:badge"))
    assert f">{before + 3}<" in badge.content.decode()

    request = RequestFactory().get("/")
    request.user = demo_user("station_lz")
    context = unread_count(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"]() == before + 3
        assert context["unread_notifications"]() == before + 3  # computed once


def test_inbox_query_count_does_not_grow_with_the_list(client_for, inbox_of):
    client = client_for("station_lz")

    def queries_for_inbox() -> int:
        client.get(reverse("notifications:inbox"))  # warm per-session caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notifications:inbox")).status_code == 200
        return len(queries)

    inbox_of("station_lz", "通知")
    one = queries_for_inbox()
    inbox_of("station_lz", *[f"通知{i}" for i in range(19)])
    assert queries_for_inbox() == one


def test_preferences_grid_and_save(client_for, demo_user, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for("station_lz")
    page = client.get(reverse("notifications:preferences")).content.decode()
    for label in EVENTS.values():
        assert str(label) in page
    assert 'name="desk.assignment.created:email"' in page

    data = {f"{event}:inbox": "on" for event in ["*", *EVENTS]}
    data |= {f"{event}:email": "on" for event in EVENTS if event != "desk.assignment.created"}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user__username="station_lz", event="desk.assignment.created")
    assert (pref.inbox, pref.email, pref.sms) == (True, False, False)
    default = NotificationPreference.objects.get(user__username="station_lz", event="*")
    assert (default.inbox, default.email) == (True, False)

    station = demo_user("station_lz")
    station.email = "station@example.test"
    station.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[station], event="desk.assignment.created", title="新工单")
        notify(users=[station], event="desk.request.overdue", title="已超期")
    assert [m.subject for m in mailoutbox] == ["【质量基础设施一站式服务平台】已超期"]
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="desk.assignment.created:email" id' in page  # shown, unchecked


def test_preferences_refuse_an_unknown_event(client_for):
    client = client_for("station_lz")
    response = client.post(reverse("notifications:preferences"), {"evil.event:email": "on", "*:inbox": "on"})
    assert response.status_code == 422
    assert "evil.event" in response.content.decode()
    assert not NotificationPreference.objects.filter(user__username="station_lz").exists()
