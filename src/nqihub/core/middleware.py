"""Keeps the current request's client address for the audit log."""

import contextvars

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def client_ip() -> str | None:
    return _client_ip.get()


def ip_from_request(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted solely behind a configured proxy (BEHIND_PROXY).
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(ip_from_request(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


class DefaultLanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the ``django_language`` cookie set by
    ``/i18n/setlang/``). Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language:
    the platform's default is Chinese whatever the workstation's browser was installed with."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
