"""Certification lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.certification.models import Certificate
from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow, visible_to

pytestmark = pytest.mark.django_db

CASES = [
    ("page", "reg_lz", "/certification/", lambda: visible_to(Certificate, "reg_lz")),
    ("api", "reg_lz", "/api/v1/certificates", lambda: visible_to(Certificate, "reg_lz")),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
