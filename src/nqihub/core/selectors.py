"""Reads of the reference data every app's forms and filters pick from: regions (GB/T 2260) and industries
(GB/T 4754). Public reference data, not scoped; ``region_filter_choices`` offers the user's own subtree.
Plus ``filter_given``, the optional criteria of every app's list selectors."""

from django.core.cache import cache
from django.db.models import Q

from .models import Industry, Organisation, Region
from .regions import NATIONAL, is_code, prefix
from .scoping import scope_of

OPTION_LIMIT = 30


def filter_given(qs, **lookups):
    """``qs.filter(**lookups)`` with only the lookups whose value is given (truthy): a list's optional
    criteria, where an empty one means "any"."""
    return qs.filter(**{lookup: value for lookup, value in lookups.items() if value})


def region_label_for(code: str) -> str:
    if not is_code(code):
        return ""
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    return region.full_name() if region else ""


def industry_label_for(code: str) -> str:
    industry = Industry.objects.filter(code=(code or "").strip().upper()).first()
    return str(industry) if industry else ""


def region_options(q: str, level: str = "") -> list[tuple[str, str]]:
    """Regions whose name contains ``q`` or whose code starts with it: ``[(code, full name)]``."""
    q = (q or "").strip()
    if not q:
        return []
    qs = Region.objects.select_related("parent__parent").exclude(name="市辖区").exclude(code=NATIONAL)
    qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__contains=q)
    if level in Region.Level.values:
        qs = qs.filter(level=level)
    return [(r.code, r.full_name()) for r in qs.order_by("code")[:OPTION_LIMIT]]


def industry_options(q: str) -> list[tuple[str, str]]:
    q = (q or "").strip()
    if not q:
        return []
    qs = Industry.objects.filter(Q(code__istartswith=q) | Q(name__contains=q))
    return [(i.code, i.name) for i in qs.order_by("code")[:OPTION_LIMIT]]


def region_roots(user) -> list[Region]:
    """The top regions of what the user can see: the country for admins, the regulator regions for
    regulators, otherwise the provinces of the user's organisations."""
    scope = scope_of(user)
    if scope.is_admin or "" in scope.regulator_prefixes:
        return list(Region.objects.filter(level=Region.Level.PROVINCE))
    codes = {
        region
        for _id, kind, region in scope.orgs
        if kind == Organisation.Kind.REGULATOR and prefix(region) in scope.regulator_prefixes
    }
    if not codes:
        codes = {p + "0000" for p in scope.home_provinces()}
    return list(Region.objects.filter(code__in=codes))


def region_filter_choices(user, selected: str = "") -> list[tuple[str, str]]:
    """Options for a list page's region filter: the user's top regions, the path down to the selected
    region and the selected region's children (indented), so that one can drill down."""
    roots = region_roots(user)
    root_codes = [r.code for r in roots]
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(region: Region, depth: int) -> None:
        if region.code not in seen:
            seen.add(region.code)
            choices.append((region.code, "\u3000" * depth + region.name))

    selected_region = None
    if is_code(selected):
        selected_region = Region.objects.select_related("parent__parent").filter(code=selected).first()
    within = selected_region is not None and any(
        selected_region.code.startswith(prefix(code)) for code in root_codes
    )
    if not within:
        for root in roots:
            add(root, 0)
        if len(roots) == 1:
            for child in Region.objects.filter(parent_id=roots[0].code).exclude(name="市辖区"):
                add(child, 1)
        return choices
    # Path from the root containing the selected region down to it.
    path = []
    node = selected_region
    while node is not None:
        path.append(node)
        if node.code in root_codes:
            break
        node = node.parent
    for root in roots:
        if root.code == path[-1].code:
            for depth, region in enumerate(reversed(path)):
                add(region, depth)
            for child in Region.objects.filter(parent_id=selected_region.code).exclude(name="市辖区"):
                add(child, len(path))
        else:
            add(root, 0)
    return choices


def industry_division_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """GB/T 4754 divisions grouped by section, for a ``<select>`` with optgroups (reference data that
    changes only when ``load_reference`` runs: cached for an hour)."""
    cached = cache.get(INDUSTRY_CHOICES_KEY)
    if cached is None:
        cached = _industry_division_choices()
        cache.set(INDUSTRY_CHOICES_KEY, cached, 3600)
    return cached


INDUSTRY_CHOICES_KEY = "web:industry-division-choices:v1"


def _industry_division_choices():
    sections = {i.code: i for i in Industry.objects.filter(level=Industry.Level.SECTION)}
    groups: dict[str, list[tuple[str, str]]] = {}
    for division in Industry.objects.filter(level=Industry.Level.DIVISION).order_by("code"):
        groups.setdefault(division.parent_id, []).append((division.code, f"{division.code} {division.name}"))
    return [(f"{code} {sections[code].name}", groups[code]) for code in sorted(groups) if code in sections]
