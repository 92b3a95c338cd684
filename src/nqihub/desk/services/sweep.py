"""Deadlines: the periodic sweep that flags overdue requests and rectifications, escalates them and warns of
deadlines due tomorrow."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.models import Organisation

from .. import deadlines, states
from ..models import Rectification, ServiceRequest
from ._common import _event, _lock, _save, _tell, regulator_users, station_users

# --- deadlines: the periodic sweep -------------------------------------------------------------------


def escalation_region(req: ServiceRequest) -> str | None:
    """The region above the request's: the city of its county, else the province, that has a regulator."""
    code = req.region_id
    candidates = []
    from nqihub.core.regions import parent

    node = parent(code) if code else None
    while node:
        candidates.append(node)
        node = parent(node)
    for candidate in candidates:
        if Organisation.objects.filter(kind=Organisation.Kind.REGULATOR, region_id=candidate).exists():
            return candidate
    return candidates[0] if candidates else None


def _overdue_kinds(req: ServiceRequest, today: date) -> list[str]:
    kinds = []
    if req.status == states.SUBMITTED and today > req.accept_by:
        kinds.append("accept")
    if req.status in states.OPEN and req.first_response_at is None and today > req.respond_by:
        kinds.append("respond")
    if req.status in states.OPEN and today > req.resolve_by:
        kinds.append("resolve")
    return kinds


OVERDUE_LABELS = {"accept": "受理", "respond": "首次响应", "resolve": "办结"}


def sweep_deadlines(*, today: date | None = None) -> dict:
    """Flag overdue requests and rectifications, escalate them to the regulator of the region above and
    warn of deadlines due tomorrow. Safe to run twice: each step only acts on what it has not yet done."""
    today = today or timezone.localdate()
    counts = {"overdue": 0, "escalated": 0, "warned": 0, "rectifications_overdue": 0}
    candidates = (
        ServiceRequest.objects.filter(status__in=states.OPEN)
        .filter(
            Q(accept_by__lt=today, status=states.SUBMITTED)
            | Q(respond_by__lt=today, first_response_at__isnull=True)
            | Q(resolve_by__lt=today)
        )
        .values_list("pk", flat=True)
    )
    for pk in list(candidates.iterator()):
        with transaction.atomic():
            req = _lock(pk)
            kinds = [k for k in _overdue_kinds(req, today) if k not in req.overdue_list]
            if not kinds:
                continue
            all_kinds = req.overdue_list + kinds
            req.is_overdue = True
            req.overdue_kinds = "," + ",".join(all_kinds) + ","
            labels = "、".join(OVERDUE_LABELS[k] for k in kinds)
            escalate_to = escalation_region(req)
            newly_escalated = escalate_to is not None and req.escalated_to_id is None
            if newly_escalated:
                req.escalated_to_id, req.escalated_at = escalate_to, timezone.now()
            _save(req)
            counts["overdue"] += 1
            _event(
                req,
                None,
                "overdue",
                _("%(what)s超期") % {"what": labels},
                {"kinds": kinds, "escalated_to": escalate_to},
            )
            users = station_users(req) + (regulator_users(escalate_to) if escalate_to else [])
            if newly_escalated:
                counts["escalated"] += 1
            _tell(
                req,
                users,
                "desk.request.overdue",
                _("服务需求 %(number)s %(what)s超期") % {"number": req.number, "what": labels},
                req.title,
            )
    # Warnings: the resolution deadline is the next working day, warned once a day at most.
    tomorrow = deadlines.deadline(today, 1)
    for pk in list(
        ServiceRequest.objects.filter(status__in=states.OPEN, resolve_by__gt=today, resolve_by__lte=tomorrow)
        .exclude(warned_on=today)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            updated = ServiceRequest.objects.filter(pk=pk).exclude(warned_on=today).update(warned_on=today)
            if not updated:
                continue
            req = ServiceRequest.objects.select_related("enterprise", "station").get(pk=pk)
            counts["warned"] += 1
            _tell(
                req,
                station_users(req),
                "desk.request.deadline_warning",
                _("服务需求 %(number)s 将于 %(due)s 到期") % {"number": req.number, "due": req.resolve_by},
                req.title,
            )
    for rect_id in list(
        Rectification.objects.filter(
            status=Rectification.Status.OPEN, is_overdue=False, due_by__lt=today
        ).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            if not Rectification.objects.filter(pk=rect_id, is_overdue=False).update(is_overdue=True):
                continue
            rect = Rectification.objects.select_related("request__enterprise", "request__station").get(
                pk=rect_id
            )
            req = rect.request
            counts["rectifications_overdue"] += 1
            _event(
                req, None, "rectification_overdue", _("差评整改超期（时限 %(due)s）") % {"due": rect.due_by}
            )
            escalate_to = escalation_region(req)
            _tell(
                req,
                station_users(req) + (regulator_users(escalate_to) if escalate_to else []),
                "desk.request.overdue",
                _("服务需求 %(number)s 差评整改超期") % {"number": req.number},
            )
    return counts
