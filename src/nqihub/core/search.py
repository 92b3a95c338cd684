"""Chinese keyword search: jieba segmentation into a space-separated ``search_text`` column.

``segment`` is used both when a record is written and when a query is read, so both sides agree.
``keyword_q`` matches every query term (AND) against ``search_text``.
"""

import re
import threading
from pathlib import Path

from django.db.models import Q

_DICT = Path(__file__).parent / "data" / "userdict.txt"
_lock = threading.Lock()
_ready = False


def _jieba():
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(60)
                if _DICT.exists():
                    jieba.load_userdict(str(_DICT))
                _ready = True
    return jieba


_WORD = re.compile(r"\w", re.UNICODE)


def terms(text: str) -> list[str]:
    """Search terms of ``text``: jieba's search-mode words, lower-cased, de-duplicated, in order."""
    text = (text or "").strip().lower()
    if not text:
        return []
    seen: dict[str, None] = {}
    for word in _jieba().cut_for_search(text):
        word = word.strip()
        if word and _WORD.search(word):
            seen.setdefault(word, None)
    return list(seen)


def segment(*parts: str) -> str:
    return " ".join(terms(" ".join(p for p in parts if p)))


def keyword_q(query: str, field: str = "search_text") -> Q:
    """Every term of the query must occur. Long words that jieba splits further match either way."""
    q = Q()
    words = [w for w in _jieba().cut(query.strip().lower()) if w.strip() and _WORD.search(w)]
    for word in words:
        q &= Q(**{f"{field}__icontains": word})
    return q
