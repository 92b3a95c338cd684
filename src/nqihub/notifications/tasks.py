"""Sending notifications by e-mail and SMS, and mobile verification codes. Bound to the project's Celery
app: eager (in-process) without a broker, on a worker otherwise.

Each send is safe to run twice and to be re-delivered: it first claims its row (a conditional UPDATE to
"sending"; a claim older than ``CLAIM_EXPIRES`` — a worker that died — may be taken over), then records
the outcome on the row. A failed send is retried with exponential backoff; after ``EMAIL_MAX_ATTEMPTS`` /
``SMS_MAX_ATTEMPTS`` tries the row records the failure and its error, and the task stops.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.celery import app

from . import mobile, sms
from .email import build_message
from .models import EmailStatus, MobilePhone, Notification, SmsStatus

logger = logging.getLogger(__name__)

#: A claim ("sending") older than this belongs to a worker that died: another run may take the row.
CLAIM_EXPIRES = timedelta(minutes=10)
SMS_MAX_ATTEMPTS = 4
SEND_OPTIONS = {
    "bind": True,
    "autoretry_for": (),  # retried by hand below, so that the last failure is recorded
    "max_retries": 50,
    "time_limit": 120,
    "soft_time_limit": 100,
}


def backoff(attempt: int) -> int:
    """Seconds before try ``attempt + 1``: 30 s, 1 min, 2 min … capped at an hour, with jitter."""
    base = min(3600, 30 * 2 ** max(0, attempt - 1))
    return int(base * random.uniform(0.75, 1.0))  # noqa: S311 (jitter, not a secret)


def verified_phones(user_ids) -> dict[int, str]:
    """``{user id: number}`` of the users with a verified mobile number (one query)."""
    rows = MobilePhone.objects.filter(user_id__in=list(user_ids), verified_at__isnull=False)
    return {row.user_id: row.number for row in rows if row.number}


def phone_of(user) -> str:
    """The user's verified mobile number for SMS, or ``""``."""
    return verified_phones([user.pk]).get(user.pk, "")


def _claim(pk: int, status_field: str, time_field: str, attempts_field: str) -> int | None:
    """Take the row for sending; returns its attempt number, or ``None`` when another run has it or it is
    done."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=pk)
        .filter(
            Q(**{status_field: ""}) | Q(**{status_field: "sending", f"{time_field}__lt": now - CLAIM_EXPIRES})
        )
        .update(**{status_field: "sending", time_field: now, attempts_field: F(attempts_field) + 1})
    )
    if not claimed:
        return None
    return Notification.objects.values_list(attempts_field, flat=True).get(pk=pk)


@app.task(name="notifications.send_email_notification", **SEND_OPTIONS)
def send_email_notification(self, notification_id: int) -> bool:
    """E-mail one notification to its recipient. Returns whether a mail went out on this run."""
    row = Notification.objects.select_related("recipient").filter(pk=notification_id, via_email=True).first()
    if row is None or not row.recipient.email or row.email_status in (EmailStatus.SENT, EmailStatus.FAILED):
        return False
    attempt = _claim(row.pk, "email_status", "emailed_at", "email_attempts")
    if attempt is None:
        return False
    try:
        build_message(row).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        final = attempt >= settings.EMAIL_MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk).update(
            email_status=EmailStatus.FAILED if final else EmailStatus.PENDING,
            emailed_at=None,
            email_error=error,
        )
        if final:
            logger.error(
                "e-mail of notification %s failed for good after %s tries: %s", row.pk, attempt, error
            )
            return False
        logger.warning("e-mail of notification %s failed (try %s), retrying: %s", row.pk, attempt, error)
        if self.request.is_eager:  # embedded set-up (no worker to retry later): again, now
            return self.run(notification_id)
        raise self.retry(exc=exc, countdown=backoff(attempt)) from exc
    Notification.objects.filter(pk=row.pk).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now(), email_error=""
    )
    logger.info("e-mail of notification %s sent to user %s (try %s)", row.pk, row.recipient_id, attempt)
    return True


def notification_sms_text(title: str) -> tuple[dict[str, str], str]:
    params = {"title": title[: sms.MAX_VARIABLE_LENGTH]}
    text = _("【%(sign)s】%(title)s，详情请登录平台查看。") % {
        "sign": settings.SMS_SIGN_NAME or _("质量基础设施平台"),
        "title": params["title"],
    }
    return params, text


@app.task(name="notifications.send_sms_notification", **SEND_OPTIONS)
def send_sms_notification(self, notification_id: int) -> bool:
    """Text one notification's title to its recipient's verified mobile. Returns whether an SMS went out
    (the console backend only logs it: recorded as "logged only", and ``False``)."""
    row = Notification.objects.filter(pk=notification_id, via_sms=True).first()
    if row is None or row.sms_status not in (SmsStatus.PENDING, SmsStatus.SENDING):
        return False
    phone = phone_of(row.recipient)
    if not phone:
        return False
    attempt = _claim(row.pk, "sms_status", "texted_at", "sms_attempts")
    if attempt is None:
        return False
    params, text = notification_sms_text(row.title)
    try:
        status = sms.send_sms(phone, template="notification", params=params, text=text)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        final = attempt >= SMS_MAX_ATTEMPTS
        Notification.objects.filter(pk=row.pk).update(
            sms_status=SmsStatus.FAILED if final else SmsStatus.PENDING, texted_at=None, sms_error=error
        )
        if final:
            logger.error("SMS of notification %s failed for good after %s tries: %s", row.pk, attempt, error)
            return False
        logger.warning("SMS of notification %s failed (try %s), retrying: %s", row.pk, attempt, error)
        if self.request.is_eager:
            return self.run(notification_id)
        raise self.retry(exc=exc, countdown=backoff(attempt)) from exc
    Notification.objects.filter(pk=row.pk).update(sms_status=status, texted_at=timezone.now(), sms_error="")
    return status == SmsStatus.SENT


@app.task(name="notifications.send_mobile_code", **{**SEND_OPTIONS, "max_retries": 2})
def send_mobile_code(self, mobile_id: int, nonce: str) -> str:
    """Make and text a verification code for the number waiting for it. A newer request (another nonce),
    a changed number or a verified one make an old task a no-op; the code itself never travels through the
    broker. Returns the backend's status, or ``""`` when there was nothing to send."""
    code = mobile.new_code()
    row = MobilePhone.objects.filter(pk=mobile_id, verified_at__isnull=True).first()
    if row is None or not mobile.take_pending(row, nonce, code):
        return ""
    text = _("【%(sign)s】您的手机号验证码为 %(code)s，%(minutes)s 分钟内有效。如非本人操作，请忽略。") % {
        "sign": settings.SMS_SIGN_NAME or _("质量基础设施平台"),
        "code": code,
        "minutes": int(mobile.CODE_TTL.total_seconds() // 60),
    }
    try:
        return sms.send_sms(row.number, template="verification", params={"code": code}, text=text)
    except Exception as exc:
        mobile.put_back_pending(row, nonce, code)
        if self.request.is_eager or self.request.retries >= self.max_retries:
            logger.error("verification code for mobile %s not sent: %s", row.pk, exc)
            return SmsStatus.FAILED
        raise self.retry(exc=exc, countdown=10 * (self.request.retries + 1)) from exc
