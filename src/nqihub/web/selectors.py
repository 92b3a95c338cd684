"""Reads for the shell of the site: navigation, pickers of reference data, the audit log.

Regions and industries are public reference data (not scoped). The audit log is scoped: platform
admins read every entry; regulators read the entries of actors who belong to an organisation in their
region subtree; nobody else reads it.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from nqihub.core.models import AuditEntry, Membership
from nqihub.core.scoping import NOTHING, region_q, scope_of


def memberships_of(user) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation__region__parent")
        .order_by("organisation__name", "role")
    )


# Region and industry pickers live in core (forms of every app use them); re-exported for web's views.
from nqihub.core.selectors import (  # noqa: E402
    INDUSTRY_CHOICES_KEY,  # noqa: F401
    OPTION_LIMIT,  # noqa: F401
    industry_division_choices,  # noqa: F401
    industry_label_for,  # noqa: F401
    industry_options,  # noqa: F401
    region_filter_choices,  # noqa: F401
    region_label_for,  # noqa: F401
    region_options,  # noqa: F401
    region_roots,  # noqa: F401
)


def can_read_audit(user) -> bool:
    return scope_of(user).is_regulator


def audit_entry_list(
    *,
    fetched_by,
    q: str = "",
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet:
    scope = scope_of(fetched_by)
    qs = AuditEntry.objects.select_related("actor")
    if not scope.is_admin:
        if not scope.regulator_prefixes:
            return qs.filter(NOTHING)
        actors = Membership.objects.filter(region_q("organisation__region_id", scope.regulator_prefixes))
        qs = qs.filter(actor_id__in=actors.values("user_id"))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(actor_username__icontains=q) | Q(object_repr__icontains=q) | Q(action__icontains=q))
    action = (action or "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if (actor or "").strip():
        qs = qs.filter(actor_username=actor.strip())
    if (object_type or "").strip():
        qs = qs.filter(object_type=object_type.strip().lower())
    if (object_id or "").strip():
        qs = qs.filter(object_id=object_id.strip())
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs


def _day_start(day) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
