"""Rate limiting of public and costly actions, per client address, counted in the shared Django cache so
that every app process sees the same count (one fixed window per key).

``hit(request, scope, limit=…, window=…)`` counts one action of kind ``scope`` by the request's real client
(``core.middleware.ip_from_request``, which trusts only the configured proxies) and says whether the client
is still within ``limit`` actions in ``window`` seconds. Used by report verification, request tracking,
label checks, registration and password reset.
"""

from __future__ import annotations

from django.core.cache import cache

from nqihub.core.middleware import ip_from_request


def client_key(request, scope: str) -> str:
    return f"ratelimit:{scope}:{ip_from_request(request) or 'unknown'}"


def count(key: str, window: int) -> int:
    """Add one to the counter ``key`` (created with a ``window``-second life) and return the new count."""
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        return 1


def hit(request, scope: str, *, limit: int, window: int) -> bool:
    """Count one ``scope`` action by the request's client; False once the client is over ``limit``."""
    return count(client_key(request, scope), window) <= limit
