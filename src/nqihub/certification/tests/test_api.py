import json

import pytest

from nqihub.certification.models import Certificate

pytestmark = pytest.mark.django_db


def test_expiring_within_days_filter(api_for, shanyuan_cert, haimen_cert):
    api = api_for("reg_national")
    numbers = [c["number"] for c in api.get("/api/v1/certificates?expiring_within_days=90").json()["items"]]
    assert shanyuan_cert.number in numbers and haimen_cert.number not in numbers
    soon = [c["number"] for c in api.get("/api/v1/certificates?expiring_within_days=30").json()["items"]]
    assert shanyuan_cert.number not in soon
    for bad in ("-1", "abc", "1.5"):
        response = api.get(f"/api/v1/certificates?expiring_within_days={bad}")
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "expiring_within_days"
    response = api.get("/api/v1/certificates?type=nope")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "type"


def test_outsiders_get_404(api_for, shanyuan_cert, haimen_cert):
    api = api_for("ent_yuese")
    for method, url, body in [
        ("get", f"/api/v1/certificates/{shanyuan_cert.pk}", None),
        ("patch", f"/api/v1/certificates/{shanyuan_cert.pk}", {"scope": "x"}),
        ("delete", f"/api/v1/certificates/{shanyuan_cert.pk}", None),
        ("post", f"/api/v1/certificates/{shanyuan_cert.pk}/status", {"status": "suspended", "reason": "x"}),
        (
            "post",
            "/api/v1/certificates",
            {
                "enterprise": shanyuan_cert.enterprise_id,
                "type": "qms",
                "number": "示例-X",
                "body_name": "示例",
                "issue_date": "2024-01-01",
            },
        ),
    ]:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        response = getattr(api, method)(url, **kwargs)
        assert response.status_code == 404, (method, url, response.status_code)
    assert shanyuan_cert.number not in str(api.get("/api/v1/certificates").json())
    reg_lz = api_for("reg_lz")
    assert reg_lz.get(f"/api/v1/certificates/{haimen_cert.pk}").status_code == 404
    assert reg_lz.get(f"/api/v1/certificates/{shanyuan_cert.pk}").status_code == 200


def test_crud_and_status_change(api_for, shanyuan_cert):
    api = api_for("ent_shanyuan")
    created = api.post(
        "/api/v1/certificates",
        data=json.dumps(
            {
                "enterprise": shanyuan_cert.enterprise_id,
                "type": "ccc",
                "number": "示例-API-1",
                "body_name": "示例认证机构",
                "issue_date": "2024-01-01",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    assert created.json()["expiry_date"] == "2028-12-31"
    patched = api.patch(
        f"/api/v1/certificates/{cid}", data=json.dumps({"scope": "电线组件"}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["scope"] == "电线组件"
    bad = api.patch(
        f"/api/v1/certificates/{cid}",
        data=json.dumps({"expiry_date": "2023-01-01"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "expiry_date"
    assert created.json()["self_declared"] is True
    refused = api.post(
        f"/api/v1/certificates/{cid}/status",
        data=json.dumps({"status": "cancelled", "reason": "不再使用"}),
        content_type="application/json",
    )
    assert refused.status_code == 403 and Certificate.objects.get(pk=cid).status == "valid"
    api = api_for("reg_lz")
    no_reason = api.post(
        f"/api/v1/certificates/{cid}/status",
        data=json.dumps({"status": "suspended"}),
        content_type="application/json",
    )
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "reason"
    ok = api.post(
        f"/api/v1/certificates/{cid}/status",
        data=json.dumps({"status": "revoked", "reason": "严重缺陷"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "revoked"
    assert ok.json()["status_changes"][0]["reason"] == "严重缺陷"
    illegal = api.post(
        f"/api/v1/certificates/{cid}/status",
        data=json.dumps({"status": "valid", "reason": "x"}),
        content_type="application/json",
    )
    assert illegal.status_code == 409
    assert api.delete(f"/api/v1/certificates/{cid}").status_code == 204
    assert not Certificate.objects.filter(pk=cid).exists()


def test_guidance_endpoint(api_for, ccc):
    api = api_for("ent_hanxi")
    response = api.get("/api/v1/ccc-guidance?product=电线电缆")
    assert response.status_code == 200 and response.json()[0]["is_current"]
    assert api.get("/api/v1/ccc-guidance").status_code == 422
