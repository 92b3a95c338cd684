"""Forgotten password by a code by e-mail or SMS: the same answer for an unknown account, wrong codes
refused and limited, throttled per client address, the new password works and the old one no longer."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from nqihub.accounts.models import User
from nqihub.core.models import AuditEntry
from nqihub.notifications import sms
from nqihub.notifications.models import MobilePhone

pytestmark = pytest.mark.django_db

NEW = "Xin-Mima-2026!reset"


def _start(client, identifier, channel="email"):
    return client.post("/accounts/password/reset/", {"identifier": identifier, "channel": channel})


def _finish(client, code, password=NEW, password2=None):
    return client.post(
        "/accounts/password/reset/confirm/",
        {"code": code, "password": password, "password2": password2 or password},
    )


def _logs_in(username, password) -> bool:
    r = Client().post("/accounts/login/", {"username": username, "password": password})
    return r.status_code == 302


@pytest.fixture
def with_email():
    user = User.objects.get(username="ent_shanyuan")
    user.email = "shanyuan@example.com"
    user.save()
    return user


def test_reset_by_email_code(with_email, demo_password):
    c = Client()
    r = _start(c, "ent_shanyuan")
    assert r.status_code == 302
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == ["shanyuan@example.com"]
    r = _finish(c, code)
    assert r.status_code == 302
    assert _logs_in("ent_shanyuan", NEW) and not _logs_in("ent_shanyuan", demo_password)
    assert AuditEntry.objects.filter(action="accounts.password.reset").exists()
    # The code works once.
    assert _finish(c, code).status_code == 302  # no ticket any more: back to step 1
    assert c.get("/accounts/password/reset/confirm/").status_code == 302


@override_settings(SMS_BACKEND="locmem")
def test_reset_by_sms_to_a_verified_mobile_only():
    user = User.objects.get(username="ent_hanxi")
    sms.outbox.clear()
    MobilePhone.objects.update_or_create(user=user, defaults={"number": "13700001111", "verified_at": None})
    _start(Client(), "ent_hanxi", "sms")
    assert sms.outbox == []  # not verified: nothing sent
    MobilePhone.objects.filter(user=user).update(verified_at=timezone.now())
    c = Client()
    _start(c, "ent_hanxi", "sms")
    phone, text = sms.outbox[-1]
    assert phone == "13700001111"
    code = re.search(r"\b(\d{6})\b", text).group(1)
    assert _finish(c, code).status_code == 302
    assert _logs_in("ent_hanxi", NEW)


def test_unknown_account_gets_the_same_answer(with_email):
    known, unknown = Client(), Client()
    a = _start(known, "ent_shanyuan")
    b = _start(unknown, "nobody-at-all")
    assert a.status_code == b.status_code == 302 and a["Location"] == b["Location"]
    pa = known.get(a["Location"]).content.decode()
    pb = unknown.get(b["Location"]).content.decode()
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)  # noqa: E731
    assert strip(pa) == strip(pb)
    # Whatever code the visitor of an unknown account tries, it is just "wrong".
    r = _finish(unknown, "123456")
    assert r.status_code == 400 and "验证码不正确或已过期" in r.content.decode()
    assert len(mail.outbox) == 1


def test_wrong_code_is_refused_then_locked(with_email):
    c = Client()
    _start(c, "ent_shanyuan")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert _finish(c, wrong).status_code == 400
    r = _finish(c, code)
    assert r.status_code == 400 and "次数过多" in r.content.decode()
    assert not _logs_in("ent_shanyuan", NEW)


def test_weak_or_mismatched_password_is_a_field_error(with_email):
    c = Client()
    _start(c, "ent_shanyuan")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    r = _finish(c, code, password=NEW, password2=NEW + "x")
    assert r.status_code == 400 and "不一致" in r.content.decode()
    r = _finish(c, code, password="123")
    assert r.status_code == 400
    assert not _logs_in("ent_shanyuan", "123")


@override_settings(ACCOUNTS_RESET_LIMIT=3)
def test_requests_are_throttled_per_client(with_email):
    c = Client()
    statuses = [_start(c, "ent_shanyuan").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    # Per account too: at most three codes an hour, from anywhere.
    assert len(mail.outbox) == 3
    _start(Client(REMOTE_ADDR="10.9.9.9"), "ent_shanyuan")
    assert len(mail.outbox) == 3


def test_empty_input_is_400():
    r = Client().post("/accounts/password/reset/", {"identifier": "", "channel": "email"})
    assert r.status_code == 400 and "请输入用户名或电子邮箱" in r.content.decode()
