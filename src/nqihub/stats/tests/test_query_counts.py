"""Statistics report lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow, visible_to
from nqihub.stats.models import Report

pytestmark = pytest.mark.django_db


def _reports():
    """One report of Guangxi (the demo world has none), then the reports Guangxi's regulator sees."""
    from nqihub.accounts.models import User
    from nqihub.stats.services import report_create

    report_create(
        region="450000", period_type=Report.Period.YEAR, year=2026, by=User.objects.get(username="reg_gx")
    )
    return visible_to(Report, "reg_gx")


CASES = [
    ("page", "reg_gx", "/stats/reports/", lambda: _reports()),
    ("api", "reg_gx", "/api/v1/stats/reports", lambda: _reports()),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
