"""Request-wide pieces: the real client address (behind the configured proxies), the default language,
security headers (no caching of what a signed-in user or the API sees), and a clear 400 for input the
database cannot hold."""

import ipaddress
import logging
import time

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import DataError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from . import audit
from .request_context import _client_ip, client_ip, reset_client_ip, set_client_ip

__all__ = ["_client_ip", "client_ip", "ip_from_request"]

logger = logging.getLogger("nqihub.security")


def _valid_ip(value: str) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def ip_from_request(request) -> str | None:
    """The client's address. ``REMOTE_ADDR``, unless the site runs behind ``PROXY_HOPS`` reverse proxies
    (``BEHIND_PROXY``): then the address the outermost trusted proxy saw, i.e. the ``PROXY_HOPS``-th entry
    from the right of ``X-Forwarded-For`` (each proxy appends the address it received the request from;
    entries further left were written by the client and are never trusted)."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    hops = getattr(settings, "PROXY_HOPS", 0)
    if hops <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones; the leftmost was written by ours.
    candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    return _valid_ip(candidate) or remote


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_client_ip(ip_from_request(request))
        try:
            return self.get_response(request)
        finally:
            reset_client_ip(token)


class DefaultLanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the ``django_language`` cookie set by
    ``/i18n/setlang/``). Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language:
    the platform's default is Chinese whatever the workstation's browser was installed with."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


#: Content types that are documents a user downloads (reports, exports): never cached anywhere.
_PRIVATE_DOCUMENTS = ("application/pdf", "application/vnd.openxmlformats", "text/csv", "application/zip")


class SecurityHeadersMiddleware:
    """``Cache-Control: no-store`` on every page of a signed-in user, every API response and every report
    or export download (a shared workstation's browser or a proxy must not keep them); no ``Server``
    banner from the application."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        content_type = response.headers.get("Content-Type", "")
        if (
            request.path.startswith("/api/")
            or content_type.startswith(_PRIVATE_DOCUMENTS)
            or (user is not None and user.is_authenticated and not request.path.startswith("/static/"))
        ):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        response.headers.pop("Server", None)
        return response


def is_out_of_range(exc: BaseException) -> bool:
    """The database refused a number as too large: SQLite's adapter (OverflowError), PostgreSQL's
    ``numeric_value_out_of_range`` (22003)."""
    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DataError):
        cause = exc.__cause__
        return getattr(cause, "sqlstate", None) == "22003" or "out of range" in str(exc)
    return False


def out_of_range_message() -> str:
    return _("输入的数字超出允许范围，请检查页码、编号等数字。")


class BadInputMiddleware:
    """HTML pages: a number the database cannot hold (``?page=10**30``, an id in a path) and a malformed
    multipart body answer 400 with a Chinese message instead of a server error. The API has the same
    rules in its own error handlers (nqihub/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_out_of_range(exception):
            message = out_of_range_message()
        elif isinstance(exception, MultiPartParserError):
            message = _("上传的表单数据格式不正确（multipart 缺少或有错误的 boundary）。")
        elif isinstance(exception, BadRequest):
            message = str(exception) or _("请求有误。")
        else:
            return None
        logger.info("bad input on %s: %s", request.path, exception)
        return render(request, "400.html", {"message": message}, status=400)


class PermissionDeniedAuditMiddleware:
    """Every refusal a view raises (``PermissionDenied`` → 403) goes to the audit log with the path, as
    ``security.permission_denied``; Django then renders the 403 page as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            record_denial(request, str(exception))
        return None


def record_denial(request, message: str = "") -> None:
    user = getattr(request, "user", None)
    audit.record(
        user,
        "security.permission_denied",
        None,
        {"method": request.method, "path": request.path[:300], "message": message[:300]},
    )


class SessionIdleMiddleware:
    """Signed-in sessions end after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request (the cookie and the
    stored session expire ``SESSION_COOKIE_AGE`` after their last save). Saving the session on every
    request did that with a database/cache write per page; here the session is marked for saving only
    when its last renewal is older than ``SESSION_RENEW_SECONDS`` (60 s), so the timeout is exact to a
    minute and a read costs no write."""

    KEY = "_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            renewed = session.get(self.KEY)
            if not isinstance(renewed, int) or now - renewed >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)
