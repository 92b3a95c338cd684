"""One place decides what a user may see.

``visible(user, Model)`` returns a ``Q``: the records of the user's own organisations ∪ the region
subtrees of its regulator memberships ∪ what the model's own rule adds (``Model.scope_extra``), e.g. the
enterprises in a station's service area. Platform admins see everything; anonymous users nothing.

A scoped model declares ``scope_org_field`` (path to its ``Organisation``) and ``scope_region_field``
(path to its region code). Selectors start from ``visible``; the API answers 404 outside it.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Membership, Organisation
from .regions import prefix

NOTHING = Q(pk__in=[])
#: Matches every row and, unlike an empty ``Q()``, survives being OR-ed with other conditions.
EVERYTHING = Q(pk__isnull=False)


@dataclass(frozen=True)
class Scope:
    is_admin: bool = False
    org_ids: frozenset[int] = frozenset()
    regulator_prefixes: tuple[str, ...] = ()
    #: (organisation id, kind, region code) of every membership, regulators included.
    orgs: tuple[tuple[int, str, str], ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    #: (organisation id, kind, region code, role) of every membership.
    memberships: tuple[tuple[int, str, str, str], ...] = ()
    user_id: int | None = None
    #: (organisation id, name) of every membership's organisation (for display: ``/api/v1/me``).
    org_names: tuple[tuple[int, str], ...] = ()

    def org_ids_of_kind(self, kind: str) -> list[int]:
        """The organisations of ``kind`` the user *acts for* (with that kind's acting role, see
        ``core.policy``): an expert's membership of a station does not count as the station's."""
        from .policy import acting_orgs

        return acting_orgs(self, kind)

    def home_provinces(self) -> set[str]:
        """Province prefixes of the user's non-regulator organisations."""
        return {
            code[:2]
            for _, kind, code in self.orgs
            if kind != Organisation.Kind.REGULATOR and code != "000000"
        }

    @property
    def is_regulator(self) -> bool:
        return bool(self.regulator_prefixes) or self.is_admin


def scope_of(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_nqihub_scope", None)
    if cached is not None:
        return cached
    rows = list(
        Membership.objects.filter(user=user).values_list(
            "organisation_id", "organisation__kind", "organisation__region_id", "role", "organisation__name"
        )
    )
    names = tuple(sorted({(r[0], r[4]) for r in rows}))
    rows = [r[:4] for r in rows]
    roles = frozenset(r[3] for r in rows)
    is_admin = bool(user.is_superuser or Membership.Role.PLATFORM_ADMIN in roles)
    prefixes = sorted(
        {prefix(region) for _, kind, region, role in rows if role == Membership.Role.REGULATOR},
        key=len,
    )
    # A prefix already covered by a shorter one adds nothing.
    minimal: list[str] = []
    for p in prefixes:
        if not any(p.startswith(m) for m in minimal):
            minimal.append(p)
    scope = Scope(
        is_admin=is_admin,
        org_ids=frozenset(r[0] for r in rows),
        regulator_prefixes=tuple(minimal),
        orgs=tuple({(r[0], r[1], r[2]) for r in rows}),
        roles=roles,
        memberships=tuple(sorted(set(rows))),
        user_id=user.pk,
        org_names=names,
    )
    user._nqihub_scope = scope
    return scope


def prefix_q(region_field: str, prefix: str) -> Q:
    """Codes starting with ``prefix``, as a range (``>= '45' AND < '46'``) so that a plain B-tree index
    serves it on SQLite and PostgreSQL alike (LIKE 'x%' needs special collations/opclasses for that)."""
    if prefix == "":
        return EVERYTHING
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{region_field}__gte": prefix, f"{region_field}__lt": upper})


def region_q(region_field: str, prefixes) -> Q:
    q = NOTHING
    for p in prefixes:
        if p == "":
            return EVERYTHING
        q |= prefix_q(region_field, p)
    return q


def visible(user, model) -> Q:
    scope = scope_of(user)
    if scope.is_admin or "" in scope.regulator_prefixes:
        return EVERYTHING
    if scope.user_id is None:
        return NOTHING
    # A user without memberships may still reach records through ``scope_extra`` (an expert's assignments).
    q = NOTHING
    org_field = getattr(model, "scope_org_field", None)
    region_field = getattr(model, "scope_region_field", None)
    if org_field and scope.org_ids:
        q |= Q(**{f"{org_field}__in": sorted(scope.org_ids)})
    if region_field and scope.regulator_prefixes:
        q |= region_q(region_field, scope.regulator_prefixes)
    extra = getattr(model, "scope_extra", None)
    if extra is not None:
        q |= extra(scope)
    return q


def visible_qs(user, model_or_qs):
    qs = model_or_qs if hasattr(model_or_qs, "model") else model_or_qs.objects.all()
    return qs.filter(visible(user, qs.model))
