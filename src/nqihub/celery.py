"""Celery app. Without CELERY_BROKER_URL tasks run eagerly in-process (embedded set-up).

Every task of the project derives from ``BaseTask``: acknowledged late (a worker that dies mid-task leaves
it to another; so every task is idempotent), retried with exponential backoff and jitter on any error, and
bounded by the time limits of the settings (``CELERY_TASK_TIME_LIMIT`` / ``…_SOFT_TIME_LIMIT``). The
request id of the web request that queued a task travels with it (``core.logs``).
"""

import os

from celery import Celery, Task, signals

from nqihub.core import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")


class BaseTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    max_retries = 5
    retry_backoff = 10  # seconds: 10, 20, 40, 80, 160 (each with jitter), capped below
    retry_backoff_max = 600
    retry_jitter = True

    def retry(
        self,
        args=None,
        kwargs=None,
        exc=None,
        throw=True,
        eta=None,
        countdown=None,
        max_retries=None,
        **options,
    ):
        if self.request.is_eager and exc is not None:
            # Embedded set-up (no broker): nobody would retry later, and Celery would raise ``Retry`` in
            # the caller's place; the caller sees the task's own error at once instead, as without retries.
            raise exc
        return super().retry(args, kwargs, exc, throw, eta, countdown, max_retries, **options)


app = Celery("nqihub", task_cls=BaseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logs.connect_celery()


@app.task(name="nqihub.periodic", max_retries=3, time_limit=2 * 3600, soft_time_limit=2 * 3600 - 60)
def periodic_job(name: str) -> dict:
    """Run one job of ``core.schedule`` (Celery beat sends this, with the job's name)."""
    from nqihub.core import periodic

    outcome = periodic.execute(name, trigger="beat")
    return {"name": outcome.name, "status": outcome.status}


@signals.beat_init.connect
def _beat_init(**kwargs):
    """Beat in production refuses to start without its configuration, naming what is missing."""
    from nqihub.core import preflight

    preflight.refuse_if_misconfigured("celery beat")


@signals.worker_init.connect
def _worker_init(**kwargs):
    """A worker in production refuses to start without its configuration; otherwise the start-up costs
    (jieba's dictionary …) are paid once here, before the pool forks its processes."""
    from nqihub.core import preflight
    from nqihub.warmup import warm_up

    preflight.refuse_if_misconfigured("celery worker")
    warm_up()
