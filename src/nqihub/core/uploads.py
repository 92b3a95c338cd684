"""Clean-up of uploaded import files that no job will read any more.

An import keeps its upload under ``imports/`` only while its ``ImportJob`` runs; a job that finished
deletes its file, but one whose worker died, or a row deleted by hand, may leave it behind.
``sweep_stale_imports`` deletes the files older than ``older_than`` that no job names (``keep``); it is
part of ``core.imports.sweep``.
"""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

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
