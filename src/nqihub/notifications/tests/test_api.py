"""/api/v1/notifications: the caller's own notifications; another user's id is a 404."""

import pytest

from nqihub.notifications.models import Notification
from nqihub.notifications.services import notify

URL = "/api/v1/notifications"


@pytest.fixture
def notified(demo_user, django_capture_on_commit_callbacks):
    def make(username, *titles):
        with django_capture_on_commit_callbacks(execute=True):
            for title in titles:
                notify(users=[demo_user(username)], event="testing.report_issued", title=title, url="/t/")
        return list(Notification.objects.filter(recipient__username=username).order_by("id"))

    return make


def test_anonymous_gets_401(client):
    assert client.get(URL).status_code == 401


def test_list_is_own_paginated_and_filterable(api_for, notified):
    rows = notified("station_lz", "一", "二", "三")
    notified("reg_lz", "别人的")
    Notification.objects.filter(pk=rows[0].pk).update(read_at="2026-01-01T00:00Z")
    api = api_for("station_lz")
    body = api.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and [n["title"] for n in body["items"]] == ["三", "二"]
    assert body["items"][0]["event_label"] == "检验检测报告已出具" and body["items"][0]["is_read"] is False
    assert api.get(URL, {"unread": "true"}).json()["count"] == 2
    assert [n["title"] for n in api.get(URL, {"unread": "false"}).json()["items"]] == ["一"]


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
    notified("station_lz", "一", "二")
    notified("reg_lz", "三")
    assert api_for("station_lz").post(f"{URL}/read-all").json() == {"marked": 2, "unread": 0}
    assert Notification.objects.filter(recipient__username="reg_lz", read_at__isnull=True).count() == 1
