"""The inbox (站内信), marking read (htmx), and the channel preferences grid. Every page shows only the
signed-in user's own notifications; another user's id is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nqihub.core.errors import ValidationFailed
from nqihub.core.http import is_htmx, scoped_or_404

from . import mobile, selectors, services
from .events import DEFAULT_EVENT
from .models import Notification

PAGE_SIZE = 20


def _own(request, pk: int) -> Notification:
    return scoped_or_404(selectors.notification_get, request, pk)


def _unread_filter(request) -> bool | None:
    value = request.GET.get("unread", "")
    return True if value in {"1", "true", "yes"} else None


def _list_context(request, unread: bool | None) -> dict:
    qs = selectors.notification_list(fetched_by=request.user, unread=unread)
    return {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "unread_only": bool(unread),
        "count": selectors.unread_count(fetched_by=request.user),
    }


@login_required
@require_GET
def inbox(request):
    context = _list_context(request, _unread_filter(request))
    if is_htmx(request) and request.headers.get("HX-Target") == "notification-list":
        return render(request, "notifications/_partials/list.html", {**context, "oob_badge": True})
    return render(request, "notifications/inbox.html", context)


@login_required
@require_GET
def badge(request):
    return render(
        request,
        "notifications/_partials/badge.html",
        {"count": selectors.unread_count(fetched_by=request.user)},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    try:
        row = services.notification_mark_read(notification_id=pk, by=request.user)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    if is_htmx(request):
        return render(
            request,
            "notifications/_partials/item_read.html",
            {"n": row, "count": selectors.unread_count(fetched_by=request.user)},
        )
    return redirect("notifications:inbox")


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark read and go to the record the notification is about."""
    row = _own(request, pk)
    services.notification_mark_read(notification_id=row.pk, by=request.user)
    target = row.url if row.url and services.is_safe_url(row.url) else reverse("notifications:inbox")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def mark_all_read(request):
    changed = services.notification_mark_all_read(by=request.user)
    if is_htmx(request):
        context = {**_list_context(request, None), "oob_badge": True}
        return render(request, "notifications/_partials/list.html", context)
    if changed:
        messages.success(request, _("已将 %(count)s 条通知标记为已读。") % {"count": changed})
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    grid = selectors.preference_grid(fetched_by=request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        # Unchecked boxes are not sent: every row on the page is saved, absent boxes as off.
        submitted = {
            event: {name: request.POST.get(f"{event}:{name}") == "on" for name in selectors.CHANNEL_NAMES}
            for event, _label, _channels in grid
        }
        unexpected = sorted(
            key.split(":", 1)[0]
            for key in request.POST
            if ":" in key and key.split(":", 1)[0] not in submitted
        )
        try:
            if unexpected:
                raise ValidationFailed(
                    {unexpected[0]: _("未知的通知事件“%(event)s”。") % {"event": unexpected[0]}}
                )
            services.preferences_save(user=request.user, grid=submitted, by=request.user)
            services.digest_save(
                user=request.user, daily=request.POST.get("daily_digest") == "on", by=request.user
            )
        except ValidationFailed as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    return _preferences_page(request, grid, errors=errors)


def _preferences_page(request, grid, *, errors=None, mobile_errors=None):
    errors = errors or {}
    mobile_errors = mobile_errors or {}
    channel_labels = list(zip(selectors.CHANNEL_NAMES, (_("站内信"), _("邮件"), _("短信")), strict=True))
    context = {
        "rows": [
            {
                "event": event,
                "label": label,
                "is_default": event == DEFAULT_EVENT,
                "error": errors.get(event, ""),
                "boxes": [
                    (f"{event}:{name}", getattr(ch, name), label_of_channel)
                    for name, label_of_channel in channel_labels
                ],
            }
            for event, label, ch in grid
        ],
        "channels": [label for _name, label in channel_labels],
        "errors": errors,
        "mobile": mobile.mobile_get(fetched_by=request.user),
        "mobile_errors": mobile_errors,
        "code_minutes": int(mobile.CODE_TTL.total_seconds() // 60),
        "daily_digest": selectors.daily_digest(fetched_by=request.user),
    }
    status = 422 if errors or mobile_errors else 200
    return render(request, "notifications/preferences.html", context, status=status)


MOBILE_ACTIONS = ("set", "resend", "verify", "remove")


@login_required
@require_POST
def mobile_phone(request, action: str):
    """The mobile number for SMS on the preferences page: set it (a code is sent), send the code again,
    type the code back, remove it."""
    if action not in MOBILE_ACTIONS:
        raise Http404
    user = request.user
    try:
        if action == "set":
            row = mobile.mobile_set(user=user, number=request.POST.get("number", ""), by=user)
            if row.is_verified:
                messages.info(request, _("该手机号已验证，无需重复验证。"))
            else:
                messages.success(
                    request,
                    _("验证码已发送至 %(number)s，请在 %(minutes)s 分钟内输入。")
                    % {"number": row.masked, "minutes": int(mobile.CODE_TTL.total_seconds() // 60)},
                )
        elif action == "resend":
            row = mobile.mobile_resend(user=user, by=user)
            messages.success(request, _("验证码已重新发送至 %(number)s。") % {"number": row.masked})
        elif action == "verify":
            mobile.mobile_verify(user=user, code=request.POST.get("code", ""), by=user)
            messages.success(request, _("手机号已验证，短信通知将发送到此号码。"))
        elif mobile.mobile_remove(user=user, by=user):
            messages.success(request, _("手机号已删除，不再接收短信通知。"))
    except ValidationFailed as exc:
        grid = selectors.preference_grid(fetched_by=user)
        return _preferences_page(request, grid, mobile_errors={k: str(v) for k, v in exc.errors.items()})
    return redirect(reverse("notifications:preferences") + "#mobile")
