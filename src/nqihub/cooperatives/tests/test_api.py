import pytest
from django.utils import timezone

from .conftest import passing_values

pytestmark = pytest.mark.django_db


def test_member_and_staff_flow_over_the_api(api_for, coop, yuese_member, checkpoints):
    ent, admin = api_for("ent_yuese"), api_for("coop_haimen")
    r = ent.post(
        f"/api/v1/cooperative-members/{yuese_member.pk}/leave",
        {"reason": ""},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    assert (
        ent.post(
            f"/api/v1/cooperative-members/{yuese_member.pk}/leave",
            {"reason": "测试"},
            content_type="application/json",
        ).status_code
        == 200
    )
    body = {
        "enterprise": yuese_member.enterprise_id,
        "officer_name": "周",
        "officer_phone": "13900000002",
        "accept_commitment": False,
    }
    r = ent.post(f"/api/v1/cooperatives/{coop.pk}/apply", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "accept_commitment"
    body["accept_commitment"] = True
    r = ent.post(f"/api/v1/cooperatives/{coop.pk}/apply", body, content_type="application/json")
    assert (
        r.status_code == 201
        and r.json()["status"] == "applied"
        and r.json()["officer_phone"] == "13900000002"
    )
    assert ent.post(f"/api/v1/cooperative-members/{yuese_member.pk}/admit").status_code == 403
    r = admin.post(f"/api/v1/cooperative-members/{yuese_member.pk}/admit")
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert admin.post(f"/api/v1/cooperative-members/{yuese_member.pk}/admit").status_code == 409
    values = passing_values(checkpoints["outgoing"])
    r = ent.post(
        f"/api/v1/cooperative-checkpoints/{checkpoints['outgoing'].pk}/inspections",
        {"member": yuese_member.pk, "inspected_on": timezone.localdate().isoformat(), "values": values},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["result"] == "pass"
    rates = admin.get(
        f"/api/v1/cooperatives/{coop.pk}/pass-rates", {"date_from": timezone.localdate().isoformat()}
    ).json()
    row = next(m for m in rates["members"] if m["member_id"] == yuese_member.pk)
    assert row["inspections"]["total"] >= 1 and "combined pass rate" in rates["formula"]


def test_members_list_masks_officers_for_regulators(api_for, coop, yuese_member):
    items = api_for("reg_national").get(f"/api/v1/cooperatives/{coop.pk}/members").json()["items"]
    row = next(i for i in items if i["id"] == yuese_member.pk)
    assert row["officer_phone"] == yuese_member.masked_officer_phone
    own = api_for("ent_yuese").get(f"/api/v1/cooperatives/{coop.pk}/members").json()["items"]
    assert [i["id"] for i in own] == [yuese_member.pk] and own[0][
        "officer_phone"
    ] == yuese_member.officer_phone


def test_overdue_filter(api_for, coop):
    items = (
        api_for("coop_haimen")
        .get(f"/api/v1/cooperatives/{coop.pk}/nonconformities", {"overdue": "true"})
        .json()["items"]
    )
    assert items and all(i["overdue"] for i in items)
