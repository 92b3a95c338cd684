"""Cases and knowledge routes (mounted under /api/v1): case and article search, suggestions.

Published cases and articles are readable without a token; unpublished ones only within the caller's
scope (404 otherwise). ``POST /suggest`` needs a token. Article writes (``POST /articles``,
``PATCH /articles/{id}``, ``POST /articles/{id}/publish`` and ``/unpublish``) need an editor's token
(regulators and platform admins; 403 otherwise).
"""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from nqihub.accounts.api import BearerAuth
from nqihub.core.api import MAX_PAGE_SIZE, OPTIONAL_TOKEN, PAGE_SIZE
from nqihub.core.bounds import Id, PageNumber
from nqihub.core.errors import ValidationFailed
from nqihub.core.http import get_or_404

from . import selectors, services
from .models import Article, Case
from .suggest import suggest

router = Router(tags=["cases"])


class _OptionalBearer(BearerAuth):
    """A valid token identifies the caller; no token reads as anonymous (public records only)."""

    def __call__(self, request):
        result = super().__call__(request)
        return result if result is not None else True


class HitOut(Schema):
    id: int
    title: str
    score: float
    matched_terms: list[str]
    url: str


class ExpertHitOut(Schema):
    id: int
    name: str
    title: str
    score: float
    matched_terms: list[str]


class SuggestIn(Schema):
    text: str = Field("", max_length=5000)


class SuggestOut(Schema):
    terms: list[str]
    cases: list[HitOut]
    articles: list[HitOut]
    experts: list[ExpertHitOut]


class CaseOut(Schema):
    id: int
    title: str
    status: str
    enterprise: str
    region: str
    industry: str | None
    nqi_elements: list[str]
    standards: list[str]
    problem: str
    solution: str
    result: str
    cost_saved: float | None
    loss_avoided: float | None
    published_at: str | None
    is_demo: bool
    score: float | None = None
    matched_terms: list[str] = []


class CasePage(Schema):
    items: list[CaseOut]
    count: int


class ArticleOut(Schema):
    id: int
    title: str
    category: str
    kind: str
    summary: str
    body: str
    version: int
    is_published: bool
    is_demo: bool
    score: float | None = None
    matched_terms: list[str] = []


class ArticlePage(Schema):
    items: list[ArticleOut]
    count: int


class ErrorBody(Schema):
    detail: object


def _user(request):
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _case_out(case: Case, score=None, matched=None) -> dict:
    return {
        "id": case.pk,
        "title": case.title,
        "status": case.status,
        "enterprise": case.public_enterprise_name,
        "region": case.region.full_name() if case.region_id else "",
        "industry": case.industry_id,
        "nqi_elements": case.element_list,
        "standards": case.standard_list,
        "problem": case.problem,
        "solution": case.solution,
        "result": case.result,
        "cost_saved": float(case.cost_saved) if case.cost_saved is not None else None,
        "loss_avoided": float(case.loss_avoided) if case.loss_avoided is not None else None,
        "published_at": case.published_at.isoformat() if case.published_at else None,
        "is_demo": case.is_demo,
        "score": round(score, 3) if score is not None else None,
        "matched_terms": matched or [],
    }


def _article_out(a: Article, score=None, matched=None) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "category": a.category.name,
        "kind": a.kind,
        "summary": a.summary,
        "body": a.body,
        "version": a.version,
        "is_published": a.is_published,
        "is_demo": a.is_demo,
        "score": round(score, 3) if score is not None else None,
        "matched_terms": matched or [],
    }


class CaseFilter(Schema):
    q: str = Field("", description="中文关键词（结巴分词，BM25 排序）", max_length=100)
    industry: str | None = Field(None, description="国民经济行业代码（含下级）", max_length=16)
    element: str | None = Field(
        None,
        description="NQI 要素：metrology、standards、certification、testing、quality",
        max_length=32,
    )
    region: str | None = Field(None, description="行政区划代码（含下级）", max_length=16)
    page: PageNumber = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _public_get(path: str, response: dict, summary: str):
    """A read route open to anyone: a token only widens what is visible."""
    return router.get(
        path, response=response, auth=_OptionalBearer(), openapi_extra=OPTIONAL_TOKEN, summary=summary
    )


def _offset(filters) -> int:
    return (filters.page - 1) * filters.page_size


def _hits_page(page, out) -> dict:
    """A search page as ``{"items", "count"}``; hits carry a score only when the query was ranked."""
    ranked = bool(page.terms)
    return {
        "items": [out(h.obj, h.score if ranked else None, h.matched_terms) for h in page.items],
        "count": page.count,
    }


@_public_get("/cases", response={200: CasePage, 422: ErrorBody}, summary="Search cases")
def case_list(request, filters: Query[CaseFilter]):
    page = selectors.case_search(
        fetched_by=_user(request),
        q=filters.q,
        industry=filters.industry,
        element=filters.element,
        region=filters.region,
        limit=filters.page_size,
        offset=_offset(filters),
    )
    return _hits_page(page, _case_out)


@_public_get("/cases/{pk}", response={200: CaseOut, 404: ErrorBody}, summary="One case")
def case_detail(request, pk: Id):
    return _case_out(get_or_404(selectors.case_get, fetched_by=_user(request), pk=pk))


class ArticleFilter(Schema):
    q: str = Field("", description="中文关键词", max_length=100)
    category: str | None = Field(None, description="分类标识", max_length=64)
    page: PageNumber = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


@_public_get("/articles", response={200: ArticlePage, 422: ErrorBody}, summary="Search articles")
def article_list(request, filters: Query[ArticleFilter]):
    page = selectors.article_search(
        fetched_by=_user(request),
        q=filters.q,
        category=filters.category,
        limit=filters.page_size,
        offset=_offset(filters),
    )
    return _hits_page(page, _article_out)


@_public_get("/articles/{pk}", response={200: ArticleOut, 404: ErrorBody}, summary="One article")
def article_detail(request, pk: Id):
    return _article_out(get_or_404(selectors.article_get, fetched_by=_user(request), pk=pk))


@router.post(
    "/suggest",
    response={200: SuggestOut, 401: ErrorBody, 422: ErrorBody},
    summary="Suggest similar cases, articles and experts",
)
def suggest_route(request, payload: SuggestIn):
    text = (payload.text or "").strip()
    if not text:
        raise ValidationFailed({"text": _("请输入需求描述。")})
    return suggest(text, fetched_by=request.auth)


class ArticleIn(Schema):
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20000)
    category: str = Field(..., description="分类 id 或标识", max_length=64)
    summary: str = Field("", max_length=500)
    kind: str = Field(Article.Kind.GUIDANCE, description="guidance 或 policy", max_length=10)
    source: str = Field("", max_length=255)


class ArticlePatch(Schema):
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=20000)
    category: str | None = Field(None, description="分类 id 或标识", max_length=64)
    summary: str | None = Field(None, max_length=500)
    kind: str | None = Field(None, max_length=10)
    source: str | None = Field(None, max_length=255)


def _editable(request, pk: Id) -> Article:
    return get_or_404(selectors.article_get, fetched_by=request.auth, pk=pk)


def _fresh(pk: Id) -> Article:
    return Article.objects.select_related("category").get(pk=pk)


@router.post(
    "/articles",
    response={201: ArticleOut, 401: ErrorBody, 403: ErrorBody, 422: ErrorBody},
    summary="Create an article",
)
def article_create(request, payload: ArticleIn):
    article = services.article_create(data=services.ArticleData(**payload.dict()), by=request.auth)
    return Status(201, _article_out(_fresh(article.pk)))


@router.patch(
    "/articles/{pk}",
    response={200: ArticleOut, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody},
    summary="Edit an article (a new version)",
)
def article_update(request, pk: Id, payload: ArticlePatch):
    article = _editable(request, pk)
    changes = payload.dict(exclude_unset=True)
    if any(v is None for v in changes.values()):
        raise ValidationFailed({next(k for k, v in changes.items() if v is None): _("不能为空。")})
    data = services.ArticleData(
        title=changes.get("title", article.title),
        body=changes.get("body", article.body),
        category=changes.get("category", article.category_id),
        summary=changes.get("summary", article.summary),
        kind=changes.get("kind", article.kind),
        source=changes.get("source", article.source),
    )
    article = services.article_update(article=article, data=data, by=request.auth)
    return _article_out(_fresh(article.pk))


def _set_published(request, pk: Id, published: bool):
    article = _editable(request, pk)
    services.article_set_published(article=article, published=published, by=request.auth)
    return _article_out(_fresh(article.pk))


@router.post(
    "/articles/{pk}/publish",
    response={200: ArticleOut, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody},
    summary="Publish an article",
)
def article_publish(request, pk: Id):
    return _set_published(request, pk, True)


@router.post(
    "/articles/{pk}/unpublish",
    response={200: ArticleOut, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody},
    summary="Withdraw an article",
)
def article_unpublish(request, pk: Id):
    return _set_published(request, pk, False)
