"""Notification lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import pytest

from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow
from nqihub.notifications.models import Notification

pytestmark = pytest.mark.django_db

CASES = [
    (
        "page",
        "ent_hanxi",
        "/notifications/",
        lambda: Notification.objects.filter(recipient__username="ent_hanxi"),
    ),
    (
        "api",
        "ent_hanxi",
        "/api/v1/notifications",
        lambda: Notification.objects.filter(recipient__username="ent_hanxi"),
    ),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
