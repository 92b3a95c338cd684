"""XLSX exports: Chinese headers, the list's filters applied, scoped, personal data masked, audited."""

import io

import openpyxl
import pytest
from django.urls import reverse

from nqihub.core.models import AuditEntry
from nqihub.directory.models import Enterprise, EnterpriseContact

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def names(rows):
    return {r[0] for r in rows[1:] if r and r[0]}


def export(client, what, **params):
    return rows_of(client.get(reverse(f"directory:{what}-export"), params))


def test_enterprise_export_has_chinese_headers_and_is_scoped(client_for):
    rows = export(client_for("reg_lz"), "enterprise")
    assert rows[0][:3] == ["企业名称", "统一社会信用代码", "主体类型"]
    assert "善元食品有限公司" in names(rows)
    assert "南通悦瑟家居用品有限公司" not in names(rows) and "武汉汉烯科技有限公司" not in names(rows)


def test_enterprise_user_exports_only_its_own_enterprise(client_for):
    rows = export(client_for("ent_yuese"), "enterprise")
    data = [r for r in rows[1:] if r and r[1]]
    assert [r[0] for r in data] == ["南通悦瑟家居用品有限公司"]


def test_enterprise_export_applies_the_filters(client_for):
    c = client_for("admin")
    assert names(export(c, "enterprise", region="320600")) >= {"南通悦瑟家居用品有限公司"}
    assert "善元食品有限公司" not in names(export(c, "enterprise", region="320600"))
    assert "善元食品有限公司" not in names(export(c, "enterprise", q="石墨烯"))
    assert "武汉汉烯科技有限公司" in names(export(c, "enterprise", q="石墨烯"))


def test_enterprise_export_masks_contacts_even_for_the_owner(client_for):
    e = Enterprise.objects.get(name="善元食品有限公司")
    EnterpriseContact.objects.create(enterprise=e, name="李建国", phone="13877123456")
    for username in ("ent_shanyuan", "reg_lz"):
        rows = export(client_for(username), "enterprise")
        flat = " ".join(str(v) for r in rows for v in r if v is not None)
        assert "李**" in flat and "138****3456" in flat
        assert "李建国" not in flat and "13877123456" not in flat


def test_a_formula_in_a_name_is_exported_as_text(client_for):
    e = Enterprise.objects.get(name="善元食品有限公司")
    Enterprise.objects.filter(pk=e.pk).update(address='=HYPERLINK("http://evil.example","x")')
    response = client_for("reg_lz").get(reverse("directory:enterprise-export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_exports_are_audited(client_for):
    client_for("reg_lz").get(reverse("directory:enterprise-export"), {"q": "善元"})
    entry = AuditEntry.objects.filter(action="directory.enterprise.exported", actor_username="reg_lz").first()
    assert entry is not None and entry.data["filters"] == {"q": "善元"} and entry.data["rows"] == 1


@pytest.mark.parametrize(
    ("what", "username", "present", "absent"),
    [
        ("institution", "reg_lz", "柳州市食品检验检测实验室（示例）", "南通纺织品检测实验室（示例）"),
        ("institution", "ent_yuese", "南通纺织品检测实验室（示例）", "柳州市食品检验检测实验室（示例）"),
        ("station", "reg_lz", "广西柳州螺蛳粉质量检测服务站", "武汉江岸岱家山科创城质量服务站"),
        ("station", "ent_hanxi", "武汉江岸岱家山科创城质量服务站", "广西柳州螺蛳粉质量检测服务站"),
        ("expert", "reg_lz", "韦工（示例）", "陈工（示例）"),
        ("expert", "ent_yuese", "沈工（示例）", "韦工（示例）"),
    ],
)
def test_resource_exports_are_scoped(client_for, what, username, present, absent):
    rows = export(client_for(username), what)
    assert present in names(rows)
    assert absent not in names(rows)


def test_resource_exports_apply_filters(client_for):
    c = client_for("admin")
    assert names(export(c, "institution", kind="standardisation")) >= {"武汉市标准化研究院"}
    assert "柳州市食品检验检测实验室（示例）" not in names(export(c, "institution", kind="standardisation"))
    assert names(export(c, "expert", element="certification")) >= {"陈工（示例）"}
    assert "韦工（示例）" not in names(export(c, "expert", element="certification"))
    assert "武汉江岸岱家山科创城质量服务站" not in names(export(c, "station", industry="14"))


def test_institution_export_lists_qualifications(client_for):
    rows = export(client_for("reg_lz"), "institution")
    row = next(r for r in rows if r and r[0] == "柳州市食品检验检测实验室（示例）")
    assert "示例-CMA-LZ-0001" in row[6]


def test_bad_export_filters_never_fail(client_for):
    rows = export(client_for("reg_lz"), "enterprise", region="zz", scale="huge", page="x")
    assert "善元食品有限公司" in names(rows)


def test_anonymous_export_redirects_to_login(client):
    response = client.get(reverse("directory:enterprise-export"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
