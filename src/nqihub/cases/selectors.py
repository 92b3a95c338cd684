"""Scoped reads of cases and articles.

Cases: published ones are public (anyone, no login); the others only within
``core.scoping.visible(user, Case)`` — the enterprise's users, the station's staff, regulators of the
region subtree, platform admins. Articles: published ones are public; drafts are seen by editors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from nqihub.core.models import Membership
from nqihub.core.regions import is_code, prefix
from nqihub.core.scoping import prefix_q, visible

from . import services
from .models import Article, ArticleCategory, Case
from .suggest import Hit, rank_articles, rank_cases, text_terms


def case_q(user) -> Q:
    return Q(status=Case.Status.PUBLISHED) | visible(user, Case)


def _cases(user) -> QuerySet:
    # region__parent__parent: the full name (county, city, province) of every listed case, without a query each.
    return Case.objects.filter(case_q(user)).select_related(
        "industry", "region__parent__parent", "enterprise", "station"
    )


@dataclass
class Page:
    items: list[Hit]
    count: int
    terms: list[str]


def case_search(
    *,
    fetched_by,
    q: str = "",
    industry: str | None = None,
    element: str | None = None,
    region: str | None = None,
    status: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Page:
    """Ranked by BM25 when ``q`` is given, newest first otherwise. ``industry`` matches the class and its
    ancestors (a division finds its classes)."""
    qs = _cases(fetched_by)
    if industry:
        qs = qs.filter(industry__code__startswith=industry)
    if element:
        qs = qs.filter(nqi_elements__contains=f",{element},")
    if region and is_code(region):
        qs = qs.filter(prefix_q("region_id", prefix(region)))
    if status:
        qs = qs.filter(status=status)
    return _search_page(qs, q, rank_cases, ("-published_at", "-id"), limit, offset)


def case_get(*, fetched_by, pk: int) -> Case:
    """Raises ``Case.DoesNotExist`` outside the user's scope (the caller answers 404)."""
    return _cases(fetched_by).select_related("request", "published_by").get(pk=pk)


def consent_pending(*, fetched_by) -> QuerySet:
    """Cases awaiting the consent of the user's enterprise."""
    orgs = Membership.objects.filter(user_id=fetched_by.pk, role=Membership.Role.ENTERPRISE_USER).values(
        "organisation_id"
    )
    return _cases(fetched_by).filter(
        status=Case.Status.AWAITING_CONSENT, enterprise__organisation_id__in=orgs
    )


def _search_page(qs, q: str, rank, ordering: tuple, limit: int, offset: int) -> Page:
    """The page of ``qs`` ranked by ``rank`` (BM25) against the query's terms, or in ``ordering`` without
    a query."""
    qterms = text_terms(q)
    if qterms:
        hits = rank(qterms, qs, limit=None)
        return Page(hits[offset : offset + limit], len(hits), qterms)
    qs = qs.order_by(*ordering)
    return Page([Hit(obj, 0.0) for obj in qs[offset : offset + limit]], qs.count(), [])


def article_q(user) -> Q:
    if getattr(user, "is_authenticated", False) and services.is_editor(user):
        return Q(pk__isnull=False)
    return Q(is_published=True)


def article_search(
    *, fetched_by, q: str = "", category: str | None = None, limit: int = 20, offset: int = 0
) -> Page:
    qs = Article.objects.filter(article_q(fetched_by)).select_related("category")
    if category:
        qs = qs.filter(category__slug=category)
    return _search_page(qs, q, rank_articles, ("category__order", "-published_at", "-id"), limit, offset)


def article_get(*, fetched_by, pk: int) -> Article:
    return Article.objects.filter(article_q(fetched_by)).select_related("category").get(pk=pk)


def categories() -> QuerySet:
    return ArticleCategory.objects.all()
