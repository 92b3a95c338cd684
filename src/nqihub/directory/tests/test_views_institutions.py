"""The directory's pages of technical institutions: lists and details scoped, registration and edits
with specific errors, qualifications edited in place, the capability scope lines.

Personas and helpers: ``pages.py``.
"""

import pytest
from django.urls import reverse

from nqihub.core.models import AuditEntry
from nqihub.directory.models import Institution, Qualification, ScopeLine

from .pages import LAB_LZ, LAB_NT, institution, text, url

pytestmark = pytest.mark.django_db


# --- institutions ---------------------------------------------------------------------------------------
def test_institution_list_is_scoped(client_for):
    body = text(client_for("reg_lz").get(url("institution-list")))
    assert LAB_LZ in body and LAB_NT not in body and "南宁纺织品检测实验室" not in body
    body = text(client_for("ent_yuese").get(url("institution-list")))
    assert LAB_NT in body and LAB_LZ not in body
    body = text(client_for("reg_gx").get(url("institution-list"), {"kind": "testing", "q": "纺织品"}))
    assert "南宁纺织品检测实验室" in body and LAB_LZ not in body


def test_institution_detail_lists_qualifications_and_paginated_scope_lines(client_for):
    lab = institution(LAB_LZ)
    for i in range(30):
        ScopeLine.objects.create(
            institution=lab,
            region_id=lab.region_id,
            product_text="米粉制品",
            parameter_text=f"测试参数{i:02d}",
        )
    c = client_for("ent_shanyuan")
    body = text(c.get(url("institution-detail", lab.pk)))
    assert "示例-CMA-LZ-0001" in body and "菌落总数" in body
    assert "lines_page=2" in body
    page2 = c.get(url("institution-scope-lines", lab.pk), {"lines_page": 2}, headers={"HX-Request": "true"})
    assert page2.status_code == 200 and "<html" not in text(page2)
    filtered = text(c.get(url("institution-scope-lines", lab.pk), {"lq": "铅"}))
    assert "GB 5009.12" in filtered and "菌落总数" not in filtered


@pytest.mark.parametrize(
    ("username", "name"),
    [("reg_lz", LAB_NT), ("ent_yuese", LAB_LZ), ("ent_shanyuan", LAB_NT), ("lab_lz", "武汉市标准化研究院")],
)
def test_outsider_gets_404_on_institution_pages(client_for, username, name):
    c = client_for(username)
    lab = institution(name)
    assert c.get(url("institution-detail", lab.pk)).status_code == 404
    assert c.get(url("institution-edit", lab.pk)).status_code == 404
    assert c.get(url("institution-scope-lines", lab.pk)).status_code == 404
    assert (
        c.post(
            url("institution-qualification-add", lab.pk), {"qnew-kind": "cma", "qnew-number": "1"}
        ).status_code
        == 404
    )


def test_regulator_registers_an_institution(client_for):
    c = client_for("reg_lz")
    assert c.get(url("institution-create")).status_code == 200
    response = c.post(
        url("institution-create"),
        {
            "name": "柳州市计量测试所（测试）",
            "kind": "calibration",
            "region": "450202",
            "contact_phone": "0772-1234567",
        },
    )
    created = Institution.objects.get(name="柳州市计量测试所（测试）")
    assert response.status_code == 302
    assert created.organisation.kind == "institution" and created.organisation.region_id == "450202"
    assert AuditEntry.objects.filter(
        action="directory.institution.created", object_id=str(created.pk)
    ).exists()


def test_institution_form_errors_are_specific(client_for):
    before = Institution.objects.count()
    response = client_for("reg_lz").post(
        url("institution-create"), {"name": "", "kind": "lab", "region": "12", "contact_phone": "abc"}
    )
    body = text(response)
    assert "请填写机构名称。" in body and "选择一个有效的选项" in body
    assert Institution.objects.count() == before
    body = text(
        client_for("reg_lz").post(
            url("institution-create"),
            {"name": "某所", "kind": "testing", "region": "450200", "contact_phone": "abc"},
        )
    )
    assert "联系电话格式不正确" in body
    assert not Institution.objects.filter(name="某所").exists()


def test_institution_staff_edit_their_institution_but_not_move_it_away(client_for):
    lab = institution(LAB_LZ)
    c = client_for("lab_lz")
    data = {
        "name": lab.name,
        "kind": lab.kind,
        "region": lab.region_id,
        "address": "柳州市新址（示例）",
        "contact_phone": "",
        "description": "",
    }
    assert c.post(url("institution-edit", lab.pk), data).status_code == 302
    lab.refresh_from_db()
    assert lab.address == "柳州市新址（示例）"
    moved = c.post(url("institution-edit", lab.pk), {**data, "region": "450103"})
    assert moved.status_code == 403
    lab.refresh_from_db()
    assert lab.region_id == "450204"


def test_regulator_moving_an_institution_moves_its_scope_lines(client_for):
    lab = institution(LAB_LZ)
    data = {
        "name": lab.name,
        "kind": lab.kind,
        "region": "450205",
        "address": "",
        "contact_phone": "",
        "description": "",
    }
    assert client_for("reg_lz").post(url("institution-edit", lab.pk), data).status_code == 302
    assert set(ScopeLine.objects.filter(institution=lab).values_list("region_id", flat=True)) == {"450205"}


def test_enterprise_user_cannot_edit_an_institution(client_for):
    lab = institution(LAB_LZ)
    c = client_for("ent_shanyuan")
    assert c.get(url("institution-edit", lab.pk)).status_code == 403
    assert (
        c.post(
            url("institution-qualification-add", lab.pk), {"qnew-kind": "cma", "qnew-number": "X"}
        ).status_code
        == 403
    )
    assert c.get(url("institution-create")).status_code == 403


def test_qualifications_are_added_edited_and_deleted_inline(client_for):
    lab = institution(LAB_LZ)
    c = client_for("lab_lz")
    htmx = {"HX-Request": "true"}
    response = c.post(
        url("institution-qualification-add", lab.pk),
        {
            "qnew-kind": "cnas",
            "qnew-number": "cnas l1234",
            "qnew-valid_from": "2024-01-01",
            "qnew-valid_until": "2030-01-01",
        },
        headers=htmx,
    )
    assert response.status_code == 200 and "<html" not in text(response)
    q = Qualification.objects.get(institution=lab, kind="cnas")
    assert q.number == "CNAS L1234"
    assert "CNAS L1234" in text(response)
    response = c.post(
        url("institution-qualification-edit", lab.pk, q.pk),
        {
            f"q{q.pk}-kind": "cnas",
            f"q{q.pk}-number": "CNAS L1234",
            f"q{q.pk}-valid_from": "2024-01-01",
            f"q{q.pk}-valid_until": "2031-06-30",
        },
    )
    assert response.status_code == 302
    q.refresh_from_db()
    assert str(q.valid_until) == "2031-06-30"
    assert c.post(url("institution-qualification-delete", lab.pk, q.pk), headers=htmx).status_code == 200
    assert not Qualification.objects.filter(pk=q.pk).exists()
    actions = set(
        AuditEntry.objects.filter(object_id=str(lab.pk), object_type="directory.institution").values_list(
            "action", flat=True
        )
    )
    assert {
        "directory.institution.qualification_added",
        "directory.institution.qualification_updated",
        "directory.institution.qualification_deleted",
    } <= actions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"qnew-kind": "cnas", "qnew-number": "L-12"}, "CNAS 认可证书编号应形如“CNAS L1234”"),
        ({"qnew-kind": "cma", "qnew-number": ""}, "请填写证书编号。"),
        (
            {
                "qnew-kind": "cma",
                "qnew-number": "X1",
                "qnew-valid_from": "2025-01-01",
                "qnew-valid_until": "2024-01-01",
            },
            "不能早于发证日期",
        ),
        ({"qnew-kind": "cma", "qnew-number": "X1", "qnew-valid_from": "2025-13-45"}, "请输入有效的日期"),
        ({"qnew-kind": "cma", "qnew-number": "示例-CMA-LZ-0001"}, "该机构已登记此证书编号。"),
        ({"qnew-kind": "xyz", "qnew-number": "X1"}, "选择一个有效的选项"),
    ],
)
def test_bad_qualification_is_refused_with_a_specific_error(client_for, data, message):
    lab = institution(LAB_LZ)
    before = Qualification.objects.filter(institution=lab).count()
    response = client_for("lab_lz").post(
        url("institution-qualification-add", lab.pk), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert message in text(response)
    assert Qualification.objects.filter(institution=lab).count() == before


def test_qualification_of_another_institution_is_404(client_for):
    other = Qualification.objects.get(number="示例-CMA-NT-0001")
    lab = institution(LAB_LZ)
    response = client_for("lab_lz").post(url("institution-qualification-delete", lab.pk, other.pk))
    assert response.status_code == 404
    assert Qualification.objects.filter(pk=other.pk).exists()


def test_scope_import_link_only_when_the_route_exists(client_for):
    from django.urls import NoReverseMatch

    lab = institution(LAB_LZ)
    body = text(client_for("lab_lz").get(url("institution-detail", lab.pk)))
    try:
        import_url = reverse("directory:scope-import", kwargs={"institution_id": lab.pk})
    except NoReverseMatch:
        import_url = None
    if import_url:
        assert import_url in body
    # Readers who cannot edit never see it.
    assert "scope/import" not in text(client_for("ent_shanyuan").get(url("institution-detail", lab.pk)))
