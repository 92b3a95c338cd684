"""An expert's rights come from their assignments, not from the station they belong to (issue 13 item 2).

expert_lz is a member of the Liuzhou station with the role "expert". Without an assignment they see none
of 善元's records and change nothing; with one they read that request, its enterprise and the orders
placed from it — read-only. The station's staff (station_lz) keep their rights over the service area.
"""

import pytest

from nqihub.accounts.models import User
from nqihub.certification.models import Certificate
from nqihub.core import policy
from nqihub.core.scoping import scope_of, visible_qs
from nqihub.desk import services as desk_services
from nqihub.desk.models import ServiceRequest
from nqihub.desk.tests.helpers import SHANYUAN, ids, shelf_life_request
from nqihub.directory.models import Enterprise, Institution
from nqihub.metrology.models import Instrument
from nqihub.testing import services as testing_services
from nqihub.testing.models import TestOrder

pytestmark = pytest.mark.django_db

API = "/api/v1"
ITEM = {"parameter": "水分", "method_standard": "GB 5009.3-2016", "requirement": "≤14.5", "unit": "g/100g"}


@pytest.fixture
def shanyuan():
    return Enterprise.objects.get(name=SHANYUAN)


@pytest.fixture
def lab():
    return Institution.objects.get(name="柳州市食品检验检测实验室（示例）")


@pytest.fixture
def instrument(shanyuan):
    return Instrument.objects.create(
        enterprise=shanyuan, region_id=shanyuan.region_id, name="电子天平（示例）", serial_number="示例-1"
    )


@pytest.fixture
def certificate(shanyuan):
    cert = Certificate.objects.filter(enterprise=shanyuan).first()
    assert cert is not None, "the demo world holds a certificate of 善元"
    return cert


@pytest.fixture
def issued_order(shanyuan, lab):
    order = TestOrder.objects.filter(enterprise=shanyuan, reports__isnull=False).first()
    assert order is not None, "the demo world holds an issued test order of 善元"
    return order


def _request(shanyuan) -> ServiceRequest:
    data = shelf_life_request()
    return desk_services.request_create(
        data=desk_services.RequestData(
            enterprise_id=shanyuan.pk,
            categories=data["categories"],
            title=data["title"],
            description=data["description"],
            industry=data["industry"],
            product=data["product"],
        ),
        by=User.objects.get(username="ent_shanyuan"),
    )


def _assign_to_expert_lz(req: ServiceRequest) -> ServiceRequest:
    station = User.objects.get(username="station_lz")
    desk_services.request_accept(request=req, by=station)
    desk_services.request_dispatch(
        request=req, assignees=[desk_services.AssigneeSpec("expert", ids()["wei"])], by=station
    )
    return ServiceRequest.objects.get(pk=req.pk)


def _order_from(req, shanyuan, lab) -> TestOrder:
    return testing_services.order_create(
        by=User.objects.get(username="station_lz"),
        lab=lab,
        enterprise=shanyuan,
        product_name="预包装柳州螺蛳粉",
        items=[dict(ITEM)],
        service_request=req,
        submit=True,
    )


def test_expert_without_assignment_sees_none_of_the_enterprise(
    api_for, shanyuan, instrument, certificate, issued_order
):
    api = api_for("expert_lz")
    report = issued_order.reports.first()
    for url in (
        f"{API}/enterprises/{shanyuan.pk}",
        f"{API}/test-orders/{issued_order.pk}",
        f"{API}/reports/{report.pk}/pdf",
        f"{API}/instruments/{instrument.pk}",
        f"{API}/instruments/{instrument.pk}/records",
        f"{API}/certificates/{certificate.pk}",
    ):
        assert api.get(url).status_code == 404, url
    for url, key in (
        (f"{API}/enterprises", "id"),
        (f"{API}/test-orders", "id"),
        (f"{API}/instruments", "id"),
        (f"{API}/certificates", "id"),
    ):
        body = api.get(url).json()
        items = body["items"] if isinstance(body, dict) else body
        assert not {i[key] for i in items} & {shanyuan.pk, issued_order.pk, instrument.pk, certificate.pk}, (
            url
        )
    # The station's staff keep their view of the service area.
    staff = api_for("station_lz")
    assert staff.get(f"{API}/enterprises/{shanyuan.pk}").status_code == 200
    assert staff.get(f"{API}/instruments/{instrument.pk}").status_code == 200
    assert staff.get(f"{API}/test-orders/{issued_order.pk}").status_code == 200


def test_expert_without_assignment_pages_answer_404(client_for, shanyuan, instrument, issued_order):
    web = client_for("expert_lz")
    assert web.get(f"/directory/enterprises/{shanyuan.pk}/").status_code == 404
    assert web.get(f"/metrology/instruments/{instrument.pk}/").status_code == 404
    assert web.get(f"/testing/orders/{issued_order.pk}/").status_code == 404


def test_expert_cannot_create_change_or_delete_instruments(api_for, shanyuan, instrument):
    api = api_for("expert_lz")
    payload = {"enterprise": shanyuan.pk, "name": "体温计", "serial_number": "TW-1", "purpose": "medical"}
    assert api.post(f"{API}/instruments", payload, content_type="application/json").status_code in (403, 404)
    assert api.put(
        f"{API}/instruments/{instrument.pk}", payload, content_type="application/json"
    ).status_code in (403, 404)
    assert api.delete(f"{API}/instruments/{instrument.pk}").status_code in (403, 404)
    instrument.refresh_from_db()
    assert instrument.name == "电子天平（示例）"
    assert not Instrument.objects.filter(serial_number="TW-1").exists()


def test_expert_cannot_create_test_orders(api_for, shanyuan, lab):
    before = TestOrder.objects.count()
    resp = api_for("expert_lz").post(
        f"{API}/test-orders",
        {"enterprise": shanyuan.pk, "lab": lab.pk, "product_name": "预包装柳州螺蛳粉", "items": [ITEM]},
        content_type="application/json",
    )
    assert resp.status_code in (403, 404, 422), resp.content
    assert TestOrder.objects.count() == before
    assert testing_services.client_origin(User.objects.get(username="expert_lz"), shanyuan) is None


def test_expert_with_assignment_reads_that_request_only(api_for, shanyuan, lab):
    expert = User.objects.get(username="expert_lz")
    unassigned = _request(shanyuan)
    assigned = _assign_to_expert_lz(_request(shanyuan))
    order = _order_from(assigned, shanyuan, lab)
    other_order = _order_from(unassigned, shanyuan, lab)

    api = api_for("expert_lz")
    assert api.get(f"{API}/requests/{assigned.pk}").status_code == 200
    assert api.get(f"{API}/requests/{unassigned.pk}").status_code == 404
    assert api.get(f"{API}/enterprises/{shanyuan.pk}").status_code == 200
    assert api.get(f"{API}/test-orders/{order.pk}").status_code == 200
    assert api.get(f"{API}/test-orders/{other_order.pk}").status_code == 404
    assert set(visible_qs(expert, TestOrder).values_list("pk", flat=True)) == {order.pk}
    # Read-only: no new orders, no instruments, no enterprise edits for the assigned enterprise.
    assert testing_services.client_origin(expert, shanyuan) is None
    assert not policy.acts_for_enterprise(expert, shanyuan)
    resp = api.post(
        f"{API}/instruments",
        {"enterprise": shanyuan.pk, "name": "体温计", "serial_number": "TW-2", "purpose": "medical"},
        content_type="application/json",
    )
    assert resp.status_code in (403, 404)
    assert not Instrument.objects.filter(serial_number="TW-2").exists()
    # A declined/cancelled assignment ends the view.
    assert scope_of(expert).user_id == expert.pk


def test_expert_membership_is_not_acting_for_the_station():
    expert = User.objects.get(username="expert_lz")
    staff = User.objects.get(username="station_lz")
    assert policy.station_orgs(scope_of(expert)) == []
    assert policy.station_orgs(scope_of(staff)) != []
    assert not policy.station_covers(expert, Enterprise.objects.get(name=SHANYUAN).region_id)
    assert policy.station_covers(staff, Enterprise.objects.get(name=SHANYUAN).region_id)
