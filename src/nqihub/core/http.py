"""Small helpers every view and API endpoint shares."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404


def form_data(request):
    """What to bind a page's form to: the POST data on a POST — even an empty one, which must fail
    validation like any other bad input — and nothing (an unbound form) otherwise. ``request.POST or
    None`` left an empty POST unbound, and the view then read ``cleaned_data`` of an invalid form (a 500)."""
    return request.POST if request.method == "POST" else None


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
