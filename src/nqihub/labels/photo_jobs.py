"""Label photos checked in a worker when a broker is configured (``POST /api/v1/labels/check`` → 202).

The photo is kept in the default storage under ``label-photos/<job id>`` only until the worker has read it;
the job's state (``queued`` → ``running`` → ``done`` | ``failed``, with the answer or a message) lives in the
shared cache for ``JOB_TTL`` and names its owner (``owner_of(request)``: the signed-in user, else the
anonymous session, else the client's address), so that only the requester reads it. ``sweep`` (periodic job
``labels.sweep_photos``, command ``sweep_label_photos``) deletes photos left behind by a worker that died.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.core.middleware import ip_from_request

from .photo import check_photo
from .tasks import check_photo_task

PHOTOS_DIR = "label-photos"
JOB_TTL = 3600
STALE_AFTER = timedelta(hours=1)


def owner_of(request) -> str:
    user = getattr(request, "auth", None)
    if getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return f"session:{session.session_key}"
    return f"ip:{ip_from_request(request) or 'unknown'}"


def _key(job_id: str) -> str:
    return f"labels:photo-job:{job_id}"


def get(job_id: str) -> dict | None:
    return cache.get(_key(str(job_id)))


def _save(job_id: str, state: dict) -> None:
    cache.set(_key(job_id), state, JOB_TTL)


def submit(request, data: bytes, category: str, complete: bool) -> str:
    """Store the photo, record the job as queued and hand it to the worker; returns the job id."""
    job_id = str(uuid.uuid4())
    default_storage.save(f"{PHOTOS_DIR}/{job_id}", ContentFile(data))
    _save(job_id, {"owner": owner_of(request), "state": "queued", "category": category, "complete": complete})
    check_photo_task.delay(job_id)
    return job_id


def run(job_id: str) -> None:
    """The worker's part: read the photo, check it, record the answer, delete the photo."""
    state = get(job_id)
    path = f"{PHOTOS_DIR}/{job_id}"
    if state is None:
        if default_storage.exists(path):
            default_storage.delete(path)
        return
    _save(job_id, {**state, "state": "running"})
    try:
        with default_storage.open(path, "rb") as fh:
            data = fh.read()
        result = check_photo(data, state["category"], complete=state["complete"])
        _save(job_id, {**state, "state": "done", "result": result})
    except ValidationFailed as exc:
        field, message = next(iter(exc.errors.items()))
        _save(job_id, {**state, "state": "failed", "field": field, "message": message})
    except Exception:
        _save(job_id, {**state, "state": "failed", "field": "image", "message": _("照片检查失败，请重试。")})
        raise
    finally:
        if default_storage.exists(path):
            default_storage.delete(path)


def sweep(*, now=None, older_than: timedelta = STALE_AFTER) -> dict:
    """Delete stored label photos older than ``older_than`` (a worker died before reading them)."""
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    try:
        _dirs, files = default_storage.listdir(PHOTOS_DIR)
    except FileNotFoundError:
        return {"deleted": 0}
    for name in files:
        path = f"{PHOTOS_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue
    return {"deleted": deleted}
