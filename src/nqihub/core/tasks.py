"""Background jobs of core, bound to the project's Celery app (eager without a broker)."""

from nqihub.celery import app


@app.task(name="core.sweep_imports")
def sweep_imports_task() -> int:
    from .uploads import sweep_stale_imports

    return sweep_stale_imports()
