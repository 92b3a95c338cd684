from datetime import timedelta
from unittest import mock

import pytest

from nqihub.certification import reminders
from nqihub.certification.models import CertificateReminder, CertificateStatus

pytestmark = pytest.mark.django_db


def _sweep(today, **kw):
    with mock.patch.object(reminders, "notify", wraps=reminders.notify) as spy:
        result = reminders.sweep(today=today, **kw)
    return result, spy


def test_sixty_days_before_expiry_sends_one_expiry_90_reminder_once(shanyuan_cert, today, demo_user):
    result, spy = _sweep(today)
    assert result["expiry_90"] == 1
    assert spy.call_count == 1
    call = spy.call_args.kwargs
    assert call["event"] == "certification.reminder"
    assert demo_user("ent_shanyuan").pk in call["users"]
    assert CertificateReminder.objects.filter(certificate=shanyuan_cert, kind="expiry_90").count() == 1

    again, spy2 = _sweep(today)
    assert again["sent"] == 0
    assert spy2.call_count == 0
    assert CertificateReminder.objects.filter(certificate=shanyuan_cert).count() == 1


def test_next_band_is_sent_when_reached(shanyuan_cert, today):
    _sweep(today)
    result, _ = _sweep(today + timedelta(days=31))  # 29 days left
    assert result["expiry_30"] == 1
    result, _ = _sweep(today + timedelta(days=32))
    assert result["sent"] == 0


def test_the_sweep_marks_expired_certificates_with_a_history_row(shanyuan_cert, today):
    result, spy = _sweep(shanyuan_cert.expiry_date + timedelta(days=1))
    shanyuan_cert.refresh_from_db()
    assert shanyuan_cert.status == CertificateStatus.EXPIRED
    assert result["expired"] == 1
    change = shanyuan_cert.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("valid", "expired", None)
    assert change.reason
    assert spy.call_count == 1
    again, _ = _sweep(shanyuan_cert.expiry_date + timedelta(days=1))
    assert again["expired"] == 0 and again["sent"] == 0


def test_a_restart_mid_run_resumes_without_resending(shanyuan_cert, haimen_cert, today):
    # Make Haimen's CCC certificate expire in 45 days too, so both certificates need an expiry reminder.
    haimen_cert.expiry_date = today + timedelta(days=45)
    haimen_cert.save()
    calls = []

    def crash_on_second(**kwargs):
        calls.append(kwargs["obj"].pk)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    with mock.patch.object(reminders, "notify", side_effect=crash_on_second):
        first = reminders.sweep(today=today)
    assert first["failed"] == 1
    assert CertificateReminder.objects.filter(kind="expiry_90").count() == 1  # the failed one rolled back

    with mock.patch.object(reminders, "notify") as spy:
        second = reminders.sweep(today=today)
    assert second["failed"] == 0
    assert [c.kwargs["obj"].pk for c in spy.call_args_list] == [calls[1]]
    assert CertificateReminder.objects.filter(kind="expiry_90").count() == 2


def test_surveillance_reminder_thirty_days_before(haimen_cert, today):
    audit = haimen_cert.surveillance_audits.order_by("due_date").first()
    from nqihub.certification.services import _add_years

    # The first anniversary had passed at registration; the second is the next audit.
    assert audit is not None and audit.due_date == _add_years(haimen_cert.issue_date, 2)
    result, spy = _sweep(audit.due_date - timedelta(days=20))
    assert result["surveillance_30"] == 1
    result, spy = _sweep(audit.due_date)
    assert result["surveillance_0"] == 1
    audit.done_date = audit.due_date
    audit.result = "passed"
    audit.save()
    result, spy = _sweep(audit.due_date + timedelta(days=1))
    assert result.get("surveillance_0", 0) == 0


def test_celery_task_runs_the_sweep(shanyuan_cert, today):
    from nqihub.certification.tasks import send_reminders_task

    result = send_reminders_task.delay(today.isoformat()).get()
    assert result["expiry_90"] == 1


def test_demo_seed_is_idempotent(today):
    from nqihub.certification.demo import seed_demo

    a = seed_demo(today)
    b = seed_demo(today)
    assert a.pk == b.pk
    assert (a.expiry_date - today).days == 60
    assert "示例" in a.number and a.is_demo
