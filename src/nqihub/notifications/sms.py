"""SMS through a pluggable backend, like Django's e-mail backends.

``settings.SMS_BACKEND`` names a class with ``send(phone: str, text: str) -> None`` (raise on failure);
the default, ``ConsoleSmsBackend``, only logs. A real gateway (a province's 短信平台) is one small class.
``LocmemSmsBackend`` keeps messages in ``outbox`` for tests.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("nqihub.sms")

DEFAULT_BACKEND = "nqihub.notifications.sms.ConsoleSmsBackend"
MAX_LENGTH = 500


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development and intranet default: writes the message to the log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", mask_phone(phone), text)


#: Messages sent with ``LocmemSmsBackend``: list of (phone, text).
outbox: list[tuple[str, str]] = []


class LocmemSmsBackend(BaseSmsBackend):
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "****"


def get_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "SMS_BACKEND", "") or DEFAULT_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` through the configured backend. Raises ``ValueError`` on an empty phone
    number or text; the backend's own errors propagate."""
    phone = (phone or "").strip()
    text = (text or "").strip()
    if not phone:
        raise ValueError("phone is empty")
    if not text:
        raise ValueError("text is empty")
    get_backend().send(phone, text[:MAX_LENGTH])
