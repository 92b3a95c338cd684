"""The layout's menu entries, registered by the apps that own them (issue 15: web imports no app).

Each app with pages of its own has a ``navigation`` module whose function builds its entries for a user
(``fn(user, current)`` where ``current`` is "namespace:url_name" of the page, for the active mark), and
registers it when the module is imported; :func:`menu` imports every installed app's ``navigation``
module once (the way Django finds ``admin`` modules)::

    register("labels", menu)

``web.context_processors.build_navigation`` arranges the menus by name with :func:`menu`; an app that is
not installed, or that registered nothing under that name, has no entry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules


@dataclass
class NavItem:
    label: str
    url: str
    icon: str = ""
    active: bool = False
    children: list["NavItem"] = field(default_factory=list)
    #: Work waiting behind this entry (今日待办, from ``web.today.badges``); 0 shows nothing.
    badge: int = 0


#: name → fn(user, current) returning a NavItem, a list of NavItems or None (the shape is the name's).
_MENUS: dict[str, Callable[[Any, str], Any]] = {}


def register(name: str, fn: Callable[[Any, str], Any]) -> None:
    _MENUS[name] = fn


_discovered = False


def menu(name: str, user, current: str = "", default: Any = None) -> Any:
    """What the app registered as ``name`` builds for ``user``, or ``default`` when nothing is registered."""
    global _discovered
    if not _discovered:
        autodiscover_modules("navigation")
        _discovered = True
    fn = _MENUS.get(name)
    return default if fn is None else fn(user, current)
