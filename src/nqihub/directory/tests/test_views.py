"""The directory's HTML pages: the owner or a colleague sees a record, an outsider gets nothing (404 on
details, no rows in lists), bad input shows a specific error and changes nothing.

Personas from the demo world: 善元 (Liuzhou 450204, user ent_shanyuan), 悦瑟 (Haimen 320614, ent_yuese),
汉烯 (Wuhan 420102, ent_hanxi); regulators reg_lz (Liuzhou), reg_gx (Guangxi); the Liuzhou station
(station_lz) whose area is all of Liuzhou; the Liuzhou food lab (lab_lz).
"""

import pytest
from django.urls import reverse

from nqihub.core.models import AuditEntry
from nqihub.directory.models import (
    Enterprise,
    EnterpriseContact,
    Expert,
    Institution,
    Qualification,
    ScopeLine,
    Station,
)
from nqihub.directory.uscc import demo_uscc

pytestmark = pytest.mark.django_db

SHANYUAN = "善元食品有限公司"
YUESE = "南通悦瑟家居用品有限公司"
HANXI = "武汉汉烯科技有限公司"
LAB_LZ = "柳州市食品检验检测实验室（示例）"
LAB_NT = "南通纺织品检测实验室（示例）"
STATION_LZ = "广西柳州螺蛳粉质量检测服务站"
STATION_WH = "武汉江岸岱家山科创城质量服务站"


def enterprise(name):
    return Enterprise.objects.get(name=name)


def institution(name):
    return Institution.objects.get(name=name)


def station(name):
    return Station.objects.get(name=name)


def expert(name):
    return Expert.objects.get(name=name)


def url(name, *args):
    return reverse(f"directory:{name}", args=args)


def text(response):
    return response.content.decode()


def valid_uscc(serial=7, region="450205"):
    return demo_uscc(region, serial)


def wrong_check_character(code):
    return code[:17] + ("0" if code[17] != "0" else "1")


# --- enterprises -----------------------------------------------------------------------------------------
def test_regulator_lists_the_enterprises_of_its_region_only(client_for):
    body = text(client_for("reg_lz").get(url("enterprise-list")))
    assert SHANYUAN in body
    assert YUESE not in body and HANXI not in body


def test_enterprise_user_lists_only_its_own_enterprise(client_for):
    body = text(client_for("ent_yuese").get(url("enterprise-list")))
    assert YUESE in body
    assert SHANYUAN not in body and HANXI not in body


def test_station_staff_list_the_enterprises_of_their_service_area(client_for):
    body = text(client_for("station_lz").get(url("enterprise-list")))
    assert SHANYUAN in body and YUESE not in body


def test_enterprise_list_is_filtered_by_keyword_region_industry_and_scale(client_for):
    c = client_for("admin")
    assert SHANYUAN in text(c.get(url("enterprise-list"), {"q": "螺蛳粉"}))
    assert YUESE not in text(c.get(url("enterprise-list"), {"q": "螺蛳粉"}))
    by_region = text(c.get(url("enterprise-list"), {"region": "320600"}))
    assert YUESE in by_region and SHANYUAN not in by_region
    by_industry = text(c.get(url("enterprise-list"), {"industry": "14"}))
    assert SHANYUAN in by_industry and HANXI not in by_industry
    assert SHANYUAN not in text(c.get(url("enterprise-list"), {"scale": "large"}))


@pytest.mark.parametrize(
    "params",
    [
        {"region": "abc"},
        {"region": "999999"},
        {"scale": "huge"},
        {"industry": "!!"},
        {"page": "x"},
        {"page": "99999"},
        {"q": "'; DROP TABLE x; --"},
        {"q": "<script>alert(1)</script>"},
    ],
)
def test_bad_list_filters_never_fail(client_for, params):
    response = client_for("reg_lz").get(url("enterprise-list"), params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in text(response)


def test_list_filters_answer_htmx_with_the_list_body_only(client_for):
    response = client_for("reg_lz").get(
        url("enterprise-list"), {"q": "善元"}, headers={"HX-Request": "true", "HX-Target": "list-body"}
    )
    assert response.status_code == 200
    body = text(response)
    assert SHANYUAN in body and "<html" not in body


def test_enterprise_detail_for_the_owner_and_the_regulator(client_for):
    pk = enterprise(SHANYUAN).pk
    for username in ("ent_shanyuan", "reg_lz", "reg_gx", "station_lz", "admin"):
        response = client_for(username).get(url("enterprise-detail", pk))
        assert response.status_code == 200, username
        assert SHANYUAN in text(response)


@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("ent_yuese", SHANYUAN),
        ("ent_shanyuan", YUESE),
        ("reg_lz", YUESE),
        ("reg_lz", HANXI),
        ("station_lz", HANXI),
        ("station_wh", SHANYUAN),
        ("lab_lz", SHANYUAN),
    ],
)
def test_outsider_gets_404_on_enterprise_pages(client_for, username, name):
    c = client_for(username)
    pk = enterprise(name).pk
    assert c.get(url("enterprise-detail", pk)).status_code == 404
    assert c.get(url("enterprise-edit", pk)).status_code == 404
    response = c.post(url("enterprise-edit", pk), {"name": "改名"})
    assert response.status_code == 404
    assert (
        c.post(url("enterprise-contact-add", pk), {"name": "张三", "phone": "13800000000"}).status_code == 404
    )
    assert enterprise(name).name == name


def test_demo_records_carry_the_demo_badge(client_for):
    body = text(client_for("ent_shanyuan").get(url("enterprise-detail", enterprise(SHANYUAN).pk)))
    assert "demo-badge" in body and "示例" in body


def test_regulator_registers_an_enterprise(client_for):
    c = client_for("reg_lz")
    assert c.get(url("enterprise-create")).status_code == 200
    code = valid_uscc()
    response = c.post(
        url("enterprise-create"),
        {
            "uscc": code,
            "name": "柳江螺蛳粉厂",
            "kind": "company",
            "region": "450206",
            "industry": "1431",
            "scale": "micro",
        },
    )
    created = Enterprise.objects.get(uscc=code)
    assert response.status_code == 302 and response["Location"] == url("enterprise-detail", created.pk)
    assert created.region_id == "450206" and created.industry_id == "1431"
    assert AuditEntry.objects.filter(
        action="directory.enterprise.created", object_id=str(created.pk)
    ).exists()


def test_wrong_uscc_check_character_is_shown_on_the_field_and_nothing_is_saved(client_for):
    c = client_for("reg_lz")
    good = valid_uscc()
    bad = wrong_check_character(good)
    before = (Enterprise.objects.count(), AuditEntry.objects.filter(action__startswith="directory.").count())
    response = c.post(
        url("enterprise-create"),
        {"uscc": bad, "name": "柳江螺蛳粉厂", "kind": "company", "region": "450206", "scale": "small"},
    )
    assert response.status_code == 200
    body = text(response)
    assert f"统一社会信用代码校验码错误：第18位应为“{good[17]}”，而不是“{bad[17]}”。" in body
    assert "is-invalid" in body
    assert (
        Enterprise.objects.count(),
        AuditEntry.objects.filter(action__startswith="directory.").count(),
    ) == before


def test_several_field_errors_are_shown_together(client_for):
    response = client_for("reg_lz").post(
        url("enterprise-create"),
        {
            "uscc": valid_uscc(),
            "name": "某厂",
            "kind": "company",
            "region": "450200",
            "industry": "9999",
            "scale": "small",
        },
    )
    body = text(response)
    assert "请选择县级行政区划" in body
    assert "行业代码“9999”不在 GB/T 4754-2017 中。" in body
    assert not Enterprise.objects.filter(name="某厂").exists()


def test_missing_fields_get_chinese_messages(client_for):
    body = text(client_for("reg_lz").post(url("enterprise-create"), {"kind": "company", "scale": "small"}))
    assert "请填写统一社会信用代码。" in body and "请填写企业名称。" in body


def test_registering_outside_the_regulators_region_is_forbidden(client_for):
    code = valid_uscc(region="320614")
    response = client_for("reg_lz").post(
        url("enterprise-create"),
        {"uscc": code, "name": "海门某厂", "kind": "company", "region": "320614", "scale": "small"},
    )
    assert response.status_code == 403
    assert "您无权在该地区登记企业" in text(response)
    assert not Enterprise.objects.filter(uscc=code).exists()


def test_enterprise_users_cannot_register_enterprises(client_for):
    assert client_for("ent_yuese").get(url("enterprise-create")).status_code == 403
    assert client_for("lab_lz").get(url("enterprise-create")).status_code == 403


def test_enterprise_user_edits_its_own_enterprise(client_for):
    e = enterprise(SHANYUAN)
    c = client_for("ent_shanyuan")
    form = text(c.get(url("enterprise-edit", e.pk)))
    assert e.uscc in form
    response = c.post(
        url("enterprise-edit", e.pk),
        {
            "uscc": e.uscc,
            "name": e.name,
            "kind": e.kind,
            "region": e.region_id,
            "industry": e.industry_id,
            "scale": "medium",
            "address": "柳州市柳南区新地址（示例）",
            "products": e.products,
        },
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.scale == "medium" and e.address == "柳州市柳南区新地址（示例）"
    assert AuditEntry.objects.filter(action="directory.enterprise.updated", object_id=str(e.pk)).exists()


def test_bad_edit_changes_nothing(client_for):
    e = enterprise(SHANYUAN)
    response = client_for("ent_shanyuan").post(
        url("enterprise-edit", e.pk),
        {
            "uscc": wrong_check_character(e.uscc),
            "name": "",
            "kind": e.kind,
            "region": e.region_id,
            "scale": "small",
        },
    )
    assert response.status_code == 200
    assert "请填写企业名称。" in text(response)
    e.refresh_from_db()
    assert e.name == SHANYUAN


def test_station_staff_see_but_cannot_edit_an_enterprise(client_for):
    pk = enterprise(SHANYUAN).pk
    c = client_for("station_lz")
    assert "enterprise-edit" not in text(c.get(url("enterprise-detail", pk)))
    assert c.get(url("enterprise-edit", pk)).status_code == 403


def test_contacts_are_masked_except_for_those_who_can_edit(client_for):
    e = enterprise(SHANYUAN)
    c = client_for("ent_shanyuan")
    response = c.post(
        url("enterprise-contact-add", e.pk),
        {"name": "李建国", "phone": "13877123456", "position": "质量负责人"},
    )
    assert response.status_code == 302
    assert EnterpriseContact.objects.filter(enterprise=e).count() == 1
    # The owner and the regulator (who can edit) see the contact in full on the detail page.
    for username in ("ent_shanyuan", "reg_lz"):
        body = text(client_for(username).get(url("enterprise-detail", e.pk)))
        assert "李建国" in body and "13877123456" in body
    # Station staff see it masked.
    body = text(client_for("station_lz").get(url("enterprise-detail", e.pk)))
    assert "李建国" not in body and "13877123456" not in body
    assert "李**" in body and "138****3456" in body
    # Lists always mask.
    for username in ("ent_shanyuan", "reg_lz", "station_lz"):
        body = text(client_for(username).get(url("enterprise-list")))
        assert "李**" in body and "138****3456" in body and "13877123456" not in body


def test_bad_contact_is_refused_with_a_field_error(client_for):
    e = enterprise(SHANYUAN)
    response = client_for("ent_shanyuan").post(
        url("enterprise-contact-add", e.pk), {"name": "李建国", "phone": "12"}
    )
    assert response.status_code == 200
    assert "联系电话应为7–15位数字。" in text(response)
    assert not EnterpriseContact.objects.filter(enterprise=e).exists()


def test_enterprise_list_query_count_does_not_grow_with_rows(client_for, django_assert_max_num_queries):
    from nqihub.core.models import Organisation

    for i in range(40):
        org = Organisation.objects.create(kind="enterprise", name=f"柳州测试企业{i}", region_id="450205")
        ent = Enterprise.objects.create(
            organisation=org,
            uscc=demo_uscc("450205", i)[:16] + f"{i:02d}",
            name=f"柳州测试企业{i}",
            region_id="450205",
            industry_id="1431",
        )
    # Every enterprise Liuzhou's regulator sees (the demo ones too) gets a contact, so that every row of the
    # first page, whatever the demo world holds, shows one masked phone.
    for ent in Enterprise.objects.filter(region__code__startswith="4502"):
        EnterpriseContact.objects.create(enterprise=ent, name="王五", phone="13900000000")
    c = client_for("reg_lz")
    c.get(url("enterprise-list"))  # warm up (session, caches)
    # Session, user, scope, region filter (2), count, lab roles (testing menu), cooperatives (cooperatives
    # menu), memberships (user menu), unread notifications, page, contacts, session save (3): the same for
    # 40 rows as for 4000.
    with django_assert_max_num_queries(15):
        response = c.get(url("enterprise-list"))
    assert response.status_code == 200
    rows = list(response.context["page_obj"])
    assert len(rows) == 25
    assert text(response).count("139****0000") >= len(rows)


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


# --- stations ----------------------------------------------------------------------------------------------
def test_station_list_and_detail_are_scoped(client_for):
    body = text(client_for("ent_shanyuan").get(url("station-list")))
    assert STATION_LZ in body and STATION_WH not in body
    st = station(STATION_LZ)
    detail = text(client_for("ent_shanyuan").get(url("station-detail", st.pk)))
    assert "柳南区" in detail and "韦工（示例）" in detail
    for username in ("ent_yuese", "reg_lz", "ent_shanyuan"):
        assert client_for(username).get(url("station-detail", station(STATION_WH).pk)).status_code == 404
    assert client_for("station_wh").get(url("station-edit", st.pk)).status_code == 404


def test_station_list_filters_by_industry(client_for):
    c = client_for("admin")
    body = text(c.get(url("station-list"), {"industry": "14"}))
    assert STATION_LZ in body and STATION_WH not in body


def test_regulator_sets_up_a_station(client_for):
    c = client_for("reg_lz")
    assert c.get(url("station-create")).status_code == 200
    response = c.post(
        url("station-create"),
        {
            "name": "柳城县质量服务站（测试）",
            "region": "450222",
            "service_area": "450222，450223",
            "industries": "1431 1439",
            "latitude": "24.65",
            "longitude": "109.24",
        },
    )
    assert response.status_code == 302
    created = Station.objects.get(name="柳城县质量服务站（测试）")
    assert set(created.areas.values_list("region_id", flat=True)) == {"450222", "450223"}
    assert set(created.industries.values_list("code", flat=True)) == {"1431", "1439"}
    assert AuditEntry.objects.filter(action="directory.station.created", object_id=str(created.pk)).exists()


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("450200", "以下代码不是现有的县级行政区划：450200。"),
        ("450299 abc", "以下代码不是现有的县级行政区划：450299、abc。"),
        ("", "请至少填写一个服务区域"),
    ],
)
def test_station_service_area_must_be_existing_counties(client_for, area, message):
    response = client_for("reg_lz").post(
        url("station-create"), {"name": "坏服务站", "region": "450222", "service_area": area}
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not Station.objects.filter(name="坏服务站").exists()


def test_station_errors_for_industries_and_coordinates(client_for):
    body = text(
        client_for("reg_lz").post(
            url("station-create"),
            {
                "name": "坏服务站",
                "region": "450222",
                "service_area": "450222",
                "industries": "1431 ZZZ",
                "latitude": "95",
            },
        )
    )
    assert "以下行业代码不在 GB/T 4754-2017 中：ZZZ。" in body
    assert "纬度应为 -90 到 90 之间的数字。" in body


def test_station_area_outside_the_regulators_region_is_forbidden(client_for):
    response = client_for("reg_lz").post(
        url("station-create"), {"name": "越界服务站", "region": "450222", "service_area": "450222 320614"}
    )
    assert response.status_code == 403
    assert not Station.objects.filter(name="越界服务站").exists()


def test_station_staff_edit_details_but_not_the_service_area(client_for):
    st = station(STATION_LZ)
    c = client_for("station_lz")
    form = c.get(url("station-edit", st.pk))
    assert form.status_code == 200
    area = " ".join(st.areas.values_list("region_id", flat=True))
    data = {
        "name": st.name,
        "region": st.region_id,
        "service_area": area,
        "industries": "1431 1439",
        "host_organisation": st.host_organisation,
        "specialty": "螺蛳粉",
        "opening_hours": "工作日 9:00–17:00",
    }
    assert c.post(url("station-edit", st.pk), data).status_code == 302
    st.refresh_from_db()
    assert st.opening_hours == "工作日 9:00–17:00"
    # Widening its own area (and so what it sees) is the regulator's call.
    response = c.post(url("station-edit", st.pk), {**data, "service_area": area + " 450103"})
    assert response.status_code == 403
    assert not st.areas.filter(region_id="450103").exists()


# --- experts ------------------------------------------------------------------------------------------------
def test_expert_list_and_filters(client_for):
    c = client_for("reg_gx")
    body = text(c.get(url("expert-list")))
    assert "韦工（示例）" in body and "陈工（示例）" not in body and "沈工（示例）" not in body
    body = text(c.get(url("expert-list"), {"element": "certification"}))
    assert "韦工（示例）" not in body
    body = text(c.get(url("expert-list"), {"q": "杀菌"}))
    assert "韦工（示例）" in body and "覃工（示例）" not in body


@pytest.mark.parametrize(
    ("username", "name"),
    [("reg_lz", "陈工（示例）"), ("ent_yuese", "韦工（示例）"), ("ent_hanxi", "沈工（示例）")],
)
def test_outsider_gets_404_on_expert_pages(client_for, username, name):
    c = client_for(username)
    pk = expert(name).pk
    assert c.get(url("expert-detail", pk)).status_code == 404
    assert c.get(url("expert-edit", pk)).status_code == 404


def _expert_post(e, **changes):
    data = {
        "name": e.name,
        "title": e.title,
        "organisation": e.organisation_id,
        "region": e.region_id,
        "elements": e.elements,
        "industries": " ".join(e.industries.values_list("code", flat=True)),
        "keywords": e.keywords,
        "bio": e.bio,
        "availability": e.availability,
    }
    data.update(changes)
    return data


def test_expert_edits_own_profile_but_not_a_colleagues(client_for):
    me = expert("韦工（示例）")
    c = client_for("expert_lz")
    assert c.post(url("expert-edit", me.pk), _expert_post(me, availability="busy")).status_code == 302
    me.refresh_from_db()
    assert me.availability == "busy"
    colleague = expert("覃工（示例）")
    assert c.get(url("expert-edit", colleague.pk)).status_code == 403


def test_station_staff_register_an_expert_for_their_station(client_for):
    st = station(STATION_LZ)
    c = client_for("station_lz")
    assert c.get(url("expert-create")).status_code == 200
    response = c.post(
        url("expert-create"),
        {
            "name": "黄工（测试）",
            "organisation": st.organisation_id,
            "region": "450204",
            "elements": ["testing", "quality"],
            "industries": "1431",
            "availability": "available",
        },
    )
    assert response.status_code == 302
    created = Expert.objects.get(name="黄工（测试）")
    assert created.elements == ["testing", "quality"]
    assert AuditEntry.objects.filter(action="directory.expert.created", object_id=str(created.pk)).exists()


def test_expert_form_errors_and_foreign_organisation(client_for):
    st = station(STATION_LZ)
    c = client_for("station_lz")
    body = text(
        c.post(
            url("expert-create"),
            {"name": "", "organisation": st.organisation_id, "region": "450204", "availability": "available"},
        )
    )
    assert "请填写专家姓名。" in body and "请至少选择一个服务领域" in body
    # An organisation that is not offered to this user is not a valid choice.
    wuhan = station(STATION_WH).organisation_id
    body = text(
        c.post(
            url("expert-create"),
            {
                "name": "X",
                "organisation": wuhan,
                "region": "420102",
                "elements": ["testing"],
                "availability": "available",
            },
        )
    )
    assert "请选择专家所属的质量服务站或技术机构。" in body
    assert not Expert.objects.filter(name="X").exists()


def test_enterprise_users_cannot_register_experts(client_for):
    assert client_for("ent_shanyuan").get(url("expert-create")).status_code == 403


# --- capability search ---------------------------------------------------------------------------------------
def test_capability_search_finds_nearest_institutions_with_their_lines(client_for):
    c = client_for("ent_shanyuan")
    assert c.get(url("capability-search")).status_code == 200
    response = c.get(
        url("capability-search"), {"parameter": "菌落总数", "product": "螺蛳粉", "region": "450204"}
    )
    body = text(response)
    assert LAB_LZ in body and "GB 4789.2-2022" in body and "同县" in body


def test_capability_search_updates_results_with_htmx(client_for):
    response = client_for("reg_national").get(
        url("capability-search"),
        {"parameter": "甲醛", "product": "床上用品", "region": "320614"},
        headers={"HX-Request": "true"},
    )
    body = text(response)
    assert "<html" not in body
    assert body.index(LAB_NT) < body.index("南宁纺织品检测实验室")


def test_capability_search_is_scoped(client_for):
    body = text(client_for("ent_yuese").get(url("capability-search"), {"parameter": "菌落总数"}))
    assert LAB_LZ not in body


def test_capability_search_bad_input(client_for):
    c = client_for("ent_shanyuan")
    assert "请填写检测项目或产品。" in text(c.get(url("capability-search"), {"parameter": "", "product": ""}))
    assert "地区应为6位行政区划代码" in text(
        c.get(url("capability-search"), {"parameter": "铅", "region": "柳州"})
    )
    assert "不存在" in text(c.get(url("capability-search"), {"parameter": "铅", "region": "999999"}))
    assert c.get(url("capability-search"), {"parameter": "铅", "page": "x"}).status_code == 200


def test_form_errors_and_service_errors_show_together(client_for):
    bad = wrong_check_character(valid_uscc())
    body = text(
        client_for("reg_lz").post(
            url("enterprise-create"),
            {"uscc": bad, "name": "", "kind": "company", "region": "450206", "scale": "small"},
        )
    )
    assert "请填写企业名称。" in body and "统一社会信用代码校验码错误" in body


def test_region_filter_offers_the_regulators_counties_and_drills_down(client_for):
    c = client_for("reg_lz")
    choices = dict(c.get(url("enterprise-list")).context["form"].fields["region"].widget.choices)
    assert "450200" in choices and "450204" in choices and "320614" not in choices
    choices = dict(
        client_for("reg_gx")
        .get(url("enterprise-list"), {"region": "450200"})
        .context["form"]
        .fields["region"]
        .widget.choices
    )
    assert {"450000", "450200", "450204"} <= set(choices)
