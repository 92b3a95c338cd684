"""Background jobs of the desk, bound to the project's Celery app: eager (in-process) without a broker, on
a worker otherwise. Celery beat runs ``desk.sweep_deadlines`` periodically (e.g. every 30 minutes):

    CELERY_BEAT_SCHEDULE = {"desk-sweep": {"task": "desk.sweep_deadlines", "schedule": 1800}}

The sweep is safe to run twice: a request already flagged for a deadline is not flagged, escalated or
notified again; warnings are sent once a day.
"""

from nqihub.celery import app


@app.task(name="desk.sweep_deadlines")
def sweep_deadlines_task(today: str | None = None) -> dict:
    from datetime import date

    from .services import sweep_deadlines

    return sweep_deadlines(today=date.fromisoformat(today) if today else None)


def schedule_sweep(today=None):
    """Run the sweep now: in-process when no broker is configured (``CELERY_TASK_ALWAYS_EAGER``)."""
    return sweep_deadlines_task.delay(today.isoformat() if today else None)
