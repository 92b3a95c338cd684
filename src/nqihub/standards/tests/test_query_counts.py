"""Standards lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow, visible_to
from nqihub.standards.models import Declaration, Standard, StandardFollow, StandardProposal

pytestmark = pytest.mark.django_db

CASES = [
    ("page", "ent_shanyuan", "/standards/", lambda: Standard.objects.all()),
    ("api", "ent_shanyuan", "/api/v1/standards", lambda: Standard.objects.all()),
    (
        "page",
        "ent_shanyuan",
        "/standards/following/",
        lambda: StandardFollow.objects.filter(user__username="ent_shanyuan"),
    ),
    (
        "api",
        "ent_shanyuan",
        "/api/v1/standards/follows",
        lambda: StandardFollow.objects.filter(user__username="ent_shanyuan"),
    ),
    ("page", "reg_lz", "/standards/declarations/", lambda: visible_to(Declaration, "reg_lz")),
    ("api", "reg_lz", "/api/v1/standards/declarations", lambda: visible_to(Declaration, "reg_lz")),
    ("page", "admin", "/standards/proposals/", lambda: StandardProposal.objects.all()),
    ("api", "admin", "/api/v1/standards/proposals", lambda: StandardProposal.objects.all()),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
