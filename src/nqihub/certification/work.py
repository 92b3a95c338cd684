"""Certification's part of today's work (``core.work``): the enterprise's certificates expiring soon."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core import work
from nqihub.core.models import Membership
from nqihub.core.work import WorkItem, WorkSection, enterprise_block

from . import selectors


def enterprise(user, scope, today) -> WorkSection | None:
    if Membership.Role.ENTERPRISE_USER not in scope.roles:
        return None
    expiring = selectors.certificate_list(fetched_by=user, expiring_within_days=90, today=today).count()
    section = enterprise_block()
    section.items = [
        WorkItem(
            "certification.expiring",
            _("证书90天内到期"),
            expiring,
            reverse("certification:certificate-list"),
            "warning",
        )
    ]
    return section


work.register(enterprise, order=65)
