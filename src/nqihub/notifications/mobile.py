"""A user's mobile number for SMS: set it, receive a code on it, type the code back. Only a verified number
gets SMS (``tasks.verified_phones``).

The code is made by the task that sends it (it never travels through the broker) and only its salted HMAC is
stored: valid ``CODE_TTL``, ``MAX_CODE_ATTEMPTS`` wrong tries, a new one at most every ``RESEND_AFTER``. Every
change is audited with the number masked.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.crypto import mask_phone
from nqihub.core.errors import ValidationFailed

from .models import MobilePhone

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_CODE_ATTEMPTS = 5
CODE_LENGTH = 6
_PENDING = "pending:"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise(number) -> str:
    """``13800001234`` for ``+86 138-0000-1234``; ``ValidationFailed`` for anything that is not a mainland
    China mobile number."""
    value = _SEPARATORS.sub("", str(number or ""))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if len(value) == 13 and value.startswith("86"):
        value = value[2:]
    if not _MOBILE.match(value):
        raise ValidationFailed({"number": _("请输入 11 位中国大陆手机号，例如 13800001234。")})
    return value


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def _digest(row: MobilePhone, code: str) -> str:
    return salted_hmac(
        "nqihub.notifications.mobile-code", f"{row.pk}:{row.number}:{code}", algorithm="sha256"
    ).hexdigest()


def take_pending(row: MobilePhone, nonce: str, code: str) -> bool:
    """The sending task stores its code's digest, if the row still waits for this request."""
    return bool(
        MobilePhone.objects.filter(pk=row.pk, code_hash=_PENDING + nonce, verified_at__isnull=True).update(
            code_hash=_digest(row, code), code_sent_at=timezone.now(), code_attempts=0
        )
    )


def put_back_pending(row: MobilePhone, nonce: str, code: str) -> None:
    """Sending failed: the retry makes a new code."""
    MobilePhone.objects.filter(pk=row.pk, code_hash=_digest(row, code)).update(code_hash=_PENDING + nonce)


def _request_code(row: MobilePhone) -> None:
    from .tasks import send_mobile_code

    nonce = secrets.token_hex(8)
    row.code_hash = _PENDING + nonce
    row.code_sent_at = timezone.now()
    row.code_attempts = 0
    row.save(update_fields=["code_hash", "code_sent_at", "code_attempts", "updated_at"])
    transaction.on_commit(lambda: send_mobile_code.delay(row.pk, nonce), robust=True)


def _own(user, by) -> None:
    if by is None or user is None or by.pk != user.pk:
        raise ValidationFailed({"number": _("只能设置自己的手机号。")})


def _throttled(row: MobilePhone) -> None:
    if row.code_sent_at is None:
        return
    wait = row.code_sent_at + RESEND_AFTER - timezone.now()
    if wait.total_seconds() > 0:
        raise ValidationFailed(
            {
                "number": _("验证码已发送，请 %(seconds)s 秒后再重新获取。")
                % {"seconds": int(wait.total_seconds()) + 1}
            }
        )


def mobile_get(*, fetched_by) -> MobilePhone | None:
    return MobilePhone.objects.filter(user=fetched_by).first()


def mobile_set(*, user, number, by) -> MobilePhone:
    """Set ``user``'s number (unverified) and send a code to it. Setting the verified number again changes
    nothing."""
    _own(user, by)
    number = normalise(number)
    with transaction.atomic():
        row = MobilePhone.objects.select_for_update().filter(user=user).first()
        if row is not None and row.number == number:
            if row.is_verified:
                return row
            _throttled(row)
        if row is None:
            row = MobilePhone.objects.create(user=user, number=number)
        else:
            row.number, row.verified_at = number, None
            row.save(update_fields=["number", "verified_at", "updated_at"])
        _request_code(row)
        audit.record(by, "notifications.mobile.set", user, {"number": mask_phone(number)})
    return row


def mobile_resend(*, user, by) -> MobilePhone:
    _own(user, by)
    with transaction.atomic():
        row = MobilePhone.objects.select_for_update().filter(user=user, verified_at__isnull=True).first()
        if row is None:
            raise ValidationFailed({"number": _("请先填写手机号。")})
        _throttled(row)
        _request_code(row)
    return row


def mobile_verify(*, user, code, by) -> MobilePhone:
    """Check the code typed back; the number is verified when it matches."""
    if by is None or user is None or by.pk != user.pk:
        raise ValidationFailed({"code": _("只能验证自己的手机号。")})
    code = str(code or "").strip()
    if not re.fullmatch(rf"\d{{{CODE_LENGTH}}}", code):
        raise ValidationFailed({"code": _("验证码为 6 位数字。")})
    with transaction.atomic():
        row = MobilePhone.objects.select_for_update().filter(user=user).first()
        if row is None:
            raise ValidationFailed({"code": _("请先填写手机号并获取验证码。")})
        if row.is_verified:
            return row
        if not row.code_hash or row.code_hash.startswith(_PENDING):
            raise ValidationFailed({"code": _("验证码尚未发出，请稍候或重新获取。")})
        if row.code_sent_at is None or row.code_sent_at + CODE_TTL < timezone.now():
            raise ValidationFailed({"code": _("验证码已过期，请重新获取。")})
        if row.code_attempts >= MAX_CODE_ATTEMPTS:
            raise ValidationFailed({"code": _("验证码错误次数过多，请重新获取。")})
        matches = constant_time_compare(_digest(row, code), row.code_hash)
        if matches:
            row.verified_at = timezone.now()
            row.code_hash, row.code_attempts = "", 0
            row.save(update_fields=["verified_at", "code_hash", "code_attempts", "updated_at"])
            audit.record(by, "notifications.mobile.verified", user, {"number": row.masked})
        else:
            # Counted even though the call fails: the count commits, the error is raised after.
            row.code_attempts += 1
            row.save(update_fields=["code_attempts", "updated_at"])
    if not matches:
        raise ValidationFailed({"code": _("验证码不正确。")})
    return row


def mobile_remove(*, user, by) -> bool:
    _own(user, by)
    with transaction.atomic():
        row = MobilePhone.objects.select_for_update().filter(user=user).first()
        if row is None:
            return False
        audit.record(by, "notifications.mobile.removed", user, {"number": row.masked})
        row.delete()
    return True
