"""Background jobs of the directory. Bound to the project's Celery app, so they run eagerly (in-process)
when no broker is configured, and on a worker otherwise. Every task is safe to run twice."""

from nqihub.celery import app


@app.task(name="directory.scope_import")
def scope_import_task(job_id: str) -> None:
    """Run a capability-scope import queued by ``imports.import_job_start`` (an upsert: idempotent)."""
    from .imports import import_job_run

    import_job_run(job_id)
