"""Background jobs of certification, on the project's Celery app (eager without a broker). The daily
reminder sweep is a periodic job (``core.schedule``: Celery beat, ``manage.py send_reminders``,
``manage.py run_periodic``); this task runs it on demand, recorded like the others.

The sweep is safe to run twice and to restart: see ``reminders``.
"""

from nqihub.celery import app
from nqihub.core import periodic


@app.task(name="certification.send_reminders")
def send_reminders_task(today: str | None = None) -> dict:
    from datetime import date

    kwargs = {"today": date.fromisoformat(today)} if today else {}
    return periodic.execute("certification.send_reminders", trigger="task", **kwargs).result or {}
