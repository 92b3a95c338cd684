"""The layout's menu entries, registered by the apps that own them (issue 15: web imports no app).

Each app with pages of its own has a ``navigation`` module whose function builds its entries for a user
(``fn(user, current)`` where ``current`` is "namespace:url_name" of the page, for the active mark), and
registers it under the app's label by giving the app a :class:`MenuAppConfig`::

    class LabelsConfig(navigation.MenuAppConfig):  # after ``from nqihub.core import navigation``
        name = "nqihub.labels"
        label = "labels"

``web.context_processors.build_navigation`` arranges the menus by name with :func:`menu`; an app that is
not installed, or that registered nothing under that name, has no entry.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import AppConfig


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


def menu(name: str, user, current: str = "", default: Any = None) -> Any:
    """What the app registered as ``name`` builds for ``user``, or ``default`` when nothing is registered."""
    fn = _MENUS.get(name)
    return default if fn is None else fn(user, current)


class MenuAppConfig(AppConfig):
    """An app with a menu: ``ready`` registers ``<app>.navigation.<menu_function>`` under the app's label.

    An app with more wiring overrides ``ready`` and calls ``super().ready()`` first. Subclass it as
    ``navigation.MenuAppConfig``: a second AppConfig class named in the app's ``apps.py`` would leave Django
    unable to tell which one is the app's.
    """

    #: The builder's name in the app's ``navigation`` module.
    menu_function = "menu"

    def ready(self) -> None:
        menus = import_module(f"{self.name}.navigation")
        register(self.label, getattr(menus, self.menu_function))
