"""Ranked, explainable suggestions: the solved cases, guidance articles and experts most similar to a text.

Ranking is BM25 (k1 = 1.2, b = 0.75) over jieba terms: the query's terms are ``core.search.terms`` (the
same segmentation that fills every ``search_text``), a document's terms are its ``search_text``.

- Cases: N, the average length and the document frequencies come from ``corpus`` (statistics of the
  published corpus kept in step on publish / unpublish / re-index: two primary-key lookups, not an
  aggregate over the corpus). Candidates come from the inverted index ``CaseTerm``: the postings of the
  rarest query terms (jieba's sub-terms folded into the longer term), within ``POSTINGS_BUDGET`` postings,
  summed by idf in SQL over the ``(term, case)`` index alone, best ``CANDIDATES`` kept; the commonest
  terms only score. The candidates are restricted to the caller's queryset (scope, filters) by primary
  key, then scored exactly (BM25 with tf and length) in Python.
- Articles: few; candidates by ``search_text`` containing any query term, scored in Python.
- Experts: their own terms (keywords count twice, then title, bio, fields) plus the ``search_text`` of the
  service requests they solved (completed assignments on requests with outcome solved / partly solved).
  ``dispatch_experts`` adds this text score to desk's structured dispatch signals.

Each item carries ``matched_terms`` — the query terms found in it — so the ranking explains itself.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from operator import or_

from django.db.models import Case as SqlCase
from django.db.models import FloatField, Q, QuerySet, Sum, Value, When

from nqihub.core.search import terms as query_terms

from . import corpus
from .models import Article, Case, CaseTerm

K1 = 1.2
B = 0.75
#: Cases scored exactly per query.
CANDIDATES = 300
#: Postings read (in SQL) to find the candidates; the most common query terms beyond it only score.
POSTINGS_BUDGET = 50_000
#: Past solved requests read per expert ranking (the most recent).
SOLVED_LIMIT = 5_000
#: Weight of the text score in the dispatch ranking, next to desk's structured signals (3 per field, …).
TEXT_WEIGHT = 0.5
MAX_QUERY_TERMS = 40


@dataclass
class Hit:
    obj: object
    score: float
    matched_terms: list[str] = field(default_factory=list)
    #: Experts: per past solved request sharing terms with the text, the shared terms.
    solved: list[list[str]] = field(default_factory=list)


def text_terms(text: str) -> list[str]:
    return [t[:64] for t in query_terms(text)][:MAX_QUERY_TERMS]


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25(tf: int, dl: float, avgdl: float, idf_value: float) -> float:
    return idf_value * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / (avgdl or 1)))


# --- cases ----------------------------------------------------------------------------------------------


def _pre_score_expr(weights: dict[str, float]):
    """SQL: the summed idf of the query terms a case has. It reads only the ``(term, case)`` index (no tf,
    no length), so the aggregation never touches the table."""
    return Sum(
        SqlCase(
            *[When(term=t, then=Value(w)) for t, w in weights.items()],
            default=Value(0.0),
            output_field=FloatField(),
        )
    )


def _generators(qterms: list[str], idfs: dict[str, float]) -> dict[str, float]:
    """The query terms that generate candidates, each weighted with the idf of the terms it stands for.

    jieba's search mode cuts 过氧化值 into 过氧, 氧化, 过氧化 and 过氧化值 — four terms that occur together and
    would read the same cases four times. A term contained in a longer query term is left to it: the longer
    term generates the candidates and carries the shorter ones' weight."""
    maximal = [t for t in qterms if not any(o != t and t in o for o in qterms)]
    weights = {t: idfs[t] for t in maximal}
    for term in qterms:
        longer = [o for o in maximal if o != term and term in o]
        for o in longer:
            weights[o] += idfs[term] / len(longer)
    return weights


def _candidates(qterms: list[str], stats: corpus.Stats, idfs: dict[str, float]) -> tuple[list[int], bool]:
    """Case ids worth scoring exactly, and whether the candidate generation left postings unread.

    Rarest generating terms first (``_generators``): their postings are read — aggregated in SQL, one row
    per case, ordered by the summed idf of the terms the case has — as long as the postings read stay within
    ``POSTINGS_BUDGET``; the terms left over, the most common ones (企业, 问题), do not generate candidates,
    they only add to the score of the candidates. When even the rarest term has more postings than the
    budget, its newest ``CANDIDATES`` cases are the candidates."""
    df = stats.df
    weights = _generators(qterms, idfs)
    order = sorted(weights, key=lambda t: (df[t], t))
    chosen, total = [], 0
    for term in order:
        if chosen and total + df[term] > POSTINGS_BUDGET:
            break
        chosen.append(term)
        total += df[term]
    truncated = len(chosen) < len(order)
    if df[chosen[0]] > POSTINGS_BUDGET:
        ids = list(
            CaseTerm.objects.filter(term=chosen[0])
            .order_by("-case_id")
            .values_list("case_id", flat=True)[:CANDIDATES]
        )
        return ids, True
    rows = (
        CaseTerm.objects.filter(term__in=chosen)
        .values("case_id")
        .annotate(pre=_pre_score_expr({t: weights[t] for t in chosen}))
        .order_by("-pre", "-case_id")
        .values_list("case_id", flat=True)
    )
    ids = list(rows[: CANDIDATES + 1])
    return ids[:CANDIDATES], truncated or len(ids) > CANDIDATES


def rank_cases(qterms: list[str], base: QuerySet, *, limit: int | None = 5) -> list[Hit]:
    """The cases of ``base`` (a ``Case`` queryset: scope and filters applied) ranked against ``qterms``.

    BM25 with the published corpus's statistics (``corpus.read``: N, average length, document frequencies —
    two index lookups), over a bounded candidate set (``_candidates``). The candidates are then restricted
    to ``base`` by primary key, so scope and filters hold; if that leaves fewer than ``limit`` cases while
    the candidate generation skipped postings (a narrow filter, or the user's own unpublished cases), the
    postings of ``base`` are read directly instead."""
    qterms = list(dict.fromkeys(qterms))
    if not qterms:
        return []
    stats = corpus.read(qterms)
    idfs = {t: idf(stats.n_docs, stats.df[t]) for t in qterms}
    ids, truncated = _candidates(qterms, stats, idfs)
    lengths = dict(base.filter(pk__in=ids).values_list("pk", "term_count")) if ids else {}
    if truncated and len(lengths) < len(ids) and len(lengths) < (limit or CANDIDATES):
        scoped = CaseTerm.objects.filter(term__in=qterms, case__in=base.values("pk"))
        ids = list(
            scoped.values("case_id")
            .annotate(pre=_pre_score_expr(idfs))
            .order_by("-pre", "-case_id")
            .values_list("case_id", flat=True)[:CANDIDATES]
        )
        lengths = dict(base.filter(pk__in=ids).values_list("pk", "term_count")) if ids else {}
    if not lengths:
        return []
    rows = CaseTerm.objects.filter(case_id__in=list(lengths), term__in=qterms).values_list(
        "case_id", "term", "tf"
    )
    scores: dict[int, float] = {}
    matched: dict[int, list[str]] = {}
    for case_id, term, tf in rows:
        scores[case_id] = scores.get(case_id, 0.0) + bm25(tf, lengths[case_id] or 1, stats.avgdl, idfs[term])
        matched.setdefault(case_id, []).append(term)
    order = sorted(scores, key=lambda pk: (-scores[pk], -pk))
    if limit is not None:
        order = order[:limit]
    objs = Case.objects.select_related("industry", "region", "enterprise").in_bulk(order)
    position = {t: i for i, t in enumerate(qterms)}
    return [
        Hit(objs[pk], scores[pk], sorted(matched[pk], key=lambda t: position.get(t, 0)))
        for pk in order
        if pk in objs
    ]


# --- articles -------------------------------------------------------------------------------------------


def rank_texts(
    qterms: list[str], docs: list[tuple[object, list[str]]], n_docs: int | None = None
) -> list[Hit]:
    """BM25 over in-memory documents ``(obj, terms)``."""
    if not qterms or not docs:
        return []
    wanted = set(qterms)
    counters = [(obj, Counter(t for t in words if t in wanted), len(words)) for obj, words in docs]
    n_docs = n_docs or len(docs)
    avgdl = sum(length for _, _, length in counters) / len(counters) or 1
    df = Counter(t for _, c, _ in counters for t in c)
    position = {t: i for i, t in enumerate(qterms)}
    hits = []
    for obj, c, length in counters:
        if not c:
            continue
        score = sum(bm25(tf, length, avgdl, idf(n_docs, df[t])) for t, tf in c.items())
        hits.append(Hit(obj, score, sorted(c, key=lambda t: position.get(t, 0))))
    hits.sort(key=lambda h: (-h.score, getattr(h.obj, "pk", 0)))
    return hits


def _any_term(qterms: list[str], field_name: str = "search_text") -> Q:
    return reduce(or_, (Q(**{f"{field_name}__icontains": t}) for t in qterms))


def rank_articles(qterms: list[str], base: QuerySet, *, limit: int | None = 5) -> list[Hit]:
    if not qterms:
        return []
    docs = [
        (a, a.search_text.split()) for a in base.filter(_any_term(qterms)).select_related("category")[:500]
    ]
    hits = rank_texts(qterms, docs, n_docs=max(base.count(), len(docs)))
    return hits[:limit] if limit is not None else hits


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
    from nqihub.core.scoping import visible
    from nqihub.desk.models import Assignment, ServiceRequest
    from nqihub.directory.models import Expert

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
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from nqihub.core.regions import closeness
    from nqihub.core.scoping import prefix_q
    from nqihub.desk.selectors import Suggestion
    from nqihub.directory.models import Expert

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


# --- the whole suggestion -------------------------------------------------------------------------------


def published_cases() -> QuerySet:
    return Case.objects.filter(status=Case.Status.PUBLISHED)


def published_articles() -> QuerySet:
    return Article.objects.filter(is_published=True)


def case_item(hit: Hit) -> dict:
    case = hit.obj
    return {
        "id": case.pk,
        "title": case.title,
        "score": round(hit.score, 3),
        "matched_terms": hit.matched_terms,
        "url": f"/cases/{case.pk}/",
    }


def article_item(hit: Hit) -> dict:
    a = hit.obj
    return {
        "id": a.pk,
        "title": a.title,
        "score": round(hit.score, 3),
        "matched_terms": hit.matched_terms,
        "url": f"/cases/articles/{a.pk}/",
    }


def expert_item(hit: Hit) -> dict:
    e = hit.obj
    return {
        "id": e.pk,
        "name": e.name,
        "title": e.title,
        "score": round(hit.score, 3),
        "matched_terms": hit.matched_terms,
    }


def suggest(text: str, *, fetched_by=None, limit: int = 5) -> dict:
    """``{"cases": [...], "articles": [...], "experts": [...]}`` for ``text`` (published cases and articles;
    the experts ``fetched_by`` may see — all of them when ``None``)."""
    qterms = text_terms(text)
    return {
        "terms": qterms,
        "cases": [case_item(h) for h in rank_cases(qterms, published_cases(), limit=limit)],
        "articles": [article_item(h) for h in rank_articles(qterms, published_articles(), limit=limit)],
        "experts": [expert_item(h) for h in rank_experts(qterms, fetched_by, limit=limit)],
    }
