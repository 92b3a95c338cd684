"""Sending notifications by e-mail and SMS. Bound to the project's Celery app: eager (in-process) without a
broker, on a worker otherwise. Both are safe to run twice: each claims its row (``emailed_at`` /
``texted_at`` set by a conditional UPDATE) before sending, and releases the claim if sending fails."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.celery import app

from .models import Notification
from .sms import send_sms

logger = logging.getLogger(__name__)


def phone_of(user) -> str:
    """The user's mobile number for SMS, if the user model has one."""
    return str(getattr(user, "phone", "") or getattr(user, "mobile", "") or "").strip()


def _absolute(url: str) -> str:
    base = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else url


def email_text(notification: Notification) -> tuple[str, str]:
    subject = _("【质量基础设施一站式服务平台】%(title)s") % {"title": notification.title}
    parts = [notification.title]
    if notification.body:
        parts.append(notification.body)
    if notification.url:
        parts.append(_("查看详情：%(url)s") % {"url": _absolute(notification.url)})
    parts.append(_("（如不希望接收此类邮件，可在平台的“通知设置”中关闭。）"))
    return " ".join(subject.split()), "\n\n".join(parts)


@app.task(name="notifications.send_email_notification")
def send_email_notification(notification_id: int) -> bool:
    """E-mail one notification to its recipient. Returns whether a mail went out on this run."""
    row = Notification.objects.select_related("recipient").filter(pk=notification_id, via_email=True).first()
    if row is None or row.emailed_at is not None or not row.recipient.email:
        return False
    claimed = Notification.objects.filter(pk=row.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False  # another run got there first
    subject, body = email_text(row)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [row.recipient.email])
    except Exception:
        Notification.objects.filter(pk=row.pk).update(emailed_at=None)
        raise
    return True


@app.task(name="notifications.send_sms_notification")
def send_sms_notification(notification_id: int) -> bool:
    """Text one notification's title to its recipient's mobile. Returns whether an SMS went out."""
    row = Notification.objects.select_related("recipient").filter(pk=notification_id, via_sms=True).first()
    if row is None or row.texted_at is not None:
        return False
    phone = phone_of(row.recipient)
    if not phone:
        return False
    claimed = Notification.objects.filter(pk=row.pk, texted_at__isnull=True).update(texted_at=timezone.now())
    if not claimed:
        return False
    try:
        send_sms(phone, _("【质量基础设施平台】%(title)s") % {"title": row.title})
    except Exception:
        Notification.objects.filter(pk=row.pk).update(texted_at=None)
        raise
    return True
