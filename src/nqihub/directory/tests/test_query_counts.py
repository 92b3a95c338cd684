"""Directory lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow, visible_to
from nqihub.directory.models import Enterprise, Expert, Institution, Station

pytestmark = pytest.mark.django_db

CASES = [
    ("page", "station_lz", "/directory/enterprises/", lambda: visible_to(Enterprise, "station_lz")),
    ("api", "station_lz", "/api/v1/enterprises", lambda: visible_to(Enterprise, "station_lz")),
    ("page", "reg_lz", "/directory/institutions/", lambda: visible_to(Institution, "reg_lz")),
    ("api", "reg_lz", "/api/v1/institutions", lambda: visible_to(Institution, "reg_lz")),
    ("page", "reg_lz", "/directory/stations/", lambda: visible_to(Station, "reg_lz")),
    ("api", "reg_lz", "/api/v1/stations", lambda: visible_to(Station, "reg_lz")),
    ("page", "reg_lz", "/directory/experts/", lambda: visible_to(Expert, "reg_lz")),
    ("api", "reg_lz", "/api/v1/experts", lambda: visible_to(Expert, "reg_lz")),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
