"""Account lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.accounts.models import Registration
from nqihub.core.models import AuditEntry
from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow

pytestmark = pytest.mark.django_db


def _registrations():
    """One registration waiting in Liuzhou (the demo world has none), then the registrations."""
    from nqihub.accounts.tests.test_registration import _verified

    _verified()
    return Registration.objects.all()


CASES = [
    ("page", "reg_lz", "/accounts/registrations/", lambda: _registrations()),
    ("page", "admin", "/audit/", lambda: AuditEntry.objects.all()),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
