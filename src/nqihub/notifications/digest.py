"""The daily digest (每日摘要): one e-mail a day listing the notifications a user chose to receive this
way instead of one e-mail per event (``DigestSetting.daily``).

``send_daily_digests`` is a periodic job (``core.schedule``, hourly): from ``DIGEST_HOUR`` local time it
sends each subscribed user's digest once that day. It is safe to run twice: a user's day is claimed by a
conditional UPDATE of ``sent_on`` before anything is sent, and the rows sent are stamped ``digested_at``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .email import PLATFORM_NAME, absolute_url
from .models import DigestSetting, Notification

logger = logging.getLogger(__name__)

#: Local hour from which the day's digest goes out.
DIGEST_HOUR = 8
#: At most this many notifications are listed in one digest (the rest: "and N more").
DIGEST_MAX_ROWS = 50


def build_digest(user, rows: list[Notification], more: int) -> EmailMultiAlternatives:
    context = {
        "recipient_name": user.get_full_name() or user.get_username(),
        "rows": [(row, absolute_url(row.url) if row.url else "") for row in rows],
        "more": more,
        "inbox_url": absolute_url(reverse("notifications:inbox")),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "platform": PLATFORM_NAME,
    }
    subject = _("【质量基础设施一站式服务平台】每日通知摘要（%(count)s 条）") % {"count": len(rows) + more}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return message


def send_daily_digests(now: datetime | None = None) -> dict:
    """Send today's digest to every subscribed user who has not had it yet; ``{"sent", "empty"}``."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    counts = {"sent": 0, "empty": 0, "failed": 0}
    if timezone.localtime(now).hour < DIGEST_HOUR:
        return counts
    due = DigestSetting.objects.filter(daily=True).filter(Q(sent_on__isnull=True) | Q(sent_on__lt=today))
    for setting in due.select_related("user").iterator():
        previous = setting.sent_on
        claimed = (
            DigestSetting.objects.filter(pk=setting.pk, daily=True)
            .filter(Q(sent_on__isnull=True) | Q(sent_on__lt=today))
            .update(sent_on=today)
        )
        if not claimed:
            continue  # another run has it
        user = setting.user
        waiting = Notification.objects.filter(recipient=user, in_digest=True, digested_at__isnull=True)
        rows = list(waiting.order_by("-created_at", "-id")[:DIGEST_MAX_ROWS])
        if not rows or not user.email or not user.is_active:
            counts["empty"] += 1
            continue
        more = waiting.count() - len(rows)
        try:
            build_digest(user, rows, more).send()
        except Exception:
            logger.exception("daily digest for user %s not sent", user.pk)
            DigestSetting.objects.filter(pk=setting.pk, sent_on=today).update(sent_on=previous)
            counts["failed"] += 1
            continue
        waiting.filter(created_at__lte=rows[0].created_at).update(digested_at=now)
        counts["sent"] += 1
    return counts
