"""Shared by the desk services: the action wrapper and what it runs after the commit, who may do what, whom
to tell (notifications queued for after the commit), the timeline event and audit entry, the row lock and the
one transition step (``_apply``)."""

from __future__ import annotations

import functools
import logging
from contextvars import ContextVar

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Membership, Organisation
from nqihub.core.scoping import scope_of
from nqihub.stats import upkeep as stats_upkeep

from .. import states
from ..models import Assignment, Event, ServiceRequest

log = logging.getLogger("nqihub.desk.services")

# --- actions and what waits for their commit ---------------------------------------------------------

_steps: ContextVar[list | None] = ContextVar("desk_after_commit", default=None)


def _later(step) -> None:
    """Run ``step`` after the commit (nothing for a rolled-back action). Within an ``_action`` the steps of
    the action are gathered and run together (``_run_steps``); elsewhere each is queued on its own."""
    steps = _steps.get()
    if steps is None:
        transaction.on_commit(step, robust=True)
    else:
        steps.append(step)


def _run_steps(steps: list) -> None:
    """An action's after-commit steps (notifications, statistics) in one transaction of their own — one
    commit, not one per step — each in a savepoint: a failing step is logged and stops neither the others
    nor undoes the action."""
    with transaction.atomic():
        for step in steps:
            try:
                with transaction.atomic():
                    step()
            except Exception:
                log.exception("desk: a step after the commit failed")


def _action(fn):
    """``transaction.atomic`` for one desk action; its ``_later`` steps are queued together for after the
    commit (discarded with the action when it fails)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        token = _steps.set([])
        try:
            with transaction.atomic():
                result = fn(*args, **kwargs)
                steps = _steps.get()
                if steps:
                    transaction.on_commit(functools.partial(_run_steps, list(steps)), robust=True)
            return result
        finally:
            _steps.reset(token)

    return wrapper


# --- who may do what ---------------------------------------------------------------------------------


def _member_orgs(user, role: str) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user, role=role).values_list("organisation_id", flat=True))


def is_admin(user) -> bool:
    return scope_of(user).is_admin


def _member_of(user, req: ServiceRequest, organisation_id: int, role: str) -> bool:
    """``user`` holds ``role`` in the organisation, looked up once per request object (a page asks often)."""
    memo = req.__dict__.setdefault("_desk_roles", {})
    key = (organisation_id, role, user.pk)
    if key not in memo:
        memo[key] = Membership.objects.filter(user=user, organisation_id=organisation_id, role=role).exists()
    return memo[key]


def is_station_staff(user, req: ServiceRequest) -> bool:
    return bool(req.station_id) and _member_of(
        user, req, req.station.organisation_id, Membership.Role.STATION_STAFF
    )


def is_platform_handler(user, req: ServiceRequest) -> bool:
    """No station: the regulators over the city/province platform that handles the request."""
    if req.station_id or not req.handling_region_id:
        return False
    return any(req.handling_region_id.startswith(p) for p in scope_of(user).regulator_prefixes)


def can_triage(user, req: ServiceRequest) -> bool:
    return is_admin(user) or is_station_staff(user, req) or is_platform_handler(user, req)


def is_regulator_of(user, req: ServiceRequest) -> bool:
    scope = scope_of(user)
    return scope.is_admin or any(req.region_id.startswith(p) for p in scope.regulator_prefixes)


def is_enterprise_user(user, req: ServiceRequest) -> bool:
    return _member_of(user, req, req.enterprise.organisation_id, Membership.Role.ENTERPRISE_USER)


def is_assignee(user, assignment: Assignment) -> bool:
    if assignment.assignee_type == Assignment.AssigneeType.EXPERT:
        return assignment.expert is not None and assignment.expert.user_id == user.pk
    return Membership.objects.filter(
        user=user,
        organisation_id=assignment.institution.organisation_id,
        role=Membership.Role.INSTITUTION_STAFF,
    ).exists()


def sees_internal(user, req: ServiceRequest) -> bool:
    """Internal notes, attachments and events: the handling station, the regulators, admins."""
    return can_triage(user, req) or is_regulator_of(user, req)


# --- people to tell ----------------------------------------------------------------------------------


def _users_of(org_id: int | None, role: str):
    from nqihub.accounts.models import User

    if not org_id:
        return []
    return list(
        User.objects.filter(
            memberships__organisation_id=org_id, memberships__role=role, is_active=True
        ).distinct()
    )


def station_users(req: ServiceRequest) -> list:
    if req.station_id:
        return _users_of(req.station.organisation_id, Membership.Role.STATION_STAFF)
    return regulator_users(req.handling_region_id) if req.handling_region_id else []


def enterprise_users(req: ServiceRequest) -> list:
    return _users_of(req.enterprise.organisation_id, Membership.Role.ENTERPRISE_USER)


def assignee_users(assignment: Assignment) -> list:
    if assignment.assignee_type == Assignment.AssigneeType.EXPERT:
        user = assignment.expert.user if assignment.expert_id else None
        return [user] if user is not None and user.is_active else []
    return _users_of(assignment.institution.organisation_id, Membership.Role.INSTITUTION_STAFF)


def regulator_users(region_code: str) -> list:
    from nqihub.accounts.models import User

    return list(
        User.objects.filter(
            memberships__role=Membership.Role.REGULATOR,
            memberships__organisation__kind=Organisation.Kind.REGULATOR,
            memberships__organisation__region_id=region_code,
            is_active=True,
        ).distinct()
    )


def request_url(req: ServiceRequest) -> str:
    return f"/desk/requests/{req.pk}/"


def _notify(users, event: str, title: str, body: str = "", *, obj=None, url: str = "") -> None:
    """Queued for after the commit: nothing is sent for a rolled-back action. ``users``: a list, or a
    function that returns it, called after the commit (the look-up leaves the action's transaction)."""
    if not callable(users):
        users = [u for u in users if u is not None]
        if not users:
            return

    def send():
        recipients = [u for u in (users() if callable(users) else users) if u is not None]
        if not recipients:
            return
        try:
            from nqihub.notifications.services import notify
        except ImportError:
            log.info("notifications app not installed: %s to %s", event, [u.pk for u in recipients])
            return
        notify(users=recipients, event=event, title=title, body=body, url=url, obj=obj)

    _later(send)


def _tell(req: ServiceRequest, users, event: str, title: str, body: str = "") -> None:
    """``_notify`` about ``req``, linked to its page."""
    _notify(users, event, title, body, obj=req, url=request_url(req))


# --- timeline and audit ------------------------------------------------------------------------------


def _event(
    req: ServiceRequest, by, kind: str, message: str = "", data: dict | None = None, *, internal: bool = False
) -> Event:
    data = data or {}
    event = Event.objects.create(
        request=req,
        actor=by if getattr(by, "is_authenticated", False) else None,
        kind=kind,
        message=message[:1000],
        data=audit._jsonable(data),
        internal=internal,
    )
    audit.record(by, f"desk.request.{kind}", req, {"number": req.number, **data})
    return event


def _save(req: ServiceRequest, **kwargs) -> None:
    """Every write of a request goes through here: the statistics follow after the commit."""
    req.save(**kwargs)
    stats_upkeep.request_changed(req, later=_later)


def _lock(req: ServiceRequest | int) -> ServiceRequest:
    pk = req.pk if isinstance(req, ServiceRequest) else req
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("enterprise", "station")
        .get(pk=pk)
    )


def _apply(
    req: ServiceRequest, action: str, by, *, message: str = "", data: dict | None = None, reason: str = ""
) -> str:
    """Move a *locked* request along the transition table; record it; tell the enterprise."""
    old = req.status
    new = states.next_state(old, action)
    req.status = new
    if reason:
        req.status_reason = reason[:500]
    _save(req)
    _event(
        req,
        by,
        action,
        message or str(states.ACTION_LABELS.get(action, action)),
        {"from": old, "to": new, **(data or {})},
    )
    if new != old:
        _tell(
            req,
            enterprise_users(req),
            "desk.request.status_changed",
            _("服务需求 %(number)s：%(status)s")
            % {"number": req.number, "status": states.STATUS_LABELS[new]},
            reason or message,
        )
    return new


def _reason(reason: str | None, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({field_name: _("请填写理由。")})
    if len(reason) > 500:
        raise ValidationFailed({field_name: _("理由不能超过500个字符。")})
    return reason
