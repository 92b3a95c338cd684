"""Background job of the label checker: a label photo read and checked in the worker (``photo_jobs``)."""

from nqihub.celery import app


@app.task(name="labels.check_photo")
def check_photo_task(job_id: str) -> None:
    from . import photo_jobs

    photo_jobs.run(job_id)
