"""The directory's pages of quality service stations and experts: scoped lists and details, set-up
and edits with specific errors, who may register an expert for which organisation.

Personas and helpers: ``pages.py``.
"""

import pytest

from nqihub.core.models import AuditEntry
from nqihub.directory.models import Expert, Station

from .pages import STATION_LZ, STATION_WH, expert, station, text, url

pytestmark = pytest.mark.django_db


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
        ("", "请至少选择一个服务区域"),
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
