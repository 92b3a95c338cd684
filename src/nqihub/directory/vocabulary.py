"""Vocabulary normalisation for capability match: pure helpers."""

import re

from .models import Parameter, ProductCategory

_SEP = re.compile(r"[\n\r,，;；、|/]+")


def split_synonyms(text: str) -> list[str]:
    return [s.strip() for s in _SEP.split(text or "") if s.strip()]


def normalise(text: str) -> str:
    """Fold full-width forms and case, drop spaces: 'ＰＨ 值' and 'pH值' compare equal."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def resolve(model, text: str) -> int | None:
    """The id of the vocabulary row (``Parameter`` or ``ProductCategory``) whose name or a synonym
    equals ``text`` after normalisation; None when nothing maps."""
    key = normalise(text)
    if not key:
        return None
    for pk, name, synonyms in model.objects.values_list("pk", "name", "synonyms"):
        if key == normalise(name) or key in {normalise(s) for s in split_synonyms(synonyms)}:
            return pk
    return None


def map_terms(product_text: str, parameter_text: str) -> tuple[int | None, int | None]:
    return resolve(ProductCategory, product_text), resolve(Parameter, parameter_text)
