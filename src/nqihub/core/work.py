"""Today's work (今日待办): the shapes of the home page's blocks and the registry the apps fill (issue 15:
web imports no app; issue 17 item 1: home = today's work per role).

Each app that owns some kind of work has a ``work`` module with providers ``fn(user, scope, today)`` that
return a :class:`WorkSection` (or ``None`` when the user has no such work); the module registers them
when it is imported, and :func:`collect` imports every installed app's ``work`` module once (the way
Django finds ``admin`` modules)::

    work.register(station, order=10)

A provider counts only the user's own work, through the app's scoped selectors, and costs a fixed number
of queries whatever the amount of data (one conditional aggregate per kind of record, a short list of the
most pressing records). Sections with the same ``key`` are merged in ``order``: several apps contribute to
the enterprise's block (待我处理), each with its own items.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

#: Rows listed under a section (the rest is one click away on the list page).
ROWS = 5


@dataclass
class WorkItem:
    key: str
    label: str
    count: int
    url: str
    #: Bootstrap colour when the count is not zero: "danger" (overdue), "warning" (due soon), "primary".
    tone: str = "primary"
    #: Whether the count is work waiting for the user (badges add these up) or information.
    actionable: bool = True


@dataclass
class WorkRow:
    label: str
    detail: str
    url: str
    #: SLA colour: "danger" overdue, "warning" due within a working day, "" otherwise.
    tone: str = ""
    due: datetime.date | None = None


@dataclass
class WorkSection:
    key: str
    title: str
    icon: str
    items: list[WorkItem] = field(default_factory=list)
    rows: list[WorkRow] = field(default_factory=list)
    #: Free text under the counts (the regulator's month-on-month line).
    note: str = ""

    @property
    def total(self) -> int:
        return sum(i.count for i in self.items if i.actionable)


def sla_tone(due: datetime.date | None, overdue: bool, today: datetime.date) -> str:
    if overdue or (due is not None and due < today):
        return "danger"
    if due is not None and due <= today + datetime.timedelta(days=1):
        return "warning"
    return ""


def enterprise_block() -> WorkSection:
    """The enterprise's block (待我处理), to which several apps add their items."""
    return WorkSection("enterprise", _("待我处理"), "bi-building")


Provider = Callable[[Any, Any, datetime.date], "WorkSection | None"]
_PROVIDERS: list[tuple[float, str, Provider]] = []
_discovered = False


def register(fn: Provider, *, order: float) -> None:
    """Add a provider; ``order`` places its section (and its items within a merged section)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _PROVIDERS[:] = [p for p in _PROVIDERS if p[1] != name]
    _PROVIDERS.append((order, name, fn))
    _PROVIDERS.sort(key=lambda p: (p[0], p[1]))


def collect(user, scope, today: datetime.date) -> list[WorkSection]:
    """Every registered provider's section for the user, same keys merged, in order."""
    global _discovered
    if not _discovered:
        autodiscover_modules("work")
        _discovered = True
    merged: dict[str, WorkSection] = {}
    for _order, _name, fn in _PROVIDERS:
        section = fn(user, scope, today)
        if section is None:
            continue
        first = merged.get(section.key)
        if first is None:
            merged[section.key] = section
        else:
            first.items += section.items
            first.rows += section.rows
            first.note = " ".join(n for n in (str(first.note), str(section.note)) if n)
    return list(merged.values())
