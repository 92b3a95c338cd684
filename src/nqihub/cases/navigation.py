"""Menu of cases and knowledge for the layout (``web.context_processors.build_navigation``, registered
below): 典型案例 and 知识库 for everyone signed in, the cases waiting for an enterprise's consent."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of


def menu(user, current: str = "") -> NavItem:
    children = [
        NavItem(
            _("典型案例"),
            reverse("cases:list"),
            "bi-lightbulb",
            current.startswith("cases:case-") or current == "cases:list",
        ),
        NavItem(_("知识库"), reverse("cases:articles"), "bi-book", current.startswith("cases:article")),
    ]
    if Membership.Role.ENTERPRISE_USER in scope_of(user).roles:
        children.append(
            NavItem(
                _("待确认的典型案例"),
                reverse("cases:consent-pending"),
                "bi-check2-square",
                current == "cases:consent-pending",
            )
        )
    return NavItem(_("案例与知识"), "", "bi-lightbulb", any(c.active for c in children), children)


register("cases", menu)
