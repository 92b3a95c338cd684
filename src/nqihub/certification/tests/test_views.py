import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nqihub.certification.models import Certificate, CertificateStatus

pytestmark = pytest.mark.django_db


def _routes(cert, audit_id):
    e = cert.enterprise_id
    return [
        ("get", reverse("certification:enterprise-certificates", args=[e])),
        ("get", reverse("certification:certificate-create", args=[e])),
        ("get", reverse("certification:certificate-import", args=[e])),
        ("get", reverse("certification:certificate-detail", args=[cert.pk])),
        ("get", reverse("certification:certificate-edit", args=[cert.pk])),
        ("get", reverse("certification:certificate-status", args=[cert.pk])),
        ("post", reverse("certification:certificate-status", args=[cert.pk])),
        ("post", reverse("certification:certificate-delete", args=[cert.pk])),
        ("post", reverse("certification:surveillance-add", args=[cert.pk])),
        ("post", reverse("certification:surveillance-record", args=[cert.pk, audit_id])),
    ]


@pytest.mark.parametrize("outsider", ["ent_yuese", "ent_hanxi"])
def test_outsiders_get_404_on_every_shanyuan_route(client_for, shanyuan_cert, outsider):
    client = client_for(outsider)
    audit_id = shanyuan_cert.surveillance_audits.first().pk
    for method, url in _routes(shanyuan_cert, audit_id):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert Certificate.objects.filter(pk=shanyuan_cert.pk).exists()


def test_liuzhou_regulator_gets_404_on_a_haimen_certificate(client_for, haimen_cert):
    client = client_for("reg_lz")
    audit_id = haimen_cert.surveillance_audits.first().pk
    for method, url in _routes(haimen_cert, audit_id):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    body = client.get(reverse("certification:certificate-list")).content.decode()
    assert haimen_cert.number not in body


def test_lists_show_what_is_in_scope(client_for, shanyuan_cert, haimen_cert):
    body = client_for("reg_lz").get(reverse("certification:certificate-list")).content.decode()
    assert shanyuan_cert.number in body
    body = (
        client_for("reg_national")
        .get(reverse("certification:certificate-list") + "?expiring_within_days=90")
        .content.decode()
    )
    assert shanyuan_cert.number in body and haimen_cert.number not in body
    body = client_for("ent_yuese").get(reverse("certification:certificate-list")).content.decode()
    assert haimen_cert.number in body and shanyuan_cert.number not in body


def test_enterprise_page_detail_and_status_change(client_for, shanyuan_cert, ccc):
    client = client_for("ent_shanyuan")
    page = client.get(reverse("certification:enterprise-certificates", args=[shanyuan_cert.enterprise_id]))
    assert page.status_code == 200 and shanyuan_cert.number in page.content.decode()
    detail = client.get(reverse("certification:certificate-detail", args=[shanyuan_cert.pk]))
    assert detail.status_code == 200
    assert reverse("certification:certificate-status", args=[shanyuan_cert.pk]) not in detail.content.decode()
    url = reverse("certification:certificate-status", args=[shanyuan_cert.pk])
    # The holder does not change its certificate's status: the body or a regulator does.
    assert client.post(url, {"status": "suspended", "reason": "自愿暂停"}).status_code == 403
    client = client_for("reg_lz")
    assert client.post(url, {"status": "suspended", "reason": ""}).status_code == 422
    response = client.post(url, {"status": "suspended", "reason": "自愿暂停（季节性停产）"})
    assert response.status_code == 302
    shanyuan_cert.refresh_from_db()
    assert shanyuan_cert.status == CertificateStatus.SUSPENDED


def test_create_through_the_form(client_for, shanyuan_cert):
    client = client_for("ent_shanyuan")
    url = reverse("certification:certificate-create", args=[shanyuan_cert.enterprise_id])
    response = client.post(
        url, {"type": "ccc", "number": "示例-CCC-9", "body_name": "示例认证机构", "issue_date": "2024-03-01"}
    )
    assert response.status_code == 302
    cert = Certificate.objects.get(number="示例-CCC-9")
    assert cert.expiry_date.isoformat() == "2029-02-28"
    response = client.post(
        url,
        {
            "type": "ccc",
            "number": "",
            "body_name": "",
            "issue_date": "2024-03-01",
            "expiry_date": "2020-01-01",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"number", "expiry_date"}


def test_guidance_partial_and_catalogue(client_for, ccc):
    client = client_for("ent_yuese")
    response = client.get(reverse("certification:guidance"), {"product": "电线电缆"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "电线组件" in body and reverse("desk:request-create") in body
    response = client.get(reverse("certification:catalogue"))
    assert response.status_code == 200 and "2023" in response.content.decode()
    assert client.get(reverse("certification:catalogue"), {"version": "999999"}).status_code == 404


def test_import_reports_bad_rows_and_imports_nothing(
    client_for, shanyuan_cert, django_capture_on_commit_callbacks
):
    client = client_for("ent_shanyuan")
    url = reverse("certification:certificate-import", args=[shanyuan_cert.enterprise_id])
    csv = (
        "证书编号,认证类型,认证机构,认证范围,产品,发证日期,有效期至\n"
        "示例-IMP-1,ISO 9001,示例认证机构,范围,,2024-01-15,\n"
        "示例-IMP-2,不知道,示例认证机构,,,2024-13-01,\n"
        "示例-IMP-1,ISO 9001,示例认证机构,,,2024-01-15,\n"
    ).encode()
    response = client.post(url, {"file": SimpleUploadedFile("c.csv", csv, content_type="text/csv")})
    assert response.status_code == 422
    rows = {r.row: r.errors for r in response.context["row_errors"]}
    assert set(rows) == {3, 4}
    assert "认证类型" in rows[3] and "发证日期" in rows[3]
    assert "证书编号" in rows[4]
    assert not Certificate.objects.filter(number__startswith="示例-IMP").exists()

    good = "证书编号,认证类型,认证机构,发证日期,有效期至\n示例-IMP-1,ISO 9001,示例认证机构,2024-01-15,\n示例-IMP-3,CCC,示例认证机构,2023/5/1,2028/4/30\n".encode()
    with django_capture_on_commit_callbacks(execute=True):  # the import job is queued on commit
        response = client.post(url, {"file": SimpleUploadedFile("c.csv", good, content_type="text/csv")})
    assert response.status_code == 302
    assert Certificate.objects.filter(number__startswith="示例-IMP").count() == 2


def test_import_rejects_a_file_missing_columns(client_for, shanyuan_cert):
    client = client_for("ent_shanyuan")
    url = reverse("certification:certificate-import", args=[shanyuan_cert.enterprise_id])
    response = client.post(url, {"file": SimpleUploadedFile("c.csv", b"a,b\n1,2\n", content_type="text/csv")})
    assert response.status_code == 422
    assert "file" in response.context["form"].errors
