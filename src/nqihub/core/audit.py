"""The audit log: ``record(actor, "directory.enterprise.created", obj, data)`` in the writing transaction."""

from typing import Any

from .middleware import client_ip
from .models import AuditEntry


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
    return AuditEntry.objects.create(
        actor=user,
        actor_username=(user.get_username() if user else username)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        data=_jsonable(data or {}),
        ip=client_ip(),
    )


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
