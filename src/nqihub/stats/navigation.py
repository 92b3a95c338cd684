"""Menu of the stats app for the layout (``web.context_processors.build_navigation``, registered below)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of


def menu(user, current: str = ""):
    """统计分析 (dashboard, big screen, yearly targets, periodic reports, public figures) for regulators and admins."""
    if not scope_of(user).is_regulator:
        return None
    children = [
        NavItem(
            _("统计看板"),
            reverse("stats:dashboard"),
            "bi-bar-chart-line",
            current in ("stats:dashboard", "stats:records"),
        ),
        NavItem(_("数据大屏"), reverse("stats:screen"), "bi-display", current == "stats:screen"),
        NavItem(_("年度目标"), reverse("stats:targets"), "bi-bullseye", current == "stats:targets"),
        NavItem(
            _("统计报表"),
            reverse("stats:report-list"),
            "bi-file-earmark-bar-graph",
            current.startswith("stats:report-"),
        ),
        NavItem(_("公开统计"), reverse("stats:public"), "bi-globe", current == "stats:public"),
    ]
    return NavItem(_("统计分析"), "", "bi-graph-up", any(c.active for c in children), children)


register("stats", menu)
