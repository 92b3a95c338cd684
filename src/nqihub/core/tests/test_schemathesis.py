"""Schemathesis over the whole OpenAPI document (issue 13 item 5): every operation, generated valid and
invalid input, as a platform administrator and as an enterprise user: no server error, every status
code, content type, header and body as documented, and no route that ignores its declared auth.

Slow, so not in the default run: ``make schemathesis`` (CI runs it on SQLite and PostgreSQL).
``SCHEMATHESIS_EXAMPLES`` (default 12) bounds the examples per operation.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

if not os.environ.get("NQIHUB_SCHEMATHESIS"):
    pytest.skip("make schemathesis runs these", allow_module_level=True)

pytestmark = pytest.mark.schemathesis

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.ignored_auth,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI application, whose request signals close "old" database
    connections; inside the test's transaction (autocommit off) Django counts the test's own connection as
    old, and on PostgreSQL every later query failed with "the connection is closed". Django's test client
    disconnects the same handler."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db):
    """Authorization headers of a platform administrator and an enterprise user."""
    from nqihub.accounts.models import ApiToken, User

    headers = {}
    for username in ("admin", "ent_shanyuan"):
        _token, key = ApiToken.issue(User.objects.get(username=username))
        headers[username] = {"Authorization": f"Bearer {key}"}
    return headers


def _schema():
    from django.core.wsgi import get_wsgi_application

    # The document is served without touching the database, so it loads at collection time.
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


schema = (
    _schema()
    if os.environ.get("NQIHUB_SCHEMATHESIS")
    else schemathesis.openapi.from_dict(
        {"openapi": "3.1.0", "info": {"title": "-", "version": "0"}, "paths": {}}
    )
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_to_its_openapi(case, bearer):
    for headers in bearer.values():
        case.call_and_validate(headers=headers, checks=CHECKS)
