"""Shared fixtures. The test database is created once per session with the reference data (regions,
industries) and the demo world (the seed's stories and demo users) already loaded; each test runs in a
transaction that is rolled back. Do not use ``transactional_db``/``live_server`` in the default suite:
they flush that data (browser checks run against ``make run`` instead; see web/tests/e2e).
"""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# No timed assertions in tests: Hypothesis' per-example deadline and its "too slow" health checks fail on a
# shared, loaded machine without saying anything about the code. Timings live in bench/.
hypothesis_settings.register_profile(
    "nqihub",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
hypothesis_settings.load_profile("nqihub")


def pytest_configure(config):
    from django.conf import settings

    # Hashing demo passwords with PBKDF2 a few thousand times would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The demo's regulators sign in with a password; tests of the second factor switch it on.
    settings.REQUIRE_SECOND_FACTOR = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", stdout=io.StringIO())
        call_command("load_standards", stdout=io.StringIO())
        call_command("load_ccc", stdout=io.StringIO())
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_user(db):
    """``demo_user("ent_yuese")`` → the demo User."""
    from nqihub.accounts.models import User

    return lambda username: User.objects.get(username=username)


@pytest.fixture
def client_for(db):
    """``client_for("reg_lz")`` → a Django test Client logged in as that user."""
    from nqihub.accounts.models import User

    def make(username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    return make


@pytest.fixture
def api_for(db):
    """``api_for("reg_lz")`` → a Client whose requests carry ``Authorization: Bearer <token>``."""
    from nqihub.accounts.models import ApiToken, User

    def make(username: str) -> Client:
        _token, key = ApiToken.issue(User.objects.get(username=username))
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


@pytest.fixture
def demo_password():
    from nqihub.accounts.demo import demo_password

    return demo_password()


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploads go to a private directory of this test only (``PRIVATE_FILES_ROOT``); returns it."""
    root = tmp_path / "private"
    settings.PRIVATE_FILES_ROOT = settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "nqihub.core.files.PrivateFileSystemStorage"},
    }
    return root
