"""Reads for the shell of the site: navigation, pickers of reference data, the audit log.

Regions and industries are public reference data (not scoped). The audit log is scoped: platform
admins read every entry; regulators read the entries of actors who belong to an organisation in their
region subtree; nobody else reads it.
"""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from nqihub.core.models import AuditEntry, Industry, Membership, Organisation, Region
from nqihub.core.regions import NATIONAL, is_code, prefix
from nqihub.core.scoping import NOTHING, region_q, scope_of

OPTION_LIMIT = 30


def memberships_of(user) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation__region__parent")
        .order_by("organisation__name", "role")
    )


def region_label_for(code: str) -> str:
    if not is_code(code):
        return ""
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    return region.full_name() if region else ""


def industry_label_for(code: str) -> str:
    industry = Industry.objects.filter(code=(code or "").strip().upper()).first()
    return str(industry) if industry else ""


def region_options(q: str, level: str = "") -> list[tuple[str, str]]:
    """Regions whose name contains ``q`` or whose code starts with it: ``[(code, full name)]``."""
    q = (q or "").strip()
    if not q:
        return []
    qs = Region.objects.select_related("parent__parent").exclude(name="市辖区").exclude(code=NATIONAL)
    qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__contains=q)
    if level in Region.Level.values:
        qs = qs.filter(level=level)
    return [(r.code, r.full_name()) for r in qs.order_by("code")[:OPTION_LIMIT]]


def industry_options(q: str) -> list[tuple[str, str]]:
    q = (q or "").strip()
    if not q:
        return []
    qs = Industry.objects.filter(Q(code__istartswith=q) | Q(name__contains=q))
    return [(i.code, i.name) for i in qs.order_by("code")[:OPTION_LIMIT]]


def region_roots(user) -> list[Region]:
    """The top regions of what the user can see: the country for admins, the regulator regions for
    regulators, otherwise the provinces of the user's organisations."""
    scope = scope_of(user)
    if scope.is_admin or "" in scope.regulator_prefixes:
        return list(Region.objects.filter(level=Region.Level.PROVINCE))
    codes = {
        region
        for _id, kind, region in scope.orgs
        if kind == Organisation.Kind.REGULATOR and prefix(region) in scope.regulator_prefixes
    }
    if not codes:
        codes = {p + "0000" for p in scope.home_provinces()}
    return list(Region.objects.filter(code__in=codes))


def region_filter_choices(user, selected: str = "") -> list[tuple[str, str]]:
    """Options for a list page's region filter: the user's top regions, the path down to the selected
    region and the selected region's children (indented), so that one can drill down."""
    roots = region_roots(user)
    root_codes = [r.code for r in roots]
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(region: Region, depth: int) -> None:
        if region.code not in seen:
            seen.add(region.code)
            choices.append((region.code, "\u3000" * depth + region.name))

    selected_region = None
    if is_code(selected):
        selected_region = Region.objects.select_related("parent__parent").filter(code=selected).first()
    within = selected_region is not None and any(
        selected_region.code.startswith(prefix(code)) for code in root_codes
    )
    if not within:
        for root in roots:
            add(root, 0)
        if len(roots) == 1:
            for child in Region.objects.filter(parent_id=roots[0].code).exclude(name="市辖区"):
                add(child, 1)
        return choices
    # Path from the root containing the selected region down to it.
    path = []
    node = selected_region
    while node is not None:
        path.append(node)
        if node.code in root_codes:
            break
        node = node.parent
    for root in roots:
        if root.code == path[-1].code:
            for depth, region in enumerate(reversed(path)):
                add(region, depth)
            for child in Region.objects.filter(parent_id=selected_region.code).exclude(name="市辖区"):
                add(child, len(path))
        else:
            add(root, 0)
    return choices


def industry_division_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """GB/T 4754 divisions grouped by section, for a ``<select>`` with optgroups (reference data that
    changes only when ``load_reference`` runs: cached for an hour)."""
    from django.core.cache import cache

    cached = cache.get(INDUSTRY_CHOICES_KEY)
    if cached is None:
        cached = _industry_division_choices()
        cache.set(INDUSTRY_CHOICES_KEY, cached, 3600)
    return cached


INDUSTRY_CHOICES_KEY = "web:industry-division-choices:v1"


def _industry_division_choices():
    sections = {i.code: i for i in Industry.objects.filter(level=Industry.Level.SECTION)}
    groups: dict[str, list[tuple[str, str]]] = {}
    for division in Industry.objects.filter(level=Industry.Level.DIVISION).order_by("code"):
        groups.setdefault(division.parent_id, []).append((division.code, f"{division.code} {division.name}"))
    return [(f"{code} {sections[code].name}", groups[code]) for code in sorted(groups) if code in sections]


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
