"""Ranked, explainable suggestions: the solved cases, guidance articles and experts most similar to a text.

Ranking is BM25 (k1 = 1.2, b = 0.75) over jieba terms: the query's terms are ``core.search.terms`` (the
same segmentation that fills every ``search_text``), a document's terms are its ``search_text``.

- Cases: the inverted index ``CaseTerm`` answers in SQL — document frequencies (one GROUP BY over the
  query terms), candidate generation (the postings of the rarest query terms, at most ``CANDIDATES`` cases),
  then the postings of those candidates; Python only scores the few hundred candidates.
- Articles: few; candidates by ``search_text`` containing any query term, scored in Python.
- Experts: their own terms (keywords count twice, then title, bio, fields) plus the ``search_text`` of the
  service requests they solved (completed assignments on requests with outcome solved / partly solved).

Each item carries ``matched_terms`` — the query terms found in it — so the ranking explains itself.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Avg, Count, Q, QuerySet

from nqihub.core.search import terms as query_terms

from .models import Article, Case, CaseTerm

K1 = 1.2
B = 0.75
CANDIDATES = 400
MAX_QUERY_TERMS = 40


@dataclass
class Hit:
    obj: object
    score: float
    matched_terms: list[str] = field(default_factory=list)


def text_terms(text: str) -> list[str]:
    return [t[:64] for t in query_terms(text)][:MAX_QUERY_TERMS]


def idf(n_docs: int, df: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))


def bm25(tf: int, dl: float, avgdl: float, idf_value: float) -> float:
    return idf_value * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / (avgdl or 1)))


# --- cases ----------------------------------------------------------------------------------------------


def rank_cases(qterms: list[str], base: QuerySet, *, limit: int | None = 5) -> list[Hit]:
    """The cases of ``base`` (a ``Case`` queryset: scope and filters applied) ranked against ``qterms``."""
    if not qterms:
        return []
    postings = CaseTerm.objects.filter(term__in=qterms, case__in=base.values("pk"))
    df = dict(postings.values_list("term").annotate(n=Count("id")).values_list("term", "n"))
    if not df:
        return []
    stats = base.aggregate(n=Count("id"), avgdl=Avg("term_count"))
    n_docs, avgdl = stats["n"] or 1, float(stats["avgdl"] or 1)
    # Candidates: the postings of the rarest terms first, until CANDIDATES cases are reached.
    chosen, total = [], 0
    for term in sorted(df, key=lambda t: df[t]):
        if chosen and total + df[term] > CANDIDATES:
            break
        chosen.append(term)
        total += df[term]
    candidate_ids = list(
        postings.filter(term__in=chosen).values_list("case_id", flat=True).distinct()[: CANDIDATES * 2]
    )
    rows = CaseTerm.objects.filter(case_id__in=candidate_ids, term__in=list(df)).values_list("case_id", "term", "tf")
    lengths = dict(Case.objects.filter(pk__in=candidate_ids).values_list("pk", "term_count"))
    scores: dict[int, float] = {}
    matched: dict[int, list[str]] = {}
    idfs = {t: idf(n_docs, df[t]) for t in df}
    for case_id, term, tf in rows:
        scores[case_id] = scores.get(case_id, 0.0) + bm25(tf, lengths.get(case_id, avgdl), avgdl, idfs[term])
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


def rank_texts(qterms: list[str], docs: list[tuple[object, list[str]]], n_docs: int | None = None) -> list[Hit]:
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
    docs = [(a, a.search_text.split()) for a in base.filter(_any_term(qterms)).select_related("category")[:500]]
    hits = rank_texts(qterms, docs, n_docs=max(base.count(), len(docs)))
    return hits[:limit] if limit is not None else hits


# --- experts --------------------------------------------------------------------------------------------


def rank_experts(qterms: list[str], fetched_by=None, *, limit: int = 5, experts: QuerySet | None = None) -> list[Hit]:
    from nqihub.core.scoping import visible
    from nqihub.core.search import segment
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
    for expert in qs.only("pk", "name", "title", "keywords", "bio", "search_text", "nqi_elements", "region_id")[:2000]:
        own = expert.search_text.split() if expert.search_text else segment(expert.name, expert.title, expert.bio).split()
        docs[expert.pk] = own + segment(expert.keywords).split()
        objs[expert.pk] = expert
    solved = Assignment.objects.filter(
        expert_id__in=list(objs),
        status=Assignment.Status.COMPLETED,
        request__outcome__in=[ServiceRequest.Outcome.SOLVED, ServiceRequest.Outcome.PARTLY_SOLVED],
    ).values_list("expert_id", "request__search_text")
    for expert_id, text in solved:
        docs[expert_id].extend(text.split())
    hits = rank_texts(qterms, [(objs[pk], words) for pk, words in docs.items()])
    return hits[:limit]


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
