"""The member enterprises a cooperative may order tests for. The member list belongs to the cooperatives
app, which imports testing (never the reverse: import contract ``testing-not-cooperatives``); it registers
the query here from its ``AppConfig.ready``. Without it (the app not installed) a cooperative has none."""

from collections.abc import Callable

from django.db.models import QuerySet

#: fn(cooperative organisation ids) → a ``values("enterprise_id")`` queryset of the active members.
_active_members: Callable[[list[int]], QuerySet] | None = None


def register_active_members(fn: Callable[[list[int]], QuerySet]) -> None:
    global _active_members
    _active_members = fn


def active_member_enterprise_ids(cooperative_org_ids) -> QuerySet | None:
    """``enterprise_id`` values of the active members of these cooperatives (organisation ids), or None when
    no app keeps member lists."""
    return None if _active_members is None else _active_members(list(cooperative_org_ids))


def is_active_member(cooperative_org_id: int, enterprise_id: int) -> bool | None:
    """Whether the enterprise is an active member of the cooperative; None when no app keeps member lists."""
    ids = active_member_enterprise_ids([cooperative_org_id])
    return None if ids is None else ids.filter(enterprise_id=enterprise_id).exists()
