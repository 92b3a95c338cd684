"""BM25 (k1 = 1.2, b = 0.75) over jieba terms: the primitives every text ranking uses (cases and guidance
articles in ``cases.suggest``, experts in ``desk.dispatch``). No database: in-memory documents only."""

import math
from collections import Counter
from dataclasses import dataclass, field

from nqihub.core.search import terms as query_terms

K1 = 1.2
B = 0.75
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
