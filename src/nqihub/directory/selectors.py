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


def _scoped(model, fetched_by, *related) -> QuerySet:
    return model.objects.filter(visible(fetched_by, model)).select_related(*related)


def _listed(model, fetched_by, q: str, region: str | None, *related) -> QuerySet:
    """The records of ``model`` in the user's scope matching the keywords and under the region."""
    qs = _scoped(model, fetched_by, *related)
    if q:
        qs = qs.filter(keyword_q(q))
    return _region_filter(qs, region)


def enterprise_list(
    *,
    fetched_by,
    q: str = "",
    region: str | None = None,
    industry: str | None = None,
    scale: str | None = None,
) -> QuerySet:
    qs = _scoped(Enterprise, fetched_by, "region__parent__parent", "industry")
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
    return _scoped(Enterprise, fetched_by, "region", "industry").get(pk=pk)


def institution_list(
    *, fetched_by, q: str = "", region: str | None = None, kind: str | None = None
) -> QuerySet:
    qs = _listed(Institution, fetched_by, q, region, "region__parent__parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def institution_get(*, fetched_by, pk) -> Institution:
    return _scoped(Institution, fetched_by, "region").get(pk=pk)


def scope_lines_of(*, fetched_by, institution: Institution) -> QuerySet:
    return ScopeLine.objects.filter(visible(fetched_by, ScopeLine), institution=institution)


def station_list(
    *, fetched_by, q: str = "", region: str | None = None, industry: str | None = None
) -> QuerySet:
    qs = _listed(Station, fetched_by, q, region, "region__parent__parent")
    if industry:
        qs = qs.filter(industries__code__startswith=industry).distinct()
    return qs


def station_get(*, fetched_by, pk) -> Station:
    return _scoped(Station, fetched_by, "region").get(pk=pk)


def expert_list(
    *, fetched_by, q: str = "", region: str | None = None, element: str | None = None
) -> QuerySet:
    qs = _listed(Expert, fetched_by, q, region, "region__parent__parent", "organisation")
    if element:
        qs = qs.filter(nqi_elements__contains=f",{element},")
    return qs


def expert_get(*, fetched_by, pk) -> Expert:
    return _scoped(Expert, fetched_by, "region", "organisation").get(pk=pk)


# --- the enterprises' ratings of an expert's or institution's work ------------------------------------

#: ``fn(expert_or_institution) -> (average, count)``, registered by the app that keeps the ratings (the
#: desk: ``DeskConfig.ready``); the directory knows nothing of assignments.
_rating_source = None


def register_rating_source(fn) -> None:
    global _rating_source
    _rating_source = fn


def service_rating(*, fetched_by, obj) -> tuple[float | None, int] | None:
    """(average 1–5 or None, count) of the enterprises' ratings of ``obj`` (an Expert or Institution), for
    station staff and regulators; None for anybody else (or with no rating source)."""
    from nqihub.core.policy import station_orgs
    from nqihub.core.scoping import scope_of

    scope = scope_of(fetched_by)
    if _rating_source is None or not (scope.is_regulator or station_orgs(scope)):
        return None
    return _rating_source(obj)
