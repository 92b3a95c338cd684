"""The laboratory's part of today's work (``core.work``): orders waiting for the user's signature, and
the enterprise's reports issued lately."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nqihub.core import work
from nqihub.core.models import Membership, Organisation
from nqihub.core.work import ROWS, WorkItem, WorkRow, WorkSection, enterprise_block

from . import selectors, states
from .models import LabRole


def signer(user, scope, today) -> WorkSection | None:
    """Orders waiting for the user's own signature in the labs where they hold that role: 检测 (receive
    the sample, test and sign), 审核, 批准."""
    if Membership.Role.INSTITUTION_STAFF not in scope.roles:
        return None
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
    qs = selectors.order_list(fetched_by=user).filter(waiting)
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


def enterprise(user, scope, today) -> WorkSection | None:
    """Reports issued to the enterprise in the last 30 days."""
    if Membership.Role.ENTERPRISE_USER not in scope.roles:
        return None
    issued = (
        selectors.order_list(fetched_by=user, status=states.ISSUED)
        .filter(
            enterprise__organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE),
            issued_at__gte=timezone.now() - datetime.timedelta(days=30),
        )
        .count()
    )
    section = enterprise_block()
    section.items = [
        WorkItem(
            "testing.issued",
            _("近30天出具的报告"),
            issued,
            f"{reverse('testing:order-list')}?status={states.ISSUED}",
            "primary",
            False,
        )
    ]
    return section


work.register(signer, order=30)
work.register(enterprise, order=63)
