"""BM25 statistics of the published corpus, kept in step with the cases instead of aggregated per query.

``CorpusStat`` (one row: number of published cases, total terms) and ``TermStat`` (per term: the number of
published cases containing it) are what ``suggest.rank_cases`` needs for idf and the average document
length; reading them is two primary-key lookups, whatever the corpus size.

A case is counted exactly when it is published. ``Case.in_stats`` records whether it is counted now; the
flag is flipped by a conditional UPDATE (``... WHERE in_stats = false``), so two transactions can never both
count (or both uncount) the same case. The writes are ``F()`` increments on rows locked in term order:

- ``count(case)`` after publishing or re-indexing a published case,
- ``uncount(case)`` before unpublishing, re-indexing (the old terms are still in ``CaseTerm``) or deleting.

``rebuild()`` recomputes everything from ``CaseTerm`` (migration, bulk loads such as ``bench/suggest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Sum

from .models import Case, CaseTerm, CorpusStat, TermStat


@dataclass(frozen=True)
class Stats:
    n_docs: int
    avgdl: float
    df: dict[str, int]


def read(qterms: list[str]) -> Stats:
    """N, average length and the document frequency of each of ``qterms`` (0 when no published case has it)."""
    row = CorpusStat.objects.filter(pk=1).values_list("n_docs", "total_terms").first() or (0, 0)
    n_docs, total = row
    df = dict(TermStat.objects.filter(term__in=qterms).values_list("term", "df")) if qterms else {}
    return Stats(max(n_docs, 1), (total / n_docs) if n_docs else 1.0, {t: df.get(t, 0) for t in qterms})


def _apply(terms: list[str], length: int, sign: int) -> None:
    terms = sorted(set(terms))
    if sign > 0 and terms:
        TermStat.objects.bulk_create([TermStat(term=t, df=0) for t in terms], ignore_conflicts=True)
    if terms:
        # Lock the rows in one fixed order so that two publications sharing terms cannot deadlock.
        list(
            TermStat.objects.select_for_update()
            .filter(term__in=terms)
            .order_by("term")
            .values_list("pk", flat=True)
        )
        if sign > 0:
            TermStat.objects.filter(term__in=terms).update(df=F("df") + 1)
        else:
            TermStat.objects.filter(term__in=terms, df__gt=0).update(df=F("df") - 1)
    CorpusStat.objects.get_or_create(pk=1)
    if sign > 0:
        CorpusStat.objects.filter(pk=1).update(n_docs=F("n_docs") + 1, total_terms=F("total_terms") + length)
    else:
        CorpusStat.objects.filter(pk=1, n_docs__gt=0, total_terms__gte=length).update(
            n_docs=F("n_docs") - 1, total_terms=F("total_terms") - length
        )


def _terms_and_length(case_id: int) -> tuple[list[str], int]:
    terms = list(CaseTerm.objects.filter(case_id=case_id).values_list("term", flat=True))
    length = Case.objects.filter(pk=case_id).values_list("term_count", flat=True).first() or 0
    return terms, length


@transaction.atomic
def count(case_id: int) -> bool:
    """Count the case if it is published and not counted yet. True when it was counted now."""
    if not Case.objects.filter(pk=case_id, in_stats=False, status=Case.Status.PUBLISHED).update(
        in_stats=True
    ):
        return False
    _apply(*_terms_and_length(case_id), +1)
    return True


@transaction.atomic
def uncount(case_id: int) -> bool:
    """Remove the case from the statistics if it is counted. True when it was removed now."""
    if not Case.objects.filter(pk=case_id, in_stats=True).update(in_stats=False):
        return False
    _apply(*_terms_and_length(case_id), -1)
    return True


def rebuild_with(Case, CaseTerm, CorpusStat, TermStat, published: str = "published") -> dict:
    """Recompute the statistics from scratch with the given model classes (also used by the migration)."""
    Case.objects.exclude(status=published).filter(in_stats=True).update(in_stats=False)
    Case.objects.filter(status=published, in_stats=False).update(in_stats=True)
    agg = Case.objects.filter(status=published).aggregate(n=Count("id"), total=Sum("term_count"))
    CorpusStat.objects.update_or_create(
        pk=1, defaults={"n_docs": agg["n"] or 0, "total_terms": agg["total"] or 0}
    )
    TermStat.objects.all().delete()
    rows = (
        CaseTerm.objects.filter(case__status=published)
        .values("term")
        .annotate(n=Count("id"))
        .values_list("term", "n")
        .order_by()
    )
    TermStat.objects.bulk_create([TermStat(term=t, df=n) for t, n in rows], batch_size=5000)
    return {"n_docs": agg["n"] or 0, "terms": TermStat.objects.count()}


@transaction.atomic
def rebuild() -> dict:
    return rebuild_with(Case, CaseTerm, CorpusStat, TermStat, Case.Status.PUBLISHED)
