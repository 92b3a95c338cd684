"""``unread_count``: the navbar badge. Add ``"nqihub.notifications.context_processors.unread_count"`` to
the template context processors; templates use ``{{ unread_notifications }}``. The count is computed on
first use only (one query), so pages and htmx partials that do not show it cost nothing."""

from functools import cache

from . import selectors


def unread_count(request) -> dict:
    user = getattr(request, "user", None)

    @cache
    def count() -> int:
        return selectors.unread_count(fetched_by=user)

    return {"unread_notifications": count}
