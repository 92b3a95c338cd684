"""Scoped reads of the service desk: every function takes the acting user (``fetched_by``).

Visibility = ``core.scoping.visible(user, ServiceRequest)`` (the enterprise's users, the routed station's
staff, institution staff with a live assignment, regulators of the county's subtree) ∪ the requests
assigned to the user's expert profile. Internal notes, attachments, links and events are shown only to
those who handle or supervise the request (``services.sees_internal``) and to their author.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Industry, Membership
from nqihub.core.regions import closeness, is_code, prefix
from nqihub.core.scoping import prefix_q, scope_of, visible
from nqihub.core.search import keyword_q, terms
from nqihub.core.selectors import filter_given
from nqihub.directory.matching import vocabulary_map
from nqihub.directory.models import Enterprise, Expert, NqiElement, Parameter, ProductCategory, StationArea
from nqihub.directory.vocabulary import normalise, split_synonyms

from . import services, states
from .dispatch import Suggestion, dispatch_experts
from .models import CATEGORY_ELEMENT, Assignment, Attachment, Event, Link, Note, ServiceRequest

LIVE_ASSIGNMENTS = [Assignment.Status.OFFERED, Assignment.Status.ACCEPTED, Assignment.Status.COMPLETED]


def request_q(user) -> Q:
    """The requests ``user`` may see (``core.policy``: an expert's assigned requests included)."""
    return visible(user, ServiceRequest)


def _base(user) -> QuerySet:
    return ServiceRequest.objects.filter(request_q(user)).select_related(
        "enterprise", "station", "region", "industry", "handling_region"
    )


def request_list(
    *,
    fetched_by,
    status: str | None = None,
    category: str | None = None,
    region: str | None = None,
    station: int | None = None,
    enterprise: int | None = None,
    overdue: bool | None = None,
    q: str = "",
    handled_by=None,
) -> QuerySet:
    """``handled_by``: only the requests on which that user has acted (the station's 我处理的)."""
    qs = _base(fetched_by)
    if status:
        qs = qs.filter(status__in=[s for s in status.split(",") if s])
    if category:
        qs = qs.filter(categories__contains=f",{category},")
    if region and is_code(region):
        qs = qs.filter(prefix_q("region_id", prefix(region)))
    qs = filter_given(qs, station_id=station, enterprise_id=enterprise)
    if overdue is not None:
        qs = qs.filter(is_overdue=overdue)
    if q.strip():
        qs = qs.filter(keyword_q(q) | Q(number=q.strip().upper()))
    if handled_by is not None:
        qs = qs.filter(
            pk__in=Event.objects.filter(actor_id=handled_by.pk).exclude(kind="submitted").values("request_id")
        )
    return qs.order_by("-created_at", "-id")


def request_get(*, fetched_by, pk: int) -> ServiceRequest:
    """Raises ``ServiceRequest.DoesNotExist`` outside the user's scope (the caller answers 404)."""
    return (
        _base(fetched_by)
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("expert", "institution"))
        )
        .get(pk=pk)
    )


def assignment_get(*, fetched_by, pk: int) -> Assignment:
    """An assignment of a request the user may see."""
    return Assignment.objects.select_related("expert", "institution", "request").get(
        pk=pk, request__in=ServiceRequest.objects.filter(request_q(fetched_by)).values("pk")
    )


def my_assignments(*, fetched_by, status: str | None = None) -> QuerySet:
    """Assignments given to the user's expert profile or to institutions the user works for."""
    inst_orgs = Membership.objects.filter(user=fetched_by, role=Membership.Role.INSTITUTION_STAFF).values(
        "organisation_id"
    )
    qs = Assignment.objects.filter(
        Q(expert__user_id=fetched_by.pk) | Q(institution__organisation_id__in=inst_orgs)
    ).select_related("request", "expert", "institution")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def assignee_rating(assignee) -> tuple[float | None, int]:
    """(average score, count) of the enterprises' ratings of an expert's or an institution's assignments."""
    field = "expert" if assignee._meta.model_name == "expert" else "institution"
    row = Assignment.objects.filter(**{field: assignee}, rating_score__isnull=False).aggregate(
        average=Avg("rating_score"), count=Count("id")
    )
    average = row["average"]
    return (round(float(average), 1) if average is not None else None), row["count"]


def _internal_filter(qs: QuerySet, user, req: ServiceRequest, author_field: str) -> QuerySet:
    if services.sees_internal(user, req):
        return qs
    return qs.filter(Q(internal=False) | Q(**{author_field: user.pk}))


def timeline(*, fetched_by, request: ServiceRequest) -> QuerySet:
    qs = Event.objects.filter(request=request).select_related("actor")
    return _internal_filter(qs, fetched_by, request, "actor_id").order_by("at", "id")


def notes(*, fetched_by, request: ServiceRequest) -> QuerySet:
    return _internal_filter(
        Note.objects.filter(request=request).select_related("author"), fetched_by, request, "author_id"
    )


def attachments(*, fetched_by, request: ServiceRequest) -> QuerySet:
    return _internal_filter(Attachment.objects.filter(request=request), fetched_by, request, "uploaded_by_id")


def attachment_get(*, fetched_by, request: ServiceRequest, pk: int) -> Attachment:
    return attachments(fetched_by=fetched_by, request=request).get(pk=pk)


def links(*, fetched_by, request: ServiceRequest) -> QuerySet:
    return _internal_filter(Link.objects.filter(request=request), fetched_by, request, "created_by_id")


def allowed_actions(*, fetched_by, request: ServiceRequest) -> list[str]:
    """Which request actions the user could take now (for buttons; the services check again)."""
    user = fetched_by
    actions = []
    possible = set(states.allowed_actions(request.status))
    triage = services.can_triage(user, request)
    enterprise = services.is_enterprise_user(user, request)
    for action in ("accept", "reject", "reroute", "dispatch", "resolve"):
        if action in possible and triage:
            actions.append(action)
    if "rate" in possible and enterprise:
        actions.append("rate")
    if "withdraw" in possible and enterprise:
        actions.append("withdraw")
    if "close" in possible and (triage or services.is_regulator_of(user, request)):
        actions.append("close")
    return actions


def overdue_list(*, fetched_by) -> QuerySet:
    return request_list(fetched_by=fetched_by, overdue=True).filter(status__in=states.OPEN)


# --- dispatch suggestions ----------------------------------------------------------------------------


def _industry_chain(code: str | None) -> list[str]:
    """The class and its ancestors (1431 → 1431, 143, 14, C) as stored in the Industry table."""
    chain = []
    node = Industry.objects.filter(code=code).first() if code else None
    while node is not None:
        chain.append(node.code)
        node = node.parent
    return chain


def mentioned_parameters(text: str) -> list[str]:
    """Test parameters (vocabulary names) whose name or a synonym occurs in ``text``."""
    haystack = normalise(text)
    found = []
    for name, synonyms in Parameter.objects.values_list("name", "synonyms"):
        for candidate in [name, *split_synonyms(synonyms)]:
            key = normalise(candidate)
            if len(key) >= 2 and key in haystack:
                found.append(name)
                break
    return found


def suggest_experts(request: ServiceRequest, fetched_by, *, limit: int = 10) -> list[Suggestion]:
    """Experts the user may see in the request's province, ranked by fields of expertise (the request's
    categories), industry, keyword overlap with the request text, nearness and lower open workload."""
    text_terms = set(terms(" ".join([request.title, request.description, request.product])))
    elements = {CATEGORY_ELEMENT[c] for c in request.category_list if c in CATEGORY_ELEMENT}
    industries = _industry_chain(request.industry_id)
    qs = (
        Expert.objects.filter(visible(fetched_by, Expert))
        .filter(prefix_q("region_id", request.region_id[:2]))
        .exclude(availability=Expert.Availability.AWAY)
        .prefetch_related("industries")
    )[:500]
    labels = {k: str(v) for k, v in _element_labels()}
    results = []
    for expert in qs:
        score, reasons = 0.0, []
        common_elements = [e for e in expert.elements if e in elements]
        if common_elements:
            score += 3 * len(common_elements)
            reasons.append("服务领域：" + "、".join(labels.get(e, e) for e in common_elements))
        expert_industries = {i.code for i in expert.industries.all()}
        hit = next((code for code in industries if code in expert_industries), None)
        if hit:
            score += 3 if hit == request.industry_id else 1.5
            reasons.append(f"擅长行业：{hit}")
        keyword_terms = set(terms(expert.keywords)) | set(terms(expert.title))
        matched = sorted(text_terms & keyword_terms)
        if matched:
            score += len(matched)
            reasons.append("专长关键词：" + "、".join(matched))
        if score <= 0:
            continue
        near = closeness(expert.region_id, request.region_id)
        score += 0.5 * near
        score -= 0.5 * expert.open_workload
        reasons.append(f"在办工单 {expert.open_workload} 件")
        results.append(
            Suggestion(
                "expert",
                expert.pk,
                expert.name,
                score,
                reasons,
                matched,
                expert.open_workload,
                {3: "同县", 2: "同市", 1: "同省"}.get(near, ""),
            )
        )
    results.sort(key=lambda s: (-s.score, s.open_workload or 0, s.name))
    return results[:limit]


def _element_labels():
    return NqiElement.choices


def industry_products(industry_code: str | None) -> list[str]:
    """Product-vocabulary names that the request's industry names (the class and its ancestors: 1431 米、面制品制造
    → 143 方便食品制造 → 14 食品制造业 → 食品): a hint of what the enterprise makes when the text says little."""
    chain = _industry_chain(industry_code)
    if not chain:
        return []
    names = " ".join(Industry.objects.filter(code__in=chain).values_list("name", flat=True))
    vmap = vocabulary_map(ProductCategory)
    rows = dict(ProductCategory.objects.filter(pk__in=vmap.contained_ids(names)).values_list("pk", "name"))
    return [rows[pk] for pk in vmap.contained_ids(names) if pk in rows]


def suggest_institutions(request: ServiceRequest, fetched_by, *, limit: int = 10) -> list[Suggestion]:
    """Institutions whose capability scope covers the test parameters the request mentions, then those
    whose scope covers the request's product, then its industry's products (capability match from the
    directory), nearest first. A request that names no parameter ("螺蛳粉保质期短") still finds the labs
    that test the product."""
    try:
        from nqihub.directory.matching import capability_match
    except ImportError:
        return []

    text = " ".join([request.title, request.description, request.product])
    params = mentioned_parameters(text)
    by_inst: dict[int, Suggestion] = {}
    products: dict[int, list[str]] = {}

    def _run(**kw):
        try:
            return capability_match(fetched_by=fetched_by, region=request.region_id, limit=20, **kw)
        except ValidationFailed:
            return []

    def _get(m) -> Suggestion:
        s = by_inst.get(m.id)
        if s is None:
            s = by_inst[m.id] = Suggestion("institution", m.id, m.name, 0.0, [], [], None, m.closeness)
        return s

    for param in params:
        matches = _run(parameter=param, product=request.product)
        if not matches and request.product:
            matches = _run(parameter=param)
        for m in matches:
            s = _get(m)
            s.matched_terms.append(param)
            s.score += 3 + (m.rank or 0) * 0.5
    product_queries = [(request.product, 2.0)] if request.product else []
    product_queries += [(name, 1.0) for name in industry_products(request.industry_id)]
    for product, weight in product_queries:
        for m in _run(parameter="", product=product):
            s = _get(m)
            covered = products.setdefault(m.id, [])
            label = m.lines[0].product.name if m.lines and m.lines[0].product_id else product
            if label in covered:
                continue
            covered.append(label)
            s.score += weight + (m.rank or 0) * 0.5
    for pk, s in by_inst.items():
        if s.matched_terms:
            s.reasons.append("能力范围覆盖检测项目：" + "、".join(s.matched_terms))
        if products.get(pk):
            s.reasons.append("能力范围覆盖产品：" + "、".join(products[pk]))
        if s.closeness:
            s.reasons.append(f"距离：{s.closeness}")
    return sorted(by_inst.values(), key=lambda s: (-len(s.matched_terms), -s.score, s.name))[:limit]


def suggest_assignees(request: ServiceRequest, fetched_by) -> dict:
    """Ranked, explainable dispatch suggestions: ``{"experts": [...], "institutions": [...], "parameters": [...]}``.

    Experts: the structured signals of ``suggest_experts`` re-ranked with the cases engine's text score
    (profile and past solved requests, ``desk.dispatch.dispatch_experts``), its matched terms shown."""
    return {
        "experts": dispatch_experts(request, fetched_by, suggest_experts(request, fetched_by, limit=50)),
        "institutions": suggest_institutions(request, fetched_by),
        "parameters": mentioned_parameters(" ".join([request.title, request.description, request.product])),
    }


# --- intake --------------------------------------------------------------------------------------------


def intake_enterprises(*, fetched_by, limit: int = 500) -> QuerySet:
    """The enterprises the user may file a request for: their own (enterprise users) ∪, for station staff,
    the enterprises in their stations' service areas (filed on a visit or at the window); admins: any."""
    scope = scope_of(fetched_by)
    qs = Enterprise.objects.filter(visible(fetched_by, Enterprise)).select_related("region", "industry")
    if scope.is_admin:
        return qs.order_by("name")[:limit]
    q = Q(
        organisation__memberships__user_id=fetched_by.pk,
        organisation__memberships__role=Membership.Role.ENTERPRISE_USER,
    )
    if Membership.Role.STATION_STAFF in scope.roles:
        station_orgs = Membership.objects.filter(
            user_id=fetched_by.pk, role=Membership.Role.STATION_STAFF
        ).values("organisation_id")
        q |= Q(
            region_id__in=StationArea.objects.filter(station__organisation_id__in=station_orgs).values(
                "region_id"
            )
        )
    return qs.filter(q).distinct().order_by("name")[:limit]
