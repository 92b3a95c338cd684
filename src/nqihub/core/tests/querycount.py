"""Query-count checks for list pages and API lists (issue 18 item 2): a list answers with the same number of
queries whatever the number of rows. Each app's ``tests/test_query_counts.py`` renders a list, adds rows
with ``clone_rows`` (copies of rows the caller already sees, so they are visible to it as well), renders it
again and compares the two counts: constant, not a magic number.

``clone_rows`` copies the rows' own columns only (foreign keys kept, unique text made unique, no children):
enough to show a per-row query, since a per-row query runs whether or not the row has children.
"""

from __future__ import annotations

import itertools
import re

from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

_serial = itertools.count(1)


def _unique_value(field: models.Field, value, n: int):
    suffix = f"Q{n}"
    if isinstance(field, models.CharField | models.SlugField | models.TextField):
        base = str(value or "")
        limit = field.max_length or 200
        return (base[: max(0, limit - len(suffix))] + suffix)[:limit]
    if isinstance(field, models.SmallIntegerField | models.PositiveSmallIntegerField):
        return 20000 + n % 10000  # PostgreSQL's smallint ends at 32767
    if isinstance(field, models.IntegerField):
        return 10**8 + n
    raise TypeError(f"cannot make {field.model.__name__}.{field.name} unique")


def _unique_text_fields(model) -> list[models.Field]:
    """Non-key fields that take part in a uniqueness rule (own, ``unique_together``, ``UniqueConstraint``)
    and can be made unique: text and integers (foreign keys stay as they are)."""
    names = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for group in model._meta.unique_together:
        names.update(group)
    for constraint in model._meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
    fields = [model._meta.get_field(name) for name in names]
    return [f for f in fields if not f.is_relation and not f.primary_key]


def _copy(row):
    model = type(row)
    fields = model._meta.concrete_fields
    copy = model.from_db(
        row._state.db, [f.attname for f in fields], [getattr(row, f.attname) for f in fields]
    )
    copy.pk = None
    copy._state.adding = True
    n = next(_serial)
    unique = _unique_text_fields(model)
    texts = [f for f in unique if not isinstance(f, models.IntegerField)]
    # A text made unique is enough where the rule has one; numbers are changed only where it has none (a
    # number out of its domain would break the table's checks on PostgreSQL).
    for field in texts or unique:
        setattr(copy, field.attname, _unique_value(field, getattr(row, field.attname), n))
    for field in fields:
        if field.one_to_one and getattr(row, field.attname) is not None:
            if field.null:
                setattr(copy, field.attname, None)
            else:  # e.g. an Enterprise's own Organisation: a copy of it too
                parent, _n = _copy(getattr(row, field.name))
                parent.save()
                setattr(copy, field.attname, parent.pk)
    return copy, n


def clone_rows(queryset, copies: int = 2, **overrides) -> int:
    """Adds ``copies`` copies of every row of ``queryset`` (bulk-inserted); returns how many were added."""
    new = []
    for row in list(queryset):
        for _ in range(copies):
            copy, n = _copy(row)
            for name, value in overrides.items():
                setattr(copy, name, value(n) if callable(value) else value)
            new.append(copy)
    if new:
        queryset.model.objects.bulk_create(new)
    return len(new)


def keep_only(queryset, keep: int = 2) -> list:
    """Deletes the rows of ``queryset`` but ``keep`` of them (those other rows protect are kept too), so that
    a paginated list starts well under one page; returns the kept rows (the ones to clone)."""
    kept = list(queryset.order_by("pk")[:keep])
    rest = queryset.model.objects.filter(pk__in=queryset.values("pk")).exclude(pk__in=[r.pk for r in kept])
    try:
        with transaction.atomic():
            rest.delete()
        return kept
    except ProtectedError:
        pass
    for row in rest:
        try:
            with transaction.atomic():
                row.delete()
        except ProtectedError:
            pass
    return kept


def shrink_and_grow(queryset, keep: int = 2, copies: int = 2):
    """(shrink, grow) for ``assert_constant_queries``: first the list keeps ``keep`` rows, then gets
    ``copies`` copies of each."""
    model = queryset.model
    state = {}

    def shrink():
        state["kept"] = keep_only(queryset, keep)

    def grow():
        return clone_rows(model.objects.filter(pk__in=[r.pk for r in state["kept"]]), copies)

    return shrink, grow


def count_queries(client, url: str, **kwargs):
    """(the response, the queries it ran) of a GET that must answer 200."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response, [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(client, url: str, grow, shrink=None, must_grow: bool = True, **kwargs) -> None:
    """``url`` answers with as many queries after ``grow()`` (which adds rows it lists) as before, and shows
    more (a longer answer: the new rows are really listed). ``shrink()``, if given, runs first (to start
    under one page of a paginated list: see ``shrink_and_grow``). A dashboard that shows counts, not rows,
    passes ``must_grow=False``."""
    if isinstance(grow, tuple):
        shrink, grow = grow
    if shrink is not None:
        shrink()
    client.get(url, **kwargs)  # caches (sessions, the working-day calendar …) filled
    small, before = count_queries(client, url, **kwargs)
    added = grow()
    assert added, f"{url}: nothing was added"
    big, after = count_queries(client, url, **kwargs)
    if must_grow:
        assert len(big.content) > len(small.content), f"{url}: the added rows are not listed"

    def shape(sql: str) -> str:  # literals out: the same query with other values is the same query
        return re.sub(r"'[^']*'|\b\d+\b", "?", sql)

    seen = [shape(sql) for sql in before]
    extra = [sql for sql in after if shape(sql) not in seen or seen.remove(shape(sql))]
    assert len(after) == len(before), (
        f"{url}: {len(before)} queries with fewer rows, {len(after)} with more; new: {extra[:5]}"
    )


def visible_to(model, username: str, **filters):
    """The rows of ``model`` that ``username`` sees (``core.scoping.visible``), optionally filtered."""
    from nqihub.accounts.models import User
    from nqihub.core.scoping import visible

    return model.objects.filter(visible(User.objects.get(username=username), model), **filters)
