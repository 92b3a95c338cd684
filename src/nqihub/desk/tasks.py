"""Background jobs of the desk, bound to the project's Celery app: eager (in-process) without a broker, on
a worker otherwise. The deadline sweep is a periodic job (``core.schedule``: Celery beat every 30 minutes,
``manage.py sweep_deadlines``, ``manage.py run_periodic``); this task runs it on demand, recorded like
the others.

The sweep is safe to run twice: a request already flagged for a deadline is not flagged, escalated or
notified again; warnings are sent once a day.
"""

from nqihub.celery import app
from nqihub.core import periodic


@app.task(name="desk.sweep_deadlines", time_limit=30 * 60, soft_time_limit=25 * 60)
def sweep_deadlines_task(today: str | None = None) -> dict:
    from datetime import date

    kwargs = {"today": date.fromisoformat(today)} if today else {}
    return periodic.execute("desk.sweep_deadlines", trigger="task", **kwargs).result or {}


def schedule_sweep(today=None):
    """Run the sweep now: in-process when no broker is configured (``CELERY_TASK_ALWAYS_EAGER``)."""
    return sweep_deadlines_task.delay(today.isoformat() if today else None)
