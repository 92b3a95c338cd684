"""Running the periodic jobs of ``core.schedule`` with their state in the database (``PeriodicJob``).

``execute(name)`` takes the job's lease (a conditional UPDATE: one runner at a time across every process and
host), runs the function, and records how it ended. Celery beat sends ``nqihub.periodic`` which calls it;
``manage.py run_periodic`` calls ``run_due`` from cron on sites without a broker; each job's own command
calls ``execute`` directly. The jobs themselves are idempotent, so a run cut short is simply run again.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicJob
from .schedule import BY_NAME, JOBS, Job

logger = logging.getLogger("nqihub.periodic")

#: A failed job is tried again after this long (or its own interval, if shorter).
RETRY_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # "ok", "failed", "busy" (another runner holds the lease)
    result: object = None
    error: str = ""


def job(name: str) -> Job:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown periodic job {name!r}; known: {', '.join(BY_NAME)}") from None


def _row(name: str) -> PeriodicJob:
    try:
        row, _created = PeriodicJob.objects.get_or_create(name=name)
    except IntegrityError:  # created meanwhile by another runner
        row = PeriodicJob.objects.get(name=name)
    return row


def _claim(spec: Job, trigger: str, now: datetime) -> bool:
    _row(spec.name)
    return bool(
        PeriodicJob.objects.filter(name=spec.name)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(
            lease_until=now + spec.timeout,
            last_started_at=now,
            last_status=PeriodicJob.Status.RUNNING,
            last_trigger=trigger[:16],
            runs=F("runs") + 1,
        )
    )


def _summary(value) -> dict:
    if isinstance(value, dict):
        return {
            str(k): v if isinstance(v, int | float | str | bool | None) else str(v) for k, v in value.items()
        }
    if value is None:
        return {}
    return {"result": value if isinstance(value, int | float | str | bool) else str(value)}


def execute(name: str, *, trigger: str = "command", **kwargs) -> Outcome:
    """Run job ``name`` now unless another runner holds its lease; record the outcome. The function's own
    exception is recorded and re-raised (Celery retries with backoff; a command exits non-zero)."""
    spec = job(name)
    now = timezone.now()
    if not _claim(spec, trigger, now):
        logger.info("periodic job %s is running elsewhere; skipped", name)
        return Outcome(name, "busy")
    function = import_string(spec.function)
    logger.info("periodic job %s started (%s)", name, trigger)
    try:
        result = function(**kwargs)
    except BaseException as exc:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
        PeriodicJob.objects.filter(name=name).update(
            last_finished_at=timezone.now(),
            last_status=PeriodicJob.Status.FAILED,
            last_error=error,
            lease_until=None,
            failures=F("failures") + 1,
        )
        logger.exception("periodic job %s failed", name)
        raise
    finished = timezone.now()
    PeriodicJob.objects.filter(name=name).update(
        last_finished_at=finished,
        last_success_at=finished,
        last_status=PeriodicJob.Status.OK,
        last_result=_summary(result),
        last_error="",
        lease_until=None,
    )
    logger.info("periodic job %s finished in %.1f s: %s", name, (finished - now).total_seconds(), result)
    return Outcome(name, "ok", result)


def is_due(spec: Job, row: PeriodicJob | None, now: datetime) -> bool:
    if row is None or row.last_started_at is None:
        return True
    if row.lease_until is not None and row.lease_until >= now:
        return False
    wait = spec.every if row.last_status == PeriodicJob.Status.OK else min(spec.every, RETRY_AFTER)
    return now >= row.last_started_at + wait


def due_jobs(now: datetime | None = None) -> list[Job]:
    now = now or timezone.now()
    rows = {r.name: r for r in PeriodicJob.objects.all()}
    return [spec for spec in JOBS if is_due(spec, rows.get(spec.name), now)]


def run_due(
    *, now: datetime | None = None, names: list[str] | None = None, force: bool = False
) -> list[Outcome]:
    """Run every job that is due (or those ``names``; ``force``: whether due or not), one after the other.
    A job that fails is recorded and the next one still runs."""
    chosen = [job(n) for n in names] if names else list(JOBS)
    due = {spec.name for spec in due_jobs(now)}
    outcomes = []
    for spec in chosen:
        if not force and spec.name not in due:
            continue
        try:
            outcomes.append(execute(spec.name, trigger="run_periodic"))
        except Exception as exc:
            outcomes.append(Outcome(spec.name, "failed", error=str(exc)[:500]))
        finally:
            # Each job commits its own work; nothing here holds a transaction open across jobs. A broken or
            # old connection is dropped between jobs, unless a caller holds a transaction open around us
            # (then autocommit is off and Django would close the caller's connection under it).
            connection = transaction.get_connection()
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
    return outcomes


def states() -> list[tuple[Job, PeriodicJob | None, bool]]:
    now = timezone.now()
    rows = {r.name: r for r in PeriodicJob.objects.all()}
    return [(spec, rows.get(spec.name), is_due(spec, rows.get(spec.name), now)) for spec in JOBS]


class JobCommand(BaseCommand):
    """A management command running one periodic job now (recorded like every other run; refused while
    another runner has it). ``--date`` for the sweeps that take a day."""

    job_name = ""
    takes_date = False

    def add_arguments(self, parser):
        if self.takes_date:
            parser.add_argument("--date", help="按指定日期运行（YYYY-MM-DD），默认今天")

    def job_kwargs(self, options) -> dict:
        if not (self.takes_date and options.get("date")):
            return {}
        try:
            return {"today": date.fromisoformat(options["date"])}
        except ValueError as exc:
            raise CommandError(f"日期应为 YYYY-MM-DD：{options['date']}") from exc

    def run_job(self, name: str, options, label: str = "") -> Outcome:
        outcome = execute(name, trigger="command", **self.job_kwargs(options))
        if outcome.status == "busy":
            self.stderr.write(f"{label or name}: another run is in progress; nothing done")
        else:
            self.stdout.write(f"{label or name}: {outcome.result}")
        return outcome

    def handle(self, *args, **options):
        self.run_job(self.job_name, options)
