"""A user's mobile number: set (a code is texted), verified by typing the code back, only then used for SMS;
encrypted at rest; every refusal a clear message that changes nothing."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import AuditEntry
from nqihub.notifications import mobile, sms
from nqihub.notifications.models import MobilePhone


@pytest.fixture
def sent_codes(sms_outbox, django_capture_on_commit_callbacks):
    """Run ``fn`` with on-commit callbacks executed; returns the codes texted meanwhile."""

    def run(fn):
        start = len(sms.messages)
        with django_capture_on_commit_callbacks(execute=True):
            result = fn()
        return result, [m.params["code"] for m in sms.messages[start:] if m.template == "verification"]

    sms.messages.clear()
    return run


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800001234", "13800001234"),
        ("+86 138-0000-1234", "13800001234"),
        ("0086 13800001234", "13800001234"),
        ("8613800001234", "13800001234"),
        ("(138) 0000 1234", "13800001234"),
    ],
)
def test_numbers_are_normalised(typed, stored):
    assert mobile.normalise(typed) == stored


@pytest.mark.parametrize(
    "bad", ["", "12345", "1380000123", "23800001234", "138000012345", "abc", "+1 415 555 0100"]
)
def test_anything_else_is_refused_with_a_chinese_message(bad):
    with pytest.raises(ValidationFailed) as exc:
        mobile.normalise(bad)
    assert "11 位中国大陆手机号" in exc.value.errors["number"]


def test_set_texts_a_code_and_the_code_verifies_the_number(demo_user, sent_codes, sms_outbox):
    user = demo_user("station_lz")
    row, codes = sent_codes(lambda: mobile.mobile_set(user=user, number="138 0000 1234", by=user))
    assert len(codes) == 1 and re.fullmatch(r"\d{6}", codes[0])
    assert sms_outbox[-1][0] == "13800001234" and codes[0] in sms_outbox[-1][1]
    row.refresh_from_db()
    assert not row.is_verified and codes[0] not in row.code_hash  # only a digest is stored
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT number FROM notifications_mobilephone WHERE id = %s", [row.pk])
        assert "13800001234" not in cursor.fetchone()[0]
    mobile.mobile_verify(user=user, code=codes[0], by=user)
    row.refresh_from_db()
    assert row.is_verified and row.code_hash == ""
    actions = set(
        AuditEntry.objects.filter(actor=user, action__startswith="notifications.mobile.").values_list(
            "action", flat=True
        )
    )
    assert actions == {"notifications.mobile.set", "notifications.mobile.verified"}
    assert "13800001234" not in str(AuditEntry.objects.filter(actor=user).values_list("data", flat=True))


def test_wrong_expired_and_exhausted_codes(demo_user, sent_codes):
    user = demo_user("station_lz")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        _row, codes = sent_codes(lambda: mobile.mobile_set(user=user, number="13800001234", by=user))
        wrong = "000000" if codes[0] != "000000" else "111111"
        with pytest.raises(ValidationFailed, match="验证码不正确"):
            mobile.mobile_verify(user=user, code=wrong, by=user)
        assert MobilePhone.objects.get(user=user).code_attempts == 1  # counted although the call failed
        with pytest.raises(ValidationFailed, match="6 位数字"):
            mobile.mobile_verify(user=user, code="12ab", by=user)
        with pytest.raises(ValidationFailed, match="请 \\d+ 秒后"):
            mobile.mobile_resend(user=user, by=user)  # too soon for another code
    with time_machine.travel(now + mobile.CODE_TTL + timedelta(seconds=1), tick=False):
        with pytest.raises(ValidationFailed, match="已过期"):
            mobile.mobile_verify(user=user, code=codes[0], by=user)
        _row, codes = sent_codes(lambda: mobile.mobile_resend(user=user, by=user))
        for _ in range(mobile.MAX_CODE_ATTEMPTS):
            with pytest.raises(ValidationFailed):
                mobile.mobile_verify(user=user, code=wrong if codes[0] != wrong else "222222", by=user)
        with pytest.raises(ValidationFailed, match="错误次数过多"):
            mobile.mobile_verify(user=user, code=codes[0], by=user)  # even the right one, now
    assert not MobilePhone.objects.get(user=user).is_verified


def test_an_old_code_task_sends_nothing_once_a_newer_code_was_asked_for(demo_user, sent_codes, sms_outbox):
    user = demo_user("station_lz")
    row, _codes = sent_codes(lambda: mobile.mobile_set(user=user, number="13800001234", by=user))
    from nqihub.notifications.tasks import send_mobile_code

    before = len(sms_outbox)
    assert send_mobile_code.delay(row.pk, "0123456789abcdef").get() == ""  # a nonce nobody waits for
    assert len(sms_outbox) == before


def test_only_the_user_sets_their_own_number(demo_user):
    with pytest.raises(ValidationFailed):
        mobile.mobile_set(user=demo_user("station_lz"), number="13800001234", by=demo_user("reg_lz"))
    with pytest.raises(ValidationFailed):
        mobile.mobile_verify(user=demo_user("station_lz"), code="123456", by=demo_user("reg_lz"))
    assert not MobilePhone.objects.filter(user=demo_user("station_lz")).exists()


def test_the_preferences_page_sets_verifies_and_removes_the_number(client_for, demo_user, sent_codes):
    client = client_for("ent_shanyuan")
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "短信接收手机号" in page and 'action="/notifications/preferences/mobile/set/"' in page
    response, codes = sent_codes(
        lambda: client.post(
            reverse("notifications:mobile", args=["set"]), {"number": "13900001234"}, follow=True
        )
    )
    text = response.content.decode()
    assert "验证码已发送至 139****1234" in text and "待验证" in text
    bad = client.post(reverse("notifications:mobile", args=["verify"]), {"code": "99999"})
    assert bad.status_code == 422 and "验证码为 6 位数字。" in bad.content.decode()
    response = client.post(reverse("notifications:mobile", args=["verify"]), {"code": codes[0]}, follow=True)
    assert "手机号已验证" in response.content.decode() and "已验证" in response.content.decode()
    assert MobilePhone.objects.get(user=demo_user("ent_shanyuan")).is_verified
    bad = client.post(reverse("notifications:mobile", args=["set"]), {"number": "12345"})
    assert bad.status_code == 422 and "11 位中国大陆手机号" in bad.content.decode()
    assert MobilePhone.objects.get(user=demo_user("ent_shanyuan")).number == "13900001234"  # unchanged
    assert client.post(reverse("notifications:mobile", args=["explode"])).status_code == 404
    response = client.post(reverse("notifications:mobile", args=["remove"]), follow=True)
    assert "手机号已删除" in response.content.decode()
    assert not MobilePhone.objects.filter(user=demo_user("ent_shanyuan")).exists()
    assert client.get(reverse("notifications:mobile", args=["set"])).status_code == 405
