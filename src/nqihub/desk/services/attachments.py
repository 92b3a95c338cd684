"""Attachments: the upload checks (size, extension whitelist, the file's own first bytes) and adding one to a
request."""

from __future__ import annotations

import os
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.core.policy import require

from ..models import Attachment, ServiceRequest
from ._common import _action, _event, _lock
from .work import _check_internal, _may_work, _not_terminal

#: extension → (content type, magic-number check)
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def attachment_max_bytes() -> int:
    return int(getattr(settings, "DESK_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _sniff(ext: str, upload) -> bool:
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


def check_upload(upload) -> tuple[str, str]:
    """(clean file name, content type) or ``ValidationFailed`` on field ``file``: the size limit, the
    extension whitelist and the file's own first bytes (a renamed .exe is refused)."""
    name = os.path.basename((getattr(upload, "name", "") or "").replace("\\", "/")).strip()
    if not name:
        raise ValidationFailed({"file": _("请选择文件。")})
    size = getattr(upload, "size", None) or 0
    limit = attachment_max_bytes()
    if size > limit:
        raise ValidationFailed(
            {
                "file": _("文件“%(name)s”大小为 %(size).1f MB，超过 %(limit).0f MB 的上限。")
                % {"name": name, "size": size / 1048576, "limit": limit / 1048576}
            }
        )
    if size == 0:
        raise ValidationFailed({"file": _("文件“%(name)s”是空文件。") % {"name": name}})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_TYPES:
        raise ValidationFailed(
            {
                "file": _("不支持的文件类型“%(ext)s”：只接受 PDF、PNG、JPG、XLSX、DOCX 文件。")
                % {"ext": ext or _("无扩展名")}
            }
        )
    if not _sniff(ext, upload):
        raise ValidationFailed(
            {"file": _("文件“%(name)s”的内容与扩展名 .%(ext)s 不符，已拒绝。") % {"name": name, "ext": ext}}
        )
    return name[-200:], ALLOWED_TYPES[ext]


@_action
def attachment_add(*, request: ServiceRequest, upload, internal: bool = False, by) -> Attachment:
    name, content_type = check_upload(upload)
    req = _lock(request)
    require(_may_work(by, req), _("您无权在该需求上上传附件。"))
    _check_internal(by, req, internal)
    _not_terminal(req, _("上传附件"))
    att = Attachment(
        request=req, name=name, size=upload.size, content_type=content_type, internal=internal, uploaded_by=by
    )
    att.file.save(name, upload, save=False)
    att.save()
    _event(req, by, "attachment_added", name, {"attachment": att.pk, "size": att.size}, internal=internal)
    return att
