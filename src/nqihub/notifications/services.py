"""Writes: ``notify`` (the one entry point every app calls), marking read, saving preferences.

``notify`` does nothing before the surrounding transaction commits: it registers an ``on_commit`` callback
that writes the inbox rows and queues the e-mail / SMS tasks. If the transaction rolls back, nobody hears
of the event. Outside a transaction (autocommit) the callback runs at once.
"""

import logging
from collections.abc import Iterable, Mapping
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import ValidationFailed

from . import audience, selectors
from .events import ACTIONS, DEFAULT_EVENT, EVENTS, is_event_code
from .models import DigestSetting, Notification, NotificationPreference

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = 200
URL_MAX_LENGTH = 500


def is_safe_url(url: str) -> bool:
    """A path on this site (``/desk/requests/12/``): no scheme, no host, so the inbox link can neither
    leave the site nor run script."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=False)
    )


def _recipients(users) -> list[int]:
    if users is None:
        return []
    if isinstance(users, get_user_model()):
        users = [users]
    if isinstance(users, str | bytes) or not isinstance(users, Iterable):
        raise TypeError("users must be an iterable of users")
    ids: list[int] = []
    seen: set[int] = set()
    for user in users:
        if user is None:
            continue
        pk = user if isinstance(user, int) and not isinstance(user, bool) else getattr(user, "pk", None)
        if not isinstance(pk, int):
            raise TypeError(f"not a user: {user!r}")
        if pk not in seen:
            seen.add(pk)
            ids.append(pk)
    return ids


def notify(
    *, users, event: str, title: str, body: str = "", url: str = "", obj=None, action: str = ""
) -> None:
    """Tell ``users`` (users or user ids; ``None`` entries and duplicates ignored) about ``event``, on each
    user's chosen channels, once the current transaction commits.

    ``title`` and ``body`` are rendered now, in the active language; ``url`` must be a path on this site
    (``/desk/requests/12/``); ``obj`` is the record the event is about; ``action`` what the recipients are
    asked to do about it (default: ``events.ACTIONS``), so that doing it marks the notification read. Raises ``ValueError`` /
    ``TypeError`` on malformed arguments (a programming error), never because of a recipient.
    """
    if not is_event_code(event):
        raise ValueError(f"malformed event code: {event!r}")
    if event not in EVENTS:
        logger.warning("notification event %r has no label in notifications.events.EVENTS", event)
    title = " ".join(str(title or "").split())
    if not title:
        raise ValueError("title is empty")
    body = str(body or "").strip()
    url = str(url or "").strip()
    if url and (len(url) > URL_MAX_LENGTH or not is_safe_url(url)):
        raise ValueError(f"url must be a path on this site, got {url!r}")
    object_type = object_id = ""
    if obj is not None:
        meta = getattr(obj, "_meta", None)
        object_type = meta.label_lower if meta else type(obj).__name__
        object_id = str(getattr(obj, "pk", "") or "")
    user_ids = _recipients(users)
    if not user_ids:
        return
    transaction.on_commit(
        partial(
            deliver,
            user_ids=user_ids,
            event=event,
            title=title[:TITLE_MAX_LENGTH],
            body=body,
            url=url,
            object_type=object_type[:64],
            object_id=object_id[:64],
            action=(action or ACTIONS.get(event, ""))[:32],
        ),
        robust=True,
    )


def deliver(*, user_ids, event, title, body, url, object_type, object_id, action="") -> list[Notification]:
    """The ``on_commit`` half of ``notify``: write the rows and queue the e-mails and SMS.

    - Enterprise users hear only of customer-facing steps (``audience``).
    - One unread inbox row per object and recipient: a new event about an object the recipient has not
      read yet updates that row (title, body, time, ``count`` + 1) instead of adding another; the new
      event's own row then carries only its e-mail / SMS (``via_inbox`` off).
    - A recipient who chose the daily digest gets no e-mail now: the row waits for the digest.
    """
    from .tasks import send_email_notification, send_sms_notification, verified_phones

    user_ids = audience.filter_recipients(
        list(user_ids), event=event, object_type=object_type, object_id=object_id
    )
    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True))
    if not users:
        return []
    ids = [u.pk for u in users]
    channels = selectors.channels_for(user_ids=ids, event=event)
    phones = verified_phones(u.pk for u in users if channels[u.pk].sms)
    digest = set(DigestSetting.objects.filter(user_id__in=ids, daily=True).values_list("user_id", flat=True))
    grouped: dict[int, Notification] = {}
    if object_type and object_id:
        for row in Notification.objects.filter(
            recipient_id__in=ids,
            object_type=object_type,
            object_id=object_id,
            via_inbox=True,
            read_at__isnull=True,
        ).order_by("recipient_id", "-created_at", "-id"):
            grouped.setdefault(row.recipient_id, row)
    rows = []
    now = timezone.now()
    with transaction.atomic():
        for user in users:
            ch = channels[user.pk]
            email = ch.email and bool(user.email)
            row = Notification(
                recipient=user,
                event=event,
                title=title,
                body=body,
                url=url,
                object_type=object_type,
                object_id=object_id,
                action=action,
                via_inbox=ch.inbox,
                via_email=email and user.pk not in digest,
                in_digest=email and user.pk in digest,
                via_sms=ch.sms and user.pk in phones,
            )
            earlier = grouped.get(user.pk)
            if row.via_inbox and earlier is not None:
                Notification.objects.filter(pk=earlier.pk).update(
                    event=event,
                    title=title,
                    body=body,
                    url=url or earlier.url,
                    action=action or earlier.action,
                    count=F("count") + 1,
                    created_at=now,
                )
                row.via_inbox = False
            if row.via_inbox or row.via_email or row.via_sms or row.in_digest:
                rows.append(row)
        if rows:
            rows = Notification.objects.bulk_create(rows)
    for row in rows:
        for wanted, task in ((row.via_email, send_email_notification), (row.via_sms, send_sms_notification)):
            if not wanted:
                continue
            try:
                task.delay(row.pk)
            except Exception:
                # One unreachable mail server or broker must not keep the others from being told.
                logger.exception("could not queue %s for notification %s", task.name, row.pk)
    return rows


def notification_action_done(*, obj, action: str, users=None, before=None) -> int:
    """The action a notification asked for is done (the request rated, the report signed …): every unread
    notification about ``obj`` that asked for ``action`` is marked read — for everyone who was asked
    (``users``: only theirs). Call it from the view or service that did the action; ``before``: only the
    notifications that were there when the action started (not those the action itself has just sent).
    Returns how many."""
    meta = getattr(obj, "_meta", None)
    if meta is None or getattr(obj, "pk", None) is None or not action:
        return 0
    qs = Notification.objects.filter(
        object_type=meta.label_lower, object_id=str(obj.pk), action=action, read_at__isnull=True
    )
    if users is not None:
        qs = qs.filter(recipient_id__in=_recipients(users))
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return qs.update(read_at=timezone.now())


def digest_save(*, user, daily: bool, by) -> DigestSetting:
    """Turn the daily digest on or off for ``user`` (only the user may)."""
    if by is None or by.pk != user.pk:
        raise ValidationFailed({"user": _("只能修改自己的通知设置。")})
    row, _created = DigestSetting.objects.update_or_create(user=user, defaults={"daily": bool(daily)})
    audit.record(by, "notifications.digest.updated", user, {"daily": row.daily})
    return row


def notification_mark_read(*, notification_id: int, by) -> Notification:
    """Mark one of ``by``'s own notifications read (idempotent). ``Notification.DoesNotExist`` for
    anyone else's. Not audited: it changes only the reader's own view."""
    row = selectors.notification_get(fetched_by=by, pk=notification_id)
    if row.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=now)
        row.read_at = now
    return row


def notification_mark_all_read(*, by) -> int:
    """Mark all of ``by``'s unread notifications read; returns how many changed."""
    return selectors.notification_list(fetched_by=by, unread=True).update(read_at=timezone.now())


def preferences_save(*, user, grid: Mapping[str, Mapping[str, bool]], by) -> None:
    """Save ``{event or "*": {"inbox": bool, "email": bool, "sms": bool}}`` for ``user``. Events not in
    ``grid`` are left as they are. Only the user may change their own preferences."""
    if by is None or by.pk != user.pk:
        raise ValidationFailed({"user": _("只能修改自己的通知设置。")})
    errors = {}
    for event, channels in grid.items():
        if event != DEFAULT_EVENT and event not in EVENTS:
            errors[event] = _("未知的通知事件“%(event)s”。") % {"event": event}
            continue
        unknown = set(channels) - set(selectors.CHANNEL_NAMES)
        if unknown:
            errors[event] = _("未知的通知方式：%(names)s。") % {"names": "、".join(sorted(unknown))}
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        for event, channels in grid.items():
            NotificationPreference.objects.update_or_create(
                user=user,
                event=event,
                defaults={name: bool(channels.get(name, False)) for name in selectors.CHANNEL_NAMES},
            )
        audit.record(
            by,
            "notifications.preferences.updated",
            user,
            {e: sorted(n for n, on in c.items() if on) for e, c in grid.items()},
        )
