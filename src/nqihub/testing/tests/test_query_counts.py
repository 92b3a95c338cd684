"""Testing lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow, visible_to
from nqihub.testing.models import TestOrder

pytestmark = pytest.mark.django_db

CASES = [
    ("page", "lab_lz", "/testing/", lambda: visible_to(TestOrder, "lab_lz")),
    ("api", "lab_lz", "/api/v1/test-orders", lambda: visible_to(TestOrder, "lab_lz")),
    ("page", "ent_shanyuan", "/testing/", lambda: visible_to(TestOrder, "ent_shanyuan")),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
