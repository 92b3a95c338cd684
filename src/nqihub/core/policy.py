"""The access policy: who (role) may do what (action) with which object, in one module.

A user's rights come from the *role* of each membership, never from the kind of organisation alone: an
expert is a member of a station (role ``expert``) but does not act for it; the station's staff do
(role ``station_staff``). ``ACTING_ROLE`` names, for each kind of organisation, the one role that acts for
it; ``acting_orgs`` gives the organisations a user acts for. Every ``scope_extra`` rule of the models and
every permission check of the services is built from the helpers below, and ``RULES`` is the table they
implement (docs/decisions/0005-access-policy.md is written from it; a test keeps the two in step).

Reaches (how far a role's right extends over an object):

* ``all`` — every record; ``region`` — the regulator's region subtree;
* ``own`` — records of an organisation the user acts for (its enterprise, lab, cooperative, station);
* ``area`` — enterprises in the service area (counties) of a station the user is staff of, and their
  records;
* ``assigned`` — through a live assignment of a service request to the user's own expert profile:
  the request, its enterprise, the test orders placed from it; read-only;
* ``booked`` / ``issued`` / ``placed`` — a lab or calibration body over the orders, bookings and
  certificates addressed to it; a cooperative over the orders it placed;
* ``members`` — a cooperative's member enterprises and their records; ``province`` — the directory of
  service resources of the user's own province; ``public`` — anyone, signed in or not; ``—`` nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .errors import PermissionDenied
from .models import Membership, Organisation
from .scoping import NOTHING, Scope, scope_of

Role = Membership.Role
Kind = Organisation.Kind

#: The role through which a member acts for an organisation of each kind.
ACTING_ROLE: dict[str, str] = {
    Kind.ENTERPRISE: Role.ENTERPRISE_USER,
    Kind.STATION: Role.STATION_STAFF,
    Kind.INSTITUTION: Role.INSTITUTION_STAFF,
    Kind.COOPERATIVE: Role.COOPERATIVE_ADMIN,
    Kind.REGULATOR: Role.REGULATOR,
    Kind.PLATFORM: Role.PLATFORM_ADMIN,
}

#: Statuses of a desk assignment through which the assignee (expert or institution) sees the request.
LIVE_ASSIGNMENT_STATUSES = ("offered", "accepted", "completed")

VIEW, CREATE, CHANGE, DELETE, TRANSITION = "view", "create", "change", "delete", "transition"

_E, _S, _X, _I, _C, _R, _A = (
    Role.ENTERPRISE_USER,
    Role.STATION_STAFF,
    Role.EXPERT,
    Role.INSTITUTION_STAFF,
    Role.COOPERATIVE_ADMIN,
    Role.REGULATOR,
    Role.PLATFORM_ADMIN,
)
ROLES = (_E, _S, _X, _I, _C, _R, _A)
ANONYMOUS = "anonymous"

#: object → action → role → reach. A role missing from an action has no right to it. Written from the code
#: (the models' ``scope_extra`` and the services' checks); docs/decisions/0005-access-policy.md shows it.
RULES: dict[str, dict[str, dict[str, str]]] = {
    "enterprise": {
        VIEW: {_E: "own", _S: "area", _X: "assigned", _R: "region", _A: "all"},
        CREATE: {_S: "area", _R: "region", _A: "all"},
        CHANGE: {_E: "own", _R: "region", _A: "all"},
    },
    "service_request": {
        VIEW: {_E: "own", _S: "own", _X: "assigned", _I: "assigned", _R: "region", _A: "all"},
        CREATE: {_E: "own", _S: "area", _A: "all"},
        TRANSITION: {_E: "own", _S: "own", _X: "assigned", _I: "assigned", _R: "region", _A: "all"},
    },
    "test_order": {
        VIEW: {_E: "own", _S: "area", _X: "assigned", _I: "booked", _C: "placed", _R: "region", _A: "all"},
        CREATE: {_E: "own", _S: "area", _C: "members", _R: "region", _A: "all"},
        CHANGE: {_E: "own", _S: "area", _C: "placed", _R: "region", _A: "all"},
        TRANSITION: {_I: "booked", _A: "all"},
    },
    "test_report": {
        VIEW: {_E: "own", _S: "area", _X: "assigned", _I: "booked", _C: "placed", _R: "region", _A: "all"},
        CREATE: {_I: "booked"},
    },
    "instrument": {
        VIEW: {_E: "own", _S: "area", _I: "booked", _R: "region", _A: "all"},
        CREATE: {_E: "own", _S: "area", _A: "all"},
        CHANGE: {_E: "own", _S: "area", _A: "all"},
        DELETE: {_E: "own", _S: "area", _A: "all"},
    },
    "calibration_booking": {
        VIEW: {_E: "own", _S: "area", _I: "booked", _R: "region", _A: "all"},
        CREATE: {_E: "own", _S: "area", _A: "all"},
        TRANSITION: {_I: "booked", _A: "all"},
    },
    "certificate": {
        VIEW: {_E: "own", _S: "area", _I: "issued", _R: "region", _A: "all"},
        CREATE: {_E: "own", _R: "region", _A: "all"},
        CHANGE: {_E: "own", _I: "issued", _R: "region", _A: "all"},
        DELETE: {_E: "own", _I: "issued", _R: "region", _A: "all"},
    },
    "cooperative": {
        VIEW: {_E: "province", _C: "own", _R: "region", _A: "all"},
        CHANGE: {_C: "own", _A: "all"},
    },
    "cooperative_records": {
        VIEW: {_E: "own", _C: "own", _R: "region", _A: "all"},
        CREATE: {_E: "own", _C: "own", _A: "all"},
        CHANGE: {_E: "own", _C: "own", _A: "all"},
    },
    "case": {
        VIEW: {_E: "own", _S: "own", _R: "region", _A: "all", ANONYMOUS: "public"},
        CREATE: {_S: "own", _A: "all"},
        CHANGE: {_S: "own", _A: "all"},
        TRANSITION: {_E: "own", _S: "own", _R: "region", _A: "all"},
    },
    "article": {
        VIEW: {_R: "all", _A: "all", ANONYMOUS: "public"},
        CREATE: {_R: "all", _A: "all"},
        CHANGE: {_R: "all", _A: "all"},
        TRANSITION: {_R: "all", _A: "all"},
    },
    "standard_draft": {
        VIEW: {_E: "own", _S: "area", _X: "assigned", _R: "region", _A: "all"},
        CREATE: {_E: "own", _S: "area", _A: "all"},
        CHANGE: {_E: "own", _S: "area", _A: "all"},
        TRANSITION: {_X: "assigned", _A: "all"},
    },
    "directory_resource": {
        VIEW: {
            _E: "province",
            _S: "province",
            _X: "province",
            _I: "province",
            _C: "province",
            _R: "region",
            _A: "all",
        },
        CREATE: {_S: "own", _I: "own", _R: "region", _A: "all"},
        CHANGE: {_S: "own", _I: "own", _X: "self", _R: "region", _A: "all"},
    },
    "statistics_report": {
        VIEW: {_R: "region", _A: "all"},
        CREATE: {_R: "region", _A: "all"},
        TRANSITION: {_R: "region", _A: "all"},
    },
    "statistics_target": {
        VIEW: {_R: "region", _A: "all"},
        CHANGE: {_R: "region", _A: "all"},
    },
    "notification": {
        VIEW: {role: "self" for role in ROLES},
        CHANGE: {role: "self" for role in ROLES},
    },
    "api_token": {
        VIEW: {role: "self" for role in ROLES},
        CREATE: {role: "self" for role in ROLES},
        DELETE: {role: "self" for role in ROLES},
    },
}


def rule_table_markdown() -> str:
    """``RULES`` as the Markdown table of docs/decisions/0005-access-policy.md."""
    labels = {role: str(Role(role).label) for role in ROLES} | {ANONYMOUS: "匿名"}
    columns = [*ROLES, ANONYMOUS]
    lines = [
        "| object | action | " + " | ".join(labels[c] for c in columns) + " |",
        "|---|---|" + "---|" * len(columns),
    ]
    for obj, actions in RULES.items():
        for action, reaches in actions.items():
            cells = [reaches.get(c, "—") for c in columns]
            lines.append(f"| {obj} | {action} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --- who acts for what -----------------------------------------------------------------------------------


def acting_orgs(scope: Scope, kind: str) -> list[int]:
    """The organisations of ``kind`` the user acts for: memberships of that kind held with its acting
    role (``ACTING_ROLE``). An expert's membership of a station is not one of them."""
    role = ACTING_ROLE[kind]
    return sorted({org_id for org_id, org_kind, _, r in scope.memberships if org_kind == kind and r == role})


def enterprise_orgs(scope: Scope) -> list[int]:
    return acting_orgs(scope, Kind.ENTERPRISE)


def station_orgs(scope: Scope) -> list[int]:
    return acting_orgs(scope, Kind.STATION)


def institution_orgs(scope: Scope) -> list[int]:
    return acting_orgs(scope, Kind.INSTITUTION)


def cooperative_orgs(scope: Scope) -> list[int]:
    return acting_orgs(scope, Kind.COOPERATIVE)


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def has_role(user, organisation_id: int | None, role: str) -> bool:
    """``user`` holds ``role`` in that organisation."""
    if not organisation_id or not is_authenticated(user):
        return False
    return any(org_id == organisation_id and r == role for org_id, _, _, r in scope_of(user).memberships)


def acts_for(user, organisation_id: int | None) -> bool:
    """``user`` acts for that organisation: a membership of it with the acting role of its kind."""
    if not organisation_id or not is_authenticated(user):
        return False
    return any(
        org_id == organisation_id and role == ACTING_ROLE.get(kind)
        for org_id, kind, _, role in scope_of(user).memberships
    )


def is_admin(user) -> bool:
    return scope_of(user).is_admin


# --- reaches as query conditions (for the models' ``scope_extra``) -------------------------------------------


def station_area_q(scope: Scope, region_field: str) -> Q:
    """``area``: records whose county lies in the service area of a station the user is staff of."""
    orgs = station_orgs(scope)
    if not orgs:
        return NOTHING
    station_area = apps.get_model("directory", "StationArea")
    return Q(
        **{
            f"{region_field}__in": station_area.objects.filter(station__organisation_id__in=orgs).values(
                "region_id"
            )
        }
    )


def assigned_request_ids(scope: Scope):
    """The service requests assigned to the user's own expert profile (live assignments): a subquery."""
    assignment = apps.get_model("desk", "Assignment")
    return assignment.objects.filter(
        expert__user_id=scope.user_id, status__in=LIVE_ASSIGNMENT_STATUSES
    ).values("request_id")


def assigned_q(scope: Scope, request_field: str) -> Q:
    """``assigned``: records reached through a service request assigned to the user's own expert profile
    (``directory.Expert.user``; an expert need not be a member of any organisation)."""
    if not scope.user_id:
        return NOTHING
    return Q(**{f"{request_field}__in": assigned_request_ids(scope)})


def assigned_enterprises_q(scope: Scope, enterprise_field: str = "pk") -> Q:
    if not scope.user_id:
        return NOTHING
    request = apps.get_model("desk", "ServiceRequest")
    return Q(
        **{
            f"{enterprise_field}__in": request.objects.filter(pk__in=assigned_request_ids(scope)).values(
                "enterprise_id"
            )
        }
    )


# --- reaches as checks (for the services) --------------------------------------------------------------------


def station_covers(user, region_code: str | None) -> bool:
    """The user is staff of a station whose service area holds the county ``region_code``."""
    if not region_code or not is_authenticated(user):
        return False
    orgs = station_orgs(scope_of(user))
    if not orgs:
        return False
    station_area = apps.get_model("directory", "StationArea")
    return station_area.objects.filter(station__organisation_id__in=orgs, region_id=region_code).exists()


def regulates(user, region_code: str | None) -> bool:
    """The user regulates a region subtree holding ``region_code`` (admins regulate everything)."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    return bool(region_code) and any(region_code.startswith(p) for p in scope.regulator_prefixes)


def acts_for_enterprise(user, enterprise) -> bool:
    """Change an enterprise's own records (ledger, certificates, drafts): its users, station staff
    covering its county, admins. Never an expert, never a lab."""
    if not is_authenticated(user):
        return False
    scope = scope_of(user)
    return (
        scope.is_admin
        or enterprise.organisation_id in enterprise_orgs(scope)
        or station_covers(user, enterprise.region_id)
    )


def require(ok: bool, message=None) -> None:
    """Refuse the action (403) unless ``ok``."""
    if not ok:
        raise PermissionDenied(message or _("您无权执行该操作。"))
