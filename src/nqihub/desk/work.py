"""The desk's part of today's work (``core.work``): the station's inbox, the assignee's work orders and
the enterprise's requests to rate or follow."""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, F, Q, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core import work
from nqihub.core.models import Membership, Organisation
from nqihub.core.work import ROWS, WorkItem, WorkRow, WorkSection, enterprise_block, sla_tone

from . import selectors, states
from .models import Assignment, Rectification, ServiceRequest


def station(user, scope, today) -> WorkSection | None:
    """New, urgent and overdue requests with SLA colours, rectifications due, assignments declined."""
    if Membership.Role.STATION_STAFF not in scope.roles:
        return None
    stations = scope.org_ids_of_kind(Organisation.Kind.STATION)
    mine = selectors.request_list(fetched_by=user).filter(station__organisation_id__in=stations)
    open_q = Q(status__in=states.OPEN)
    soon = today + datetime.timedelta(days=1)
    c = mine.order_by().aggregate(
        new=Count("pk", filter=Q(status=states.SUBMITTED)),
        urgent=Count(
            "pk",
            filter=open_q & Q(urgency__in=[ServiceRequest.Urgency.URGENT, ServiceRequest.Urgency.CRITICAL]),
        ),
        overdue=Count("pk", filter=open_q & Q(is_overdue=True)),
        due_soon=Count("pk", filter=open_q & Q(is_overdue=False, resolve_by__lte=soon)),
    )
    rect = (
        Rectification.objects.filter(request__in=mine.values("pk"))
        .exclude(status=Rectification.Status.CLOSED)
        .aggregate(n=Count("pk"), late=Count("pk", filter=Q(is_overdue=True) | Q(due_by__lt=today)))
    )
    declined = (
        Assignment.objects.filter(
            request__in=mine.filter(open_q).values("pk"), status=Assignment.Status.DECLINED
        )
        .exclude(request__assignments__status__in=[Assignment.Status.OFFERED, Assignment.Status.ACCEPTED])
        .values("request_id")
        .distinct()
        .count()
    )
    base = reverse("desk:request-list")
    section = WorkSection("station", _("服务站待办"), "bi-inbox")
    section.items = [
        WorkItem("desk.new", _("待受理"), c["new"], f"{base}?tab=new"),
        WorkItem(
            "desk.urgent",
            _("紧急"),
            c["urgent"],
            f"{base}?tab=all",
            "warning",
            False,
        ),
        WorkItem("desk.overdue", _("已超期"), c["overdue"], f"{base}?tab=overdue", "danger"),
        WorkItem(
            "desk.due_soon", _("临期（1个工作日内）"), c["due_soon"], f"{base}?tab=all", "warning", False
        ),
        WorkItem(
            "desk.rectifications",
            _("差评整改待办"),
            rect["n"],
            f"{base}?tab=all&status=rated",
            "danger" if rect["late"] else "warning",
        ),
        WorkItem(
            "desk.declined", _("被拒工单待改派"), declined, f"{base}?tab=all&status=dispatched", "warning"
        ),
    ]
    urgent_first = (
        mine.filter(open_q)
        .select_related(None)
        .only("pk", "number", "title", "status", "urgency", "is_overdue", "accept_by", "resolve_by")
        .annotate(due=Case(When(status=states.SUBMITTED, then=F("accept_by")), default=F("resolve_by")))
        .order_by("-is_overdue", "due", "pk")[:ROWS]
    )
    for req in urgent_first:
        due = req.accept_by if req.status == states.SUBMITTED else req.resolve_by
        section.rows.append(
            WorkRow(
                f"{req.number} {req.title}",
                str(states.STATUS_LABELS.get(req.status, req.status)),
                reverse("desk:request-detail", args=[req.pk]),
                sla_tone(due, req.is_overdue, today),
                due,
            )
        )
    return section


def assignee(user, scope, today) -> WorkSection | None:
    """Experts', laboratories' and calibration bodies' work orders to accept or finish; institution staff
    see the block only when there are some."""
    roles = scope.roles
    if not {Membership.Role.EXPERT, Membership.Role.INSTITUTION_STAFF} & roles:
        return None
    qs = selectors.my_assignments(fetched_by=user).filter(
        status__in=[Assignment.Status.OFFERED, Assignment.Status.ACCEPTED]
    )
    c = qs.order_by().aggregate(
        offered=Count("pk", filter=Q(status=Assignment.Status.OFFERED)),
        accepted=Count("pk", filter=Q(status=Assignment.Status.ACCEPTED)),
        late=Count("pk", filter=Q(request__is_overdue=True)),
    )
    if Membership.Role.EXPERT not in roles and not (c["offered"] or c["accepted"]):
        return None
    url = reverse("desk:assignment-list")
    section = WorkSection("assignee", _("我的工单"), "bi-person-workspace")
    section.items = [
        WorkItem("assignments.offered", _("待接单"), c["offered"], url),
        WorkItem(
            "assignments.accepted", _("待完成"), c["accepted"], url, "danger" if c["late"] else "primary"
        ),
    ]
    for a in qs.order_by("request__resolve_by", "pk")[:ROWS]:
        req = a.request
        section.rows.append(
            WorkRow(
                f"{req.number} {req.title}",
                a.get_status_display(),
                reverse("desk:request-detail", args=[req.pk]),
                sla_tone(req.resolve_by, req.is_overdue, today),
                req.resolve_by,
            )
        )
    return section


def enterprise(user, scope, today) -> WorkSection | None:
    """The enterprise's requests to rate (each one click from its rating form) and those in progress."""
    if Membership.Role.ENTERPRISE_USER not in scope.roles:
        return None
    orgs = scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE)
    requests = selectors.request_list(fetched_by=user).filter(enterprise__organisation_id__in=orgs)
    c = requests.order_by().aggregate(
        to_rate=Count("pk", filter=Q(status=states.RESOLVED)),
        open=Count("pk", filter=Q(status__in=states.OPEN)),
    )
    desk_url = reverse("desk:request-list")
    section = enterprise_block()
    section.items = [
        WorkItem("desk.to_rate", _("待评价"), c["to_rate"], f"{desk_url}?tab=to_rate"),
        WorkItem("desk.open", _("办理中的需求"), c["open"], f"{desk_url}?tab=mine", "primary", False),
    ]
    for req in (
        requests.filter(status=states.RESOLVED)
        .select_related(None)
        .only("pk", "number", "title", "status")
        .order_by("-resolved_at", "-pk")[:ROWS]
    ):
        section.rows.append(
            WorkRow(
                f"{req.number} {req.title}",
                _("请评价"),
                reverse("desk:request-detail", args=[req.pk]) + "#actions",
            )
        )
    return section


work.register(station, order=10)
work.register(assignee, order=20)
work.register(enterprise, order=60)
