"""Desk lists answer with a constant number of queries, whatever the number of requests (issue 18 item 2)."""

import pytest

from nqihub.accounts.models import User
from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow
from nqihub.desk.models import Assignment, ServiceRequest
from nqihub.desk.selectors import request_q

pytestmark = pytest.mark.django_db


def _requests_of(username):
    return shrink_and_grow(ServiceRequest.objects.filter(request_q(User.objects.get(username=username))))


@pytest.mark.parametrize("username", ["station_lz", "ent_hanxi", "reg_lz", "admin"])
def test_the_request_list_page(client_for, username):
    assert_constant_queries(client_for(username), "/desk/requests/?tab=all", _requests_of(username))


@pytest.mark.parametrize("username", ["station_lz", "ent_hanxi", "reg_gx"])
def test_the_request_list_api(api_for, username):
    assert_constant_queries(api_for(username), "/api/v1/requests", _requests_of(username))


def _assignments():
    return shrink_and_grow(Assignment.objects.filter(expert__user__username="expert_wh"), keep=1)


def test_the_assignment_list_page(client_for):
    assert_constant_queries(client_for("expert_wh"), "/desk/assignments/?tab=all", _assignments())


def test_the_assignment_list_api(api_for):
    assert_constant_queries(api_for("expert_wh"), "/api/v1/assignments", _assignments())


def test_the_station_console(client_for):
    assert_constant_queries(client_for("station_lz"), "/", _requests_of("station_lz"), must_grow=False)
