import pytest

from nqihub.notifications import sms


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
