"""Sends a signed-in user who must use a second factor, but has not in this session, to the page that
asks for it (or to bind a device first). The API (own token check), the sign-in pages, language
switching and static files pass."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from . import otp

#: Session key: the user this session found with nothing to ask (no device, not required).
PASSED_KEY = "_second_factor_not_needed"
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/api/", "/static/", "/media/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
            and request.session.get(PASSED_KEY) != user.pk
        ):
            if otp.has_device(user):
                return _to("accounts:otp-verify", request)
            if settings.REQUIRE_SECOND_FACTOR and otp.needs_second_factor(user):
                return _to("accounts:otp-setup", request)
            # Nothing asked of this user: remember it for the session (one query, not one per page).
            request.session[PASSED_KEY] = user.pk
        return self.get_response(request)


def _to(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
