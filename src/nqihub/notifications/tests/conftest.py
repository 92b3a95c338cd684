import pytest

from nqihub.notifications import sms

# The testing app's order fixtures, for the tests of who hears of a test order's steps (test_matter.py).
from nqihub.testing.tests.conftest import advance, lab, make_order, shanyuan, users  # noqa: F401


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "nqihub.notifications.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def with_email(demo_user):
    """``with_email("station_lz")`` → that demo user, with an e-mail address."""

    def make(username):
        user = demo_user(username)
        user.email = f"{username}@example.test"
        user.save(update_fields=["email"])
        return user

    return make


@pytest.fixture
def new_notifications(db):
    """``new_notifications(recipient=user)`` → only the notifications written during this test: the demo world
    may leave notifications of its own for demo users, and a test looks only at those it caused."""
    from django.db.models import Max

    from nqihub.notifications.models import Notification

    baseline = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    return lambda **filters: Notification.objects.filter(pk__gt=baseline, **filters)
