"""Menu of the labels app for the layout (``web.context_processors.build_navigation``, registered below)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nqihub.core.navigation import NavItem, register


def menu(user, current: str = ""):
    """标识标签 for everyone signed in: the checker and its rules (the pages are open to anonymous users too)."""
    if not getattr(user, "is_authenticated", False):
        return None
    children = [
        NavItem(_("标签合规检查"), reverse("labels:check"), "bi-ui-checks", current == "labels:check"),
        NavItem(_("标签规则说明"), reverse("labels:rules"), "bi-book", current == "labels:rules"),
    ]
    return NavItem(_("标签"), "", "bi-tags", current.startswith("labels:"), children=children)


register("labels", menu)
