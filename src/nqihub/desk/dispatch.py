"""Dispatch suggestions for a service request: the ``Suggestion`` type desk's structured signals
(``selectors.suggest_experts`` / ``suggest_institutions``) produce, and the text side of the expert ranking —
BM25 (``core.bm25``) over each expert's profile plus the service requests they solved. ``cases.suggest``
uses ``rank_experts`` for its "experts for this question" list; nothing here imports ``cases``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nqihub.core.bm25 import Hit, rank_texts, text_terms
from nqihub.core.regions import closeness
from nqihub.core.scoping import prefix_q, visible
from nqihub.core.search import terms as query_terms
from nqihub.directory.models import Expert

from .models import Assignment, ServiceRequest

#: Past solved requests read per expert ranking (the most recent).
SOLVED_LIMIT = 5_000
#: Weight of the text score in the dispatch ranking, next to desk's structured signals (3 per field, …).
TEXT_WEIGHT = 0.5


@dataclass
class Suggestion:
    assignee_type: str
    assignee_id: int
    name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    matched_terms: list[str] = field(default_factory=list)
    open_workload: int | None = None
    closeness: str = ""

    def as_dict(self) -> dict:
        return {
            "assignee_type": self.assignee_type,
            "assignee_id": self.assignee_id,
            "name": self.name,
            "score": round(self.score, 2),
            "reasons": self.reasons,
            "matched_terms": self.matched_terms,
            "open_workload": self.open_workload,
            "closeness": self.closeness,
        }


# --- experts --------------------------------------------------------------------------------------------


@lru_cache(maxsize=20_000)
def _segmented(text: str) -> tuple[str, ...]:
    """jieba terms of an expert's keywords (cached: the same few thousand strings are cut on every keystroke)."""
    return tuple(query_terms(text))


def rank_experts(
    qterms: list[str],
    fetched_by=None,
    *,
    limit: int | None = 5,
    experts: QuerySet | None = None,
    exclude_request: int | None = None,
) -> list[Hit]:
    """Experts ranked by BM25 over their profile (keywords count twice) plus the text of the service
    requests they solved — their completed assignments on requests with outcome solved / partly solved, the
    ``SOLVED_LIMIT`` most recent. Each hit's ``solved`` lists, per such request that shares query terms with
    the text, the terms it shares (no request numbers: those requests may be outside the reader's scope)."""
    if not qterms:
        return []
    qs = experts if experts is not None else Expert.objects.all()
    if fetched_by is not None:
        qs = qs.filter(visible(fetched_by, Expert))
    qs = qs.exclude(availability=Expert.Availability.AWAY)
    docs: dict[int, list[str]] = {}
    objs = {}
    fields = (
        "pk",
        "name",
        "title",
        "keywords",
        "bio",
        "search_text",
        "nqi_elements",
        "region_id",
        "open_workload",
    )
    for expert in qs.only(*fields)[:2000]:
        own = (
            expert.search_text.split()
            if expert.search_text
            else list(_segmented(f"{expert.name} {expert.title} {expert.bio}"))
        )
        docs[expert.pk] = own + list(_segmented(expert.keywords))
        objs[expert.pk] = expert
    solved = (
        Assignment.objects.filter(
            expert_id__in=list(objs),
            status=Assignment.Status.COMPLETED,
            request__outcome__in=[ServiceRequest.Outcome.SOLVED, ServiceRequest.Outcome.PARTLY_SOLVED],
        )
        .exclude(request_id=exclude_request)
        .order_by("-request__resolved_at", "-pk")
        .values_list("expert_id", "request_id", "request__search_text")[:SOLVED_LIMIT]
    )
    wanted = set(qterms)
    shared: dict[int, dict[int, list[str]]] = {}
    for expert_id, request_id, text in solved:
        words = text.split()
        docs[expert_id].extend(words)
        common = wanted.intersection(words)
        if common:
            shared.setdefault(expert_id, {})[request_id] = sorted(common, key=qterms.index)
    hits = rank_texts(qterms, [(objs[pk], words) for pk, words in docs.items()])
    for hit in hits:
        hit.solved = list(shared.get(hit.obj.pk, {}).values())
    return hits[:limit] if limit is not None else hits


def dispatch_experts(request, fetched_by, structured: list, *, limit: int = 10) -> list:
    """The expert suggestions of the dispatch form: desk's structured signals (``structured``: fields of
    service, industry, keyword overlap, nearness, open workload — ``desk.selectors.suggest_experts``) plus
    this engine's text score (``TEXT_WEIGHT`` × BM25 of the request's title, description and product against
    each expert's profile and past solved requests). Experts of the request's province the user may see;
    one the text alone recommends joins the list. ``matched_terms`` are the engine's; a reason names how
    many of the expert's past solved requests share terms with this one, and which terms."""
    qterms = text_terms(" ".join([request.title, request.description, request.product or ""]))
    province = Expert.objects.filter(prefix_q("region_id", request.region_id[:2]))
    hits = rank_experts(qterms, fetched_by, limit=None, experts=province, exclude_request=request.pk)
    by_id = {s.assignee_id: s for s in structured}
    for hit in hits:
        expert = hit.obj
        if expert.pk in by_id:
            continue
        near = closeness(expert.region_id, request.region_id)
        by_id[expert.pk] = Suggestion(
            "expert",
            expert.pk,
            expert.name,
            0.5 * near - 0.5 * expert.open_workload,
            [_("在办工单 %(n)s 件") % {"n": expert.open_workload}],
            [],
            expert.open_workload,
            {3: _("同县"), 2: _("同市"), 1: _("同省")}.get(near, ""),
        )
    for hit in hits:
        s = by_id[hit.obj.pk]
        s.score += TEXT_WEIGHT * hit.score
        s.matched_terms = list(dict.fromkeys(hit.matched_terms + list(s.matched_terms)))
        s.reasons.insert(0, _("文本相关度 %(score).1f（专长与过往解决的需求）") % {"score": hit.score})
        if hit.solved:
            terms = list(dict.fromkeys(t for words in hit.solved for t in words))
            s.reasons.insert(
                1,
                ngettext(
                    "过往解决的 %(n)s 件需求与本需求相似，匹配词：%(terms)s",
                    "过往解决的 %(n)s 件需求与本需求相似，匹配词：%(terms)s",
                    len(hit.solved),
                )
                % {"n": len(hit.solved), "terms": "、".join(terms[:8])},
            )
    ranked = sorted(by_id.values(), key=lambda s: (-s.score, s.open_workload or 0, s.name))
    return ranked[:limit]
