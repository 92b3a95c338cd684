"""Scoped reads of the directory: every function takes the acting user first."""

from django.db.models import Q, QuerySet

from nqihub.core.scoping import visible
from nqihub.core.search import keyword_q

from .models import Enterprise, Expert, Institution, ScopeLine, Station


def _region_filter(qs: QuerySet, region: str | None) -> QuerySet:
    if region:
        from nqihub.core.regions import is_code, prefix
        from nqihub.core.scoping import prefix_q

        if is_code(region):
            qs = qs.filter(prefix_q("region_id", prefix(region)))
    return qs


def enterprise_list(
    *,
    fetched_by,
    q: str = "",
    region: str | None = None,
    industry: str | None = None,
    scale: str | None = None,
) -> QuerySet:
    qs = Enterprise.objects.filter(visible(fetched_by, Enterprise)).select_related(
        "region__parent__parent", "industry"
    )
    if q:
        qs = qs.filter(keyword_q(q) | Q(uscc=q.strip().upper()))
    qs = _region_filter(qs, region)
    if industry:
        qs = qs.filter(
            Q(industry_id=industry)
            | Q(industry__parent_id=industry)
            | Q(industry__parent__parent_id=industry)
            | Q(industry__parent__parent__parent_id=industry)
        )
    if scale:
        qs = qs.filter(scale=scale)
    return qs


def enterprise_get(*, fetched_by, pk) -> Enterprise:
    """Raises Enterprise.DoesNotExist outside the user's scope (the caller answers 404)."""
    return (
        Enterprise.objects.filter(visible(fetched_by, Enterprise))
        .select_related("region", "industry")
        .get(pk=pk)
    )


def institution_list(
    *, fetched_by, q: str = "", region: str | None = None, kind: str | None = None
) -> QuerySet:
    qs = Institution.objects.filter(visible(fetched_by, Institution)).select_related("region__parent__parent")
    if q:
        qs = qs.filter(keyword_q(q))
    qs = _region_filter(qs, region)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def institution_get(*, fetched_by, pk) -> Institution:
    return Institution.objects.filter(visible(fetched_by, Institution)).select_related("region").get(pk=pk)


def scope_lines_of(*, fetched_by, institution: Institution) -> QuerySet:
    return ScopeLine.objects.filter(visible(fetched_by, ScopeLine), institution=institution)


def station_list(
    *, fetched_by, q: str = "", region: str | None = None, industry: str | None = None
) -> QuerySet:
    qs = Station.objects.filter(visible(fetched_by, Station)).select_related("region__parent__parent")
    if q:
        qs = qs.filter(keyword_q(q))
    qs = _region_filter(qs, region)
    if industry:
        qs = qs.filter(industries__code__startswith=industry).distinct()
    return qs


def station_get(*, fetched_by, pk) -> Station:
    return Station.objects.filter(visible(fetched_by, Station)).select_related("region").get(pk=pk)


def expert_list(
    *, fetched_by, q: str = "", region: str | None = None, element: str | None = None
) -> QuerySet:
    qs = Expert.objects.filter(visible(fetched_by, Expert)).select_related(
        "region__parent__parent", "organisation"
    )
    if q:
        qs = qs.filter(keyword_q(q))
    qs = _region_filter(qs, region)
    if element:
        qs = qs.filter(nqi_elements__contains=f",{element},")
    return qs


def expert_get(*, fetched_by, pk) -> Expert:
    return (
        Expert.objects.filter(visible(fetched_by, Expert)).select_related("region", "organisation").get(pk=pk)
    )
