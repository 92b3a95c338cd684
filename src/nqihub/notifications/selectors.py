"""Reads: a user only ever sees their own notifications and preferences."""

from dataclasses import dataclass

from .events import DEFAULT_EVENT, EVENTS
from .models import DigestSetting, Notification, NotificationPreference


@dataclass(frozen=True)
class Channels:
    inbox: bool = True
    email: bool = True
    sms: bool = False

    @property
    def any(self) -> bool:
        return self.inbox or self.email or self.sms


#: Without any preference row.
DEFAULT_CHANNELS = Channels()
CHANNEL_NAMES = ("inbox", "email", "sms")


def _of(row: NotificationPreference) -> Channels:
    return Channels(inbox=row.inbox, email=row.email, sms=row.sms)


def channels_for(*, user_ids, event: str) -> dict[int, Channels]:
    """Each user's channels for ``event``: their row for the event, else their ``"*"`` row, else the
    defaults (inbox and e-mail on, SMS off). One query."""
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids), event__in=[event, DEFAULT_EVENT])
    specific: dict[int, Channels] = {}
    fallback: dict[int, Channels] = {}
    for row in rows:
        (fallback if row.event == DEFAULT_EVENT else specific)[row.user_id] = _of(row)
    return {uid: specific.get(uid) or fallback.get(uid) or DEFAULT_CHANNELS for uid in user_ids}


def preference_grid(*, fetched_by) -> list[tuple[str, str, Channels]]:
    """Rows of the preferences page: ``(event code, label, channels)``, the default row first, then every
    registered event (an event without its own row shows the default row's channels)."""
    from django.utils.translation import gettext as _

    rows = {r.event: _of(r) for r in NotificationPreference.objects.filter(user=fetched_by)}
    default = rows.get(DEFAULT_EVENT, DEFAULT_CHANNELS)
    grid = [(DEFAULT_EVENT, _("其他事件（默认）"), default)]
    grid += [(code, str(label), rows.get(code, default)) for code, label in EVENTS.items()]
    return grid


def notification_list(*, fetched_by, unread: bool | None = None):
    qs = Notification.objects.filter(recipient=fetched_by, via_inbox=True)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def notification_get(*, fetched_by, pk: int) -> Notification:
    """The user's own notification; ``Notification.DoesNotExist`` for anyone else's (→ 404)."""
    return Notification.objects.get(pk=pk, recipient=fetched_by, via_inbox=True)


def unread_count(*, fetched_by) -> int:
    if not getattr(fetched_by, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=fetched_by, via_inbox=True, read_at__isnull=True).count()


def daily_digest(*, fetched_by) -> bool:
    """Whether the user chose one e-mail a day instead of one per event."""
    return DigestSetting.objects.filter(user=fetched_by, daily=True).exists()
