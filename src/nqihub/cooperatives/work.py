"""Cooperatives' part of today's work (``core.work``): the cooperative admin's applications, overdue
non-conformities and plan progress, and the member enterprise's non-conformities to rectify."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core import work
from nqihub.core.models import Membership, Organisation
from nqihub.core.work import WorkItem, WorkSection, enterprise_block

from . import selectors
from .models import Member, MemberStatus, NonConformity, TestingPlanLine


def cooperative(user, scope, today) -> WorkSection | None:
    if Membership.Role.COOPERATIVE_ADMIN not in scope.roles:
        return None
    coops = list(
        selectors.cooperative_list(fetched_by=user)
        .filter(organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.COOPERATIVE))
        .values_list("pk", flat=True)[:20]
    )
    if not coops:
        return None
    applied = Member.objects.filter(cooperative_id__in=coops, status=MemberStatus.APPLIED).count()
    ncs = (
        selectors.nonconformity_list(fetched_by=user, overdue_on=today)
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


def enterprise(user, scope, today) -> WorkSection | None:
    """A member enterprise's open non-conformities (不合格项) to rectify."""
    if Membership.Role.ENTERPRISE_USER not in scope.roles:
        return None
    ncs = (
        selectors.nonconformity_list(fetched_by=user, status=NonConformity.Status.OPEN)
        .filter(member__enterprise__organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE))
        .count()
    )
    section = enterprise_block()
    section.items = [
        WorkItem("cooperatives.ncs", _("不合格项待整改"), ncs, reverse("cooperatives:list"), "warning")
    ]
    return section


work.register(enterprise, order=62)
work.register(cooperative, order=70)
