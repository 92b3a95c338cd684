"""notify(): nothing before commit, each user's channels, idempotent sending, bad input refused."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import AuditEntry, Organisation
from nqihub.notifications import services, tasks
from nqihub.notifications.models import (
    EmailStatus,
    MobilePhone,
    Notification,
    NotificationPreference,
    SmsStatus,
)
from nqihub.notifications.selectors import DEFAULT_CHANNELS, Channels, channels_for
from nqihub.notifications.services import notify

EVENT = "desk.assignment.created"


def _notify(users, **kwargs):
    defaults = {"event": EVENT, "title": "新工单：螺蛳粉酸笋检测", "body": "请在 1 个工作日内接受。"}
    notify(users=users, **{**defaults, **kwargs})


def test_nothing_is_written_or_sent_before_the_transaction_commits(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([station])
        assert not new_notifications(recipient=station).exists()
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert not new_notifications(recipient=station).exists()


def test_after_commit_the_inbox_row_is_written_and_the_mail_sent(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    org = Organisation.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station], url="/desk/requests/12/", obj=org)
    row = new_notifications(recipient=station).get()
    assert (row.event, row.title, row.url) == (EVENT, "新工单：螺蛳粉酸笋检测", "/desk/requests/12/")
    assert (row.object_type, row.object_id) == ("core.organisation", str(org.pk))
    assert row.via_inbox and row.via_email and not row.via_sms
    assert row.read_at is None and row.emailed_at is not None
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [station.email]
    assert "新工单：螺蛳粉酸笋检测" in mail.subject
    assert "/desk/requests/12/" in mail.body


def test_a_rolled_back_transaction_tells_nobody(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _notify([station])
            raise RuntimeError("the dispatch failed")
    assert callbacks == []
    assert not new_notifications(recipient=station).exists()
    assert mailoutbox == []


def test_email_off_means_no_mail_but_the_inbox_row(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    NotificationPreference.objects.create(user=station, event=EVENT, inbox=True, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    row = new_notifications(recipient=station).get()
    assert row.via_inbox and not row.via_email
    assert mailoutbox == []


def test_inbox_off_email_on_mails_without_showing_in_the_inbox(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    NotificationPreference.objects.create(user=station, event="*", inbox=False, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    row = new_notifications(recipient=station).get()
    assert not row.via_inbox and row.emailed_at is not None
    assert len(mailoutbox) == 1


def test_every_channel_off_writes_nothing(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    NotificationPreference.objects.create(user=station, event=EVENT, inbox=False, email=False, sms=False)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    assert not new_notifications(recipient=station).exists()
    assert mailoutbox == []


def test_the_event_row_wins_over_the_default_row_and_the_default_over_the_built_in(demo_user):
    station, regulator, enterprise = demo_user("station_lz"), demo_user("reg_lz"), demo_user("ent_shanyuan")
    NotificationPreference.objects.create(user=station, event="*", inbox=True, email=False, sms=True)
    NotificationPreference.objects.create(user=station, event=EVENT, inbox=False, email=True, sms=False)
    NotificationPreference.objects.create(user=regulator, event="*", inbox=True, email=False, sms=False)
    ids = [station.pk, regulator.pk, enterprise.pk]
    assert channels_for(user_ids=ids, event=EVENT) == {
        station.pk: Channels(inbox=False, email=True, sms=False),
        regulator.pk: Channels(inbox=True, email=False, sms=False),
        enterprise.pk: DEFAULT_CHANNELS,
    }
    assert channels_for(user_ids=ids, event="standards.changed")[station.pk] == Channels(True, False, True)
    assert DEFAULT_CHANNELS == Channels(inbox=True, email=True, sms=False)


def test_no_email_address_no_mail(
    new_notifications, demo_user, mailoutbox, django_capture_on_commit_callbacks
):
    station = demo_user("station_lz")
    station.email = ""
    station.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    assert not new_notifications(recipient=station).get().via_email
    assert mailoutbox == []


def test_sms_goes_to_the_verified_number_through_the_configured_backend(
    new_notifications, with_email, sms_outbox, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    MobilePhone.objects.create(user=station, number="13800001234", verified_at=timezone.now())
    NotificationPreference.objects.create(user=station, event="*", inbox=True, email=False, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    assert len(sms_outbox) == 1
    phone, text = sms_outbox[0]
    assert phone == "13800001234" and "新工单" in text
    row = new_notifications(recipient=station).get()
    assert row.texted_at is not None
    # The locmem and console backends send nothing: recorded as "logged only", never "sent".
    assert row.sms_status == SmsStatus.LOGGED
    assert mailoutbox == []


def test_an_unverified_number_gets_no_sms(
    new_notifications, with_email, sms_outbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    MobilePhone.objects.create(user=station, number="13800001234")
    NotificationPreference.objects.create(user=station, event="*", inbox=True, email=False, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    assert not new_notifications(recipient=station).get().via_sms
    assert sms_outbox == []


def test_duplicates_none_ids_and_inactive_users(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station, regulator = with_email("station_lz"), with_email("reg_lz")
    regulator.is_active = False
    regulator.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station, None, station.pk, regulator])
        _notify(station, event="desk.request.overdue")  # a single user is accepted too
    assert new_notifications(recipient=station).count() == 2
    assert not new_notifications(recipient=regulator).exists()
    assert len(mailoutbox) == 2


def test_an_event_without_a_label_still_works(
    new_notifications, with_email, django_capture_on_commit_callbacks, caplog
):
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station], event="desk.request.withdrawn")
    row = new_notifications(recipient=station).get()
    assert row.event_label == "desk.request.withdrawn"
    assert "no label" in caplog.text


def test_no_recipients_is_a_no_op(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify([])
        _notify(None)
    assert callbacks == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"event": "Desk Assignment"}, ValueError),
        ({"event": ""}, ValueError),
        ({"event": "desk"}, ValueError),
        ({"title": "   "}, ValueError),
        ({"url": "https://evil.example/phish"}, ValueError),
        ({"url": "//evil.example/phish"}, ValueError),
        ({"url": "javascript:alert(1)"}, ValueError),
        ({"url": "/\\evil.example"}, ValueError),
        ({"url": "/" + "x" * 600}, ValueError),
        ({"users": "station_lz"}, TypeError),
        ({"users": 5}, TypeError),
        ({"users": [object()]}, TypeError),
    ],
)
def test_bad_input_is_refused_before_anything_is_queued(
    demo_user, kwargs, error, django_capture_on_commit_callbacks
):
    kwargs.setdefault("users", [demo_user("station_lz")])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(error):
            _notify(**kwargs)
    assert callbacks == []


def test_the_email_task_is_safe_to_run_twice(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    row = new_notifications(recipient=station).get()
    assert tasks.send_email_notification(row.pk) is False
    assert tasks.send_email_notification(999_999_999) is False
    assert len(mailoutbox) == 1


class FlakyBackend(BaseEmailBackend):
    """An SMTP server that refuses the first ``failures`` sends (class-level: one per test)."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.failures:
            raise OSError("mail server unreachable")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_mail(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.calls = 0

    def fail(times):
        FlakyBackend.failures = times

    return fail


def test_a_failed_mail_is_retried_with_backoff_until_it_goes_out(
    new_notifications, with_email, mailoutbox, flaky_mail, django_capture_on_commit_callbacks, caplog
):
    flaky_mail(2)
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])  # eager Celery: the retries run at once
    row = new_notifications(recipient=station).get()
    assert (row.email_status, row.email_attempts, row.email_error) == (EmailStatus.SENT, 3, "")
    assert row.emailed_at is not None and len(mailoutbox) == 1
    assert "mail server unreachable" in caplog.text


def test_a_mail_that_keeps_failing_is_recorded_as_failed_and_not_sent_again(
    new_notifications,
    with_email,
    mailoutbox,
    flaky_mail,
    settings,
    django_capture_on_commit_callbacks,
    caplog,
):
    flaky_mail(1000)
    settings.EMAIL_MAX_ATTEMPTS = 3
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    row = new_notifications(recipient=station).get()
    assert row.via_inbox  # the inbox row is there all the same
    assert (row.email_status, row.email_attempts, row.emailed_at) == (EmailStatus.FAILED, 3, None)
    assert "OSError: mail server unreachable" in row.email_error
    assert "failed for good" in caplog.text
    flaky_mail(0)
    assert tasks.send_email_notification(row.pk) is False
    assert mailoutbox == []


def test_the_backoff_grows_and_is_capped():
    waits = [tasks.backoff(n) for n in range(1, 12)]
    assert 22 <= waits[0] <= 30 and 45 <= waits[1] <= 60
    assert max(waits) <= 3600 and waits[-1] >= 2700


def test_a_send_claimed_by_a_dead_worker_is_taken_over(
    new_notifications, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    station = with_email("station_lz")
    NotificationPreference.objects.create(user=station, event="*", inbox=True, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    row = new_notifications(recipient=station).get()
    stale = timezone.now() - tasks.CLAIM_EXPIRES - timedelta(minutes=1)
    Notification.objects.filter(pk=row.pk).update(
        via_email=True, email_status="sending", emailed_at=timezone.now()
    )
    assert tasks.send_email_notification(row.pk) is False  # a live claim: another worker is sending
    Notification.objects.filter(pk=row.pk).update(emailed_at=stale)
    assert tasks.send_email_notification(row.pk) is True
    assert len(mailoutbox) == 1


def test_mark_read_only_own(new_notifications, with_email, demo_user, django_capture_on_commit_callbacks):
    station = with_email("station_lz")
    with django_capture_on_commit_callbacks(execute=True):
        _notify([station])
    row = new_notifications(recipient=station).get()
    with pytest.raises(Notification.DoesNotExist):
        services.notification_mark_read(notification_id=row.pk, by=demo_user("reg_lz"))
    first = services.notification_mark_read(notification_id=row.pk, by=station).read_at
    assert first is not None
    assert services.notification_mark_read(notification_id=row.pk, by=station).read_at == first
    # Mark-all counts only what was still unread (the demo world may have left some); ours is not stamped again.
    still_unread = Notification.objects.filter(
        recipient=station, read_at__isnull=True, via_inbox=True
    ).count()
    assert services.notification_mark_all_read(by=station) == still_unread
    assert services.notification_mark_all_read(by=station) == 0
    row.refresh_from_db()
    assert row.read_at == first


def test_preferences_save_validates_and_audits(demo_user):
    station, regulator = demo_user("station_lz"), demo_user("reg_lz")
    with pytest.raises(ValidationFailed) as exc:
        services.preferences_save(user=station, grid={"nope.event": {"inbox": True}}, by=station)
    assert "nope.event" in exc.value.errors
    with pytest.raises(ValidationFailed):
        services.preferences_save(user=station, grid={EVENT: {"pigeon": True}}, by=station)
    with pytest.raises(ValidationFailed):
        services.preferences_save(user=station, grid={EVENT: {"inbox": True}}, by=regulator)
    assert not NotificationPreference.objects.filter(user=station).exists()

    services.preferences_save(user=station, grid={EVENT: {"inbox": True, "email": False}}, by=station)
    pref = NotificationPreference.objects.get(user=station, event=EVENT)
    assert (pref.inbox, pref.email, pref.sms) == (True, False, False)
    assert AuditEntry.objects.filter(action="notifications.preferences.updated", actor=station).exists()
