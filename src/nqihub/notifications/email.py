"""Notification e-mails: a subject, a plain-text and an HTML body, every link absolute (built from
``PUBLIC_BASE_URL``: the worker that sends the mail knows no request), and the link to the recipient's
notification preferences in every mail (also as ``List-Unsubscribe``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Notification

PLATFORM_NAME = "质量基础设施“一站式”服务平台"


def absolute_url(path: str) -> str:
    """``https://nqi.example.gov.cn/desk/requests/12/`` for ``/desk/requests/12/``. Without
    ``PUBLIC_BASE_URL`` (the embedded set-up) the path stays as it is."""
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if not path or not base or not path.startswith("/") or path.startswith("//"):
        return path
    return f"{base}{path}"


def subject_of(notification: Notification) -> str:
    subject = _("【质量基础设施一站式服务平台】%(title)s") % {"title": notification.title}
    return " ".join(subject.split())


def build_message(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    preferences = absolute_url(reverse("notifications:preferences"))
    context = {
        "notification": notification,
        "recipient_name": (user.get_full_name() or user.get_username()) if user else "",
        "link": absolute_url(notification.url) if notification.url else "",
        "preferences_url": preferences,
        "platform": PLATFORM_NAME,
    }
    text = render_to_string("notifications/email/notification.txt", context)
    html = render_to_string("notifications/email/notification.html", context)
    headers = {"Auto-Submitted": "auto-generated"}
    if preferences.startswith("http"):
        headers["List-Unsubscribe"] = f"<{preferences}>"
    message = EmailMultiAlternatives(
        subject=subject_of(notification),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
