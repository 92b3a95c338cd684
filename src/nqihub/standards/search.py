"""Full-text search of the standards catalog: one interface, two backends picked by the database vendor.

``Standard.search_text`` (``index_text``) holds jieba's search-mode terms of title, number and English title,
followed by the character bigrams of every CJK run of the text (and the run's last character), in order:
人造草坪 → … 人造 造草 草坪 坪. A query is cut into words (precise mode); a CJK word W of two characters or more
matches a record holding W itself, all of W's own search-mode sub-terms (``甲醛含量`` → 甲醛 & 含量), or the
phrase of W's bigrams (W as a substring of the text: 人造草 → "人造 造草", whatever jieba made of the title); a
single CJK character matches as a prefix of a bigram. So any CJK substring of a title finds that title
(jieba alone cuts 人造草坪 into 人造 + 草坪 and never finds it for 人造草). All words must match (AND).

- SQLite: FTS5 table ``standards_standard_fts`` (rowid = standard id, unicode61 tokenizer: each space-separated
  term is one token), ranked by ``bm25``. Triggers on ``standards_standard`` keep it in sync (migration 0005,
  re-created after every ``migrate`` by ``ensure_fts_triggers``: a table rebuild by a later migration drops them).
- PostgreSQL: a stored generated column ``search_vector`` = ``to_tsvector('simple', search_text)`` with a GIN
  index; ``@@ to_tsquery`` and ``ts_rank`` read it (no ``to_tsvector`` per matching row).

Number-aware: a query that parses as a standard number (with or without year) is looked up by
``canonical`` / ``code_without_year`` first; those hits come before the text matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from nqihub.core.search import _jieba, segment, terms

from .models import Standard
from .numbers import parse_standard_number

FTS_TABLE = "standards_standard_fts"
_WORD = re.compile(r"\w", re.UNICODE)


# --- index maintenance -----------------------------------------------------------------------------------

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def cjk_grams(text: str) -> list[str]:
    """The character bigrams of every CJK run of ``text``, in order, each run closed by its last character."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text or ""):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


def index_text(title: str, canonical: str = "", title_en: str = "") -> str:
    """``Standard.search_text``: jieba's terms of the title, number and English title, then the title's bigrams."""
    words = segment(title, canonical, title_en)
    grams = " ".join(cjk_grams((title or "").lower()))
    return f"{words} {grams}".strip()


#: FTS5 upkeep (SQLite): the table named ``FTS_TABLE`` follows ``standards_standard``.
_TRIGGERS = {
    "standards_standard_fts_ai": (
        "AFTER INSERT ON standards_standard BEGIN "
        "INSERT INTO standards_standard_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
    "standards_standard_fts_ad": (
        "AFTER DELETE ON standards_standard BEGIN DELETE FROM standards_standard_fts WHERE rowid = old.id; END"
    ),
    "standards_standard_fts_au": (
        "AFTER UPDATE OF search_text ON standards_standard BEGIN "
        "DELETE FROM standards_standard_fts WHERE rowid = old.id; "
        "INSERT INTO standards_standard_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
}


def ensure_fts_triggers(conn=None) -> None:
    """Create the FTS5 upkeep triggers if missing (SQLite; idempotent)."""
    conn = conn or connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        if cur.fetchone() is None:
            return
        for name, body in _TRIGGERS.items():
            cur.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def index_standards(rows: list[tuple[int, str]]) -> None:
    """Kept for callers: the FTS5 table follows ``standards_standard`` by triggers, PostgreSQL by a generated
    column; nothing to do."""


def unindex_standards(ids: list[int]) -> None:
    """Kept for callers: see ``index_standards``."""


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
    found: dict[str, None] = {p: None for p in (q or "").strip().lower().split() if _CJK_RUN.fullmatch(p)}
    for group in query_words(q):
        for t in group:
            found.setdefault(t, None)
    return list(found)


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _ts_quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def query_clauses(q: str) -> list[list[tuple[str, list[str]]]]:
    """The query as AND-ed clauses, each a list of OR-ed alternatives ``(kind, tokens)``.

    Space-separated pieces must all match. A piece written in CJK characters only is a substring: the phrase of
    its bigrams (one character: a prefix of a bigram or of a run's last character). Other pieces are cut by
    jieba as before: each word W matches W itself or all of its search-mode sub-terms; a CJK word inside such
    a piece is again a substring.
    """
    clauses: list[list[tuple[str, list[str]]]] = []
    seen: set[str] = set()

    def cjk(word: str) -> list[tuple[str, list[str]]]:
        if len(word) == 1:
            return [("prefix", [word])]
        return [("phrase", [word[i : i + 2] for i in range(len(word) - 1)])]

    for piece in (q or "").strip().lower().split():
        if _CJK_RUN.fullmatch(piece):
            if piece not in seen:
                seen.add(piece)
                clauses.append(cjk(piece))
            continue
        for word, *subs in query_words(piece):
            if word in seen:
                continue
            seen.add(word)
            if _CJK_RUN.fullmatch(word):
                clauses.append(cjk(word))
                continue
            alts = [("phrase", [word])]
            if subs:
                alts.append(("all", subs))
            clauses.append(alts)
    return clauses


def _fts_match(clauses: list[list[tuple[str, list[str]]]]) -> str:
    def alt(kind: str, tokens: list[str]) -> str:
        if kind == "prefix":
            return f"{_fts_quote(tokens[0])}*"
        if kind == "all":
            return "(" + " AND ".join(_fts_quote(t) for t in tokens) + ")"
        return _fts_quote(" ".join(tokens))

    parts = [" OR ".join(alt(k, t) for k, t in alts) for alts in clauses]
    return " AND ".join(p if len(alts) == 1 else f"({p})" for p, alts in zip(parts, clauses, strict=True))


def _ts_query(clauses: list[list[tuple[str, list[str]]]]) -> str:
    def alt(kind: str, tokens: list[str]) -> str:
        if kind == "prefix":
            return f"{_ts_quote(tokens[0])}:*"
        sep = " & " if kind == "all" else " <-> "
        return "(" + sep.join(_ts_quote(t) for t in tokens) + ")"

    return " & ".join("(" + " | ".join(alt(k, t) for k, t in alts) + ")" for alts in clauses)


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
    words = query_clauses(q)
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
    columns = ", ".join(f"s.{connection.ops.quote_name(f.column)}" for f in Standard._meta.concrete_fields)
    if connection.vendor == "sqlite":
        match = _fts_match(words)
        base = f"FROM {FTS_TABLE} f JOIN standards_standard s ON s.id = f.rowid WHERE {FTS_TABLE} MATCH %s{extra}"
        # Without a filter the count is the index's alone (no row look-ups).
        count_sql = (
            f"SELECT COUNT(*) {base}"
            if extra
            else f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        )
        if extra:
            page_sql = f"SELECT {columns} {base} ORDER BY bm25({FTS_TABLE}), s.id LIMIT %s OFFSET %s"
        else:  # rank in the index alone, then read the page's rows only
            page_sql = (
                f"SELECT {columns} FROM (SELECT rowid AS id, bm25({FTS_TABLE}) AS r FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s ORDER BY r, rowid LIMIT %s OFFSET %s) h "
                "JOIN standards_standard s ON s.id = h.id ORDER BY h.r, h.id"
            )
        args = [match, *params]
        page_args = list(args)
    elif connection.vendor == "postgresql":
        tsq = _ts_query(words)
        vector = "s.search_vector"
        base = f"FROM standards_standard s WHERE {vector} @@ to_tsquery('simple', %s){extra}"
        count_sql = f"SELECT COUNT(*) {base}"
        page_sql = (
            # Normalisation 1 divides by 1 + log(document length), as bm25 does on SQLite: a short title
            # about the query outranks a long one that mentions it in passing.
            f"SELECT {columns} {base} ORDER BY ts_rank({vector}, to_tsquery('simple', %s), 1) DESC, s.id "
            "LIMIT %s OFFSET %s"
        )
        args = [tsq, *params]
        page_args = [tsq, *params, tsq]
    else:  # pragma: no cover - other databases: the plain keyword filter
        from nqihub.core.search import keyword_q

        qs = Standard.objects.filter(keyword_q(q)).exclude(pk__in=exclude)
        return SearchResult(items=list(qs[offset : offset + limit]), total=qs.count(), by_number=by_number)

    # The number hits take the first places of page 1.
    n_number = len(by_number)
    start = max(0, offset - n_number)
    page_limit = max(0, limit - max(0, n_number - offset))
    with connection.cursor() as cur:
        cur.execute(count_sql, args if extra or connection.vendor != "sqlite" else [match])
        total = cur.fetchone()[0]
    # The page's rows in the ranked query itself (no second look-up by id).
    page = list(Standard.objects.raw(page_sql, [*page_args, page_limit, start])) if page_limit else []
    items = [*by_number[offset : offset + limit], *page]
    return SearchResult(items=items, total=total + n_number, by_number=by_number, terms=highlight_terms(q))


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` HTML-escaped, each occurrence of one of ``words`` wrapped in ``<mark>`` (longest first)."""
    escaped = escape(text or "")
    parts = sorted({escape(w) for w in words if w and w.strip()}, key=len, reverse=True)
    if not parts:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile("|".join(re.escape(p) for p in parts), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308
