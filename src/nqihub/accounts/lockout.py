"""Lock-out that an attacker cannot turn against the user (issue 13 item 7).

- django-axes locks a *username from one client address* after ``AXES_FAILURE_LIMIT`` failures within
  ``AXES_COOLOFF_TIME``: guessing from one place stops, the real user elsewhere still signs in.
- ``AccountLockBackend`` locks the account whatever the address once it has ``ACCOUNT_LOCK_FAILURES``
  failures within ``ACCOUNT_LOCK_WINDOW_HOURS`` (a distributed guess), counted from the audit log
  (``accounts.login_failed``, indexed by username and time) since the last unlock by an administrator.
- Either lock notifies the user in the platform (at most once an hour), ends their API tokens and is
  audited (``accounts.locked_out``).
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.models import AuditEntry

from .models import ApiToken

#: Audit action an administrator's unlock writes; failures before it no longer count.
UNLOCKED = "accounts.unlocked"
NOTIFY_EVERY = dt.timedelta(hours=1)


def window_start(username: str, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    start = now - dt.timedelta(hours=settings.ACCOUNT_LOCK_WINDOW_HOURS)
    unlocked = (
        AuditEntry.objects.filter(action=UNLOCKED, data__username=username, at__gt=start)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return max(start, unlocked) if unlocked else start


def recent_failures(username: str) -> int:
    return AuditEntry.objects.filter(
        actor_username=username[:150], at__gte=window_start(username), action="accounts.login_failed"
    ).count()


def account_locked(username: str) -> bool:
    return bool(username) and recent_failures(username) >= settings.ACCOUNT_LOCK_FAILURES


class AccountLockBackend:
    """Refuses every sign-in of an account past the account-wide limit (before the password is checked;
    Django's ``authenticate`` then stops and reports a failure)."""

    def authenticate(self, request, username=None, **credentials):
        if username and account_locked(str(username)):
            if request is not None:
                request.axes_locked_out = True
                request.nqihub_account_locked = True
            raise PermissionDenied
        # No user here and no get_user(): sessions are never bound to this backend.


def lockout_message(request) -> str:
    if getattr(request, "nqihub_account_locked", False):
        return _("该账户在 %(hours)s 小时内登录失败次数过多，已被锁定。请联系平台管理员核实后解锁。") % {
            "hours": settings.ACCOUNT_LOCK_WINDOW_HOURS
        }
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return _("登录连续失败 %(n)s 次，为保障安全，该账户已在本机地址被锁定 %(minutes)s 分钟，请稍后再试。") % {
        "n": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
    }


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the web page for both kinds of lock (429)."""
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "message": lockout_message(request),
            "account_wide": getattr(request, "nqihub_account_locked", False),
        },
        status=429,
    )


def on_locked_out(*, username: str, ip: str | None, account_wide: bool) -> None:
    """A lock happened: audit it, end the user's API tokens, tell the user (once an hour at most)."""
    from nqihub.notifications.services import notify

    user = get_user_model().objects.filter(username=username).first()
    audit.record(
        None,
        "accounts.locked_out",
        user,
        {"username": username, "ip": ip, "account_wide": account_wide},
        username=username,
    )
    if user is None:
        return
    ApiToken.end_all(user, ApiToken.Ended.LOCKED_OUT)
    if not cache.add(f"accounts:attacked:{user.pk}", 1, int(NOTIFY_EVERY.total_seconds())):
        return
    if account_wide:
        title = _("您的账户因多次登录失败已被锁定")
        body = _(
            "%(hours)s 小时内有 %(n)s 次失败的登录尝试（最近一次来自 %(ip)s）。为保护账户，已锁定登录并终止全部 API 令牌。"
            "如非本人操作，请联系平台管理员。"
        ) % {"hours": settings.ACCOUNT_LOCK_WINDOW_HOURS, "n": recent_failures(username), "ip": ip or "—"}
    else:
        title = _("有人正在尝试登录您的账户")
        body = _(
            "来自 %(ip)s 的多次登录失败，已对该地址锁定您的账户 %(minutes)s 分钟，并终止了全部 API 令牌。"
            "如非本人操作，请尽快修改密码并联系平台管理员。"
        ) % {"ip": ip or "—", "minutes": max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))}
    notify(
        users=[user],
        event="accounts.login.attacked",
        title=title,
        body=body,
        url=reverse("accounts:password-change"),
    )


def unlock(*, user, by) -> None:
    """An administrator clears both locks of ``user`` (audited)."""
    from axes.utils import reset

    reset(username=user.get_username())
    audit.record(by, UNLOCKED, user, {"username": user.get_username()})
