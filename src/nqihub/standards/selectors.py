"""Reads of the standards app. The catalog is public reference data (any logged-in user); follows and
declarations are scoped (``core.scoping.visible``: the enterprise's members ∪ regulators of its region)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from nqihub.core.scoping import visible

from .models import CcsCode, Declaration, IcsCode, Standard, StandardFollow, StandardProposal
from .numbers import parse_standard_number
from .search import SearchResult, order_versions, search_standards
from .services import can_review_proposals


def standard_search(
    *, fetched_by, q: str = "", level=None, nature=None, status=None, ics=None, limit=25, offset=0
) -> SearchResult:
    return search_standards(q, level=level, nature=nature, status=status, ics=ics, limit=limit, offset=offset)


def standard_get(*, fetched_by, pk) -> Standard:
    return Standard.objects.get(pk=pk)


@dataclass
class Lookup:
    """A number looked up: the version it names (or the current one when no year was given) and the
    other versions."""

    number: str
    standard: Standard | None
    others: list[Standard]
    with_year: bool


def standard_lookup(*, fetched_by, number: str) -> Lookup:
    """``ValueError`` (Chinese reason) when ``number`` is not a standard number."""
    parsed = parse_standard_number(number)
    versions = order_versions(Standard.objects.filter(code_without_year=parsed.code_without_year))
    if parsed.year is not None:
        found = next((s for s in versions if s.canonical == parsed.canonical), None)
        if found is None:
            found = Standard.objects.filter(canonical=parsed.canonical).first()
        others = [s for s in versions if s != found]
        return Lookup(parsed.canonical, found, others, True)
    return Lookup(parsed.canonical, versions[0] if versions else None, versions[1:], False)


def version_chain(*, fetched_by, standard: Standard) -> list[Standard]:
    """Every version of the standard, oldest first: the same number without year, plus what the
    replaces / replaced-by links reach (a new number can replace an old one)."""
    seen: dict[str, Standard] = {}
    todo = [standard]
    while todo and len(seen) < 50:
        std = todo.pop()
        if std.canonical in seen:
            continue
        seen[std.canonical] = std
        codes = {*std.replaces_list(), *std.replaced_by_list()}
        siblings = Standard.objects.filter(code_without_year=std.code_without_year)
        linked = Standard.objects.filter(canonical__in=codes)
        todo.extend(s for s in (*siblings, *linked) if s.canonical not in seen)
    return sorted(
        seen.values(), key=lambda s: (s.implement_date or s.publish_date or _year_date(s), s.canonical)
    )


def _year_date(std: Standard):
    import datetime as dt

    return dt.date(std.year or 1, 1, 1)


def follows_of(*, fetched_by) -> QuerySet:
    return (
        StandardFollow.objects.filter(visible(fetched_by, StandardFollow))
        .select_related("standard", "enterprise")
        .order_by("standard__code_without_year", "-standard__year")
    )


def followed_ids(*, fetched_by, enterprise) -> set[int]:
    if enterprise is None:
        return set()
    return set(StandardFollow.objects.filter(enterprise=enterprise).values_list("standard_id", flat=True))


def declaration_list(*, fetched_by, enterprise_id: int | None = None) -> QuerySet:
    qs = (
        Declaration.objects.filter(visible(fetched_by, Declaration))
        .select_related("enterprise", "standard")
        .prefetch_related("references", "indicators")
    )
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs


def declaration_get(*, fetched_by, pk) -> Declaration:
    """``Declaration.DoesNotExist`` outside the user's scope (404)."""
    return (
        Declaration.objects.filter(visible(fetched_by, Declaration))
        .select_related("enterprise", "standard")
        .prefetch_related("references", "indicators")
        .get(pk=pk)
    )


def public_declarations(*, enterprise_id: int) -> QuerySet:
    """企业标准自我声明公开: an enterprise's declarations, for anyone (no personal data in them)."""
    return (
        Declaration.objects.filter(enterprise_id=enterprise_id)
        .select_related("enterprise", "standard")
        .prefetch_related("references", "indicators")
    )


def proposal_list(*, fetched_by, state: str = ""):
    """Standard proposals: all for admins and regulators (who review them), one's own for anyone else."""
    qs = StandardProposal.objects.select_related("proposed_by", "decided_by", "standard")
    if not can_review_proposals(fetched_by):
        qs = qs.filter(proposed_by=fetched_by)
    if state:
        qs = qs.filter(state=state)
    return qs


def proposal_get(*, fetched_by, pk):
    """``StandardProposal.DoesNotExist`` when the user may not see it (404)."""
    return proposal_list(fetched_by=fetched_by).get(pk=pk)


ICS_OPTION_LIMIT = 30


def ics_options(q: str) -> list[tuple[str, str]]:
    """ICS classes whose code starts with ``q`` or whose Chinese (or English) name contains it:
    ``[(code, "code name")]`` for the type-ahead of the ICS filter."""
    q = (q or "").strip()
    if not q:
        return []
    qs = IcsCode.objects.filter(Q(code__startswith=q) | Q(name_zh__contains=q) | Q(name_en__icontains=q))
    return [(c.code, str(c)) for c in qs.order_by("code")[:ICS_OPTION_LIMIT]]


def ics_label_for(code: str) -> str:
    ics = IcsCode.objects.filter(code=(code or "").strip()).first()
    return str(ics) if ics else ""


def classification_names(std: Standard) -> dict[str, str]:
    """The names of a standard's ICS and CCS classes, shown next to their codes (empty when unknown)."""
    ics = IcsCode.objects.filter(code=std.ics).first() if std.ics else None
    ccs = CcsCode.objects.filter(code=std.ccs).first() if std.ccs else None
    return {
        "ics": ics.name if ics else "",
        "ccs": ccs.name if ccs else "",
        "ics_zh": bool(ics and ics.name_zh),
    }
