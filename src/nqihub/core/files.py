"""Private file storage: uploads have no public URL.

- ``PrivateFileSystemStorage`` (a directory outside every served path, ``PRIVATE_FILES_ROOT``) and
  ``core.s3.PrivateS3Storage`` (a private bucket of any S3-compatible store, through django-storages) refuse to
  make URLs: a template or API that tried would fail loudly in the tests instead of leaking a link.
- ``RandomName(prefix)`` is the ``upload_to`` of every private file field: ``<prefix>/<yyyy>/<mm>/<random>.<ext>``.
  The original name stays in the row (``name``) for display and as the download's file name.
- ``file_response`` is the one way a scoped view hands a file out (or lets the proxy do it with
  ``X-Accel-Redirect`` for large files on local storage).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.timezone import now

logger = logging.getLogger(__name__)

RANDOM_BYTES = 16  # 128 bits: object names cannot be guessed
_MAX_EXT = 10


class PrivateFileError(RuntimeError):
    """Raised on any attempt to build a URL for a private file."""


def no_url(name: str):
    raise PrivateFileError(
        f"private files have no URL ({name!r}): serve them through the scoped view of their record"
    )


class PrivateFileSystemStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        # The location is MEDIA_ROOT, which the settings set to PRIVATE_FILES_ROOT (and tests may move).
        kwargs.setdefault("file_permissions_mode", 0o640)
        kwargs.setdefault("directory_permissions_mode", 0o750)
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    def url(self, name):
        no_url(name)


def extension(filename: str) -> str:
    """``.pdf`` for ``报告.PDF``; ``""`` when there is none or it is not a plain short word."""
    suffix = PurePosixPath(str(filename or "").replace("\\", "/")).suffix.lower()
    return suffix if 1 < len(suffix) <= _MAX_EXT and suffix[1:].isalnum() else ""


def random_name(prefix: str, filename: str = "") -> str:
    today = now()
    return f"{prefix}/{today:%Y}/{today:%m}/{secrets.token_hex(RANDOM_BYTES)}{extension(filename)}"


@deconstructible
class RandomName:
    """``upload_to`` for private files: a random object name under ``prefix``, keeping only the extension."""

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        return random_name(self.prefix, filename)

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.prefix == self.prefix

    def __hash__(self):
        return hash(self.prefix)


def is_random_name(name: str, prefix: str) -> bool:
    parts = str(name or "").split("/")
    if len(parts) != 4 or parts[0] != prefix:
        return False
    stem = parts[3].split(".", 1)[0]
    return len(stem) == RANDOM_BYTES * 2 and all(c in "0123456789abcdef" for c in stem)


def _accel_path(field_file) -> str | None:
    prefix = settings.FILES_X_ACCEL_REDIRECT
    if not prefix or not isinstance(field_file.storage, FileSystemStorage):
        return None
    try:
        size = field_file.size
    except OSError:
        return None
    if size < settings.FILES_X_ACCEL_MIN_BYTES:
        return None
    return prefix.rstrip("/") + "/" + field_file.name.lstrip("/")


def file_response(
    field_file, *, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponse:
    """The file of a record the caller has already fetched through its scoped selector. A file missing
    from the storage is a 404 (and an error in the log), never a 500."""
    if not field_file or not field_file.name:
        raise Http404
    accel = _accel_path(field_file)
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        try:
            handle = field_file.storage.open(field_file.name, "rb")
        except (FileNotFoundError, OSError) as exc:
            logger.error("file %s of %s is missing from the storage: %s", field_file.name, filename, exc)
            raise Http404 from exc
        response = FileResponse(
            handle, as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def private_file_fields():
    """Every (model, field) whose files go to a ``RandomName`` location."""
    from django.apps import apps
    from django.db.models import FileField

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and isinstance(field.upload_to, RandomName):
                yield model, field


def storage_location() -> str:
    """For messages: where the private files are."""
    if settings.STORAGE_BACKEND == "s3":
        return f"s3://{settings.S3_BUCKET}/{settings.S3_PREFIX}".rstrip("/")
    return os.fspath(settings.PRIVATE_FILES_ROOT)


def _legacy_source(name: str):
    """An open file for a public-era name: in the private storage already (same name) or under the old
    public directory. ``None`` when it is nowhere."""
    from django.core.files.storage import default_storage

    if default_storage.exists(name):
        return default_storage.open(name, "rb"), lambda: default_storage.delete(name)
    legacy = settings.LEGACY_MEDIA_ROOT.resolve()
    path = (legacy / name).resolve()
    if legacy in path.parents and path.is_file():
        return path.open("rb"), path.unlink
    return None


def migrate_legacy_files(*, log=logger.warning) -> dict[str, int]:
    """Move every private file field's public-era file to a random name in the private storage (see
    ``manage.py migrate_private_files``). The row is updated before the old file is deleted."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    counts = {"moved": 0, "missing": 0, "kept": 0}
    for model, field in private_file_fields():
        prefix = field.upload_to.prefix
        rows = model._default_manager.exclude(**{field.name: ""}).values_list("pk", field.name)
        for pk, name in rows.iterator():
            if is_random_name(name, prefix):
                counts["kept"] += 1
                continue
            source = _legacy_source(name)
            if source is None:
                counts["missing"] += 1
                log(
                    f"{model._meta.label} {pk}: file {name!r} not found in the storage or {settings.LEGACY_MEDIA_ROOT}"
                )
                continue
            handle, delete_old = source
            with handle:
                new_name = default_storage.save(random_name(prefix, name), File(handle))
            model._default_manager.filter(pk=pk).update(**{field.name: new_name})
            delete_old()
            counts["moved"] += 1
    return counts
