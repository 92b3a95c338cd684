"""Writes of the service desk. One function per business action: it checks who may do it, locks the
request row (``select_for_update``), checks the transition inside the lock, writes the timeline event and
the audit entry in the same transaction and queues notifications for after the commit.

Callers pass a request they fetched through ``selectors`` (so it is in their scope); the services re-read
and lock it.
"""

from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit, numbering, policy
from nqihub.core.errors import (
    DomainError,
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.models import Industry, Membership, Organisation, Region
from nqihub.core.policy import require
from nqihub.core.scoping import scope_of, visible
from nqihub.core.search import segment
from nqihub.directory.models import Enterprise, Expert, Institution, Station

from . import deadlines, routing, states
from .models import (
    Assignment,
    Attachment,
    Category,
    Event,
    Link,
    Note,
    Rectification,
    ServiceRequest,
)

log = logging.getLogger(__name__)


# --- who may do what ---------------------------------------------------------------------------------


def _member_orgs(user, role: str) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user, role=role).values_list("organisation_id", flat=True))


def is_admin(user) -> bool:
    return scope_of(user).is_admin


def is_station_staff(user, req: ServiceRequest) -> bool:
    return (
        bool(req.station_id)
        and Membership.objects.filter(
            user=user, organisation_id=req.station.organisation_id, role=Membership.Role.STATION_STAFF
        ).exists()
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
    return Membership.objects.filter(
        user=user, organisation_id=req.enterprise.organisation_id, role=Membership.Role.ENTERPRISE_USER
    ).exists()


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
    """Queued for after the commit: nothing is sent for a rolled-back action."""
    users = [u for u in users if u is not None]
    if not users:
        return

    def send():
        try:
            from nqihub.notifications.services import notify
        except ImportError:
            log.info("notifications app not installed: %s to %s", event, [u.pk for u in users])
            return
        notify(users=users, event=event, title=title, body=body, url=url, obj=obj)

    transaction.on_commit(send, robust=True)


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
    req.save()
    _event(
        req,
        by,
        action,
        message or str(states.ACTION_LABELS.get(action, action)),
        {"from": old, "to": new, **(data or {})},
    )
    if new != old:
        _notify(
            enterprise_users(req),
            "desk.request.status_changed",
            _("服务需求 %(number)s：%(status)s")
            % {"number": req.number, "status": states.STATUS_LABELS[new]},
            reason or message,
            obj=req,
            url=request_url(req),
        )
    return new


def _reason(reason: str | None, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({field_name: _("请填写理由。")})
    if len(reason) > 500:
        raise ValidationFailed({field_name: _("理由不能超过500个字符。")})
    return reason


# --- numbers -----------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    """FW-2026-000123: the request counter of the year (``core.numbering``, concurrency-safe)."""
    return numbering.yearly_number("FW", year, key=f"desk.request:{year}")


# --- intake ------------------------------------------------------------------------------------------


@dataclass
class RequestData:
    categories: list[str]
    title: str
    description: str
    industry: str | None = None
    product: str = ""
    urgency: str = ServiceRequest.Urgency.NORMAL
    desired_by: date | None = None
    enterprise_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    #: online / api for an enterprise's own request; visit / walk_in when station staff file it.
    channel: str | None = None
    extra: dict = field(default_factory=dict)


def _choices_text(choices) -> str:
    return "、".join(f"{v}（{label}）" for v, label in choices)


def _validate(data: RequestData) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {}
    cats = [c.strip() for c in (data.categories or []) if c and c.strip()]
    bad = [c for c in cats if c not in Category.values]
    if not cats:
        errors["categories"] = _("请至少选择一个需求类别：%(v)s。") % {"v": _choices_text(Category.choices)}
    elif bad:
        errors["categories"] = _("需求类别“%(bad)s”无效，应为：%(v)s。") % {
            "bad": "、".join(bad),
            "v": _choices_text(Category.choices),
        }
    cleaned["categories"] = "," + ",".join(c for c in Category.values if c in set(cats)) + "," if cats else ""
    industry = (data.industry or "").strip().upper()
    cleaned["industry"] = None
    if industry:
        cleaned["industry"] = Industry.objects.filter(code=industry).first()
        if cleaned["industry"] is None:
            errors["industry"] = _("行业代码“%(code)s”不在 GB/T 4754-2017 中。") % {"code": industry}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > 200:
        errors["title"] = _("标题不能超过200个字符。")
    description = (data.description or "").strip()
    if not description:
        errors["description"] = _("请描述遇到的问题。")
    elif len(description) > 5000:
        errors["description"] = _("问题描述不能超过5000个字符。")
    product = (data.product or "").strip()
    if len(product) > 200:
        errors["product"] = _("产品不能超过200个字符。")
    if data.urgency not in ServiceRequest.Urgency.values:
        errors["urgency"] = _("紧急程度应为：%(v)s。") % {"v": _choices_text(ServiceRequest.Urgency.choices)}
    if data.desired_by is not None and data.desired_by < timezone.localdate():
        errors["desired_by"] = _("期望完成日期不能早于今天。")
    phone = (data.contact_phone or "").strip().replace("-", "").replace(" ", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        errors["contact_phone"] = _("联系电话应为7–15位数字。")
    if len((data.contact_name or "").strip()) > 64:
        errors["contact_name"] = _("联系人不能超过64个字符。")
    if errors:
        raise ValidationFailed(errors)
    cleaned.update(
        title=title,
        description=description,
        product=product,
        urgency=data.urgency,
        desired_by=data.desired_by,
        contact_name=(data.contact_name or "").strip(),
        contact_phone=phone,
    )
    return cleaned


def request_validate(data: RequestData) -> None:
    """The intake form's checks alone (``ValidationFailed`` field by field), so that a form can show
    them together with problems found elsewhere (e.g. a refused attachment) before anything is saved."""
    _validate(data)


def _intake_enterprise(data: RequestData, by) -> tuple[Enterprise, str]:
    """The enterprise the request is for and the channel: the user's own enterprise, or (station staff)
    an enterprise in the station's service area, filed on a visit or at the window."""
    own = list(
        Enterprise.objects.filter(
            organisation_id__in=_member_orgs(by, Membership.Role.ENTERPRISE_USER)
        ).order_by("pk")
    )
    if data.enterprise_id is None:
        if len(own) == 1:
            enterprise = own[0]
        elif not own:
            raise ValidationFailed({"enterprise_id": _("请指定企业（enterprise_id）。")})
        else:
            raise ValidationFailed({"enterprise_id": _("您关联了多家企业，请指定企业（enterprise_id）。")})
    else:
        enterprise = next((e for e in own if e.pk == data.enterprise_id), None)
        if enterprise is None:
            enterprise = Enterprise.objects.filter(visible(by, Enterprise), pk=data.enterprise_id).first()
            scope = scope_of(by)
            on_behalf = scope.is_admin or bool(policy.station_orgs(scope))
            if (
                enterprise is None
                or not on_behalf
                or (not scope.is_admin and not policy.station_covers(by, enterprise.region_id))
            ):
                raise ValidationFailed({"enterprise_id": _("企业不存在，或不在您可代为提交的服务区域内。")})
    is_own = enterprise in own
    channel = data.channel
    if is_own:
        if channel not in (None, "", ServiceRequest.Channel.ONLINE, ServiceRequest.Channel.API):
            raise ValidationFailed({"channel": _("企业自行提交的需求，渠道应为 online 或 api。")})
        channel = channel or ServiceRequest.Channel.ONLINE
    else:
        channel = channel or ServiceRequest.Channel.WALK_IN
        if channel not in (ServiceRequest.Channel.VISIT, ServiceRequest.Channel.WALK_IN):
            raise ValidationFailed(
                {"channel": _("代企业提交的需求，渠道应为 visit（走访）或 walk_in（窗口）。")}
            )
    return enterprise, channel


def station_descriptors(county: str) -> list[routing.StationInfo]:
    """The stations whose service area covers ``county`` (read by index), as routing's plain data."""
    stations = (
        Station.objects.filter(areas__region_id=county).prefetch_related("industries", "areas").distinct()
    )
    return [
        routing.StationInfo(
            id=s.pk,
            name=s.name,
            counties=frozenset(a.region_id for a in s.areas.all()),
            industries=frozenset(i.code for i in s.industries.all()),
            level=s.region.level if s.region_id else "county",
        )
        for s in stations.select_related("region")
    ]


def _platform_region(route: routing.Route, county: str) -> Region:
    for code in (route.platform_region, routing.city_of(county), routing.province_of(county)):
        if code:
            region = Region.objects.filter(code=code).first()
            if region is not None:
                return region
    raise ValidationFailed({"enterprise_id": _("企业所在地区无法分派到任何平台。")})


def compute_route(county: str, industry: str | None) -> tuple[Station | None, Region | None, str, str]:
    route = routing.route(county, industry, station_descriptors(county))
    if route.station_id is not None:
        return Station.objects.get(pk=route.station_id), None, route.level, route.reason
    region = _platform_region(route, county)
    level = routing.LEVEL_CITY if region.level == Region.Level.CITY else routing.LEVEL_PROVINCE
    return None, region, level, route.reason


@transaction.atomic
def request_create(*, data: RequestData, by) -> ServiceRequest:
    require(getattr(by, "is_authenticated", False), _("请先登录。"))
    cleaned = _validate(data)
    enterprise, channel = _intake_enterprise(data, by)
    industry = cleaned["industry"] or enterprise.industry
    station, platform, level, reason = compute_route(
        enterprise.region_id, industry.code if industry else None
    )
    today = timezone.localdate()
    cats = [c for c in cleaned["categories"].split(",") if c]
    req = ServiceRequest(
        number=_next_number(today.year),
        enterprise=enterprise,
        region_id=enterprise.region_id,
        categories=cleaned["categories"],
        industry=industry,
        product=cleaned["product"],
        title=cleaned["title"],
        description=cleaned["description"],
        urgency=cleaned["urgency"],
        desired_by=cleaned["desired_by"],
        contact_name=cleaned["contact_name"],
        contact_phone=cleaned["contact_phone"],
        channel=channel,
        created_by=by,
        station=station,
        handling_region=platform,
        routing_level=level,
        routing_reason=reason[:500],
        accept_by=deadlines.deadline(today, deadlines.ACCEPT_DAYS),
        respond_by=deadlines.deadline(today, deadlines.RESPOND_DAYS),
        resolve_by=deadlines.deadline(today, deadlines.resolve_days(cats)),
    )
    req.search_text = segment(req.title, req.description, req.product, enterprise.name)
    req.save()
    _event(
        req,
        by,
        "submitted",
        _("提交服务需求（%(channel)s）") % {"channel": req.get_channel_display()},
        {"channel": channel},
    )
    _event(
        req,
        None,
        "routed",
        reason,
        {
            "station": station.pk if station else None,
            "level": level,
            "platform": platform.code if platform else None,
        },
    )
    _notify(
        station_users(req),
        "desk.request.status_changed",
        _("新的服务需求 %(number)s：%(title)s") % {"number": req.number, "title": req.title},
        reason,
        obj=req,
        url=request_url(req),
    )
    return req


# --- triage ------------------------------------------------------------------------------------------


@transaction.atomic
def request_accept(*, request: ServiceRequest, by) -> ServiceRequest:
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以受理。"))
    req.accepted_at = timezone.now()
    _apply(req, "accept", by)
    return req


@transaction.atomic
def request_reject(*, request: ServiceRequest, reason: str, by) -> ServiceRequest:
    reason = _reason(reason)
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以退回。"))
    _apply(
        req, "reject", by, message=_("退回：%(r)s") % {"r": reason}, data={"reason": reason}, reason=reason
    )
    return req


@transaction.atomic
def request_reroute(
    *, request: ServiceRequest, reason: str, by, station_id: int | None = None
) -> ServiceRequest:
    """Send the request to another station (or, without ``station_id``, to the city-level platform)."""
    reason = _reason(reason)
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以改派。"))
    if station_id is not None:
        target = Station.objects.filter(pk=station_id).first()
        if target is None:
            raise ValidationFailed({"station_id": _("服务站不存在。")})
        if target.pk == req.station_id:
            raise ValidationFailed({"station_id": _("该需求已由此服务站受理。")})
        platform, level = None, routing.LEVEL_STATION
        text = _("改派至%(name)s：%(reason)s") % {"name": target.name, "reason": reason}
    else:
        if req.station_id is None:
            raise ValidationFailed({"station_id": _("请指定改派的服务站。")})
        target = None
        platform = _platform_region(
            routing.Route(None, routing.LEVEL_CITY, "", routing.city_of(req.region_id)), req.region_id
        )
        level = routing.LEVEL_CITY if platform.level == Region.Level.CITY else routing.LEVEL_PROVINCE
        text = _("改派至%(name)s平台：%(reason)s") % {"name": platform.name, "reason": reason}
    old_station = req.station
    old_users = station_users(req)
    req.station, req.handling_region, req.routing_level, req.routing_reason = (
        target,
        platform,
        level,
        text[:500],
    )
    req.accepted_at = None
    _apply(
        req,
        "reroute",
        by,
        message=text,
        reason=reason,
        data={
            "reason": reason,
            "from_station": old_station.pk if old_station else None,
            "to_station": target.pk if target else None,
            "to_platform": platform.code if platform else None,
        },
    )
    _notify(
        station_users(req),
        "desk.request.status_changed",
        _("改派来的服务需求 %(number)s") % {"number": req.number},
        text,
        obj=req,
        url=request_url(req),
    )
    _notify(
        [u for u in old_users if u not in station_users(req)],
        "desk.request.status_changed",
        _("服务需求 %(number)s 已改派") % {"number": req.number},
        text,
        obj=req,
        url=request_url(req),
    )
    return req


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
        _notify(
            assignee_users(a),
            "desk.assignment.created",
            _("新工单：%(number)s %(title)s") % {"number": req.number, "title": req.title},
            note,
            obj=req,
            url=request_url(req),
        )
    return created


@transaction.atomic
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


@transaction.atomic
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
        req.save()
        _event(
            req,
            by,
            "assignment_accepted",
            _("%(name)s 接单") % {"name": a.assignee_name},
            {"assignment": a.pk},
        )
    _notify(
        station_users(req),
        "desk.assignment.accepted",
        _("%(name)s 已接单：%(number)s") % {"name": a.assignee_name, "number": req.number},
        obj=req,
        url=request_url(req),
    )
    return a


@transaction.atomic
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
    _notify(
        station_users(req),
        "desk.assignment.declined",
        _("%(name)s 拒单：%(number)s") % {"name": a.assignee_name, "number": req.number},
        reason,
        obj=req,
        url=request_url(req),
    )
    return a


@transaction.atomic
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
    _notify(
        station_users(req),
        "desk.request.status_changed",
        _("%(name)s 已完成工单：%(number)s") % {"name": a.assignee_name, "number": req.number},
        result,
        obj=req,
        url=request_url(req),
    )
    return a


@transaction.atomic
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
        _notify(
            assignee_users(a),
            "desk.request.status_changed",
            _("工单已改派：%(number)s") % {"number": req.number},
            reason,
            obj=req,
            url=request_url(req),
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


# --- resolution, rating, closing ---------------------------------------------------------------------


def _money(value, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field_name: _("金额应为数字（元）。")}) from None
    if not amount.is_finite():
        raise ValidationFailed({field_name: _("金额应为数字（元）。")})
    if amount < 0:
        raise ValidationFailed({field_name: _("金额不能为负数。")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed({field_name: _("金额最多保留两位小数（元）。")})
    if amount >= Decimal("1000000000000"):
        raise ValidationFailed({field_name: _("金额过大。")})
    return amount.quantize(Decimal("0.01"))


@dataclass
class Resolution:
    outcome: str
    summary: str
    technical_problem: bool | None = None
    cost_saved: Decimal | float | int | str | None = None
    loss_avoided: Decimal | float | int | str | None = None
    standards_drafted: int = 0
    certifications_obtained: int = 0


@transaction.atomic
def request_resolve(*, request: ServiceRequest, resolution: Resolution, by) -> ServiceRequest:
    errors = {}
    if resolution.outcome not in ServiceRequest.Outcome.values:
        errors["outcome"] = _("办理结果应为：%(v)s。") % {"v": _choices_text(ServiceRequest.Outcome.choices)}
    summary = (resolution.summary or "").strip()
    if not summary:
        errors["summary"] = _("请填写办理情况。")
    elif len(summary) > 5000:
        errors["summary"] = _("办理情况不能超过5000个字符。")
    for name in ("standards_drafted", "certifications_obtained"):
        if int(getattr(resolution, name) or 0) < 0:
            errors[name] = _("不能为负数。")
    amounts = {}
    for name in ("cost_saved", "loss_avoided"):
        try:
            amounts[name] = _money(getattr(resolution, name), name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以办结。"))
    states.next_state(req.status, "resolve")
    open_accepted = req.assignments.filter(status=Assignment.Status.ACCEPTED).count()
    if open_accepted:
        raise states.IllegalTransition(
            _("仍有 %(n)s 个已接单的工单未完成，不能办结。") % {"n": open_accepted}, field="assignments"
        )
    _cancel_open_assignments(req, _("需求已办结"), offered_only=True)
    req.outcome = resolution.outcome
    req.summary = summary
    req.technical_problem = resolution.technical_problem
    req.cost_saved, req.loss_avoided = amounts["cost_saved"], amounts["loss_avoided"]
    req.standards_drafted = int(resolution.standards_drafted or 0)
    req.certifications_obtained = int(resolution.certifications_obtained or 0)
    req.resolved_at = timezone.now()
    _apply(
        req,
        "resolve",
        by,
        message=_("办结：%(o)s") % {"o": req.get_outcome_display()},
        data={
            "outcome": req.outcome,
            "technical_problem": req.technical_problem,
            "cost_saved": req.cost_saved,
            "loss_avoided": req.loss_avoided,
        },
    )
    _notify(
        enterprise_users(req),
        "desk.request.rating_requested",
        _("请评价服务需求 %(number)s 的办理情况") % {"number": req.number},
        summary,
        obj=req,
        url=request_url(req),
    )
    return req


@transaction.atomic
def request_rate(*, request: ServiceRequest, score: int, comment: str = "", by) -> ServiceRequest:
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationFailed({"score": _("评价等级应为 1–5（5 非常满意，1 非常不满意）。")})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationFailed({"comment": _("评价意见不能超过2000个字符。")})
    req = _lock(request)
    require(is_enterprise_user(by, req), _("只有提出需求的企业可以评价。"))
    req.rating_score, req.rating_comment, req.rated_at = score, comment, timezone.now()
    _apply(
        req,
        "rate",
        by,
        message=_("评价：%(score)s 星") % {"score": score},
        data={"score": score, "comment": comment},
    )
    if score <= 2:
        today = timezone.localdate()
        rect = Rectification.objects.create(
            request=req, score=score, due_by=deadlines.deadline(today, deadlines.RECTIFY_DAYS)
        )
        _event(
            req,
            None,
            "rectification_opened",
            _("差评（%(score)s 星）启动整改，须于 %(due)s 前整改并回访")
            % {"score": score, "due": rect.due_by},
            {"due_by": rect.due_by, "score": score},
        )
        parent = routing.city_of(req.region_id)
        _notify(
            station_users(req) + regulator_users(parent),
            "desk.request.status_changed",
            _("差评整改：%(number)s（%(score)s 星）") % {"number": req.number, "score": score},
            comment,
            obj=req,
            url=request_url(req),
        )
    return req


@transaction.atomic
def rectification_respond(*, request: ServiceRequest, response: str, by) -> Rectification:
    response = (response or "").strip()
    if not response:
        raise ValidationFailed({"response": _("请填写整改情况。")})
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以填写整改情况。"))
    rect = Rectification.objects.select_for_update().filter(request=req).first()
    if rect is None:
        raise states.IllegalTransition(_("该需求没有差评整改。"))
    if rect.status != Rectification.Status.OPEN:
        raise states.IllegalTransition(
            _("整改当前状态为“%(s)s”，不能再填写整改情况。") % {"s": rect.get_status_display()}
        )
    rect.status, rect.response, rect.responded_by, rect.responded_at = (
        Rectification.Status.ANSWERED,
        response,
        by,
        timezone.now(),
    )
    rect.save()
    _event(
        req,
        by,
        "rectification_answered",
        _("整改情况：%(r)s") % {"r": response[:200]},
        {"late": rect.is_overdue},
    )
    return rect


@transaction.atomic
def rectification_callback(
    *, request: ServiceRequest, note: str, by, satisfied: bool | None = None
) -> Rectification:
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": _("请填写回访记录。")})
    req = _lock(request)
    require(can_triage(by, req) or is_regulator_of(by, req), _("只有服务站或监管部门可以记录回访。"))
    rect = Rectification.objects.select_for_update().filter(request=req).first()
    if rect is None:
        raise states.IllegalTransition(_("该需求没有差评整改。"))
    if rect.status != Rectification.Status.ANSWERED:
        raise states.IllegalTransition(
            _("整改当前状态为“%(s)s”，须先填写整改情况再回访。") % {"s": rect.get_status_display()}
            if rect.status == Rectification.Status.OPEN
            else _("整改已回访办结。")
        )
    rect.status, rect.callback_note, rect.callback_satisfied = Rectification.Status.CLOSED, note, satisfied
    rect.callback_by, rect.callback_at = by, timezone.now()
    rect.save()
    _event(req, by, "rectification_callback", _("回访：%(n)s") % {"n": note[:200]}, {"satisfied": satisfied})
    return rect


@transaction.atomic
def request_withdraw(*, request: ServiceRequest, reason: str, by) -> ServiceRequest:
    reason = _reason(reason)
    req = _lock(request)
    require(is_enterprise_user(by, req), _("只有提出需求的企业可以撤回。"))
    states.next_state(req.status, "withdraw")
    _cancel_open_assignments(req, _("企业撤回需求"))
    _apply(
        req, "withdraw", by, message=_("撤回：%(r)s") % {"r": reason}, data={"reason": reason}, reason=reason
    )
    _notify(
        station_users(req),
        "desk.request.status_changed",
        _("企业已撤回服务需求 %(number)s") % {"number": req.number},
        reason,
        obj=req,
        url=request_url(req),
    )
    return req


@transaction.atomic
def request_close(*, request: ServiceRequest, by) -> ServiceRequest:
    req = _lock(request)
    require(can_triage(by, req) or is_regulator_of(by, req), _("只有服务站或监管部门可以关闭需求。"))
    states.next_state(req.status, "close")
    rect = Rectification.objects.filter(request=req).first()
    if rect is not None and rect.status != Rectification.Status.CLOSED:
        raise states.IllegalTransition(_("差评整改尚未完成回访，不能关闭。"), field="rectification")
    req.closed_at = timezone.now()
    _apply(req, "close", by)
    return req


# --- work: notes, attachments, links -----------------------------------------------------------------


def _may_work(user, req: ServiceRequest) -> bool:
    if can_triage(user, req) or is_regulator_of(user, req) or is_enterprise_user(user, req):
        return True
    return any(
        is_assignee(user, a)
        for a in req.assignments.select_related("expert", "institution").filter(
            status__in=[Assignment.Status.OFFERED, Assignment.Status.ACCEPTED, Assignment.Status.COMPLETED]
        )
    )


def _check_internal(user, req: ServiceRequest, internal: bool) -> None:
    if internal and is_enterprise_user(user, req) and not sees_internal(user, req):
        raise ValidationFailed({"internal": _("企业用户不能添加仅内部可见的内容。")})


def _mark_first_response(req: ServiceRequest, user, internal: bool) -> None:
    if internal or req.first_response_at is not None or is_enterprise_user(user, req):
        return
    req.first_response_at = timezone.now()
    req.save(update_fields=["first_response_at", "updated_at"])


def _not_terminal(req: ServiceRequest, what: str) -> None:
    if req.status in states.TERMINAL:
        raise states.IllegalTransition(
            _("服务需求当前状态为“%(s)s”，不能再%(what)s。")
            % {"s": states.STATUS_LABELS[req.status], "what": what},
            field="status",
        )


@transaction.atomic
def note_add(*, request: ServiceRequest, text: str, internal: bool = False, by) -> Note:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"text": _("请填写内容。")})
    if len(text) > 5000:
        raise ValidationFailed({"text": _("内容不能超过5000个字符。")})
    req = _lock(request)
    require(_may_work(by, req), _("您无权在该需求上添加备注。"))
    _check_internal(by, req, internal)
    _not_terminal(req, _("添加备注"))
    note = Note.objects.create(request=req, author=by, text=text, internal=internal)
    _mark_first_response(req, by, internal)
    _event(req, by, "note_added", text[:200], {"note": note.pk}, internal=internal)
    if not internal and not is_enterprise_user(by, req):
        _notify(
            enterprise_users(req),
            "desk.request.status_changed",
            _("服务需求 %(number)s 有新的办理进展") % {"number": req.number},
            text[:200],
            obj=req,
            url=request_url(req),
        )
    return note


#: extension → (content type, magic-number check)
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def attachment_max_bytes() -> int:
    return int(getattr(settings, "DESK_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _sniff(ext: str, upload) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in ("xlsx", "docx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        marker = "xl/" if ext == "xlsx" else "word/"
        return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)
    return False


def check_upload(upload) -> tuple[str, str]:
    """(clean file name, content type) or ``ValidationFailed`` on field ``file``: the size limit, the
    extension whitelist and the file's own first bytes (a renamed .exe is refused)."""
    name = os.path.basename((getattr(upload, "name", "") or "").replace("\\", "/")).strip()
    if not name:
        raise ValidationFailed({"file": _("请选择文件。")})
    size = getattr(upload, "size", None) or 0
    limit = attachment_max_bytes()
    if size > limit:
        raise ValidationFailed(
            {
                "file": _("文件“%(name)s”大小为 %(size).1f MB，超过 %(limit).0f MB 的上限。")
                % {"name": name, "size": size / 1048576, "limit": limit / 1048576}
            }
        )
    if size == 0:
        raise ValidationFailed({"file": _("文件“%(name)s”是空文件。") % {"name": name}})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_TYPES:
        raise ValidationFailed(
            {
                "file": _("不支持的文件类型“%(ext)s”：只接受 PDF、PNG、JPG、XLSX、DOCX 文件。")
                % {"ext": ext or _("无扩展名")}
            }
        )
    if not _sniff(ext, upload):
        raise ValidationFailed(
            {"file": _("文件“%(name)s”的内容与扩展名 .%(ext)s 不符，已拒绝。") % {"name": name, "ext": ext}}
        )
    return name[-200:], ALLOWED_TYPES[ext]


@transaction.atomic
def attachment_add(*, request: ServiceRequest, upload, internal: bool = False, by) -> Attachment:
    name, content_type = check_upload(upload)
    req = _lock(request)
    require(_may_work(by, req), _("您无权在该需求上上传附件。"))
    _check_internal(by, req, internal)
    _not_terminal(req, _("上传附件"))
    att = Attachment(
        request=req, name=name, size=upload.size, content_type=content_type, internal=internal, uploaded_by=by
    )
    att.file.save(name, upload, save=False)
    att.save()
    _event(req, by, "attachment_added", name, {"attachment": att.pk, "size": att.size}, internal=internal)
    return att


@transaction.atomic
def link_add(
    *, request: ServiceRequest, kind: str, ref: str, title: str = "", internal: bool = False, by
) -> Link:
    ref = (ref or "").strip()
    errors = {}
    if kind not in Link.Kind.values:
        errors["kind"] = _("关联类型应为：%(v)s。") % {"v": _choices_text(Link.Kind.choices)}
    if not ref:
        errors["ref"] = _("请填写关联记录的编号。")
    elif len(ref) > 100:
        errors["ref"] = _("编号不能超过100个字符。")
    if len(title or "") > 200:
        errors["title"] = _("说明不能超过200个字符。")
    if errors:
        raise ValidationFailed(errors)
    req = _lock(request)
    require(_may_work(by, req), _("您无权在该需求上添加关联。"))
    _check_internal(by, req, internal)
    if req.links.filter(kind=kind, ref=ref).exists():
        raise ValidationFailed({"ref": _("该记录已关联。")})
    link = Link.objects.create(
        request=req, kind=kind, ref=ref, title=(title or "").strip(), internal=internal, created_by=by
    )
    _event(
        req,
        by,
        "link_added",
        f"{link.get_kind_display()} {ref}",
        {"link": link.pk, "kind": kind, "ref": ref},
        internal=internal,
    )
    return link


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
            req.save()
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
            _notify(
                users,
                "desk.request.overdue",
                _("服务需求 %(number)s %(what)s超期") % {"number": req.number, "what": labels},
                req.title,
                obj=req,
                url=request_url(req),
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
            _notify(
                station_users(req),
                "desk.request.deadline_warning",
                _("服务需求 %(number)s 将于 %(due)s 到期") % {"number": req.number, "due": req.resolve_by},
                req.title,
                obj=req,
                url=request_url(req),
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
            _notify(
                station_users(req) + (regulator_users(escalate_to) if escalate_to else []),
                "desk.request.overdue",
                _("服务需求 %(number)s 差评整改超期") % {"number": req.number},
                obj=req,
                url=request_url(req),
            )
    return counts
