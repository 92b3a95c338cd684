"""Shared by the desk's page tests (test_views_*.py): requests filed through the services, URLs, the intake
form's data, a resolved request."""

import pytest
from django.urls import reverse

from nqihub.desk import services
from nqihub.desk.models import ServiceRequest

from .helpers import ids, shelf_life_request

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _file_request(demo_user, username="ent_shanyuan", **overrides) -> ServiceRequest:
    data = shelf_life_request(**overrides)
    return services.request_create(data=services.RequestData(**data), by=demo_user(username))


def _hanxi_request(demo_user) -> ServiceRequest:
    return _file_request(
        demo_user,
        "ent_hanxi",
        categories=["testing"],
        industry=None,
        product="导热石墨烯膜",
        title="石墨烯膜导热系数检测",
        description="需要检测导热系数。",
    )


def _detail(pk):
    return reverse("desk:request-detail", args=[pk])


def _action(pk, action):
    return reverse("desk:request-action", args=[pk, action])


def _intake_post(**overrides):
    return shelf_life_request(
        **{"desired_by": "", "contact_name": "覃经理", "contact_phone": "13807720000", **overrides}
    )


def _resolved(demo_user) -> ServiceRequest:
    req = _file_request(demo_user)
    station = demo_user("station_lz")
    services.request_accept(request=req, by=station)
    (a,) = services.request_dispatch(
        request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    services.assignment_accept(assignment=a, by=demo_user("expert_lz"))
    services.assignment_complete(assignment=a, by=demo_user("expert_lz"), result="ok")
    services.request_resolve(
        request=req, resolution=services.Resolution(outcome="partly_solved", summary="部分解决"), by=station
    )
    return req
