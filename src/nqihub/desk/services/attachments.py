"""Attachments: the upload checks (size, extension whitelist, the file's own first bytes) and adding one to a
request."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from nqihub.core.policy import require
from nqihub.core.uploads import CONTENT_TYPES
from nqihub.core.uploads import check_upload as core_check_upload

from ..models import Attachment, ServiceRequest
from ._common import _action, _event, _lock
from .work import _check_internal, _may_work, _not_terminal

#: extension → content type of what a request may carry.
ALLOWED_TYPES = {ext: CONTENT_TYPES[ext] for ext in ("pdf", "png", "jpg", "jpeg", "xlsx", "docx")}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def attachment_max_bytes() -> int:
    return int(getattr(settings, "DESK_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_upload(upload) -> tuple[str, str]:
    """(clean file name, content type) or ``ValidationFailed`` on field ``file``: the size limit, the
    extension whitelist and the file's own first bytes (a renamed .exe is refused)."""
    return core_check_upload(upload, allowed=ALLOWED_TYPES, max_bytes=attachment_max_bytes())


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
