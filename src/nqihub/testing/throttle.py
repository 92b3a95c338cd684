"""Rate limit of the public report verification (报告真伪查询), against enumeration of report numbers
and check codes: at most ``TESTING_VERIFY_LIMIT`` look-ups (default 20) per client IP in
``TESTING_VERIFY_WINDOW`` seconds (default 600), counted in the shared Django cache, so that every app
process sees the same count. Opening the page without a number does not count."""

from django.conf import settings
from django.utils.translation import gettext as _

from nqihub.core import ratelimit


def limit() -> int:
    return int(getattr(settings, "TESTING_VERIFY_LIMIT", 20))


def window() -> int:
    return int(getattr(settings, "TESTING_VERIFY_WINDOW", 600))


def allow(request) -> bool:
    """Count one look-up by the request's client; False once the client is over the limit."""
    return ratelimit.hit(request, "testing.verify", limit=limit(), window=window())


def message() -> str:
    minutes = max(1, window() // 60)
    return _("查询过于频繁，请 %(m)d 分钟后再试。") % {"m": minutes}
