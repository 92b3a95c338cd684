"""Background jobs of core, bound to the project's Celery app (eager without a broker)."""

from nqihub.celery import app

from .audit_archive import archive
from .imports import run, sweep


@app.task(name="core.sweep_imports")
def sweep_imports_task() -> dict:
    return sweep()


@app.task(name="core.run_import", max_retries=3, time_limit=2 * 3600, soft_time_limit=2 * 3600 - 60)
def run_import_task(job_id: str) -> None:
    """Run one queued ``ImportJob`` (``core.imports.run``; a finished job is left alone)."""
    run(job_id)


@app.task(name="core.archive_audit")
def archive_audit_task() -> int:
    """Audit entries past AUDIT_RETENTION_DAYS → signed archive files, then deleted (idempotent)."""
    files = 0
    while archive() is not None:
        files += 1
    return files
