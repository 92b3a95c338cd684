"""Menu entries of certification for the layout (``web.context_processors.build_navigation``, registered below)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of


def nav_items(user, current: str = "") -> list:
    scope = scope_of(user)
    items = []
    if scope.is_regulator or scope.roles & {
        Membership.Role.ENTERPRISE_USER,
        Membership.Role.STATION_STAFF,
        Membership.Role.INSTITUTION_STAFF,
    }:
        items.append(
            NavItem(
                _("认证证书"),
                reverse("certification:certificate-list"),
                "bi-patch-check",
                current.startswith("certification:certificate-")
                or current == "certification:enterprise-certificates",
            )
        )
    items.append(
        NavItem(
            _("CCC 目录"),
            reverse("certification:catalogue"),
            "bi-list-check",
            current == "certification:catalogue",
        )
    )
    return items


register("certification", nav_items)
