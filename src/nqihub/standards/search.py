"""Full-text search of the standards catalog: one interface, two backends picked by the database vendor.

Both sides use ``core.search``'s jieba segmentation: ``Standard.search_text`` holds the search-mode terms of
title and number, space-separated. A query is cut into words (precise mode); each word W matches a record
holding W itself or all of W's own search-mode sub-terms (``甲醛含量`` → 甲醛含量 | (甲醛 & 含量)); all words must
match (AND).

- SQLite: FTS5 table ``standards_standard_fts`` (rowid = standard id, unicode61 tokenizer: a jieba term
  is a whole token, so two-character words such as 甲醛 are found — the trigram tokenizer would return
  nothing for them), ranked by ``bm25``. ``index_standards`` keeps it in sync; services call it.
- PostgreSQL: ``to_tsvector('simple', search_text) @@ to_tsquery('simple', …)`` served by a GIN expression
  index, ranked by ``ts_rank``.

Number-aware: a query that parses as a standard number (with or without year) is looked up by
``canonical`` / ``code_without_year`` first; those hits come before the text matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from nqihub.core.search import _jieba, terms

from .models import Standard
from .numbers import parse_standard_number

FTS_TABLE = "standards_standard_fts"
_WORD = re.compile(r"\w", re.UNICODE)


# --- index maintenance -----------------------------------------------------------------------------------


def index_standards(rows: list[tuple[int, str]]) -> None:
    """(id, search_text) pairs → the SQLite FTS5 table. A no-op elsewhere (PostgreSQL indexes the column)."""
    if connection.vendor != "sqlite" or not rows:
        return
    with connection.cursor() as cur:
        cur.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows])  # noqa: S608 - constant table name
        cur.executemany(f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (%s, %s)", rows)  # noqa: S608


def unindex_standards(ids: list[int]) -> None:
    if connection.vendor != "sqlite" or not ids:
        return
    with connection.cursor() as cur:
        cur.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608


def rebuild_index() -> int:
    """Re-fill the FTS5 table from ``search_text`` (SQLite); returns the number of rows indexed."""
    if connection.vendor != "sqlite":
        return Standard.objects.count()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608
        cur.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM standards_standard"  # noqa: S608
        )
        return cur.rowcount


# --- the query ---------------------------------------------------------------------------------------------


def query_words(q: str) -> list[list[str]]:
    """[[W, sub-terms of W…], …]: each precise-mode word of ``q`` with its search-mode alternatives."""
    out: list[list[str]] = []
    seen: set[str] = set()
    for word in _jieba().cut((q or "").strip().lower()):
        word = word.strip()
        if not word or not _WORD.search(word) or word in seen:
            continue
        seen.add(word)
        subs = [t for t in terms(word) if t != word]
        out.append([word, *subs])
    return out


def highlight_terms(q: str) -> list[str]:
    found: dict[str, None] = {}
    for group in query_words(q):
        for t in group:
            found.setdefault(t, None)
    return list(found)


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _fts_match(words: list[list[str]]) -> str:
    parts = []
    for word, *subs in words:
        alt = _fts_quote(word)
        if len(subs) > 1:
            alt = f"({alt} OR ({' AND '.join(_fts_quote(s) for s in subs)}))"
        elif len(subs) == 1:
            alt = f"({alt} OR {_fts_quote(subs[0])})"
        parts.append(alt)
    return " AND ".join(parts)


def _ts_quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _ts_query(words: list[list[str]]) -> str:
    parts = []
    for word, *subs in words:
        alt = _ts_quote(word)
        if subs:
            alt = f"({alt} | ({' & '.join(_ts_quote(s) for s in subs)}))"
        parts.append(alt)
    return " & ".join(parts)


@dataclass
class SearchResult:
    items: list[Standard]
    total: int
    #: Records found by their number (shown first).
    by_number: list[Standard] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)


def _filters(level, nature, status, ics) -> tuple[list[str], list]:
    where, params = [], []
    for column, value in (("level", level), ("nature", nature), ("status", status)):
        if value:
            where.append(f"s.{column} = %s")
            params.append(value)
    if ics:
        # An ICS field/group also finds its subgroups: a prefix range (index-friendly).
        upper = ics[:-1] + chr(ord(ics[-1]) + 1)
        where.append("s.ics >= %s AND s.ics < %s")
        params.extend([ics, upper])
    return where, params


def number_lookup(q: str) -> list[Standard]:
    """Standards whose number is ``q`` (with year: that version; without: every version, current first)."""
    try:
        parsed = parse_standard_number(q)
    except (ValueError, TypeError):
        return []
    if parsed.year is not None:
        return list(Standard.objects.filter(canonical=parsed.canonical))
    return order_versions(Standard.objects.filter(code_without_year=parsed.code_without_year))


_STATUS_ORDER = {Standard.Status.CURRENT: 0, Standard.Status.UPCOMING: 1, Standard.Status.ABOLISHED: 2}


def order_versions(standards) -> list[Standard]:
    """Current first, then upcoming, then abolished; newer years first within each."""
    return sorted(standards, key=lambda s: (_STATUS_ORDER.get(s.status, 3), -(s.year or 0), s.canonical))


def search_standards(
    q: str,
    level: str | None = None,
    nature: str | None = None,
    status: str | None = None,
    ics: str | None = None,
    limit: int = 25,
    offset: int = 0,
) -> SearchResult:
    """Ranked search. An empty ``q`` lists the catalog (filtered) by number."""
    q = (q or "").strip()
    by_number = (
        [
            s
            for s in number_lookup(q)
            if (not level or s.level == level)
            and (not nature or s.nature == nature)
            and (not status or s.status == status)
            and (not ics or s.ics.startswith(ics))
        ]
        if q
        else []
    )
    words = query_words(q)
    if not q or not words:
        qs = Standard.objects.all()
        for name, value in (("level", level), ("nature", nature), ("status", status)):
            if value:
                qs = qs.filter(**{name: value})
        if ics:
            qs = qs.filter(ics__startswith=ics)
        total = qs.count()
        return SearchResult(
            items=list(qs.order_by("code_without_year", "-year")[offset : offset + limit]), total=total
        )

    where, params = _filters(level, nature, status, ics)
    exclude = [s.pk for s in by_number]
    if exclude:
        where.append(f"s.id NOT IN ({', '.join(['%s'] * len(exclude))})")
        params.extend(exclude)
    extra = (" AND " + " AND ".join(where)) if where else ""
    if connection.vendor == "sqlite":
        match = _fts_match(words)
        base = f"FROM {FTS_TABLE} f JOIN standards_standard s ON s.id = f.rowid WHERE {FTS_TABLE} MATCH %s{extra}"
        count_sql = f"SELECT COUNT(*) {base}"
        page_sql = f"SELECT s.id {base} ORDER BY bm25({FTS_TABLE}), s.canonical LIMIT %s OFFSET %s"
        args = [match, *params]
        tsq = ""
    elif connection.vendor == "postgresql":
        tsq = _ts_query(words)
        vector = "to_tsvector('simple', s.search_text)"
        base = f"FROM standards_standard s WHERE {vector} @@ to_tsquery('simple', %s){extra}"
        count_sql = f"SELECT COUNT(*) {base}"
        page_sql = (
            # Normalisation 1 divides by 1 + log(document length), as bm25 does on SQLite: a short title
            # about the query outranks a long one that mentions it in passing.
            f"SELECT s.id {base} ORDER BY ts_rank({vector}, to_tsquery('simple', %s), 1) DESC, s.canonical "
            "LIMIT %s OFFSET %s"
        )
        args = [tsq, *params]
    else:  # pragma: no cover - other databases: the plain keyword filter
        from nqihub.core.search import keyword_q

        qs = Standard.objects.filter(keyword_q(q)).exclude(pk__in=exclude)
        return SearchResult(items=list(qs[offset : offset + limit]), total=qs.count(), by_number=by_number)

    # The number hits take the first places of page 1.
    n_number = len(by_number)
    start = max(0, offset - n_number)
    page_limit = max(0, limit - max(0, n_number - offset))
    with connection.cursor() as cur:
        cur.execute(count_sql, args)
        total = cur.fetchone()[0]
        ids: list[int] = []
        if page_limit:
            page_args = [tsq, *params, tsq] if connection.vendor == "postgresql" else list(args)
            cur.execute(page_sql, [*page_args, page_limit, start])
            ids = [row[0] for row in cur.fetchall()]
    found = Standard.objects.in_bulk(ids)
    items = [*by_number[offset : offset + limit], *(found[i] for i in ids if i in found)]
    return SearchResult(items=items, total=total + n_number, by_number=by_number, terms=highlight_terms(q))


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` HTML-escaped, each occurrence of one of ``words`` wrapped in ``<mark>`` (longest first)."""
    escaped = escape(text or "")
    parts = sorted({escape(w) for w in words if w and w.strip()}, key=len, reverse=True)
    if not parts:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile("|".join(re.escape(p) for p in parts), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308
