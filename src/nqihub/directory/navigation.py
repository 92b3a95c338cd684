"""Menu of the directory for the layout (``web.context_processors.build_navigation``, registered below):
服务资源库 — enterprises (or 我的企业), institutions, stations, experts, capability search, and the
confirmation of self-registered enterprise users for station staff and regulators."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nqihub.core.models import Membership, Organisation
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of

from . import selectors


def sees_enterprise_list(scope) -> bool:
    """Regulators, admins and station staff work with lists of enterprises; an enterprise user only
    with its own enterprise (我的企业)."""
    return (
        scope.is_regulator
        or bool(scope.org_ids_of_kind(Organisation.Kind.STATION))
        or Membership.Role.ENTERPRISE_USER not in scope.roles
    )


def _my_enterprise_url(user, scope) -> str:
    own = list(
        selectors.enterprise_list(fetched_by=user)
        .filter(organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE))
        .values_list("pk", flat=True)[:2]
    )
    if len(own) == 1:
        return reverse("directory:enterprise-detail", args=[own[0]])
    return reverse("directory:enterprise-list")


def menu(user, current: str = "") -> NavItem:
    scope = scope_of(user)

    def entry(label, name: str, icon: str, prefix: str, url: str = "") -> NavItem:
        return NavItem(label, url or reverse(name), icon, current.startswith(prefix))

    if sees_enterprise_list(scope):
        enterprises = entry(
            pgettext_lazy("plural", "企业"),
            "directory:enterprise-list",
            "bi-building",
            "directory:enterprise-",
        )
    else:
        enterprises = entry(
            _("我的企业"), "", "bi-building", "directory:enterprise-", _my_enterprise_url(user, scope)
        )
    children = [
        enterprises,
        entry(
            pgettext_lazy("plural", "技术机构"),
            "directory:institution-list",
            "bi-clipboard2-pulse",
            "directory:institution-",
        ),
        entry(
            pgettext_lazy("plural", "服务站"), "directory:station-list", "bi-geo-alt", "directory:station-"
        ),
        entry(
            pgettext_lazy("plural", "专家"), "directory:expert-list", "bi-person-badge", "directory:expert-"
        ),
        # Capability search sits with the directory it searches, to keep the bar short enough for
        # the 1366-pixel screens common in government offices.
        entry(
            pgettext_lazy("navbar", "能力查询"),
            "directory:capability-search",
            "bi-search",
            "directory:capability-",
        ),
    ]
    if scope.is_regulator or Membership.Role.STATION_STAFF in scope.roles:
        # Self-registered enterprise users wait for the station or regulator of their region.
        children.append(
            entry(
                _("企业注册确认"), "accounts:registration-list", "bi-person-check", "accounts:registration-"
            )
        )
    return NavItem(
        pgettext_lazy("navbar", "服务资源库"),
        "",
        "bi-collection",
        any(c.active for c in children),
        children,
    )


register("directory", menu)
