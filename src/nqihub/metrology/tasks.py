"""Background jobs of metrology, bound to the project's Celery app (eager without a broker). Celery beat runs
``metrology.send_reminders`` once a day; ``manage.py send_reminders`` calls the same code. Safe to run twice
(see ``reminders``)."""

from nqihub.celery import app


@app.task(name="metrology.send_reminders")
def send_reminders_task(today: str | None = None) -> dict:
    from datetime import date

    from .reminders import sweep

    return sweep(today=date.fromisoformat(today) if today else None)
