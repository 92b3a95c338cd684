"""Small helpers every view and API endpoint shares."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404


def is_htmx(request) -> bool:
    """The request came from htmx (it answers with a fragment rather than a page)."""
    return request.headers.get("HX-Request") == "true"


def get_or_404(getter, **kwargs):
    """A record through a scoped ``*_get`` selector: outside the caller's scope and non-existent look the
    same (404), as does a malformed key."""
    try:
        return getter(**kwargs)
    except (ObjectDoesNotExist, ValueError) as exc:
        raise Http404 from exc


def scoped_or_404(getter, request, pk):
    """``get_or_404`` for the usual call: the record ``pk`` as the signed-in user may see it."""
    return get_or_404(getter, fetched_by=request.user, pk=pk)
