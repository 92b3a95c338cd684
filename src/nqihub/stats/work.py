"""Statistics' part of today's work (``core.work``): the regulator's reports to approve, escalations and
overdue requests in the region, and this month against the last (环比/同比)."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core import work
from nqihub.core.models import Membership
from nqihub.core.regions import prefix
from nqihub.core.work import WorkItem, WorkSection
from nqihub.desk import selectors as desk
from nqihub.desk import states

from . import compare, selectors
from .models import Report, Rollup


def regulator(user, scope, today) -> WorkSection | None:
    if not scope.is_regulator:
        return None
    own = [region for _id, _kind, region, role in scope.memberships if role == Membership.Role.REGULATOR]
    reports = selectors.report_list(fetched_by=user).filter(status=Report.Status.SUBMITTED)
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
    home = selectors.home_region(user)
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


work.register(regulator, order=50)
