"""Periodic jobs: each is a Celery beat entry and a management command, `run_periodic` runs whichever are due
with the state in the database, one runner at a time."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.utils.module_loading import import_string

from nqihub.core import periodic
from nqihub.core.models import PeriodicJob
from nqihub.core.schedule import JOBS, TASK_NAME
from nqihub.desk import services as desk_services
from nqihub.desk.tests.helpers import shelf_life_data

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_every_job_is_a_beat_entry_a_command_and_a_function():
    schedule = settings.CELERY_BEAT_SCHEDULE
    commands = get_commands()
    for job in JOBS:
        entry = schedule[job.name]
        assert entry["task"] == TASK_NAME and entry["args"] == (job.name,)
        assert entry["schedule"] == job.every.total_seconds()
        assert callable(import_string(job.function))
        assert job.command.split()[0] in commands, job.command
    names = {job.name for job in JOBS}
    assert {
        "desk.sweep_deadlines",
        "metrology.send_reminders",
        "certification.send_reminders",
        "core.sweep_imports",
        "stats.upkeep",
    } <= names
    from nqihub.celery import app

    assert TASK_NAME in app.tasks


def _run(*args) -> str:
    out = io.StringIO()
    call_command("run_periodic", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_run_periodic_runs_what_is_due_and_records_it():
    with time_machine.travel(NOW, tick=False):
        output = _run()
        assert all(f"{job.name}: ok" in output for job in JOBS)
        rows = {row.name: row for row in PeriodicJob.objects.all()}
        assert set(rows) == {job.name for job in JOBS}
        assert all(
            r.last_status == "ok" and r.last_success_at == NOW and r.lease_until is None
            for r in rows.values()
        )
        assert rows["desk.sweep_deadlines"].last_result.keys() >= {"overdue", "escalated", "warned"}
        assert _run() == "nothing due\n"
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        output = _run()  # only the 30-minute sweep is due again
        assert output.startswith("desk.sweep_deadlines: ok") and output.count("\n") == 1
        assert PeriodicJob.objects.get(name="desk.sweep_deadlines").runs == 2
        assert PeriodicJob.objects.get(name="stats.upkeep").runs == 1
    listing = _run("--list")
    assert all(job.name in listing for job in JOBS)


@pytest.mark.django_db
def test_a_job_running_elsewhere_is_not_run_twice_until_its_lease_expires():
    job = periodic.job("stats.upkeep")
    with time_machine.travel(NOW, tick=False):
        PeriodicJob.objects.create(
            name=job.name, lease_until=NOW + timedelta(minutes=5), last_status="running"
        )
        assert periodic.execute(job.name).status == "busy"
        assert _run("--job", "stats.upkeep", "--force") == "stats.upkeep: busy\n"
        assert PeriodicJob.objects.get(name=job.name).runs == 0
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):  # the runner died: its lease ran out
        assert periodic.execute(job.name).status == "ok"


@pytest.mark.django_db
def test_a_failed_job_is_recorded_fails_the_command_and_is_tried_again_sooner(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("nqihub.stats.upkeep.reconcile", broken)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(CommandError):
            _run("--job", "stats.upkeep")
        row = PeriodicJob.objects.get(name="stats.upkeep")
        assert (row.last_status, row.failures, row.lease_until) == ("failed", 1, None)
        assert "database on fire" in row.last_error
    monkeypatch.undo()
    spec = periodic.job("stats.upkeep")
    assert not periodic.is_due(spec, row, NOW + periodic.RETRY_AFTER - timedelta(seconds=1))
    assert periodic.is_due(spec, row, NOW + periodic.RETRY_AFTER)  # not a whole day later
    with time_machine.travel(NOW + periodic.RETRY_AFTER, tick=False):
        assert "stats.upkeep: ok" in _run()


def test_unknown_job_names_are_refused(db):
    with pytest.raises(CommandError, match="未知的定时任务"):
        _run("--job", "desk.nope")


@pytest.mark.django_db
def test_the_desk_sweep_has_a_command_that_flags_overdue_requests(demo_user):
    with time_machine.travel(datetime(2026, 9, 30, 2, 0, tzinfo=UTC), tick=False):
        req = desk_services.request_create(data=shelf_life_data(), by=demo_user("ent_shanyuan"))
    assert not req.is_overdue  # accept by 2026-10-08 (after the National Day holiday)
    out = io.StringIO()
    call_command("sweep_deadlines", "--date", "2026-10-09", stdout=out)
    assert "desk.sweep_deadlines: {'overdue':" in out.getvalue()
    req.refresh_from_db()
    assert req.is_overdue and req.overdue_list == ["accept"]
    assert PeriodicJob.objects.get(name="desk.sweep_deadlines").last_trigger == "command"
    out = io.StringIO()
    call_command("sweep_deadlines", "--date", "2026-10-09", stdout=out)  # idempotent: nothing new to flag
    assert "'overdue': 0" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_deadlines", "--date", "tomorrow")


@pytest.mark.django_db
def test_the_beat_task_runs_the_job_and_records_it():
    from nqihub.celery import periodic_job

    assert periodic_job.delay("core.sweep_imports").get() == {"name": "core.sweep_imports", "status": "ok"}
    assert PeriodicJob.objects.get(name="core.sweep_imports").last_trigger == "beat"


def test_every_task_acknowledges_late_retries_with_backoff_and_is_bounded_in_time():
    from nqihub.celery import app

    app.loader.import_default_modules()  # every app's tasks.py, as a worker does at start
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert {"nqihub.periodic", "desk.sweep_deadlines", "notifications.send_email_notification"} <= set(ours)
    for name, task in ours.items():
        assert task.acks_late and task.reject_on_worker_lost, name
        assert task.retry_backoff and task.retry_jitter and task.max_retries, name
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT > 0
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT


def test_in_process_a_tasks_own_error_reaches_the_caller_at_once():
    """Without a broker nobody retries later: the caller sees the task's error, not Celery's ``Retry``."""
    from nqihub.celery import app

    @app.task(name="nqihub.tests.always_fails")
    def always_fails():
        raise LookupError("no such record")

    with pytest.raises(LookupError, match="no such record"):
        always_fails.delay()
