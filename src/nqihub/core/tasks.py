"""Background jobs of core, bound to the project's Celery app (eager without a broker)."""

from nqihub.celery import app


@app.task(name="core.sweep_imports")
def sweep_imports_task() -> int:
    from .uploads import sweep_stale_imports

    return sweep_stale_imports()


@app.task(name="core.archive_audit")
def archive_audit_task() -> int:
    """Audit entries past AUDIT_RETENTION_DAYS → signed archive files, then deleted (idempotent)."""
    from .audit_archive import archive

    files = 0
    while archive() is not None:
        files += 1
    return files
