"""The shared cache (Redis in production) of verified live API tokens, so that a bearer request costs one
cache read instead of a database query and, at most once a minute, a last-use write.

An entry holds the field values of the token and of its user, as the database had them when the token was
last verified, for ``TTL`` seconds at most. Whatever ends a token or changes its user writes a
*tombstone* over the entry (``forget``): a revocation, a lock-out, a deactivation or a password change
takes effect on the very next request, on every process. Entries are only ever added with ``cache.add``,
which never replaces a tombstone, so a request that read the token just before it was revoked cannot put
the stale token back. A tombstone lasts longer than an entry; meanwhile that key is checked in the
database as before.

Last-use bookkeeping has its own key per token (``used``), added for a minute: the database write happens
when the key was absent (at most once a minute) or the caller's address changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

#: Seconds a verified token is trusted without the database (expiry is still checked on every request).
TTL = 60
#: Seconds a forgotten key stays blocked (longer than any entry that might have been read before it).
TOMBSTONE_TTL = 3 * TTL
#: Seconds between two last-use writes of one token from one address.
USE_INTERVAL = 60
TOMBSTONE = "ended"


def _key(key_hash: str) -> str:
    return f"apitoken:v1:{key_hash}"


def _used_key(key_hash: str) -> str:
    return f"apitoken:v1:used:{key_hash}"


def lookup(key_hash: str) -> tuple[dict | None, str | None]:
    """(the cached entry or None, the address of the last noted use or None), in one cache round trip.
    A tombstone reads as no entry."""
    found = cache.get_many([_key(key_hash), _used_key(key_hash)])
    entry = found.get(_key(key_hash))
    return (entry if isinstance(entry, dict) else None), found.get(_used_key(key_hash))


def remember(key_hash: str, entry: dict) -> None:
    cache.add(_key(key_hash), entry, TTL)


def note_use(key_hash: str, ip: str | None) -> None:
    cache.set(_used_key(key_hash), ip or "", USE_INTERVAL)


def forget(key_hashes: Iterable[str]) -> None:
    """Tombstones over these tokens' entries: the next request with any of them reads the database."""
    hashes = [h for h in key_hashes if h]
    if hashes:
        cache.set_many({_key(h): TOMBSTONE for h in hashes}, TOMBSTONE_TTL)


# --- the signed-in user of a session ---------------------------------------------------------------------
# The same rules for the user a session belongs to (``middleware.AuthenticationMiddleware``): the user's
# field values for ``TTL`` seconds, a tombstone on every save of the user but a ``last_login`` update (a
# password change, a deactivation …) and on its deletion; the session hash is still checked on every
# request against the cached password hash, as Django does.


def _user_key(user_id) -> str:
    return f"sessionuser:v1:{user_id}"


def user_lookup(user_id) -> dict | None:
    entry = cache.get(_user_key(user_id))
    return entry if isinstance(entry, dict) else None


def user_remember(user_id, values: dict) -> None:
    cache.add(_user_key(user_id), values, TTL)


def user_forget(user_id) -> None:
    cache.set(_user_key(user_id), TOMBSTONE, TOMBSTONE_TTL)
