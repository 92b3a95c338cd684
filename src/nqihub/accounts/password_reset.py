"""Forgotten password (找回密码) by a code sent to the account's e-mail address or verified mobile number.

The answer never reveals whether an account exists: whatever is typed, the visitor is told the same
("if the account exists, a code was sent") and taken to the same code page; a ticket is made either way,
and for an unknown account no code can ever match. Requests are throttled per client address and per
account, codes live 15 minutes and allow 5 tries. A successful reset ends the account's API tokens (the
password fingerprint changes) and is audited.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import ValidationFailed

from .models import User

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
#: Codes per account per hour (more are silently not sent).
PER_ACCOUNT = 3


def _key(ticket: str) -> str:
    return f"accounts:pwreset:{ticket}"


def _digest(ticket: str, code: str) -> str:
    return salted_hmac("nqihub.accounts.password-reset", f"{ticket}:{code}").hexdigest()


def _find(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier or len(identifier) > 254:
        return None
    qs = User.objects.filter(is_active=True)
    user = qs.filter(username__iexact=identifier).first()
    if user is None and "@" in identifier:
        matches = list(qs.filter(email__iexact=identifier)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


def _account_allows(user: User) -> bool:
    key = f"accounts:pwreset-user:{user.pk}"
    if cache.add(key, 1, 3600):
        return True
    try:
        return cache.incr(key) <= PER_ACCOUNT
    except ValueError:
        return cache.add(key, 1, 3600)


def start(*, identifier: str, channel: str) -> str:
    """Make a ticket and, if the account exists and has the channel, send it a code. Returns the ticket
    (kept in the visitor's session); the caller says the same thing in every case."""
    ticket = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(10**6):06d}"
    user = _find(identifier)
    target = ""
    if user is not None:
        if channel == "sms":
            phone = getattr(user, "mobile_phone", None)
            if phone is not None and phone.is_verified:
                target = phone.number
        elif user.email:
            target = user.email
    sent = bool(target) and _account_allows(user)
    cache.set(
        _key(ticket),
        {"user": user.pk if sent else None, "code": _digest(ticket, code) if sent else "", "tries": 0},
        int(CODE_TTL.total_seconds()),
    )
    if sent:
        text = _(
            "您正在找回平台账号 %(u)s 的密码，验证码为 %(code)s，%(m)s 分钟内有效。如非本人操作，请忽略。"
        ) % {
            "u": user.username,
            "code": code,
            "m": int(CODE_TTL.total_seconds() // 60),
        }
        try:
            if channel == "sms":
                from nqihub.notifications import sms

                sms.send_sms(target, template="verification", params={"code": code}, text=text)
            else:
                send_mail(_("找回密码验证码"), text, settings.DEFAULT_FROM_EMAIL, [target])
        except Exception:  # noqa: BLE001 — the visitor is told the same either way
            log.exception("password reset code for user %s not sent", user.pk)
        audit.record(
            None, "accounts.password.reset_requested", user, {"channel": channel}, username=user.username
        )
    return ticket


def finish(*, ticket: str, code: str, password: str, password2: str) -> User:
    """Check the code and set the new password; ``ValidationFailed`` naming the field otherwise."""
    state = cache.get(_key(ticket or "")) if ticket else None
    if state is None:
        raise ValidationFailed({"code": _("验证码不正确或已过期，请重新获取。")})
    if state["tries"] >= MAX_ATTEMPTS:
        raise ValidationFailed({"code": _("验证码错误次数过多，请重新获取。")})
    code = "".join((code or "").split())
    if not state["user"] or not constant_time_compare(state["code"], _digest(ticket, code)):
        state["tries"] += 1
        cache.set(_key(ticket), state, int(CODE_TTL.total_seconds()))
        raise ValidationFailed({"code": _("验证码不正确或已过期，请重新获取。")})
    user = User.objects.get(pk=state["user"])
    if password != password2:
        raise ValidationFailed({"password2": _("两次输入的新密码不一致。")})
    try:
        validate_password(password or "", user)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": " ".join(exc.messages)}) from None
    user.set_password(password)
    user.save()
    cache.delete(_key(ticket))
    audit.record(user, "accounts.password.reset", user)
    return user
