"""Today's work (今日待办) for the home page and the navigation badges, per role (issue 17 item 1).

The blocks come from the apps that own the work, through the registry in ``core.work`` (each app's
``work`` module; web imports no app). The navigation reads the totals from a per-user cache entry that
lives ``BADGE_TTL`` seconds.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.utils import timezone

from nqihub.core import work
from nqihub.core.scoping import scope_of

#: Seconds the navigation badges may lag behind the data.
BADGE_TTL = 30


# --- entry points ---------------------------------------------------------------------------------------


def sections(user, today: datetime.date | None = None) -> list[work.WorkSection]:
    """The user's blocks of today's work, in the order of their roles; empty for a user without one."""
    if not getattr(user, "is_authenticated", False):
        return []
    result = work.collect(user, scope_of(user), today or timezone.localdate())
    cache.set(_key(user), _badges(result), BADGE_TTL)
    return result


def _key(user) -> str:
    return f"web:today:{user.pk}:v1"


def _badges(result: list[work.WorkSection]) -> dict[str, int]:
    counts = {i.key: i.count for s in result for i in s.items if i.actionable}
    counts["total"] = sum(s.total for s in result)
    return counts


def badges(user) -> dict[str, int]:
    """``{item key: count, "total": n}`` of the user's actionable work, for the navigation: from the cache
    when fresh (``BADGE_TTL``), else computed once."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = cache.get(_key(user))
    if cached is None:
        sections(user)
        cached = cache.get(_key(user)) or {}
    return cached


def forget(user_or_id) -> None:
    """Drop a user's cached badges (after an action that changes their work)."""
    pk = getattr(user_or_id, "pk", user_or_id)
    cache.delete(f"web:today:{pk}:v1")
