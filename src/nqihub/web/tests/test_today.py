"""Home = today's work per role (issue 17 item 1): counts from the scoped selectors, one click from the
action, SLA colours, navigation badges, and a constant number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nqihub.desk import services as desk
from nqihub.desk.models import Assignment, ServiceRequest
from nqihub.desk.tests.helpers import ids, shelf_life_request
from nqihub.web import today

ROLES = [
    "station_lz",
    "expert_lz",
    "lab_lz",
    "lab_lz_review",
    "lab_lz_approve",
    "cal_lz",
    "reg_lz",
    "reg_gx",
    "admin",
    "ent_shanyuan",
    "ent_yuese",
    "coop_haimen",
]


def _file(user, n: int, *, urgency="urgent", dispatch_to=None) -> list[ServiceRequest]:
    out = []
    for i in range(n):
        data = shelf_life_request(title=f"示例需求 {i}", urgency=urgency)
        req = desk.request_create(data=desk.RequestData(**data), by=user)
        out.append(req)
    if dispatch_to is not None:
        station, expert = dispatch_to
        for req in out:
            desk.request_accept(request=req, by=station)
            desk.request_dispatch(
                request=req,
                assignees=[desk.AssigneeSpec(Assignment.AssigneeType.EXPERT, expert)],
                by=station,
            )
    return out


def _items(user) -> dict[str, int]:
    return {i.key: i.count for s in today.sections(user) for i in s.items}


def _home_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_each_role_sees_its_own_work_on_the_home_page(client_for, demo_user):
    ent, station = demo_user("ent_shanyuan"), demo_user("station_lz")
    before = {name: _items(demo_user(name)) for name in ("station_wh", "ent_hanxi")}
    _file(ent, 2)
    _file(ent, 1, dispatch_to=(station, ids()["wei"]))
    counts = _items(station)
    assert counts["desk.new"] == 2 and counts["desk.urgent"] == 3
    assert _items(demo_user("expert_lz"))["assignments.offered"] == 1
    assert _items(ent)["desk.open"] == 3
    # Another station and another enterprise see none of it.
    assert _items(demo_user("station_wh")) == before["station_wh"]
    assert _items(demo_user("ent_hanxi")) == before["ent_hanxi"]
    page = client_for("station_lz").get("/").content.decode()
    assert 'id="today"' in page and 'data-key="desk.new"' in page
    assert "/desk/requests/?tab=new" in page  # one click from the list to act on
    assert page.count('href="/desk/requests/') >= 3  # the rows link to each request


@pytest.mark.django_db
def test_rows_carry_sla_colours(demo_user):
    ent, station = demo_user("ent_shanyuan"), demo_user("station_lz")
    (req,) = _file(ent, 1)
    ServiceRequest.objects.filter(pk=req.pk).update(is_overdue=True)
    (section,) = [s for s in today.sections(station) if s.key == "station"]
    assert section.rows[0].tone == "danger"
    assert _items(station)["desk.overdue"] == 1


@pytest.mark.django_db
def test_navigation_shows_the_counts_as_badges(client_for, demo_user):
    ent = demo_user("ent_shanyuan")
    _file(ent, 2)
    page = client_for("station_lz").get("/desk/requests/").content.decode()
    assert 'class="badge rounded-pill text-bg-danger nav-badge"' in page
    assert today.badges(demo_user("station_lz"))["desk.new"] == 2


@pytest.mark.django_db
def test_regulator_sees_escalations_overdue_and_the_month_against_last(demo_user):
    ent, station = demo_user("ent_shanyuan"), demo_user("station_lz")
    (req,) = _file(ent, 1)
    ServiceRequest.objects.filter(pk=req.pk).update(is_overdue=True)
    counts = _items(demo_user("reg_lz"))
    assert counts["desk.region_overdue"] == 1
    (section,) = [s for s in today.sections(demo_user("reg_lz")) if s.key == "regulator"]
    assert "环比" in section.note and "同比" in section.note
    # Complete months are compared; this month so far is stated as it stands.
    assert section.note.startswith("本月至今") and "上月" in section.note
    assert _items(demo_user("reg_chengzhong")).get("desk.region_overdue", 0) in (0, 1)
    assert station  # the station filed nothing itself


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_home_costs_the_same_queries_with_more_data(username, client_for, demo_user):
    client = client_for(username)
    _home_queries(client)  # warm the per-process caches (sessions, reference data)
    small = _home_queries(client)
    ent, station = demo_user("ent_shanyuan"), demo_user("station_lz")
    _file(ent, 4)
    _file(ent, 3, dispatch_to=(station, ids()["wei"]))
    larger = _home_queries(client)
    assert larger == small, f"{username}: {small} queries before, {larger} after"


@pytest.mark.django_db
def test_lab_staff_see_the_orders_waiting_for_their_own_signature(demo_user):
    from nqihub.directory.models import Enterprise, Institution
    from nqihub.testing import services as testing

    lab = Institution.objects.get(name="柳州市食品检验检测实验室（示例）")
    ent = demo_user("ent_shanyuan")
    items = [
        {"parameter": "水分", "method_standard": "GB 5009.3-2016", "requirement": "≤14.5", "unit": "g/100g"}
    ]
    before = {n: _items(demo_user(n)) for n in ("lab_lz", "lab_lz_review", "lab_lz_approve")}
    order = testing.order_create(
        by=ent,
        lab=lab,
        enterprise=Enterprise.objects.get(name="善元食品有限公司"),
        product_name="示例样品",
        items=items,
        submit=True,
    )
    assert _items(demo_user("lab_lz"))["testing.receive"] == before["lab_lz"]["testing.receive"] + 1
    tester = demo_user("lab_lz")
    testing.order_receive(order=order, by=tester, condition="包装完好")
    order.refresh_from_db()
    testing.results_enter(order=order, by=tester, results={str(i.pk): "11.2" for i in order.items.all()})
    testing.order_complete(order=order, by=tester)
    assert (
        _items(demo_user("lab_lz_review"))["testing.review"] == before["lab_lz_review"]["testing.review"] + 1
    )
    assert (
        _items(demo_user("lab_lz_approve"))["testing.approve"] == before["lab_lz_approve"]["testing.approve"]
    )
    assert "testing.review" not in _items(demo_user("lab_lz_approve"))  # not the approver's signature
