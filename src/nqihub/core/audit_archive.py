"""Retention of the audit log: entries older than ``AUDIT_RETENTION_DAYS`` (never below 180: 网络安全法
第二十一条) are written to a signed archive, then deleted; an ``AuditAnchor`` keeps the last archived hash,
from which the chain in the database continues (``core.audit.verify`` starts there).

An archive is JSON lines: a header ``{"format": "nqihub-audit-archive/1", …}``, then one entry a line with
its id, hashed content, ``prev_hash`` and ``hash``. Beside it ``<name>.sig`` holds its SM3 digest and
HMAC-SM3 under ``AUDIT_SIGNING_KEY`` (base64; derived from SECRET_KEY when unset). ``verify_archive``
checks both and the chain inside the file.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from . import audit
from .crypto import hmac_sm3, sm3
from .models import AuditAnchor, AuditEntry

FORMAT = "nqihub-audit-archive/1"
MIN_RETENTION_DAYS = 180


def signing_key() -> bytes:
    configured = getattr(settings, "AUDIT_SIGNING_KEY", "") or ""
    if not configured:
        return hmac_sm3(settings.SECRET_KEY.encode(), b"nqihub-audit-archive")
    try:
        key = base64.b64decode(configured, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY is not base64") from exc
    if len(key) < 16:
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY must be at least 16 bytes")
    return key


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    days = max(int(settings.AUDIT_RETENTION_DAYS), MIN_RETENTION_DAYS)
    return (now or timezone.now()) - dt.timedelta(days=days)


def _line(row: dict) -> bytes:
    content = {key: row[key] for key in audit.HASHED_FIELDS}
    content["at"] = audit._iso(row["at"])
    body = {"id": row["id"], **content, "prev_hash": row["prev_hash"], "hash": row["hash"]}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def archive(*, directory: Path | None = None, now: dt.datetime | None = None, limit: int = 100_000):
    """Archives and deletes (at most ``limit``) entries older than the retention period, oldest first.
    Returns the new ``AuditAnchor``, or None when nothing is old enough."""
    directory = Path(directory or settings.AUDIT_ARCHIVE_DIR)
    cutoff = retention_cutoff(now)
    with transaction.atomic():
        audit._lock_chain()
        old = AuditEntry.objects.filter(at__lt=cutoff).order_by("id")
        ids = list(old.values_list("id", flat=True)[:limit])
        if not ids:
            return None
        first_id, last_id = ids[0], ids[-1]
        # A contiguous prefix of the chain: whatever has an id up to the last old one.
        rows = AuditEntry.objects.filter(id__lte=last_id).order_by("id")
        previous = AuditAnchor.objects.order_by("-last_id").first()
        directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        path = directory / f"audit-{first_id:012d}-{last_id:012d}-{stamp}.jsonl"
        tmp = path.with_suffix(".part")
        count, last_hash = 0, ""
        header = {
            "format": FORMAT,
            "created_at": audit._iso(timezone.now()),
            "cutoff": audit._iso(cutoff),
            "anchor_hash": previous.last_hash if previous else "",
        }
        with tmp.open("wb") as out:
            out.write(json.dumps(header, sort_keys=True).encode() + b"\n")
            for row in rows.values("id", "prev_hash", "hash", *audit.HASHED_FIELDS).iterator(chunk_size=5000):
                out.write(_line(row))
                count += 1
                last_hash = row["hash"]
            out.flush()
            os.fsync(out.fileno())
        tmp.rename(path)
        payload = path.read_bytes()
        signature = hmac_sm3(signing_key(), payload).hex()
        (path.with_name(path.name + ".sig")).write_text(
            json.dumps({"algorithm": "HMAC-SM3", "sm3": sm3(payload), "hmac": signature}, sort_keys=True)
            + "\n",
            encoding="utf-8",
        )
        anchor = AuditAnchor.objects.create(
            first_id=first_id,
            last_id=last_id,
            last_hash=last_hash,
            count=count,
            archive=path.name,
            signature=signature,
        )
        rows.delete()
        audit.record(
            None,
            "core.audit.archived",
            anchor,
            {
                "file": path.name,
                "count": count,
                "first_id": first_id,
                "last_id": last_id,
                "sm3": sm3(payload),
            },
            username="manage.py archive_audit",
        )
    return anchor


def verify_archive(path: Path) -> list[str]:
    """What is wrong with an archive file (signature, digest, chain inside it); [] when it is intact."""
    path = Path(path)
    problems: list[str] = []
    payload = path.read_bytes()
    sig_path = path.with_name(path.name + ".sig")
    if not sig_path.exists():
        problems.append(f"{sig_path.name}: signature file missing")
    else:
        sig = json.loads(sig_path.read_text(encoding="utf-8"))
        if sig.get("sm3") != sm3(payload):
            problems.append(f"{path.name}: SM3 digest does not match (file changed)")
        if not hmac.compare_digest(str(sig.get("hmac", "")), hmac_sm3(signing_key(), payload).hex()):
            problems.append(f"{path.name}: HMAC-SM3 signature does not match (file changed or another key)")
    lines = payload.splitlines()
    if not lines:
        return [*problems, f"{path.name}: empty"]
    header = json.loads(lines[0])
    if header.get("format") != FORMAT:
        problems.append(f"{path.name}: not an audit archive")
    expected_prev = header.get("anchor_hash", "")
    for line in lines[1:]:
        row = json.loads(line)
        content = {key: row[key] for key in audit.HASHED_FIELDS}
        if audit.entry_hash(content, row["prev_hash"]) != row["hash"]:
            problems.append(f"#{row['id']} changed: its content does not match its hash")
        if row["prev_hash"] != expected_prev:
            problems.append(f"#{row['id']}: does not link to the entry before it")
        expected_prev = row["hash"]
    return problems


def archive_all() -> dict:
    """Archive every batch of entries past the retention period (the periodic job; idempotent)."""
    files = 0
    while archive() is not None:
        files += 1
    return {"files": files}
