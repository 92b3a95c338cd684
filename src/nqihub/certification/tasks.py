"""Background jobs of certification, on the project's Celery app (eager without a broker). Celery beat runs
the daily reminder sweep, e.g.

    CELERY_BEAT_SCHEDULE = {"certification-send-reminders": {"task": "certification.send_reminders",
                                                             "schedule": crontab(hour=7, minute=0)}}

The sweep is safe to run twice and to restart: see ``reminders``.
"""

from nqihub.celery import app


@app.task(name="certification.send_reminders")
def send_reminders_task(today: str | None = None) -> dict:
    from datetime import date

    from .reminders import sweep

    return sweep(today=date.fromisoformat(today) if today else None)
