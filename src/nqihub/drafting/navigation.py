"""Menu entry of the drafting app for the layout (``web.context_processors.build_navigation``, registered below)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of

#: Roles that draft, review or oversee enterprise standards.
ROLES = {
    Membership.Role.ENTERPRISE_USER,
    Membership.Role.STATION_STAFF,
    Membership.Role.EXPERT,
    Membership.Role.REGULATOR,
}


def nav_item(user, current: str = ""):
    """企业标准起草, as an entry of the 标准 menu; None for roles that have nothing to do there."""
    scope = scope_of(user)
    if not (scope.is_admin or ROLES & scope.roles):
        return None
    return NavItem(
        _("企业标准起草"), reverse("drafting:list"), "bi-file-earmark-text", current.startswith("drafting:")
    )


register("drafting", nav_item)
