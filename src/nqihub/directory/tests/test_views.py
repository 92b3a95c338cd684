"""The directory's HTML pages, enterprises and what all lists share (filters, htmx bodies), and the
capability search: the owner or a colleague sees a record, an outsider gets nothing (404 on details, no
rows in lists), bad input shows a specific error and changes nothing.

Personas and helpers: ``pages.py``.
"""

import pytest

from nqihub.core.models import AuditEntry
from nqihub.directory.models import Enterprise, EnterpriseContact
from nqihub.directory.uscc import demo_uscc

from .pages import (
    HANXI,
    LAB_LZ,
    LAB_NT,
    SHANYUAN,
    YUESE,
    enterprise,
    text,
    url,
    valid_uscc,
    wrong_check_character,
)

pytestmark = pytest.mark.django_db


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
