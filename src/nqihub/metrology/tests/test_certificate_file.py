"""The certificate or result file of a calibration record: attached by the body that did the work (when it
enters the result, or later), kept in private storage, downloadable by whoever sees the instrument (the
enterprise, the body, the station and regulator of the region), 404 for anyone else; a bad file is refused
with a clear reason and nothing is stored."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nqihub.core.errors import ValidationFailed
from nqihub.directory.models import Institution
from nqihub.metrology import services
from nqihub.metrology.models import VerificationRecord

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _stored(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def accepted(met_demo, demo_user):
    """The pressure gauge booked with the demo body and accepted by it."""
    body = Institution.objects.get(name="柳州市计量检定测试机构（示例）")
    booking = services.booking_create(
        instrument=met_demo["压力表"],
        institution=body,
        proposed_date=datetime.date.today(),
        by=demo_user("ent_shanyuan"),
    )
    return services.booking_accept(booking=booking, by=demo_user("cal_lz"))


def _result(**extra):
    today = datetime.date.today()
    return {
        "kind": "verification",
        "performed_on": today.isoformat(),
        "result": "pass",
        "certificate_number": "示例-JD-9",
        "valid_until": (today + datetime.timedelta(days=180)).isoformat(),
        **extra,
    }


def test_body_attaches_on_completion_and_who_sees_the_instrument_downloads(
    accepted, client_for, api_for, private_storage
):
    resp = client_for("cal_lz").post(
        reverse("metrology:booking-complete", args=[accepted.pk]),
        _result(file=SimpleUploadedFile("检定证书.pdf", PDF, content_type="application/pdf")),
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    record = VerificationRecord.objects.get(booking=accepted)
    assert record.file_name == "检定证书.pdf" and record.file_type == "application/pdf"
    assert record.file.name.startswith("metrology/") and "检定证书" not in record.file.name  # random name
    assert [p.read_bytes() for p in _stored(private_storage)] == [PDF]

    url = reverse("metrology:record-file", args=[record.pk])
    for username in ("ent_shanyuan", "cal_lz", "reg_lz", "station_lz"):
        resp = client_for(username).get(url)
        assert resp.status_code == 200, username
        assert b"".join(resp.streaming_content) == PDF
        assert resp["Content-Type"] == "application/pdf"
    resp = api_for("ent_shanyuan").get(f"/api/v1/records/{record.pk}/file")
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    for outsider in ("ent_yuese", "lab_lz", "coop_haimen", "expert_lz"):
        assert client_for(outsider).get(url).status_code == 404, outsider
        assert api_for(outsider).get(f"/api/v1/records/{record.pk}/file").status_code == 404, outsider

    detail = client_for("ent_shanyuan").get(
        reverse("metrology:instrument-detail", args=[record.instrument_id])
    )
    assert url in detail.content.decode() and "检定证书.pdf" in detail.content.decode()


def test_api_upload_by_the_body_and_refusals(accepted, api_for, private_storage):
    cal = api_for("cal_lz")
    resp = cal.post(f"/api/v1/bookings/{accepted.pk}/complete", _result(), content_type="application/json")
    assert resp.status_code == 201 and resp.json()["file_name"] == ""
    rid = resp.json()["id"]
    url = f"/api/v1/records/{rid}/file"
    assert api_for("ent_shanyuan").get(url).status_code == 404  # no file yet

    fake = SimpleUploadedFile("证书.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    resp = cal.post(url, {"file": fake})
    assert resp.status_code == 422
    assert resp.json()["detail"] == [
        {"field": "file", "message": "文件“证书.pdf”的内容与扩展名 .pdf 不符，已拒绝。"}
    ]
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    resp = cal.post(url, {"file": exe})
    assert resp.status_code == 422 and "只接受 PDF、PNG、JPG 文件" in resp.json()["detail"][0]["message"]
    assert _stored(private_storage) == []
    assert VerificationRecord.objects.get(pk=rid).file_name == ""

    # the enterprise does not replace the body's certificate; an outsider does not even see the record
    pdf = SimpleUploadedFile("c.pdf", PDF, content_type="application/pdf")
    assert api_for("ent_shanyuan").post(url, {"file": pdf}).status_code == 403
    assert api_for("ent_yuese").post(url, {"file": pdf}).status_code == 404
    assert _stored(private_storage) == []

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    resp = cal.post(url, {"file": SimpleUploadedFile("扫描件.png", png, content_type="image/png")})
    assert resp.status_code == 200 and resp.json()["file_name"] == "扫描件.png"
    got = api_for("reg_lz").get(url)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"


def test_a_fake_file_fails_the_completion_and_nothing_is_recorded(accepted, demo_user, private_storage):
    fake = SimpleUploadedFile("证书.pdf", b"just text", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        services.booking_complete(
            booking=accepted,
            data=services.RecordData(
                kind="verification",
                performed_on=datetime.date.today(),
                result="pass",
                certificate_number="示例-JD-10",
                valid_until=datetime.date.today() + datetime.timedelta(days=90),
            ),
            upload=fake,
            by=demo_user("cal_lz"),
        )
    assert list(exc.value.errors) == ["file"]
    accepted.refresh_from_db()
    assert accepted.status == "accepted" and not VerificationRecord.objects.filter(booking=accepted).exists()
    assert _stored(private_storage) == []


def test_enterprise_attaches_a_scan_to_a_record_it_entered(met_demo, client_for, private_storage):
    scale = met_demo["电子计价秤"]
    record = scale.records.first()  # entered from a paper certificate (demo)
    client = client_for("ent_shanyuan")
    upload_url = reverse("metrology:record-file-upload", args=[record.pk])
    assert client_for("cal_lz").get(upload_url).status_code == 404  # no booking: the body does not see it
    assert client_for("reg_lz").get(upload_url).status_code == 403
    resp = client.post(
        upload_url, {"file": SimpleUploadedFile("a.jpg", b"GIF89a....", content_type="image/jpeg")}
    )
    assert resp.status_code == 200 and "内容与扩展名 .jpg 不符" in resp.content.decode()
    jpg = b"\xff\xd8\xff\xe0" + b"\x00" * 32
    resp = client.post(upload_url, {"file": SimpleUploadedFile("证书.jpg", jpg, content_type="image/jpeg")})
    assert resp.status_code == 302
    record.refresh_from_db()
    assert record.file_name == "证书.jpg" and len(_stored(private_storage)) == 1
