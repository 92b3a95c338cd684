"""Notification e-mails: absolute links from PUBLIC_BASE_URL, text and HTML bodies, the preferences link."""

import pytest

from nqihub.notifications.services import notify


@pytest.fixture
def mailed(with_email, mailoutbox, django_capture_on_commit_callbacks):
    def send(url="/desk/requests/12/", **kwargs):
        station = with_email("station_lz")
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                users=[station],
                event="desk.assignment.created",
                title="新工单：螺蛳粉酸笋检测",
                url=url,
                **kwargs,
            )
        assert len(mailoutbox) == 1
        return mailoutbox[0]

    return send


def test_links_are_absolute_from_the_public_base_url(settings, mailed):
    settings.PUBLIC_BASE_URL = "https://nqi.example.gov.cn"
    message = mailed(body="请在 1 个工作日内接受。")
    assert "https://nqi.example.gov.cn/desk/requests/12/" in message.body
    assert "https://nqi.example.gov.cn/notifications/preferences/" in message.body
    assert "请在 1 个工作日内接受。" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://nqi.example.gov.cn/desk/requests/12/"' in html
    assert 'href="https://nqi.example.gov.cn/notifications/preferences/"' in html
    assert (
        message.extra_headers["List-Unsubscribe"] == "<https://nqi.example.gov.cn/notifications/preferences/>"
    )
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "新工单：螺蛳粉酸笋检测" in message.subject


def test_the_html_body_escapes_what_people_typed(
    settings, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://nqi.example.gov.cn"
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[station],
            event="desk.assignment.created",
            title="<script>alert(1)</script>",
            body="a < b & c",
        )
    html = mailoutbox[0].alternatives[0][0]
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "a &lt; b &amp; c" in html
    assert "<script>alert(1)</script>" in mailoutbox[0].body  # the text part is plain text


def test_a_notification_without_a_link_has_none_but_keeps_the_preferences_link(settings, mailed):
    settings.PUBLIC_BASE_URL = "https://nqi.example.gov.cn/"
    message = mailed(url="")
    assert "查看详情" not in message.body
    assert "https://nqi.example.gov.cn/notifications/preferences/" in message.body
