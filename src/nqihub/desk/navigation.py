"""Menu of the desk for the layout (``web.context_processors.build_navigation``, registered below):
服务需求 for every member, 我的工单 for experts and institution staff, and the 提交需求 button for
enterprise users and station staff."""

from django.urls import reverse
from django.utils.translation import pgettext_lazy

from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem, register
from nqihub.core.scoping import scope_of


def menu(user, current: str = "") -> list[NavItem]:
    scope = scope_of(user)
    items = []
    if scope.roles or scope.is_admin:
        items.append(
            NavItem(
                pgettext_lazy("navbar", "服务需求"),
                reverse("desk:request-list"),
                "bi-chat-square-text",
                current.startswith(("desk:request-", "desk:index")),
            )
        )
    if {Membership.Role.EXPERT, Membership.Role.INSTITUTION_STAFF} & scope.roles:
        items.append(
            NavItem(
                pgettext_lazy("navbar", "我的工单"),
                reverse("desk:assignment-list"),
                "bi-person-workspace",
                current.startswith("desk:assignment-"),
            )
        )
    return items


def quick_actions(user, current: str = "") -> list[NavItem]:
    if not {Membership.Role.ENTERPRISE_USER, Membership.Role.STATION_STAFF} & scope_of(user).roles:
        return []
    return [
        NavItem(
            pgettext_lazy("navbar", "提交需求"),
            reverse("desk:request-create"),
            "bi-plus-lg",
            current == "desk:request-create",
        )
    ]


register("desk", menu)
register("quick_actions", quick_actions)
