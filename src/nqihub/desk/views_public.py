"""Public request tracking (办件进度查询): no account, number + track code."""

from __future__ import annotations

from django.shortcuts import render

from . import tracking
from .forms import TrackForm

PAGE_SIZE = 25


# --- public tracking (办件进度查询) ----------------------------------------------------------------------


def track(request):
    """Public, no login: the status and public timeline of a request for whoever holds its number and
    track code. The same "not found" for a wrong number or a wrong code; rate-limited per client address."""
    asked = bool(request.GET.get("number") or request.GET.get("code"))
    form = TrackForm(request.GET if asked else None)
    context = {"form": form, "asked": asked}
    if asked and form.is_valid():
        if not tracking.allow(request):
            context["limited"] = tracking.limited_message()
            return render(request, "desk/track.html", context, status=429)
        result = tracking.track(form.cleaned_data["number"], form.cleaned_data["code"])
        context["result"] = result
        if result is None:
            context["not_found"] = True
            return render(request, "desk/track.html", context, status=404)
    elif asked:
        return render(request, "desk/track.html", context, status=400)
    return render(request, "desk/track.html", context)
