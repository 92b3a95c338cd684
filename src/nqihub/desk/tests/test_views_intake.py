"""The intake form: field errors, attachments refused before anything is saved, filing on behalf of an
enterprise, the CCC guidance and similar cases while typing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nqihub.desk.models import Attachment, ServiceRequest

from .helpers import ids
from .views_helpers import (
    PDF,
    _intake_post,
    _media,  # noqa: F401 - autouse fixture: uploads go to a temporary MEDIA_ROOT
)

pytestmark = pytest.mark.django_db


# --- intake --------------------------------------------------------------------------------------------


def test_bad_attachment_is_rejected_with_the_message_and_nothing_saved(client_for):
    before = ServiceRequest.objects.count()
    data = _intake_post(
        attachments=[
            SimpleUploadedFile("报告.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/octet-stream"),
        ]
    )
    r = client_for("ent_shanyuan").post(reverse("desk:request-create"), data)
    assert r.status_code == 200
    body = r.content.decode()
    assert "不支持的文件类型“exe”：只接受 PDF、PNG、JPG、XLSX、DOCX 文件。" in body
    assert ServiceRequest.objects.count() == before
    assert Attachment.objects.count() == 0


def test_renamed_file_and_oversize_file_are_refused(client_for, settings):
    settings.DESK_ATTACHMENT_MAX_BYTES = 1024
    data = _intake_post(
        attachments=[
            SimpleUploadedFile("photo.png", b"not a png at all", "image/png"),
            SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, "application/pdf"),
        ]
    )
    body = client_for("ent_shanyuan").post(reverse("desk:request-create"), data).content.decode()
    assert "的内容与扩展名 .png 不符，已拒绝。" in body
    assert "超过" in body and "上限" in body


def test_intake_field_errors_show_on_the_form(client_for):
    before = ServiceRequest.objects.count()
    r = client_for("ent_shanyuan").post(
        reverse("desk:request-create"),
        _intake_post(categories=[], title="", description="", industry="9999", contact_phone="12ab"),
    )
    body = r.content.decode()
    assert "请至少选择一个需求类别" in body
    assert "请填写标题。" in body
    assert "请描述遇到的问题。" in body
    assert "不在 GB/T 4754-2017 中" in body
    assert "联系电话应为7–15位数字。" in body
    assert ServiceRequest.objects.count() == before


def test_station_files_on_behalf_of_an_enterprise_on_a_visit(client_for):
    known = ids()
    r = client_for("station_lz").post(
        reverse("desk:request-create"),
        _intake_post(enterprise=str(known["shanyuan"]), channel="visit", industry=""),
        follow=True,
    )
    assert r.status_code == 200
    req = ServiceRequest.objects.filter(enterprise_id=known["shanyuan"]).latest("created_at")
    assert req.channel == "visit"
    assert req.industry_id == "1431"  # the enterprise's own
    assert "走访代录" in r.content.decode()


def test_station_must_choose_an_enterprise(client_for):
    body = client_for("station_lz").post(reverse("desk:request-create"), _intake_post()).content.decode()
    assert "请选择企业。" in body


def test_station_cannot_file_for_an_enterprise_outside_its_area(client_for):
    before = ServiceRequest.objects.count()
    r = client_for("station_lz").post(
        reverse("desk:request-create"), _intake_post(enterprise=str(ids()["hanxi"]), channel="walk_in")
    )
    assert r.status_code == 200
    assert ServiceRequest.objects.count() == before


# --- CCC guidance at intake ----------------------------------------------------------------------------


def test_intake_form_loads_the_ccc_guidance(client_for):
    r = client_for("ent_shanyuan").get(reverse("desk:request-create"))
    body = r.content.decode()
    assert 'id="ccc-guidance"' in body
    assert f'hx-get="{reverse("certification:guidance")}"' in body
    assert 'hx-include="[name=product],[name=industry]"' in body


def test_intake_form_is_prefilled_from_the_guidance_link(client_for):
    r = client_for("ent_shanyuan").get(
        reverse("desk:request-create") + "?categories=certification&categories=bogus&product=电线电缆"
    )
    form = r.context["form"]
    assert form.initial["categories"] == ["certification"] and form.initial["product"] == "电线电缆"
    assert 'value="电线电缆"' in r.content.decode()


def test_ccc_guidance_for_the_intake(client_for):
    from nqihub.certification.catalogue import load_seed_editions

    load_seed_editions()
    c = client_for("ent_shanyuan")
    url = reverse("certification:guidance")
    body = c.get(url, {"product": "电线电缆"}, HTTP_HX_REQUEST="true").content.decode()
    assert "电线组件" in body and reverse("desk:request-create") in body
    empty = c.get(url, {"product": "", "industry": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 200 and "填写产品名称或所属行业后" in empty.content.decode()


def test_intake_form_asks_for_similar_cases_as_the_text_is_typed(client_for):
    from django.urls import reverse

    body = client_for("ent_shanyuan").get(reverse("desk:request-create")).content.decode()
    assert f'hx-get="{reverse("cases:suggest-partial")}"' in body
    assert "input changed delay:500ms from:#id_title" in body
