"""Dispatch and assignments: the station gives the work to experts or institutions; they accept, decline or
complete it; the station reassigns it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.policy import require
from nqihub.core.scoping import visible
from nqihub.directory.models import Expert, Institution

from .. import states
from ..models import Assignment, ServiceRequest
from ._common import (
    _action,
    _apply,
    _event,
    _lock,
    _reason,
    _save,
    _tell,
    assignee_users,
    can_triage,
    is_assignee,
    station_users,
)

# --- dispatch and assignments ------------------------------------------------------------------------


@dataclass
class AssigneeSpec:
    assignee_type: str
    assignee_id: int
    note: str = ""


def _resolve_assignee(spec: AssigneeSpec, by, index: int | None):
    prefix = f"assignments.{index}." if index is not None else ""
    if spec.assignee_type == Assignment.AssigneeType.EXPERT:
        expert = Expert.objects.filter(visible(by, Expert), pk=spec.assignee_id).first()
        if expert is None:
            raise ValidationFailed({f"{prefix}assignee_id": _("专家不存在，或不在您的可见范围内。")})
        if expert.availability == Expert.Availability.AWAY:
            raise ValidationFailed(
                {f"{prefix}assignee_id": _("专家%(name)s暂停服务，不能派单。") % {"name": expert.name}}
            )
        return {"expert": expert}
    if spec.assignee_type == Assignment.AssigneeType.INSTITUTION:
        inst = Institution.objects.filter(visible(by, Institution), pk=spec.assignee_id).first()
        if inst is None:
            raise ValidationFailed({f"{prefix}assignee_id": _("技术机构不存在，或不在您的可见范围内。")})
        return {"institution": inst}
    raise ValidationFailed(
        {f"{prefix}assignee_type": _("承办方类型应为 expert（专家）或 institution（技术机构）。")}
    )


def _create_assignments(
    req: ServiceRequest, specs: list[AssigneeSpec], by, *, indexed: bool = True
) -> list[Assignment]:
    if not specs:
        raise ValidationFailed({"assignments": _("请至少指定一个承办方。")})
    seen = set()
    created = []
    for i, spec in enumerate(specs):
        target = _resolve_assignee(spec, by, i if indexed else None)
        key = (spec.assignee_type, spec.assignee_id)
        field_name = f"assignments.{i}.assignee_id" if indexed else "assignee_id"
        if key in seen:
            raise ValidationFailed({field_name: _("同一承办方重复派单。")})
        seen.add(key)
        if req.assignments.filter(
            status__in=[Assignment.Status.OFFERED, Assignment.Status.ACCEPTED], **target
        ).exists():
            raise ValidationFailed({field_name: _("该承办方已有未完成的工单。")})
        note = (spec.note or "").strip()
        if len(note) > 2000:
            raise ValidationFailed(
                {f"assignments.{i}.note" if indexed else "note": _("派单说明不能超过2000个字符。")}
            )
        a = Assignment.objects.create(
            request=req, assignee_type=spec.assignee_type, note=note, created_by=by, **target
        )
        if a.expert_id:
            Expert.objects.filter(pk=a.expert_id).update(open_workload=F("open_workload") + 1)
        created.append(a)
        _tell(
            req,
            assignee_users(a),
            "desk.assignment.created",
            _("新工单：%(number)s %(title)s") % {"number": req.number, "title": req.title},
            note,
        )
    return created


@_action
def request_dispatch(*, request: ServiceRequest, assignees: list[AssigneeSpec], by) -> list[Assignment]:
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以派单。"))
    states.next_state(req.status, "dispatch")  # refuse before any write
    created = _create_assignments(req, assignees, by)
    _apply(
        req,
        "dispatch",
        by,
        message=_("派单：%(names)s") % {"names": "、".join(a.assignee_name for a in created)},
        data={
            "assignments": [
                {"id": a.pk, "type": a.assignee_type, "assignee_id": a.assignee_id} for a in created
            ]
        },
    )
    return created


def _lock_assignment(assignment: Assignment | int) -> tuple[ServiceRequest, Assignment]:
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    request_id = Assignment.objects.values_list("request_id", flat=True).get(pk=pk)
    req = _lock(request_id)  # the request first, always: one lock order, no deadlock
    a = Assignment.objects.select_for_update(of=("self",)).select_related("expert", "institution").get(pk=pk)
    return req, a


class IllegalAssignmentTransition(DomainError):
    status = 409


def _assignment_state(a: Assignment, allowed: tuple[str, ...], action: str) -> None:
    if a.status not in allowed:
        raise IllegalAssignmentTransition(
            _("工单当前状态为“%(status)s”，不能%(action)s。")
            % {"status": a.get_status_display(), "action": action},
            field="status",
        )


def _workload_down(a: Assignment) -> None:
    if a.expert_id:
        Expert.objects.filter(pk=a.expert_id, open_workload__gt=0).update(
            open_workload=F("open_workload") - 1
        )


@_action
def assignment_accept(*, assignment: Assignment, by) -> Assignment:
    req, a = _lock_assignment(assignment)
    require(is_assignee(by, a), _("只有该工单的承办专家或机构人员可以接单。"))
    _assignment_state(a, (Assignment.Status.OFFERED,), _("接单"))
    if req.status not in (states.DISPATCHED, states.IN_PROGRESS):
        states.next_state(req.status, "start")
    a.status, a.accepted_at = Assignment.Status.ACCEPTED, timezone.now()
    a.save(update_fields=["status", "accepted_at"])
    if req.first_response_at is None:
        req.first_response_at = a.accepted_at
    # One timeline entry per acceptance: the first one starts the work (its "start" entry names the
    # assignee), later ones (a second expert, the lab) are recorded as accepted.
    if req.status == states.DISPATCHED:
        _apply(
            req,
            "start",
            by,
            message=_("%(name)s 接单，开始办理") % {"name": a.assignee_name},
            data={"assignment": a.pk},
        )
    else:
        _save(req)
        _event(
            req,
            by,
            "assignment_accepted",
            _("%(name)s 接单") % {"name": a.assignee_name},
            {"assignment": a.pk},
        )
    _tell(
        req,
        station_users(req),
        "desk.assignment.accepted",
        _("%(name)s 已接单：%(number)s") % {"name": a.assignee_name, "number": req.number},
    )
    return a


@_action
def assignment_decline(*, assignment: Assignment, reason: str, by) -> Assignment:
    reason = _reason(reason)
    req, a = _lock_assignment(assignment)
    require(is_assignee(by, a), _("只有该工单的承办专家或机构人员可以拒单。"))
    _assignment_state(a, (Assignment.Status.OFFERED,), _("拒单"))
    a.status, a.reason, a.declined_at = Assignment.Status.DECLINED, reason, timezone.now()
    a.save(update_fields=["status", "reason", "declined_at"])
    _workload_down(a)
    _event(
        req,
        by,
        "assignment_declined",
        _("%(name)s 拒单：%(reason)s") % {"name": a.assignee_name, "reason": reason},
        {"assignment": a.pk, "reason": reason},
    )
    _tell(
        req,
        station_users(req),
        "desk.assignment.declined",
        _("%(name)s 拒单：%(number)s") % {"name": a.assignee_name, "number": req.number},
        reason,
    )
    return a


@_action
def assignment_complete(*, assignment: Assignment, by, result: str = "") -> Assignment:
    result = (result or "").strip()
    if len(result) > 5000:
        raise ValidationFailed({"result": _("办理结果不能超过5000个字符。")})
    req, a = _lock_assignment(assignment)
    require(is_assignee(by, a), _("只有该工单的承办专家或机构人员可以完成工单。"))
    _assignment_state(a, (Assignment.Status.ACCEPTED,), _("完成"))
    if not result:
        # The station resolves the request and the enterprise reads the outcome from this summary.
        raise ValidationFailed(
            {"result": _("请填写办理结果：做了什么、结论或建议（服务站据此办结，企业可查看）。")}
        )
    a.status, a.result, a.completed_at = Assignment.Status.COMPLETED, result, timezone.now()
    a.save(update_fields=["status", "result", "completed_at"])
    _workload_down(a)
    _event(
        req,
        by,
        "assignment_completed",
        _("%(name)s 完成工单") % {"name": a.assignee_name},
        {"assignment": a.pk},
    )
    _tell(
        req,
        station_users(req),
        "desk.request.status_changed",
        _("%(name)s 已完成工单：%(number)s") % {"name": a.assignee_name, "number": req.number},
        result,
    )
    return a


@_action
def assignment_reassign(*, assignment: Assignment, to: AssigneeSpec, reason: str, by) -> Assignment:
    """The station takes an assignment back (or after a decline) and gives the work to someone else."""
    reason = _reason(reason)
    req, a = _lock_assignment(assignment)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以改派工单。"))
    if req.status not in (states.DISPATCHED, states.IN_PROGRESS):
        raise states.IllegalTransition(
            _("服务需求当前状态为“%(s)s”，不能改派工单。") % {"s": states.STATUS_LABELS[req.status]},
            field="status",
        )
    _assignment_state(
        a, (Assignment.Status.OFFERED, Assignment.Status.ACCEPTED, Assignment.Status.DECLINED), _("改派")
    )
    if a.is_open:
        a.status, a.reason = Assignment.Status.CANCELLED, reason
        a.save(update_fields=["status", "reason"])
        _workload_down(a)
        _tell(
            req,
            assignee_users(a),
            "desk.request.status_changed",
            _("工单已改派：%(number)s") % {"number": req.number},
            reason,
        )
    (new,) = _create_assignments(req, [to], by, indexed=False)
    _event(
        req,
        by,
        "assignment_reassigned",
        _("工单由 %(old)s 改派至 %(new)s：%(reason)s")
        % {"old": a.assignee_name, "new": new.assignee_name, "reason": reason},
        {"from_assignment": a.pk, "to_assignment": new.pk, "reason": reason},
    )
    return new


def _cancel_open_assignments(req: ServiceRequest, reason: str, *, offered_only: bool = False) -> None:
    statuses = (
        [Assignment.Status.OFFERED]
        if offered_only
        else [Assignment.Status.OFFERED, Assignment.Status.ACCEPTED]
    )
    for a in req.assignments.select_for_update().filter(status__in=statuses):
        a.status, a.reason = Assignment.Status.CANCELLED, reason[:500]
        a.save(update_fields=["status", "reason"])
        _workload_down(a)
