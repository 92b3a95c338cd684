"""A test order whose product standard is a well-formed number the catalogue lacks is accepted, with the
note 未收录，请核实 (issue 16 item 7)."""

import json

import pytest

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_order_with_an_unlisted_local_standard_is_accepted_with_a_note(api_for, client_for, lab, shanyuan):
    client = api_for("ent_shanyuan")
    created = client.post(
        f"{API}/test-orders",
        json.dumps(
            {
                "enterprise": shanyuan.pk,
                "lab": lab.pk,
                "product_name": "预包装柳州螺蛳粉",
                "product_standard": "DBS45/034-2021",
                "items": [{"parameter": "水分", "requirement": "≤14.5", "unit": "g/100g"}],
                "samples": [{"name": "螺蛳粉"}],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["product_standard"] == "DBS45/034-2021"
    assert body["product_standard_note"] == "未收录，请核实"
    html = client_for("ent_shanyuan").get(f"/testing/orders/{body['id']}/").content.decode()
    assert "未收录，请核实" in html


def test_order_with_a_catalogued_standard_has_no_note(api_for, lab, shanyuan):
    created = api_for("ent_shanyuan").post(
        f"{API}/test-orders",
        json.dumps(
            {
                "enterprise": shanyuan.pk,
                "lab": lab.pk,
                "product_name": "婴儿配方奶粉",
                "product_standard": "GB 10765-2021",
                "items": [{"parameter": "水分", "requirement": "≤5", "unit": "g/100g"}],
                "samples": [{"name": "奶粉"}],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["product_standard_note"] == ""
