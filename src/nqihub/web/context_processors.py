"""Navigation for the layout: what the signed-in user may open, by role (see SPEC §2).

Everything is computed lazily, on first use by a template, so that htmx partials cost no queries.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from nqihub.core import navigation as menus
from nqihub.core.models import Membership
from nqihub.core.navigation import NavItem
from nqihub.core.scoping import scope_of


@dataclass
class Navigation:
    items: list[NavItem]
    memberships: list[Membership]
    is_admin: bool
    is_regulator: bool
    #: The inbox of the notifications app, when it is installed.
    notifications_url: str | None = None
    #: Django's admin site, for platform admins who are staff.
    admin_url: str | None = None
    #: Buttons beside the menus for the user's most frequent task (提交需求).
    quick_actions: list[NavItem] = field(default_factory=list)


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def build_navigation(request) -> Navigation:
    from . import today
    from .selectors import memberships_of

    user = request.user
    scope = scope_of(user)
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match else ""

    def active(*prefixes: str) -> bool:
        return any(current.startswith(p) for p in prefixes)

    def app_menu(app: str, default=None):
        return menus.menu(app, user, current, default)

    items = [NavItem(_("首页"), reverse("web:home"), "bi-house", active("web:home"))]
    items += app_menu("desk", [])
    directory = app_menu("directory")
    if directory is not None:
        items.append(directory)

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
    for app in ("cases", "cooperatives"):
        entry = app_menu(app)
        if entry is not None:
            items.append(entry)
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
    return Navigation(
        items=items,
        memberships=memberships_of(user),
        is_admin=scope.is_admin,
        is_regulator=scope.is_regulator,
        notifications_url=_url("notifications:inbox"),
        # In the user menu, to keep the bar short enough for a 1366-pixel screen.
        admin_url=_url("admin:index") if scope.is_admin and user.is_staff else None,
        quick_actions=app_menu("quick_actions", []),
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
