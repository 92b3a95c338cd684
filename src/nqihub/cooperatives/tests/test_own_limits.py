"""A cooperative's own, stricter limits prefill its testing plan and travel into the test orders."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from nqihub.cooperatives import services
from nqihub.cooperatives.models import CheckItem, MemberStatus

pytestmark = pytest.mark.django_db

OWN_BASIS = "合作社内控要求（示例）"


@pytest.fixture
def stricter(checkpoints):
    """The cooperative limits formaldehyde in finished goods to ≤30 mg/kg (GB 18401 B class: ≤75)."""
    CheckItem.objects.filter(checkpoint=checkpoints["outgoing"], name="甲醛含量（抽检）").update(
        requirement="≤30", basis=OWN_BASIS
    )


def test_own_limits_follow_the_sample_kind(coop, stricter):
    product = {i["parameter"]: i for i in services.own_limits(coop, "product")}
    material = {i["parameter"]: i for i in services.own_limits(coop, "material")}
    assert product["甲醛含量"]["requirement"] == "≤30" and product["甲醛含量"]["basis"] == OWN_BASIS
    assert material["甲醛含量"]["requirement"] == "≤75" and "pH值" in material and "pH值" not in product


def test_a_line_without_items_or_requirements_takes_the_own_limits(demo_user, coop, testing_plan, stricter):
    admin = demo_user("coop_haimen")
    member = coop.members.filter(status=MemberStatus.ACTIVE).first()
    line = services.testing_plan_add_line(
        plan=testing_plan, member=member, sample_kind="product", product_name="四件套", items=[], by=admin
    )
    assert line.items == [
        {
            "parameter": "甲醛含量",
            "method_standard": "",
            "requirement": "≤30",
            "unit": "mg/kg",
            "basis": OWN_BASIS,
        }
    ]
    line = services.testing_plan_add_line(
        plan=testing_plan,
        member=member,
        sample_kind="product",
        product_name="枕套",
        items=[{"parameter": "甲醛含量"}, {"parameter": "pH值", "requirement": "4.0~7.5"}],
        by=admin,
    )
    assert [(i["requirement"], i["basis"]) for i in line.items] == [("≤30", OWN_BASIS), ("4.0~7.5", "")]


def test_the_page_prefills_the_form_with_the_own_limits(client, demo_user, testing_plan, stricter):
    client.force_login(demo_user("coop_haimen"))
    page = client.get(reverse("cooperatives:testing-plan", args=[testing_plan.pk])).content.decode()
    assert 'name="requirement_0" value="≤30"' in page
    page = client.get(
        reverse("cooperatives:testing-plan", args=[testing_plan.pk]) + "?sample_kind=material"
    ).content.decode()
    assert 'name="requirement_0" value="≤75"' in page


def test_the_api_prefills_and_refuses_outsiders(api_for, coop, testing_plan, stricter):
    member = coop.members.filter(status=MemberStatus.ACTIVE).first()
    admin = api_for("coop_haimen")
    r = admin.get(f"/api/v1/cooperatives/{coop.pk}/own-limits?sample_kind=product")
    assert r.status_code == 200 and r.json()[0]["requirement"] == "≤30"
    body = {"member": member.pk, "sample_kind": "product", "product_name": "被套"}
    r = admin.post(
        f"/api/v1/cooperative-testing-plans/{testing_plan.pk}/lines", body, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["items"][0]["basis"] == OWN_BASIS
    bad = {**body, "items": [{"parameter": "甲醛含量", "requirement": "75 左右"}]}
    r = admin.post(
        f"/api/v1/cooperative-testing-plans/{testing_plan.pk}/lines", bad, content_type="application/json"
    )
    assert r.status_code == 422
    outsider = api_for("ent_yuese")
    assert outsider.get(f"/api/v1/cooperatives/{coop.pk}/own-limits").status_code in (403, 404)
    r = outsider.post(
        f"/api/v1/cooperative-testing-plans/{testing_plan.pk}/lines", body, content_type="application/json"
    )
    assert r.status_code in (403, 404, 422)
    assert testing_plan.lines.filter(product_name="被套").count() == 1


def test_an_order_from_the_line_judges_against_the_stricter_limit(demo_user, coop, testing_plan, stricter):
    from django.contrib.auth import get_user_model

    from nqihub.core.models import Membership
    from nqihub.testing import services as testing
    from nqihub.testing.models import LabRole, TestOrder

    admin = demo_user("coop_haimen")
    testing_plan.lines.all().delete()
    member = coop.members.filter(status=MemberStatus.ACTIVE).first()
    line = services.testing_plan_add_line(
        plan=testing_plan, member=member, sample_kind="product", product_name="四件套", items=[], by=admin
    )
    if testing_plan.lab is None:
        pytest.fail("the demo plan names its lab")
    services.testing_plan_order(plan=testing_plan, by=admin)
    line.refresh_from_db()
    order = TestOrder.objects.get(pk=line.order_id)
    item = order.items.get()
    assert (item.requirement, item.requirement_source) == ("≤30", OWN_BASIS)

    tester = get_user_model().objects.create_user(username="nt_tester", password="x")
    Membership.objects.create(
        user=tester, organisation=testing_plan.lab.organisation, role=Membership.Role.INSTITUTION_STAFF
    )
    LabRole.objects.create(user=tester, institution=testing_plan.lab, role=LabRole.Role.TESTER)
    if order.status == "draft":
        testing.order_submit(order=order, by=admin)
    testing.order_receive(order=order, by=tester, condition="包装完好")
    # 50 mg/kg passes GB 18401's B class (≤75) but not the cooperative's ≤30.
    testing.results_enter(order=order, by=tester, results={str(item.pk): "50"})
    item.refresh_from_db()
    assert item.verdict == "fail"


@given(st.text(max_size=60))
def test_a_check_item_name_always_names_a_parameter(name):
    from nqihub.cooperatives.services.testing_plans import _own_parameter

    parameter = _own_parameter(name)
    normalised = " ".join(name.split())
    assert len(parameter) <= len(normalised)
    assert bool(parameter) == bool(normalised)
    if not normalised.endswith((")", "）")):
        # A trailing note in brackets (抽检, 复检 …) is not part of the parameter.
        assert _own_parameter(f"{normalised}（抽检）") == (normalised or "（抽检）")
