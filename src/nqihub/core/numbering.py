"""Numbering: concurrency-safe named counters (``core.models.Sequence``) and the per-year numbers built on
them (FW-2026-000123 for requests, JC-2026-000045 for test orders, report numbers per lab and year)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Sequence


def next_value(key: str) -> int:
    """The next value of the counter ``key``: incremented with ``F()`` under the row's lock, so that two
    transactions never get the same value (the second waits for the first to commit); the unique key makes
    two concurrent first inserts collide instead of duplicating. Call it inside the transaction that uses
    the number."""
    for _attempt in range(3):
        if Sequence.objects.filter(key=key).update(value=F("value") + 1):
            break
        try:
            with transaction.atomic():
                Sequence.objects.create(key=key, value=1)
            break
        except IntegrityError:
            continue
    return Sequence.objects.select_for_update().get(key=key).value


def yearly_number(prefix: str, year: int, *, width: int = 6, key: str | None = None) -> str:
    """``PREFIX-YEAR-000123``: the next number of ``prefix``'s counter for ``year``."""
    return f"{prefix}-{year}-{next_value(key or f'{prefix}:{year}'):0{width}d}"
