"""Navigation for the layout: what the signed-in user may open, by role (see SPEC §2).

Everything is computed lazily, on first use by a template, so that htmx partials cost no queries.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nqihub.core import navigation as menus
from nqihub.core.models import Membership, Organisation
from nqihub.core.navigation import NavItem
from nqihub.core.scoping import scope_of


@dataclass
class Navigation:
    items: list[NavItem]
    memberships: list[Membership]
    is_admin: bool
    is_regulator: bool
    my_enterprise_url: str | None
    #: The inbox of the notifications app, when it is installed.
    notifications_url: str | None = None
    #: Buttons beside the menus for the user's most frequent task (提交需求).
    quick_actions: list[NavItem] = field(default_factory=list)


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def sees_enterprise_list(scope) -> bool:
    """Regulators, admins and station staff work with lists of enterprises; an enterprise user only
    with its own enterprise (我的企业)."""
    return (
        scope.is_regulator
        or bool(scope.org_ids_of_kind(Organisation.Kind.STATION))
        or Membership.Role.ENTERPRISE_USER not in scope.roles
    )


def build_navigation(request) -> Navigation:
    from nqihub.directory import selectors as directory_selectors

    from . import today
    from .selectors import memberships_of

    user = request.user
    scope = scope_of(user)
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match else ""

    def active(*prefixes: str) -> bool:
        return any(current.startswith(p) for p in prefixes)

    my_enterprise_url = None
    directory_children: list[NavItem] = []
    if sees_enterprise_list(scope):
        directory_children.append(
            NavItem(
                pgettext_lazy("plural", "企业"),
                reverse("directory:enterprise-list"),
                "bi-building",
                active("directory:enterprise-"),
            )
        )
    else:
        own = list(
            directory_selectors.enterprise_list(fetched_by=user)
            .filter(organisation_id__in=scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE))
            .values_list("pk", flat=True)[:2]
        )
        my_enterprise_url = (
            reverse("directory:enterprise-detail", args=[own[0]])
            if len(own) == 1
            else reverse("directory:enterprise-list")
        )
        directory_children.append(
            NavItem(_("我的企业"), my_enterprise_url, "bi-building", active("directory:enterprise-"))
        )
    directory_children += [
        NavItem(
            pgettext_lazy("plural", "技术机构"),
            reverse("directory:institution-list"),
            "bi-clipboard2-pulse",
            active("directory:institution-"),
        ),
        NavItem(
            pgettext_lazy("plural", "服务站"),
            reverse("directory:station-list"),
            "bi-geo-alt",
            active("directory:station-"),
        ),
        NavItem(
            pgettext_lazy("plural", "专家"),
            reverse("directory:expert-list"),
            "bi-person-badge",
            active("directory:expert-"),
        ),
        # Capability search sits with the directory it searches, to keep the bar short enough for
        # the 1366-pixel screens common in government offices.
        NavItem(
            pgettext_lazy("navbar", "能力查询"),
            reverse("directory:capability-search"),
            "bi-search",
            active("directory:capability-"),
        ),
    ]
    if scope.is_regulator or Membership.Role.STATION_STAFF in scope.roles:
        # Self-registered enterprise users wait for the station or regulator of their region.
        directory_children.append(
            NavItem(
                _("企业注册确认"),
                reverse("accounts:registration-list"),
                "bi-person-check",
                active("accounts:registration-"),
            )
        )
    items = [
        NavItem(_("首页"), reverse("web:home"), "bi-house", active("web:home")),
        NavItem(
            pgettext_lazy("navbar", "服务资源库"),
            "",
            "bi-collection",
            any(c.active for c in directory_children),
            directory_children,
        ),
    ]
    # Other apps' pages appear once their routes exist.
    roles = scope.roles
    desk_items: list[NavItem] = []
    quick_actions: list[NavItem] = []
    desk_url = _url("desk:request-list")
    if desk_url and (roles or scope.is_admin):
        desk_items.append(
            NavItem(
                pgettext_lazy("navbar", "服务需求"),
                desk_url,
                "bi-chat-square-text",
                active("desk:request-", "desk:index"),
            )
        )
    assignments_url = _url("desk:assignment-list")
    if assignments_url and {Membership.Role.EXPERT, Membership.Role.INSTITUTION_STAFF} & roles:
        desk_items.append(
            NavItem(
                pgettext_lazy("navbar", "我的工单"),
                assignments_url,
                "bi-person-workspace",
                active("desk:assignment-"),
            )
        )
    create_url = _url("desk:request-create")
    if create_url and {Membership.Role.ENTERPRISE_USER, Membership.Role.STATION_STAFF} & roles:
        quick_actions.append(
            NavItem(
                pgettext_lazy("navbar", "提交需求"),
                create_url,
                "bi-plus-lg",
                current == "desk:request-create",
            )
        )
    items[1:1] = desk_items

    def app_menu(app: str, default=None):
        return menus.menu(app, user, current, default)

    # Standards, with the label checker (labels are checked against standards).
    standards_url = _url("standards:list")
    labels = app_menu("labels")
    drafting = [d for d in [app_menu("drafting")] if d is not None]
    if standards_url and labels is not None:
        items.append(
            NavItem(
                _("标准"),
                "",
                "bi-journal-bookmark",
                active("standards:", "labels:", "drafting:"),
                [
                    NavItem(_("标准检索"), standards_url, "bi-search", active("standards:")),
                    *drafting,
                    *labels.children,
                ],
            )
        )
    elif standards_url:
        items.append(NavItem(_("标准"), standards_url, "bi-journal-bookmark", active("standards:")))
    # Testing, metrology and certification: one menu, a section per app, to keep the bar short enough
    # for the 1366-pixel screens common in government offices.
    sections = []
    testing = app_menu("testing")
    if testing is not None:
        sections.append((_("检验检测"), list(testing.children)))
    sections.append((_("计量"), list(app_menu("metrology", []))))
    sections.append((_("认证"), list(app_menu("certification", []))))
    sections = [(title, children) for title, children in sections if children]
    if sections:
        children = []
        for title, section in sections:
            if len(sections) > 1:
                children.append(NavItem(title, ""))
            children += section
        items.append(
            NavItem(
                _("检测·计量·认证"),
                "",
                "bi-speedometer2",
                active("testing:", "metrology:", "certification:"),
                children=children,
            )
        )
    cooperatives = app_menu("cooperatives")
    if cooperatives is not None:
        items.append(cooperatives)
    # Statistics and the audit log, for regulators.
    stats = app_menu("stats")
    audit_item = (
        NavItem(_("审计日志"), reverse("web:audit-log"), "bi-journal-text", active("web:audit-"))
        if scope.is_regulator
        else None
    )
    if stats is not None:
        if audit_item is not None:
            stats.children = [*stats.children, audit_item]
            stats.active = stats.active or audit_item.active
        items.append(stats)
    elif audit_item is not None:
        items.append(audit_item)
    _set_badges(items, today.badges(user))
    if scope.is_admin and user.is_staff:
        admin_url = _url("admin:index")
        if admin_url:
            items.append(NavItem(_("管理后台"), admin_url, "bi-gear"))
    return Navigation(
        items=items,
        memberships=memberships_of(user),
        is_admin=scope.is_admin,
        is_regulator=scope.is_regulator,
        my_enterprise_url=my_enterprise_url,
        notifications_url=_url("notifications:inbox"),
        quick_actions=quick_actions,
    )


#: Which work counts (``web.today`` item keys, by prefix) each entry's badge adds up.
BADGE_KEYS = {
    "web:home": ("total",),
    "desk:request-list": ("desk.",),
    "desk:assignment-list": ("assignments.",),
    "testing:order-list": ("testing.receive", "testing.test", "testing.review", "testing.approve"),
    "metrology:booking-list": ("metrology.requested", "metrology.results"),
}


def _set_badges(items: list[NavItem], counts: dict[str, int]) -> None:
    if not counts:
        return
    urls = {}
    for name, keys in BADGE_KEYS.items():
        url = _url(name)
        if url:
            urls[url] = sum(n for key, n in counts.items() if any(key.startswith(k) for k in keys))
    for item in items:
        item.badge = urls.get(item.url, 0)
        for child in item.children:
            child.badge = urls.get(child.url, 0)
        if item.children and not item.badge:
            item.badge = sum(c.badge for c in item.children)


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav": None}
    return {"nav": SimpleLazyObject(lambda: build_navigation(request))}
