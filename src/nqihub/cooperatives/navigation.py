"""Menu of the cooperatives app for the layout (``web.context_processors.build_navigation``, registered below)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of


def menu(user, current: str = ""):
    """质量合作社 for cooperative staff, enterprise users (members, or to apply) and regulators."""
    scope = scope_of(user)
    if not (
        scope.is_regulator
        or scope.roles & {Membership.Role.COOPERATIVE_ADMIN, Membership.Role.ENTERPRISE_USER}
    ):
        return None
    from . import selectors

    active = current.startswith("cooperatives:")
    mine = selectors.my_cooperative_ids(user)
    if not mine and not scope.is_regulator and not selectors.cooperative_list(fetched_by=user).exists():
        return None  # an enterprise with no cooperative in its province
    children = []
    if len(mine) == 1:
        pk = mine[0]
        children = [
            NavItem(
                _("合作社概览"),
                reverse("cooperatives:detail", args=[pk]),
                "bi-people",
                current == "cooperatives:detail",
            ),
            NavItem(
                _("登记检验"),
                reverse("cooperatives:inspect", args=[pk]),
                "bi-clipboard-check",
                current in ("cooperatives:inspect", "cooperatives:inspection-record"),
            ),
            NavItem(
                _("不合格项"),
                reverse("cooperatives:ncs", args=[pk]),
                "bi-exclamation-triangle",
                current.startswith("cooperatives:nc"),
            ),
            NavItem(
                _("合格率"),
                reverse("cooperatives:pass-rates", args=[pk]),
                "bi-graph-up",
                current == "cooperatives:pass-rates",
            ),
        ]
    children.append(
        NavItem(
            _("全部合作社"),
            reverse("cooperatives:list") + "?all=1",
            "bi-list-ul",
            current == "cooperatives:list",
        )
    )
    return NavItem(_("质量合作社"), reverse("cooperatives:list"), "bi-people", active, children)


register("cooperatives", menu)
