"""Public request tracking (办件进度查询), like the 一网通办 portals: whoever holds a request's number and
its track code (查询码) sees its status and the public timeline without an account — never internal
events, notes, names, contacts or reasons. A wrong number and a wrong code get the same answer (None → 404).

Look-ups are rate-limited per client address (the one ``core.middleware.ip_from_request`` takes from behind
the configured proxies): at most ``DESK_TRACK_LIMIT`` (default 20) in ``DESK_TRACK_WINDOW`` seconds
(default 600), counted in the shared cache so that every app process sees the same count.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core import ratelimit
from nqihub.core.models import Membership

from . import services, states
from .models import Category, Event, ServiceRequest, normalise_track_code

#: Timeline events a visitor may see (customer-facing milestones) → their public wording. Anything else
#: (notes, attachments, links, assignments, rectification, overdue warnings) stays inside.
PUBLIC_EVENTS = {
    "submitted": gettext_lazy("需求已提交"),
    "accept": gettext_lazy("已受理"),
    "reject": gettext_lazy("已退回"),
    "reroute": gettext_lazy("已转交其他服务站"),
    "dispatch": gettext_lazy("已派单，专家或技术机构办理中"),
    "start": gettext_lazy("开始办理"),
    "resolve": gettext_lazy("已办结"),
    "rate": gettext_lazy("已评价"),
    "withdraw": gettext_lazy("已撤回"),
    "close": gettext_lazy("已关闭"),
}


def limit() -> int:
    return int(getattr(settings, "DESK_TRACK_LIMIT", 20))


def window() -> int:
    return int(getattr(settings, "DESK_TRACK_WINDOW", 600))


def allow(request) -> bool:
    """Count one look-up by the request's client; False once the client is over the limit."""
    return ratelimit.hit(request, "desk.track", limit=limit(), window=window())


def limited_message() -> str:
    return _("查询过于频繁，请 %(m)d 分钟后再试。") % {"m": max(1, window() // 60)}


@dataclass
class PublicStep:
    at: datetime
    kind: str
    label: str


@dataclass
class PublicStatus:
    number: str
    status: str
    status_label: str
    categories: list[str]
    station: str
    submitted_at: datetime
    resolve_by: date | None
    resolved_at: datetime | None
    is_open: bool
    timeline: list[PublicStep] = field(default_factory=list)


def find(number: str, code: str) -> ServiceRequest | None:
    """The request with this number and code, or None (whichever of the two is wrong)."""
    number = (number or "").strip().upper()
    code = normalise_track_code(code)
    if not number or not code or len(number) > 20 or len(code) > 8:
        return None
    req = ServiceRequest.objects.select_related("station").filter(number=number).first()
    if req is None or not hmac.compare_digest(req.track_code.encode(), code.encode()):
        return None
    return req


def public_status(req: ServiceRequest) -> PublicStatus:
    events = Event.objects.filter(request=req, internal=False, kind__in=list(PUBLIC_EVENTS)).order_by(
        "at", "id"
    )
    steps: list[PublicStep] = []
    for e in events:
        label = str(PUBLIC_EVENTS[e.kind])
        if steps and steps[-1].kind == e.kind and steps[-1].label == label:
            continue  # the same milestone twice in a row (a re-route to a re-route) reads once
        steps.append(PublicStep(at=e.at, kind=e.kind, label=label))
    labels = dict(Category.choices)
    return PublicStatus(
        number=req.number,
        status=req.status,
        status_label=str(states.STATUS_LABELS[req.status]),
        categories=[str(labels.get(c, c)) for c in req.category_list],
        station=req.station.name if req.station_id else "",
        submitted_at=req.created_at,
        resolve_by=req.resolve_by if req.status in states.OPEN else None,
        resolved_at=req.resolved_at,
        is_open=req.status in states.OPEN,
        timeline=steps,
    )


def track(number: str, code: str) -> PublicStatus | None:
    req = find(number, code)
    return None if req is None else public_status(req)


def sees_track_code(user, req: ServiceRequest) -> bool:
    """Who is shown the code to pass on: the enterprise's own users, whoever filed the request (a station
    filing on the enterprise's behalf) and the handling station — not experts, labs or other readers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if req.created_by_id == user.pk:
        return True
    if Membership.objects.filter(
        user=user, organisation_id=req.enterprise.organisation_id, role=Membership.Role.ENTERPRISE_USER
    ).exists():
        return True
    return services.can_triage(user, req)
