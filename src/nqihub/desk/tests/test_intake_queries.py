"""Intake stays cheap (issue 18: ≤ 150 ms p50, timed in bench/intake.py): filing a request through the API
or the HTML form takes a constant number of queries, and what can wait — the notifications, the statistics
upkeep — runs after the commit, all in one step, not inside the request's transaction."""

import pytest
from django.db import connection

from nqihub.desk.models import ServiceRequest
from nqihub.stats.models import Fact

from .helpers import post, shelf_life_request
from .views_helpers import _intake_post

pytestmark = pytest.mark.django_db

#: Token check, scope, validation, enterprise, route (3), number (2), the request, two timeline events
#: with their audit entries, and the detail the API answers with.
API_INTAKE_QUERIES = 31
FORM_INTAKE_QUERIES = 27  # session and user instead of the token; a redirect instead of the detail
#: PostgreSQL also takes the audit chain's advisory lock once per audit entry (two: submitted, routed).
AUDIT_LOCKS = 2 if connection.vendor == "postgresql" else 0


def test_api_intake_takes_a_constant_number_of_queries(
    api_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    api = api_for("ent_shanyuan")
    post(api, "/api/v1/requests", shelf_life_request(title="第一次"))  # caches warmed
    for title in ("第二次", "第三次"):
        with django_capture_on_commit_callbacks() as after_commit:
            with django_assert_max_num_queries(API_INTAKE_QUERIES + AUDIT_LOCKS):
                r = post(api, "/api/v1/requests", shelf_life_request(title=title))
        assert r.status_code == 201, r.content
        assert len(after_commit) == 1  # notifications and statistics: one step after the commit
        assert not Fact.objects.filter(request_id=r.json()["id"]).exists()
        after_commit[0]()
        assert Fact.objects.filter(request_id=r.json()["id"]).exists()
        assert r.json()["channel"] == "api"


def test_form_intake_takes_a_constant_number_of_queries(
    client_for, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    web = client_for("ent_shanyuan")
    web.post("/desk/requests/new/", _intake_post(title="第一次"))
    for title in ("第二次", "第三次"):
        with django_capture_on_commit_callbacks() as after_commit:
            with django_assert_max_num_queries(FORM_INTAKE_QUERIES + AUDIT_LOCKS):
                r = web.post("/desk/requests/new/", _intake_post(title=title))
        assert r.status_code == 302, r.content[:500]
        assert len(after_commit) == 1
        assert ServiceRequest.objects.get(title=title).channel == "online"
