"""The audit log: ``record(actor, "directory.enterprise.created", obj, data)`` in the writing transaction.

Tamper-evident (等保 2.0 安全审计, GB/T 39786 完整性): each entry stores ``hash`` = SM3 of its canonical
content and of ``prev_hash``, the hash of the entry before it (in id order). Appends are serialised (a
transaction-scoped advisory lock on PostgreSQL; SQLite's write lock, IMMEDIATE transactions, does it
there), so concurrent writers cannot fork the chain. ``verify`` walks the chain from the last archive
anchor and names every changed, inserted, deleted or reordered entry (``manage.py verify_audit``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .crypto import sm3
from .models import AuditAnchor, AuditEntry
from .request_context import client_ip

#: pg_advisory_xact_lock key of the chain ("AUDT").
CHAIN_LOCK_KEY = 0x41554454
#: The fields an entry's hash covers (besides prev_hash), in the canonical form's key names.
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "data",
    "ip",
)


def record(
    actor, action: str, obj: Any = None, data: dict | None = None, *, username: str = ""
) -> AuditEntry:
    object_type = object_id = object_repr = ""
    if obj is not None:
        meta = getattr(obj, "_meta", None)
        object_type = meta.label_lower if meta else type(obj).__name__
        object_id = str(getattr(obj, "pk", "") or "")
        object_repr = str(obj)[:200]
    user = actor if getattr(actor, "is_authenticated", False) else None
    ip = client_ip()
    entry = AuditEntry(
        at=timezone.now(),
        actor=user,
        actor_username=(user.get_username() if user else username)[:150],
        action=action[:64],
        object_type=object_type[:64],
        object_id=object_id[:64],
        object_repr=object_repr,
        data=_jsonable(data or {}),
        ip=AuditEntry._meta.get_field("ip").to_python(ip) if ip else None,
    )
    with transaction.atomic():
        _lock_chain()
        entry.prev_hash = chain_head()
        entry.hash = entry_hash(content_of(entry), entry.prev_hash)
        entry.save(force_insert=True)
    return entry


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chain_head() -> str:
    """The hash the next entry links to: the last entry's, or the last archive anchor's, or ""."""
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    if last is not None:
        return last
    return AuditAnchor.objects.order_by("-last_id").values_list("last_hash", flat=True).first() or ""


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # Not JSON (nan, inf), or integral beyond 2**53 (jsonb would read it back as an int): kept as text.
        return value if value == value and abs(value) < 1e15 else str(value)
    return str(value)


# --- the chain ------------------------------------------------------------------------------------------


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def content_of(entry) -> dict:
    """The hashed content of an entry (a model instance, historical or not)."""
    return {
        "at": _iso(entry.at),
        "actor_id": entry.actor_id,
        "actor_username": entry.actor_username,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "data": entry.data,
        "ip": entry.ip or None,
    }


def canonical(content: dict, prev_hash: str) -> bytes:
    body = {key: content[key] for key in HASHED_FIELDS}
    body["prev_hash"] = prev_hash
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(content: dict, prev_hash: str) -> str:
    return sm3(canonical(content, prev_hash))


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    kind: str  # changed | inserted | deleted | reordered | start
    message: str

    def __str__(self) -> str:
        where = f"#{self.entry_id}" if self.entry_id is not None else "chain"
        return f"{where} {self.kind}: {self.message}"


_VALUES = ("id", "at", "actor_id", *HASHED_FIELDS[2:], "prev_hash", "hash")


def verify(*, chunk_size: int = 5000) -> list[Problem]:
    """Walks every entry in id order from the last anchor; returns what is wrong, naming the entries."""
    anchor = AuditAnchor.objects.order_by("-last_id").first()
    expected_prev = anchor.last_hash if anchor else ""
    problems: list[Problem] = []
    prev_id: int | None = anchor.last_id if anchor else None
    before_prev_hash: str | None = None  # the hash two entries back, to recognise an inserted entry
    reordered: set[int] = set()
    for row in AuditEntry.objects.order_by("id").values(*_VALUES).iterator(chunk_size=chunk_size):
        entry_id = row["id"]
        if entry_hash(_content_of_row(row), row["prev_hash"]) != row["hash"]:
            problems.append(
                Problem(
                    entry_id, "changed", "its content does not match its hash (changed after it was written)"
                )
            )
        if row["prev_hash"] != expected_prev:
            problems += _link_problems(row, prev_id, before_prev_hash, reordered)
        before_prev_hash = expected_prev
        expected_prev = row["hash"]
        prev_id = entry_id
    return problems


def _content_of_row(row: dict) -> dict:
    return {
        **{key: row[key] for key in HASHED_FIELDS if key != "at"},
        "at": _iso(row["at"]),
        "ip": row["ip"] or None,
    }


def _link_problems(row: dict, prev_id: int | None, before_prev_hash: str | None, reordered: set[int]) -> list:
    entry_id = row["id"]
    prev_hash = row["prev_hash"]
    linked = (
        AuditEntry.objects.filter(hash=prev_hash).values_list("id", flat=True).first() if prev_hash else None
    )
    if linked is not None and linked > entry_id:
        reordered.update({entry_id, linked})
        return [
            Problem(entry_id, "reordered", f"it was written after #{linked}, which now comes after it"),
            Problem(linked, "reordered", f"it was written before #{entry_id}, which now comes before it"),
        ]
    if entry_id in reordered or (linked is not None and linked in reordered):
        return []  # a consequence of a reordering already named
    if linked is not None and prev_hash == before_prev_hash:
        return [
            Problem(prev_id, "inserted", f"not part of the chain: #{entry_id} links to the entry before it")
        ]
    if linked is not None:
        return [Problem(entry_id, "reordered", f"it follows #{linked}, not #{prev_id}")]
    if prev_id is None:
        return [
            Problem(
                entry_id,
                "start",
                "the first entry kept links to an entry that is neither kept nor anchored by an archive "
                "(entries or an archive anchor were deleted)",
            )
        ]
    return [
        Problem(
            entry_id,
            "deleted",
            f"the entry it follows is missing: entries after #{prev_id} were deleted, or #{prev_id} was "
            "changed and re-hashed",
        )
    ]
