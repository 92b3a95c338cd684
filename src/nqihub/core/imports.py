"""Import jobs: one ``ImportJob`` row per upload, queued on commit to a Celery task (eager without a broker),
its state and progress in the database only — any app process shows it, any worker runs it.

* ``start(kind, by=…, data=…, filename=…, scope=…)`` stores the upload privately (random name) and queues
  the job once the caller's transaction commits. The caller has already checked the file and the rows
  (bad input is answered at once, nothing queued).
* ``run(job_id)`` (the task's body) claims the job, reads its file and calls the kind's runner
  (``KINDS``: ``runner(job, data, progress) -> summary dict``); a ``DomainError`` fails the job with its
  message and row errors, anything else fails it with a generic message (and the log). The file is deleted
  when the job ends. Safe to run twice: a finished job is left alone, every runner is all-or-nothing.
* ``run_now(kind, …)`` records a job and runs it in the caller's process (small interactive imports).
* ``get(job_id, fetched_by=user)``: a user sees only the jobs they started; ``view(job)`` is what the
  progress templates show.
* ``sweep()`` (periodic job ``core.sweep_imports``): re-queues jobs no worker took, fails jobs whose worker
  died, deletes old jobs and upload files no job reads.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import ImportJob
from .tabular import MAX_ISSUES, issues_as_dicts

logger = logging.getLogger(__name__)

#: kind → dotted path of its runner ``(job, data, progress) -> dict``.
KINDS: dict[str, str] = {
    "directory.scope": "nqihub.directory.imports.run_job",
    "standards.catalog": "nqihub.standards.imports.run_job",
    "metrology.instruments": "nqihub.metrology.imports.run_job",
    "certification.certificates": "nqihub.certification.imports.run_job",
    "testing.results": "nqihub.testing.results_xlsx.run_job",
}

#: A queued job no worker has taken after this long is queued again by the sweep.
REQUEUE_AFTER = timedelta(minutes=15)
#: A running job without progress for this long lost its worker: failed by the sweep, or taken over.
STALLED_AFTER = timedelta(hours=2)
#: Upload files no job reads are deleted after this long.
ORPHAN_AFTER = timedelta(hours=25)

Progress = Callable[[str, int, int], None]


def retention() -> timedelta:
    return timedelta(days=getattr(settings, "IMPORT_JOB_RETENTION_DAYS", 30))


# --- starting --------------------------------------------------------------------------------------------


def _new_job(kind: str, *, by, data: bytes, filename: str, scope: dict | None, scope_label: str, total: int):
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    job = ImportJob(
        id=uuid.uuid4(),
        kind=kind,
        filename=PurePath(str(filename or "").replace("\\", "/")).name[:200] or "upload",
        created_by=by,
        scope=scope or {},
        scope_label=str(scope_label or "")[:200],
        total=max(0, int(total or 0)),
    )
    job.file.save(job.filename, ContentFile(data), save=False)
    job.save()
    return job


def enqueue(job_id) -> None:
    """Send the job to the task queue (runs at once when there is no broker)."""
    from .tasks import run_import_task

    try:
        run_import_task.delay(str(job_id))
    except Exception:  # the broker is down: the job stays queued and the sweep sends it again
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            raise
        logger.exception("could not queue import job %s", job_id)


def start(
    kind: str,
    *,
    by,
    data: bytes,
    filename: str,
    scope: dict | None = None,
    scope_label: str = "",
    total: int = 0,
) -> ImportJob:
    """Store the (already checked) upload and queue its import when the current transaction commits."""
    job = _new_job(
        kind, by=by, data=data, filename=filename, scope=scope, scope_label=scope_label, total=total
    )
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


def run_now(
    kind: str,
    *,
    by,
    data: bytes,
    filename: str,
    scope: dict | None = None,
    scope_label: str = "",
    total: int = 0,
    reraise: bool = True,
) -> ImportJob:
    """Record a job and run it here and now; with ``reraise`` the runner's ``DomainError`` reaches the
    caller (after the job has been marked failed)."""
    job = _new_job(
        kind, by=by, data=data, filename=filename, scope=scope, scope_label=scope_label, total=total
    )
    run(job.pk, reraise=reraise)
    job.refresh_from_db()
    if reraise and job.status == ImportJob.Status.FAILED:  # failed without a DomainError of its own
        raise DomainError(job.message or _("导入失败，未导入任何数据。"))
    return job


# --- running ---------------------------------------------------------------------------------------------


def _claim(job_id) -> bool:
    now = timezone.now()
    free = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED)
    stalled = ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.RUNNING, updated_at__lt=now - STALLED_AFTER
    )
    changes = {
        "status": ImportJob.Status.RUNNING,
        "started_at": now,
        "updated_at": now,
        "phase": "checking",
        "done": 0,
    }
    return bool(free.update(**changes) or stalled.update(**changes))


class _SideChannel:
    """Progress written while the runner's own transaction is open would stay invisible to every other
    process until it commits. On PostgreSQL the runner's progress therefore goes through a second
    connection in autocommit (opened lazily, closed when the job ends), but only when the job was claimed
    outside any transaction (so this process holds no lock on the job's row) and with a short lock timeout;
    anything unexpected falls back to the main connection. SQLite (one writer) always uses the main one."""

    def __init__(self) -> None:
        self.usable = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.conn = None

    def update(self, job_id, changes: dict) -> bool:
        if not (self.usable and connection.in_atomic_block):
            return False
        table = ImportJob._meta.db_table
        columns = ", ".join(f"{name} = %s" for name in changes)
        try:
            if self.conn is None:
                self.conn = connections.create_connection(DEFAULT_DB_ALIAS)
                with self.conn.cursor() as cursor:
                    cursor.execute("SET lock_timeout = 2000")
            with self.conn.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {columns} WHERE id = %s AND status = %s",  # noqa: S608 - fixed names
                    [*changes.values(), job_id, ImportJob.Status.RUNNING],
                )
                return cursor.rowcount > 0
        except Exception:  # never let progress break an import
            logger.warning(
                "progress of import job %s through a side connection failed", job_id, exc_info=True
            )
            self.close()
            self.usable = False
            return False

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: S110 - closing a broken connection
                pass
            self.conn = None


def set_progress(job_id, phase: str, done: int, total: int = 0, *, side: _SideChannel | None = None) -> None:
    changes = {"phase": phase[:10], "done": max(0, int(done)), "updated_at": timezone.now()}
    if total:
        changes["total"] = max(0, int(total))
    if side is not None and side.update(job_id, changes):
        return
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(**changes)


def _finish(job_id, **changes) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(finished_at=now, updated_at=now, **changes)


def _delete_file(job: ImportJob) -> None:
    name = job.file.name
    if not name:
        return
    try:
        job.file.storage.delete(name)
    except OSError:
        logger.warning("could not delete import upload %s", name)
    ImportJob.objects.filter(pk=job.pk).update(file="")


def run(job_id, *, reraise: bool = False) -> None:
    """Run a queued job (the task's body)."""
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        return
    side = _SideChannel()  # decided before the claim: is this process outside any transaction?
    if not _claim(job_id):
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        runner = import_string(KINDS[job.kind])
        with job.file.open("rb") as fh:
            data = fh.read()
        summary = runner(
            job, data, lambda phase, done, total=0: set_progress(job_id, phase, done, total, side=side)
        )
    except DomainError as exc:
        errors = getattr(exc, "errors", None)
        if isinstance(errors, dict):  # ValidationFailed: field (or "第N行") → message
            errors = [
                {"row": 0, "field": str(k), "message": str(v), "level": "error"} for k, v in errors.items()
            ]
        issues = issues_as_dicts(errors) if isinstance(errors, list | tuple) else []
        _finish(
            job_id,
            status=ImportJob.Status.FAILED,
            message=str(exc.message)[:500],
            errors=issues,
            error_count=len(errors) if isinstance(errors, list | tuple) else 0,
        )
        if reraise:
            raise
    except (OSError, ValueError, KeyError, ImportError) as exc:
        logger.warning("import job %s could not run: %s", job_id, exc)
        _finish(
            job_id,
            status=ImportJob.Status.FAILED,
            message=_("导入任务已失效（文件或导入对象不存在），请重新上传。"),
        )
    except Exception:
        logger.exception("import job %s failed", job_id)
        _finish(
            job_id,
            status=ImportJob.Status.FAILED,
            message=_("导入失败：系统内部错误，未导入任何数据。请稍后重试或联系管理员。"),
        )
        if reraise:
            raise
    else:
        summary = summary or {}
        _finish(
            job_id,
            status=ImportJob.Status.DONE,
            phase="",
            done=int(summary.get("rows", job.total) or 0),
            result=summary,
            message="",
        )
    finally:
        side.close()
        _delete_file(job)


# --- reading ---------------------------------------------------------------------------------------------


def get(job_id, *, fetched_by, kind: str | None = None) -> ImportJob | None:
    """The job if ``fetched_by`` started it (and it is of ``kind``), else None."""
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        return None
    if not getattr(fetched_by, "is_authenticated", False):
        return None
    qs = ImportJob.objects.filter(pk=pk, created_by_id=fetched_by.pk)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.first()


def jobs_of(user, *, kind: str | None = None):
    qs = ImportJob.objects.filter(created_by_id=getattr(user, "pk", None))
    return qs.filter(kind=kind) if kind else qs


def percent(job: ImportJob) -> int:
    if job.status == ImportJob.Status.DONE:
        return 100
    if job.status != ImportJob.Status.RUNNING or not job.total:
        return 0
    share = min(1.0, job.done / job.total)
    if job.phase == "writing":  # the file is read twice: checked, then written
        return 50 + int(50 * share)
    return int(50 * share)


def view(job: ImportJob) -> dict:
    """What the progress templates show (the fields of the former cache entries)."""
    result = job.result or {}
    warnings = result.get("warnings") or []
    return {
        **(job.scope or {}),
        "id": job.pk.hex,
        "kind": job.kind,
        "state": job.status,
        "phase": job.phase,
        "done": job.done,
        "total": job.total,
        "percent": percent(job),
        "finished": job.finished,
        "filename": job.filename,
        "scope_label": job.scope_label,
        "report": result or None,
        "message": job.message,
        "errors": list(job.errors or []),
        "more_errors": max(0, job.error_count - len(job.errors or [])),
        "more_warnings": max(0, int(result.get("warning_count", 0) or 0) - len(warnings)),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


# --- upkeep ----------------------------------------------------------------------------------------------


def sweep(*, now=None) -> dict:
    """Re-queue jobs no worker took, fail jobs whose worker died, delete jobs older than the retention and
    upload files no job reads. Idempotent; returns counts."""
    from .uploads import sweep_stale_imports

    now = now or timezone.now()
    counts = {"requeued": 0, "stalled": 0, "deleted_jobs": 0, "deleted_files": 0}
    for job_id in ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED, created_at__lt=now - REQUEUE_AFTER
    ).values_list("pk", flat=True)[:MAX_ISSUES]:
        enqueue(job_id)
        counts["requeued"] += 1
    for job in ImportJob.objects.filter(status=ImportJob.Status.RUNNING, updated_at__lt=now - STALLED_AFTER):
        _finish(
            job.pk,
            status=ImportJob.Status.FAILED,
            message=_("导入中断（处理进程已停止），未导入任何数据。请重新上传。"),
        )
        _delete_file(job)
        counts["stalled"] += 1
    old = ImportJob.objects.filter(created_at__lt=now - retention()).exclude(status=ImportJob.Status.RUNNING)
    for job in old.iterator():
        _delete_file(job)
        job.delete()
        counts["deleted_jobs"] += 1
    keep = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    counts["deleted_files"] = sweep_stale_imports(now=now, older_than=ORPHAN_AFTER, keep=keep)
    return counts
