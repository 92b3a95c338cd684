"""The enterprise's contact in clear, for the experts and institutions at work on its request (each view
audited by ``services.contact_view``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import render

from . import services
from .views import _get_request


@login_required
def request_contact(request, pk: int):
    """Outside the user's scope: 404; seeing the request without working on it (an offered or declined
    assignee, a regulator): 403 with the reason."""
    req = _get_request(request, pk)
    try:
        contacts = services.contact_view(request=req, by=request.user)
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    return render(request, "desk/request_contact.html", {"req": req, "contacts": contacts})
