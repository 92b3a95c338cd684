"""Vocabulary normalisation for capability match: pure helpers."""

import re

_SEP = re.compile(r"[\n\r,，;；、|/]+")


def split_synonyms(text: str) -> list[str]:
    return [s.strip() for s in _SEP.split(text or "") if s.strip()]


def normalise(text: str) -> str:
    """Fold full-width forms and case, drop spaces: 'ＰＨ 值' and 'pH值' compare equal."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()
