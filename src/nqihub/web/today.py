"""Today's work (今日待办) for the home page and the navigation badges, per role (issue 17 item 1).

Every count comes from the owning app's scoped selector (``visible()`` underneath): a user counts only
their own work. Each role's block costs a fixed number of queries whatever the amount of data (one
conditional aggregate per kind of record, a short list of the most pressing records), so the home stays
fast; the navigation reads the totals from a per-user cache entry that lives ``BADGE_TTL`` seconds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Case, Count, F, Q, Sum, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Membership, Organisation
from nqihub.core.scoping import scope_of
from nqihub.stats import compare

#: Seconds the navigation badges may lag behind the data.
BADGE_TTL = 30
#: Rows listed under a section (the rest is one click away on the list page).
ROWS = 5


@dataclass
class WorkItem:
    key: str
    label: str
    count: int
    url: str
    #: Bootstrap colour when the count is not zero: "danger" (overdue), "warning" (due soon), "primary".
    tone: str = "primary"
    #: Whether the count is work waiting for the user (badges add these up) or information.
    actionable: bool = True


@dataclass
class WorkRow:
    label: str
    detail: str
    url: str
    #: SLA colour: "danger" overdue, "warning" due within a working day, "" otherwise.
    tone: str = ""
    due: datetime.date | None = None


@dataclass
class WorkSection:
    key: str
    title: str
    icon: str
    items: list[WorkItem] = field(default_factory=list)
    rows: list[WorkRow] = field(default_factory=list)
    #: Free text under the counts (the regulator's month-on-month line).
    note: str = ""

    @property
    def total(self) -> int:
        return sum(i.count for i in self.items if i.actionable)


def _sla_tone(due: datetime.date | None, overdue: bool, today: datetime.date) -> str:
    if overdue or (due is not None and due < today):
        return "danger"
    if due is not None and due <= today + datetime.timedelta(days=1):
        return "warning"
    return ""


# --- station staff --------------------------------------------------------------------------------------


def _station(user, scope, today) -> WorkSection:
    from nqihub.desk import selectors as desk
    from nqihub.desk import states
    from nqihub.desk.models import Assignment, Rectification, ServiceRequest

    stations = scope.org_ids_of_kind(Organisation.Kind.STATION)
    mine = desk.request_list(fetched_by=user).filter(station__organisation_id__in=stations)
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
                _sla_tone(due, req.is_overdue, today),
                due,
            )
        )
    return section


# --- experts and institutions: assignments ----------------------------------------------------------------


def _assignee(user, scope, today) -> WorkSection:
    from nqihub.desk import selectors as desk
    from nqihub.desk.models import Assignment

    qs = desk.my_assignments(fetched_by=user).filter(
        status__in=[Assignment.Status.OFFERED, Assignment.Status.ACCEPTED]
    )
    c = qs.order_by().aggregate(
        offered=Count("pk", filter=Q(status=Assignment.Status.OFFERED)),
        accepted=Count("pk", filter=Q(status=Assignment.Status.ACCEPTED)),
        late=Count("pk", filter=Q(request__is_overdue=True)),
    )
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
                _sla_tone(req.resolve_by, req.is_overdue, today),
                req.resolve_by,
            )
        )
    return section


# --- lab reviewers and approvers --------------------------------------------------------------------------


def _signer(user, scope, today) -> WorkSection | None:
    """Orders waiting for the user's own signature in the labs where they hold that role: 检测 (receive
    the sample, test and sign), 审核, 批准."""
    from nqihub.testing import selectors as testing
    from nqihub.testing import states
    from nqihub.testing.models import LabRole

    roles = list(
        LabRole.objects.filter(
            user=user, role__in=[LabRole.Role.TESTER, LabRole.Role.REVIEWER, LabRole.Role.APPROVER]
        ).values_list("institution_id", "role")
    )
    if not roles:
        return None
    labs = {role: [i for i, r in roles if r == role] for role in LabRole.Role.values}
    steps = [
        # (role, key, label, statuses)
        (LabRole.Role.TESTER, "testing.receive", _("待收样"), [states.SUBMITTED]),
        (LabRole.Role.TESTER, "testing.test", _("待检测签署"), [states.SAMPLE_RECEIVED, states.TESTING]),
        (LabRole.Role.REVIEWER, "testing.review", _("待审核"), [states.RESULTS_ENTERED]),
        (LabRole.Role.APPROVER, "testing.approve", _("待批准"), [states.REVIEWED]),
    ]
    steps = [step for step in steps if labs[step[0]]]
    waiting = Q(pk__in=[])
    for role, _key, _label, statuses in steps:
        waiting |= Q(lab_id__in=labs[role], status__in=statuses)
    qs = testing.order_list(fetched_by=user).filter(waiting)
    c = qs.order_by().aggregate(
        **{
            key: Count("pk", filter=Q(lab_id__in=labs[role], status__in=statuses))
            for role, key, _label, statuses in steps
        }
    )
    base = reverse("testing:order-list")
    signs = {LabRole.Role.REVIEWER, LabRole.Role.APPROVER} & {r for _i, r in roles}
    title = _("待我签署的报告") if signs else _("实验室待办")
    section = WorkSection("signer", title, "bi-pen")
    section.items = [
        WorkItem(key, label, c[key], f"{base}?status={statuses[0]}") for _role, key, label, statuses in steps
    ]
    for order in qs.select_related(None).only("pk", "number", "product_name", "status")[:ROWS]:
        section.rows.append(
            WorkRow(
                f"{order.number} {order.product_name}",
                order.get_status_display(),
                reverse("testing:order-detail", args=[order.pk]),
            )
        )
    return section


# --- calibration bodies ----------------------------------------------------------------------------------


def _calibration(user, scope, today) -> WorkSection | None:
    from nqihub.directory import selectors as directory
    from nqihub.directory.models import Institution
    from nqihub.metrology import selectors as metrology
    from nqihub.metrology.models import Booking

    institutions = scope.org_ids_of_kind(Organisation.Kind.INSTITUTION)
    calibration_body = (
        directory.institution_list(fetched_by=user)
        .filter(organisation_id__in=institutions, kind=Institution.Kind.CALIBRATION)
        .exists()
    )
    qs = metrology.booking_list(fetched_by=user).filter(
        institution__organisation_id__in=institutions,
        status__in=[Booking.Status.REQUESTED, Booking.Status.ACCEPTED],
    )
    c = qs.order_by().aggregate(
        requested=Count("pk", filter=Q(status=Booking.Status.REQUESTED)),
        accepted=Count("pk", filter=Q(status=Booking.Status.ACCEPTED)),
    )
    if not (c["requested"] or c["accepted"]) and not calibration_body:
        return None
    base = reverse("metrology:booking-list")
    section = WorkSection("calibration", _("送检/校准预约"), "bi-calendar-check")
    section.items = [
        WorkItem("metrology.requested", _("待确认预约"), c["requested"], f"{base}?status=requested"),
        WorkItem("metrology.results", _("待录入结果"), c["accepted"], f"{base}?status=accepted"),
    ]
    for b in qs.order_by("proposed_date", "pk")[:ROWS]:
        section.rows.append(
            WorkRow(
                str(b.instrument),
                b.get_status_display(),
                reverse("metrology:booking-detail", args=[b.pk]),
                due=b.proposed_date,
            )
        )
    return section


# --- regulators -----------------------------------------------------------------------------------------


def _regulator(user, scope, today) -> WorkSection:
    from nqihub.core.regions import prefix
    from nqihub.desk import selectors as desk
    from nqihub.desk import states
    from nqihub.stats import selectors as stats
    from nqihub.stats.models import Report, Rollup

    own = [region for _id, _kind, region, role in scope.memberships if role == Membership.Role.REGULATOR]
    reports = stats.report_list(fetched_by=user).filter(status=Report.Status.SUBMITTED)
    if not scope.is_admin:
        reports = reports.filter(parent_region_id__in=own)
    to_approve = reports.count()
    c = (
        desk.request_list(fetched_by=user)
        .filter(status__in=states.OPEN)
        .order_by()
        .aggregate(
            overdue=Count("pk", filter=Q(is_overdue=True)),
            escalated=Count("pk", filter=Q(escalated_to__isnull=False)),
        )
    )
    section = WorkSection("regulator", _("监管待办"), "bi-shield-check")
    desk_url = reverse("desk:request-list")
    section.items = [
        WorkItem("stats.reports", _("待审批报表"), to_approve, reverse("stats:report-list")),
        WorkItem("desk.escalated", _("上报督办"), c["escalated"], f"{desk_url}?tab=overdue", "danger", False),
        WorkItem("desk.region_overdue", _("辖区超期需求"), c["overdue"], f"{desk_url}?tab=overdue", "danger"),
    ]
    home = stats.home_region(user)
    if home is not None:
        # 环比 and 同比 compare complete months (the last one against the one before and the same month a
        # year earlier): this month so far is shown as it stands, never as a fall against a whole month.
        this, last, before_last, a_year_ago = (compare.month_back(today, back) for back in (0, 1, 2, 13))
        root = "" if scope.is_admin else prefix(home)
        rows = dict(
            Rollup.objects.filter(
                dim="", value="", scope=root, month__in=[this, last, before_last, a_year_ago]
            )
            .values_list("month")
            .annotate(n=Sum("received"))
            .order_by()
        )
        now, done, before, yoy = (int(rows.get(m) or 0) for m in (this, last, before_last, a_year_ago))
        url = f"{reverse('stats:dashboard')}?from={compare.month_text(this)}&to={compare.month_text(this)}"
        section.items.append(WorkItem("stats.this_month", _("本月服务需求"), now, url, "primary", False))
        section.note = _(
            "本月至今 %(now)s 件。上月 %(done)s 件：环比 %(mom)s（前月 %(before)s 件），"
            "同比 %(yoy)s（去年同月 %(year)s 件）。"
        ) % {
            "now": now,
            "done": done,
            "mom": compare.change(done, before),
            "before": before,
            "yoy": compare.change(done, yoy),
            "year": yoy,
        }
    return section


# --- enterprises ----------------------------------------------------------------------------------------


def _enterprise(user, scope, today) -> WorkSection:
    from nqihub.cases import selectors as cases
    from nqihub.certification import selectors as certification
    from nqihub.cooperatives import selectors as cooperatives
    from nqihub.cooperatives.models import NonConformity
    from nqihub.desk import selectors as desk
    from nqihub.desk import states
    from nqihub.metrology import selectors as metrology
    from nqihub.testing import selectors as testing
    from nqihub.testing import states as order_states

    orgs = scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE)
    requests = desk.request_list(fetched_by=user).filter(enterprise__organisation_id__in=orgs)
    c = requests.order_by().aggregate(
        to_rate=Count("pk", filter=Q(status=states.RESOLVED)),
        open=Count("pk", filter=Q(status__in=states.OPEN)),
    )
    consent = cases.consent_pending(fetched_by=user).count()
    ncs = (
        cooperatives.nonconformity_list(fetched_by=user, status=NonConformity.Status.OPEN)
        .filter(member__enterprise__organisation_id__in=orgs)
        .count()
    )
    issued = (
        testing.order_list(fetched_by=user, status=order_states.ISSUED)
        .filter(
            enterprise__organisation_id__in=orgs, issued_at__gte=timezone.now() - datetime.timedelta(days=30)
        )
        .count()
    )
    instruments = metrology.instruments_due(fetched_by=user, within_days=30, today=today)
    due = instruments.order_by().aggregate(n=Count("pk"), late=Count("pk", filter=Q(next_due__lt=today)))
    certificates = certification.certificate_list(
        fetched_by=user, expiring_within_days=90, today=today
    ).count()
    desk_url = reverse("desk:request-list")
    section = WorkSection("enterprise", _("待我处理"), "bi-building")
    section.items = [
        WorkItem("desk.to_rate", _("待评价"), c["to_rate"], f"{desk_url}?tab=to_rate"),
        WorkItem("cases.consent", _("案例待同意"), consent, reverse("cases:consent-pending")),
        WorkItem("cooperatives.ncs", _("不合格项待整改"), ncs, reverse("cooperatives:list"), "warning"),
        WorkItem("desk.open", _("办理中的需求"), c["open"], f"{desk_url}?tab=mine", "primary", False),
        WorkItem(
            "testing.issued",
            _("近30天出具的报告"),
            issued,
            f"{reverse('testing:order-list')}?status={order_states.ISSUED}",
            "primary",
            False,
        ),
        WorkItem(
            "metrology.due",
            _("器具30天内到期"),
            due["n"],
            f"{reverse('metrology:instrument-list')}?status=due30",
            "danger" if due["late"] else "warning",
        ),
        WorkItem(
            "certification.expiring",
            _("证书90天内到期"),
            certificates,
            reverse("certification:certificate-list"),
            "warning",
        ),
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


# --- cooperative admins ---------------------------------------------------------------------------------


def _cooperative(user, scope, today) -> WorkSection | None:
    from nqihub.cooperatives import selectors as cooperatives
    from nqihub.cooperatives.models import Member, MemberStatus, TestingPlanLine

    coops = list(
        cooperatives.cooperative_list(fetched_by=user)
        .filter(organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.COOPERATIVE))
        .values_list("pk", flat=True)[:20]
    )
    if not coops:
        return None
    applied = Member.objects.filter(cooperative_id__in=coops, status=MemberStatus.APPLIED).count()
    ncs = (
        cooperatives.nonconformity_list(fetched_by=user, overdue_on=today)
        .filter(member__cooperative_id__in=coops)
        .count()
    )
    plan = TestingPlanLine.objects.filter(plan__cooperative_id__in=coops, plan__year=today.year).aggregate(
        n=Count("pk"), ordered=Count("pk", filter=Q(order_id__isnull=False))
    )
    first = coops[0]
    section = WorkSection("cooperative", _("合作社待办"), "bi-people")
    section.items = [
        WorkItem(
            "cooperatives.applied", _("入社申请"), applied, reverse("cooperatives:detail", args=[first])
        ),
        WorkItem(
            "cooperatives.overdue_ncs",
            _("超期不合格项"),
            ncs,
            reverse("cooperatives:ncs", args=[first]) + "?overdue=1",
            "danger",
        ),
        WorkItem(
            "cooperatives.plan",
            _("年度检测计划已下达"),
            plan["ordered"],
            reverse("cooperatives:testing-plans", args=[first]),
            "primary",
            False,
        ),
    ]
    section.note = _("%(year)s 年免费检测计划：%(ordered)s / %(total)s 项已下达委托。") % {
        "year": today.year,
        "ordered": plan["ordered"],
        "total": plan["n"],
    }
    return section


# --- entry points ---------------------------------------------------------------------------------------


def sections(user, today: datetime.date | None = None) -> list[WorkSection]:
    """The user's blocks of today's work, in the order of their roles; empty for a user without one."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    scope = scope_of(user)
    roles = scope.roles
    out: list[WorkSection | None] = []
    if Membership.Role.STATION_STAFF in roles:
        out.append(_station(user, scope, today))
    if {Membership.Role.EXPERT, Membership.Role.INSTITUTION_STAFF} & roles:
        assignee = _assignee(user, scope, today)
        # A laboratory's or calibration body's staff see desk assignments only when there are some.
        if Membership.Role.EXPERT in roles or any(i.count for i in assignee.items):
            out.append(assignee)
    if Membership.Role.INSTITUTION_STAFF in roles:
        out.append(_signer(user, scope, today))
        out.append(_calibration(user, scope, today))
    if scope.is_regulator:
        out.append(_regulator(user, scope, today))
    if Membership.Role.ENTERPRISE_USER in roles:
        out.append(_enterprise(user, scope, today))
    if Membership.Role.COOPERATIVE_ADMIN in roles:
        out.append(_cooperative(user, scope, today))
    result = [s for s in out if s is not None]
    cache.set(_key(user), _badges(result), BADGE_TTL)
    return result


def _key(user) -> str:
    return f"web:today:{user.pk}:v1"


def _badges(result: list[WorkSection]) -> dict[str, int]:
    counts = {i.key: i.count for s in result for i in s.items if i.actionable}
    counts["total"] = sum(s.total for s in result)
    return counts


def badges(user) -> dict[str, int]:
    """``{item key: count, "total": n}`` of the user's actionable work, for the navigation: from the cache
    when fresh (``BADGE_TTL``), else computed once."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = cache.get(_key(user))
    if cached is None:
        sections(user)
        cached = cache.get(_key(user)) or {}
    return cached


def forget(user_or_id) -> None:
    """Drop a user's cached badges (after an action that changes their work)."""
    pk = getattr(user_or_id, "pk", user_or_id)
    cache.delete(f"web:today:{pk}:v1")
