"""``AuthenticationMiddleware``: Django's, with the signed-in user read from the shared cache (Redis in
production) instead of the database on every request; see ``token_cache`` for how a change of the user
(password, deactivation, deletion) still takes effect on the next request.

``SecondFactorMiddleware`` sends a signed-in user who must use a second factor, but has not in this session, to the page that
asks for it (or to bind a device first). The API (own token check), the sign-in pages, language
switching and static files pass."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from . import otp, token_cache
from .models import User, user_from_values, user_values

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


def _cached_user(request):
    """The session's user as ``django.contrib.auth.get_user`` finds it, from the cache when a live entry
    is there and the session hash still matches; Django's own path (which also flushes a session whose
    hash no longer matches) otherwise."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValueError):
        return auth.get_user(request)
    if backend_path in settings.AUTHENTICATION_BACKENDS:
        entry = token_cache.user_lookup(user_id)
        user = user_from_values(entry) if entry else None
        session_hash = session.get(auth.HASH_SESSION_KEY)
        if (
            user is not None
            and user.is_active
            and session_hash
            and constant_time_compare(session_hash, user.get_session_auth_hash())
        ):
            user.backend = backend_path
            return user
    user = auth.get_user(request)
    if user.is_authenticated and user.pk == user_id:
        token_cache.user_remember(user_id, user_values(user))
    return user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)

        def load():
            if not hasattr(request, "_cached_user"):
                request._cached_user = _cached_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(load)
