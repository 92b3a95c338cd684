"""Background jobs of the standards app (eager without a broker). Safe to run twice."""

from nqihub.celery import app


@app.task(name="standards.catalog_import")
def standards_import_task(job_id: str) -> None:
    """Run a catalog import queued by ``imports.import_job_start`` (an upsert: idempotent)."""
    from .imports import import_job_run

    import_job_run(job_id)
