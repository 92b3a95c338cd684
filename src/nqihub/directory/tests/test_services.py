"""Enterprise registration through the service: USCC checks, field errors, nothing saved, audit."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import AuditEntry, Organisation
from nqihub.directory import uscc
from nqihub.directory.models import Enterprise
from nqihub.directory.services import EnterpriseData, PermissionDenied, enterprise_create, enterprise_update

VALID = "91450202000000009"  # body; check digit appended below
VALID = VALID + stdnum_uscc.calc_check_digit(VALID)


def data(**kw):
    base = dict(
        uscc=VALID,
        name="柳州测试米粉厂（示例）",
        region="450202",
        industry="1431",
        scale="micro",
        address="示例路1号",
    )
    base.update(kw)
    return EnterpriseData(**base)


@pytest.mark.django_db
def test_regulator_registers_an_enterprise_in_its_region(demo_user):
    e = enterprise_create(data=data(), by=demo_user("reg_lz"))
    assert e.organisation.kind == Organisation.Kind.ENTERPRISE and e.region_id == "450202"
    entry = AuditEntry.objects.get(action="directory.enterprise.created", object_id=str(e.pk))
    assert entry.actor_username == "reg_lz" and entry.data["uscc"] == VALID


@pytest.mark.django_db
def test_wrong_check_character_names_the_expected_one(demo_user):
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    before = Enterprise.objects.count(), Organisation.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        enterprise_create(data=data(uscc=wrong), by=demo_user("reg_lz"))
    assert "校验码" in exc.value.errors["uscc"] and f"“{VALID[17]}”" in exc.value.errors["uscc"]
    assert (Enterprise.objects.count(), Organisation.objects.count()) == before


@pytest.mark.parametrize(
    ("code", "needle"),
    [
        ("", "请填写"),
        ("9145020200000000", "18位"),
        ("91450202000000000I", "不允许的字符"),
        ("91450202O000000001", "不允许的字符"),
    ],
)
def test_uscc_reasons_are_specific(code, needle):
    assert needle in uscc.check(code)[1]


def test_uscc_accepts_lower_case_full_width_and_spaces():
    assert uscc.check(VALID.lower()) == (VALID, None)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID)
    assert uscc.check(full_width) == (VALID, None)
    assert uscc.check(VALID[:6] + " " + VALID[6:]) == (VALID, None)


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_uscc_check_never_raises_and_agrees_with_stdnum(text):
    code, reason = uscc.check(text)
    assert (reason is None) == stdnum_uscc.is_valid(code)


@pytest.mark.django_db
def test_every_bad_field_is_reported_at_once(demo_user):
    with pytest.raises(ValidationFailed) as exc:
        enterprise_create(
            data=data(uscc="123", name="", region="999999", industry="0000", scale="huge"),
            by=demo_user("reg_lz"),
        )
    assert set(exc.value.errors) == {"uscc", "name", "region", "industry", "scale"}


@pytest.mark.django_db
def test_region_must_be_a_county(demo_user):
    with pytest.raises(ValidationFailed) as exc:
        enterprise_create(data=data(region="450200"), by=demo_user("reg_lz"))
    assert "县级" in exc.value.errors["region"]


@pytest.mark.django_db
def test_duplicate_uscc_is_refused(demo_user):
    enterprise_create(data=data(), by=demo_user("reg_lz"))
    with pytest.raises(ValidationFailed) as exc:
        enterprise_create(data=data(name="另一家"), by=demo_user("reg_lz"))
    assert "已登记" in exc.value.errors["uscc"]


@pytest.mark.django_db
def test_outsiders_may_not_register_or_edit(demo_user):
    with pytest.raises(PermissionDenied):
        enterprise_create(data=data(), by=demo_user("ent_yuese"))
    with pytest.raises(PermissionDenied):
        enterprise_create(data=data(region="320614"), by=demo_user("reg_lz"))
    shanyuan = Enterprise.objects.get(name="善元食品有限公司")
    with pytest.raises(PermissionDenied):
        enterprise_update(
            enterprise=shanyuan, data=data(uscc=shanyuan.uscc, name="改名"), by=demo_user("ent_yuese")
        )
    assert Enterprise.objects.get(pk=shanyuan.pk).name == "善元食品有限公司"


@pytest.mark.django_db
def test_station_staff_register_walk_in_enterprises_in_their_area(demo_user):
    e = enterprise_create(data=data(), by=demo_user("station_lz"))
    assert e.region_id == "450202"
    with pytest.raises(PermissionDenied):
        body = "91420102000000009"
        wuhan = body + stdnum_uscc.calc_check_digit(body)
        enterprise_create(data=data(uscc=wuhan, region="420102"), by=demo_user("station_lz"))


@pytest.mark.django_db
def test_update_records_what_changed(demo_user):
    e = enterprise_create(data=data(), by=demo_user("reg_lz"))
    enterprise_update(enterprise=e, data=data(name="新名称（示例）"), by=demo_user("reg_lz"))
    entry = AuditEntry.objects.get(action="directory.enterprise.updated", object_id=str(e.pk))
    assert entry.data["name"] == ["柳州测试米粉厂（示例）", "新名称（示例）"]
    assert (
        e.organisation.name == "柳州测试米粉厂（示例）"
        and Organisation.objects.get(pk=e.organisation_id).name == "新名称（示例）"
    )


@pytest.mark.django_db
def test_an_enterprise_user_cannot_probe_whether_a_uscc_is_registered(demo_user):
    shanyuan = Enterprise.objects.get(name="善元食品有限公司")
    with pytest.raises(PermissionDenied):
        enterprise_create(data=data(uscc=shanyuan.uscc, region="450204"), by=demo_user("ent_yuese"))
    with pytest.raises(PermissionDenied):
        enterprise_create(data=data(region="450204"), by=demo_user("ent_yuese"))
