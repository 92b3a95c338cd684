"""Checks on an uploaded file (``check_upload``: size limit, extension whitelist, the file's own first bytes),
and the clean-up of uploaded import files that no job will read any more.

An import keeps its upload under ``imports/`` only while its ``ImportJob`` runs; a job that finished
deletes its file, but one whose worker died, or a row deleted by hand, may leave it behind.
``sweep_stale_imports`` deletes the files older than ``older_than`` that no job names (``keep``); it is
part of ``core.imports.sweep``.
"""

import os
import zipfile
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ValidationFailed

#: extension → content type, for every kind of document an upload may be.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def sniff(ext: str, upload) -> bool:
    """Whether the file's own first bytes are those of a ``.ext`` file (a renamed .exe is not a PDF)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in ("xlsx", "docx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            upload.seek(0)
        marker = "xl/" if ext == "xlsx" else "word/"
        return "[Content_Types].xml" in names and any(n.startswith(marker) for n in names)
    return False


def kinds_label(allowed) -> str:
    """``PDF、PNG、JPG`` for the extensions ``allowed`` (one name per content type)."""
    seen: dict[str, str] = {}
    for ext in allowed:
        seen.setdefault(CONTENT_TYPES[ext], ext.upper())
    return "、".join(seen.values())


def check_upload(upload, *, allowed, max_bytes: int, field: str = "file") -> tuple[str, str]:
    """(clean file name, content type) or ``ValidationFailed`` on ``field``: the size limit, the extension
    whitelist ``allowed`` (keys of ``CONTENT_TYPES``) and the file's own first bytes."""
    name = os.path.basename((getattr(upload, "name", "") or "").replace("\\", "/")).strip()
    if not name:
        raise ValidationFailed({field: _("请选择文件。")})
    size = getattr(upload, "size", None) or 0
    if size > max_bytes:
        raise ValidationFailed(
            {
                field: _("文件“%(name)s”大小为 %(size).1f MB，超过 %(limit).0f MB 的上限。")
                % {"name": name, "size": size / 1048576, "limit": max_bytes / 1048576}
            }
        )
    if size == 0:
        raise ValidationFailed({field: _("文件“%(name)s”是空文件。") % {"name": name}})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise ValidationFailed(
            {
                field: _("不支持的文件类型“%(ext)s”：只接受 %(kinds)s 文件。")
                % {"ext": ext or _("无扩展名"), "kinds": kinds_label(allowed)}
            }
        )
    if not sniff(ext, upload):
        raise ValidationFailed(
            {field: _("文件“%(name)s”的内容与扩展名 .%(ext)s 不符，已拒绝。") % {"name": name, "ext": ext}}
        )
    return name[-200:], CONTENT_TYPES[ext]


IMPORTS_DIR = "imports"
#: Older than the longest job TTL (24 h) plus a margin.
STALE_AFTER = timedelta(hours=25)


def _files(directory: str):
    try:
        subdirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in subdirs:
        yield from _files(f"{directory}/{sub}")


def sweep_stale_imports(*, now=None, older_than: timedelta = STALE_AFTER, keep=frozenset()) -> int:
    """Delete uploads under ``imports/`` last modified before ``now - older_than`` and not in ``keep``;
    returns how many."""
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    for path in list(_files(IMPORTS_DIR)):
        if path in keep:
            continue
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:  # deleted meanwhile by the job itself
            continue
    return deleted
