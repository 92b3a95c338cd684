"""Menu of the testing app for the layout (``web.context_processors.build_navigation``, registered below): "检验检测" for
enterprise users, station staff, cooperative admins, lab staff and regulators."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of

from . import selectors
from .views import can_create

MENU_ROLES = {
    Membership.Role.ENTERPRISE_USER,
    Membership.Role.STATION_STAFF,
    Membership.Role.COOPERATIVE_ADMIN,
    Membership.Role.INSTITUTION_STAFF,
    Membership.Role.REGULATOR,
}


def menu(user, current: str = ""):
    """A top-level NavItem (with children) for ``user``, or None when the user has nothing here."""
    scope = scope_of(user)
    if not (scope.is_regulator or scope.roles & MENU_ROLES):
        return None
    children = [
        NavItem(
            _("检验委托单"),
            reverse("testing:order-list"),
            "bi-clipboard2-check",
            current in ("testing:order-list", "testing:order-detail"),
        )
    ]
    if can_create(user):
        children.append(
            NavItem(
                _("委托检测"),
                reverse("testing:order-create"),
                "bi-plus-lg",
                current == "testing:order-create",
            )
        )
    children.append(
        NavItem(
            _("合格率统计"), reverse("testing:pass-rates"), "bi-bar-chart", current == "testing:pass-rates"
        )
    )
    if selectors.managed_labs(user).exists():
        children.append(
            NavItem(
                _("实验室签署角色"),
                reverse("testing:lab-list"),
                "bi-people",
                current.startswith("testing:lab-"),
            )
        )
    children.append(
        NavItem(_("报告真伪查询"), reverse("testing:verify"), "bi-qr-code-scan", current == "testing:verify")
    )
    return NavItem(
        _("检验检测"),
        "",
        "bi-clipboard2-pulse",
        current.startswith("testing:"),
        children=children,
    )


register("testing", menu)
