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
  ``desk.dispatch`` ranks them (``rank_experts``) and adds this text score to desk's structured dispatch
  signals (``dispatch_experts``); the BM25 primitives are ``core.bm25``.

Each item carries ``matched_terms`` — the query terms found in it — so the ranking explains itself.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Case as SqlCase
from django.db.models import FloatField, Q, QuerySet, Sum, Value, When

from nqihub.core.bm25 import K1, MAX_QUERY_TERMS, B, Hit, bm25, idf, rank_texts, text_terms  # noqa: F401
from nqihub.desk.dispatch import SOLVED_LIMIT, TEXT_WEIGHT, dispatch_experts, rank_experts  # noqa: F401

from . import corpus
from .models import Article, Case, CaseTerm

#: Cases scored exactly per query.
CANDIDATES = 300
#: Postings read (in SQL) to find the candidates; the most common query terms beyond it only score.
POSTINGS_BUDGET = 50_000


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


# --- the whole suggestion -------------------------------------------------------------------------------


def published_cases() -> QuerySet:
    return Case.objects.filter(status=Case.Status.PUBLISHED)


def published_articles() -> QuerySet:
    return Article.objects.filter(is_published=True)


def _item(hit: Hit, **fields) -> dict:
    """A suggestion: the record's id and ``fields``, with the hit's score and matched terms."""
    return {"id": hit.obj.pk, **fields, "score": round(hit.score, 3), "matched_terms": hit.matched_terms}


def case_item(hit: Hit) -> dict:
    return _item(hit, title=hit.obj.title, url=f"/cases/{hit.obj.pk}/")


def article_item(hit: Hit) -> dict:
    return _item(hit, title=hit.obj.title, url=f"/cases/articles/{hit.obj.pk}/")


def expert_item(hit: Hit) -> dict:
    return _item(hit, name=hit.obj.name, title=hit.obj.title)


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
