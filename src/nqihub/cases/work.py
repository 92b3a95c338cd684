"""Cases' part of today's work (``core.work``): cases waiting for the enterprise's consent."""

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
    section = enterprise_block()
    section.items = [
        WorkItem(
            "cases.consent",
            _("案例待同意"),
            selectors.consent_pending(fetched_by=user).count(),
            reverse("cases:consent-pending"),
        )
    ]
    return section


work.register(enterprise, order=61)
