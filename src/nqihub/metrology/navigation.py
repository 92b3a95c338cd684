"""Menu entries of metrology for the layout (``web.context_processors.build_navigation``, registered below):

from nqihub.metrology.navigation import nav_items
items.append(...)  # or extend a group with nav_items(user, current)
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of


def nav_items(user, current: str = "") -> list:
    """NavItems for ``user`` (``current`` = "namespace:url_name" of the page, for the active mark)."""
    scope = scope_of(user)
    roles = scope.roles
    items = []
    if scope.is_regulator or roles & {Membership.Role.ENTERPRISE_USER, Membership.Role.STATION_STAFF}:
        items.append(
            NavItem(
                _("计量器具台账"),
                reverse("metrology:instrument-list"),
                "bi-speedometer2",
                current.startswith("metrology:instrument-"),
            )
        )
        items.append(
            NavItem(
                _("超期器具"),
                reverse("metrology:overdue-list"),
                "bi-exclamation-octagon",
                current == "metrology:overdue-list",
            )
        )
    if roles or scope.is_admin:
        items.append(
            NavItem(
                _("送检/校准预约"),
                reverse("metrology:booking-list"),
                "bi-calendar-check",
                current.startswith("metrology:booking-"),
            )
        )
    return items


register("metrology", nav_items)
