"""/api/v1/notifications: the caller's own notifications; another user's id is a 404."""

import pytest

from nqihub.notifications.models import Notification
from nqihub.notifications.services import notify

URL = "/api/v1/notifications"


@pytest.fixture
def notified(demo_user, django_capture_on_commit_callbacks, new_notifications):
    """``notified("station_lz", "title", ...)`` → the notifications written now for that user (the demo world
    may have left the user some of its own)."""

    def make(username, *titles):
        with django_capture_on_commit_callbacks(execute=True):
            for title in titles:
                notify(users=[demo_user(username)], event="testing.report_issued", title=title, url="/t/")
        return list(new_notifications(recipient__username=username).order_by("id"))

    return make


def _count(api, **params) -> int:
    return api.get(URL, params).json()["count"]


def test_anonymous_gets_401(client):
    assert client.get(URL).status_code == 401


def test_list_is_own_paginated_and_filterable(api_for, notified):
    api = api_for("station_lz")
    before, before_unread, before_read = _count(api), _count(api, unread="true"), _count(api, unread="false")
    rows = notified("station_lz", "一", "二", "三")
    notified("reg_lz", "别人的")
    Notification.objects.filter(pk=rows[0].pk).update(read_at="2026-01-01T00:00Z")
    body = api.get(URL, {"page_size": 2}).json()
    assert body["count"] == before + 3 and [n["title"] for n in body["items"]] == ["三", "二"]
    assert body["items"][0]["event_label"] == "检验检测报告已出具" and body["items"][0]["is_read"] is False
    assert "别人的" not in {n["title"] for n in api.get(URL, {"page_size": 100}).json()["items"]}
    unread = api.get(URL, {"unread": "true", "page_size": 100}).json()
    assert unread["count"] == before_unread + 2 and "一" not in {n["title"] for n in unread["items"]}
    read = api.get(URL, {"unread": "false"}).json()
    assert read["count"] == before_read + 1 and read["items"][0]["title"] == "一"


@pytest.mark.parametrize("params", [{"unread": "maybe"}, {"page_size": "1000"}, {"page": "0"}])
def test_bad_input_is_422(api_for, params):
    assert api_for("station_lz").get(URL, params).status_code == 422


def test_mark_read_and_outsider_404(api_for, notified):
    (row,) = notified("station_lz", "一")
    assert api_for("reg_lz").post(f"{URL}/{row.pk}/read").status_code == 404
    assert api_for("station_lz").post(f"{URL}/999999999/read").status_code == 404
    response = api_for("station_lz").post(f"{URL}/{row.pk}/read")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api_for("station_lz").post(f"{URL}/abc/read").status_code in {404, 422}


def test_mark_all_read(api_for, notified):
    before_unread = _count(api_for("station_lz"), unread="true")
    notified("station_lz", "一", "二")
    (others,) = notified("reg_lz", "三")
    assert api_for("station_lz").post(f"{URL}/read-all").json() == {"marked": before_unread + 2, "unread": 0}
    assert _count(api_for("station_lz"), unread="true") == 0
    others.refresh_from_db()
    assert others.read_at is None
