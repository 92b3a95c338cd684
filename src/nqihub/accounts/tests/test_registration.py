"""Enterprise self-registration: USCC (python-stdnum) + a code by SMS or e-mail, then confirmed by the
station or regulator of the enterprise's region. Not usable before confirmation; an outsider station
cannot confirm; bad input is a specific 4xx that changes nothing; submissions are throttled."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from nqihub.accounts import registration
from nqihub.accounts.models import Registration, User
from nqihub.core.models import AuditEntry, Membership
from nqihub.directory.models import Enterprise, Station, StationArea
from nqihub.notifications import sms

pytestmark = pytest.mark.django_db

PASSWORD = "Qiye-Zhuce-2026!x"


def _uscc(body="91450205MA5K") -> str:
    body = (body + "000000000")[:17]
    return body + stdnum_uscc.calc_check_digit(body)


def _lz_county() -> str:
    station = Station.objects.get(name="广西柳州螺蛳粉质量检测服务站")
    return StationArea.objects.filter(station=station).values_list("region_id", flat=True).first()


def _form(**over) -> dict:
    data = {
        "uscc": _uscc(),
        "enterprise_name": "柳州示例螺蛳粉食品有限公司（示例）",
        "region": _lz_county(),
        "display_name": "李示例",
        "username": "lz_new_ent",
        "password": PASSWORD,
        "channel": "email",
        "mobile": "",
        "email": "li@example.com",
    }
    data.update(over)
    return data


def _code_from_mail() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _registered(client=None, **over) -> Registration:
    client = client or Client()
    r = client.post("/accounts/register/", _form(**over))
    assert r.status_code == 302, r.content.decode()[:2000]
    return Registration.objects.latest("id")


def _verified(**over) -> Registration:
    reg = _registered(**over)
    c = Client()
    r = c.post(f"/accounts/register/{reg.token}/", {"code": _code_from_mail()})
    assert r.status_code == 302
    reg.refresh_from_db()
    assert reg.status == "pending"
    return reg


def _can_log_in(username) -> bool:
    c = Client()
    r = c.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return r.status_code == 302 and c.get("/desk/requests/").status_code == 200


def test_register_by_email_then_station_confirms(client_for, django_capture_on_commit_callbacks):
    reg = _verified()
    # Not usable before confirmation.
    assert not reg.user.is_active and not _can_log_in("lz_new_ent")
    page = Client().get(f"/accounts/register/{reg.token}/").content.decode()
    assert "等待" in page
    station = client_for("station_lz")
    listing = station.get("/accounts/registrations/")
    assert reg.enterprise_name in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = station.post(f"/accounts/registrations/{reg.pk}/confirm/")
    assert r.status_code == 302
    reg.refresh_from_db()
    assert reg.status == "confirmed"
    user = User.objects.get(username="lz_new_ent")
    assert user.is_active
    ent = Enterprise.objects.get(uscc=reg.uscc)
    assert Membership.objects.filter(
        user=user, organisation=ent.organisation, role=Membership.Role.ENTERPRISE_USER
    ).exists()
    assert AuditEntry.objects.filter(action="accounts.registration.confirmed").exists()
    assert "已通过确认" in mail.outbox[-1].body
    assert _can_log_in("lz_new_ent")


@override_settings(SMS_BACKEND="locmem")
def test_register_by_sms_gives_a_verified_mobile():
    sms.outbox.clear()
    reg = _registered(channel="mobile", mobile="13912345678", email="")
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1][1]).group(1)
    assert Client().post(f"/accounts/register/{reg.token}/", {"code": code}).status_code == 302
    reg.refresh_from_db()
    assert reg.status == "pending"
    from nqihub.accounts.models import User as U

    registration.confirm(registration=reg, by=U.objects.get(username="reg_lz"))
    reg.user.refresh_from_db()
    assert reg.user.mobile_phone.is_verified and reg.user.mobile_phone.number == "13912345678"


def test_station_of_another_region_cannot_confirm_or_see(client_for):
    reg = _verified()
    other = client_for("station_wh")
    assert reg.enterprise_name not in other.get("/accounts/registrations/").content.decode()
    assert other.post(f"/accounts/registrations/{reg.pk}/confirm/").status_code == 404
    assert other.post(f"/accounts/registrations/{reg.pk}/refuse/", {"reason": "x"}).status_code == 404
    assert client_for("ent_shanyuan").post(f"/accounts/registrations/{reg.pk}/confirm/").status_code == 404
    reg.refresh_from_db()
    assert reg.status == "pending" and not reg.user.is_active


def test_refusal_needs_a_reason_and_keeps_the_account_closed(client_for):
    reg = _verified()
    reg_lz = client_for("reg_lz")
    assert reg_lz.post(f"/accounts/registrations/{reg.pk}/refuse/", {"reason": ""}).status_code == 400
    reg.refresh_from_db()
    assert reg.status == "pending"
    assert (
        reg_lz.post(f"/accounts/registrations/{reg.pk}/refuse/", {"reason": "无法核实申请人身份"}).status_code
        == 302
    )
    reg.refresh_from_db()
    assert reg.status == "refused" and not _can_log_in("lz_new_ent")
    assert "无法核实申请人身份" in Client().get(f"/accounts/register/{reg.token}/").content.decode()


def test_cannot_be_confirmed_before_the_code():
    reg = _registered()
    with pytest.raises(registration.DomainError):
        registration.confirm(registration=reg, by=User.objects.get(username="reg_lz"))
    reg.refresh_from_db()
    assert reg.status == "unverified" and not reg.user.is_active


def test_wrong_code_is_refused_and_tries_are_limited():
    reg = _registered()
    c = Client()
    for _ in range(registration.MAX_ATTEMPTS):
        r = c.post(f"/accounts/register/{reg.token}/", {"code": "000000"})
        assert r.status_code == 400
    r = c.post(f"/accounts/register/{reg.token}/", {"code": _code_from_mail()})
    assert r.status_code == 400 and "次数过多" in r.content.decode()
    reg.refresh_from_db()
    assert reg.status == "unverified"


@pytest.mark.parametrize(
    "over,field,message",
    [
        ({"uscc": "91450205MA5K00000X"}, "uscc", "统一社会信用代码"),
        ({"uscc": "123"}, "uscc", "18位"),
        ({"region": "999999"}, "region", "县"),
        ({"password": "123"}, "password", ""),
        ({"channel": "email", "email": "not-an-email"}, "email", "电子邮箱"),
        ({"channel": "mobile", "mobile": "12345"}, "mobile", "手机号"),
        ({"username": "ent_shanyuan"}, "username", "已被使用"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(over, field, message):
    before = (User.objects.count(), Registration.objects.count())
    r = Client().post("/accounts/register/", _form(**over))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert (User.objects.count(), Registration.objects.count()) == before


def test_unknown_status_page_is_404():
    assert Client().get("/accounts/register/not-a-token/").status_code == 404


@override_settings(ACCOUNTS_PUBLIC_LIMIT=2)
def test_submissions_are_throttled_per_client():
    c = Client()
    c.post("/accounts/register/", _form(uscc="bad"))
    c.post("/accounts/register/", _form(uscc="bad"))
    r = c.post("/accounts/register/", _form())
    assert r.status_code == 429
    assert not Registration.objects.exists()


def test_known_enterprise_keeps_its_directory_region(client_for):
    ent = Enterprise.objects.get(name="善元食品有限公司")
    reg = _verified(uscc=ent.uscc, region="")
    assert reg.region_id == ent.region_id and reg.enterprise_id == ent.pk


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_any_uscc_text_is_a_field_error_or_accepted(raw):
    try:
        registration._check(registration.RegistrationData(**{**_form(uscc=raw, username="hyp_user")}))
    except registration.ValidationFailed as exc:
        assert set(exc.errors) <= {"uscc", "enterprise_name", "region"}


def test_deciders_of_the_region_are_notified_and_no_one_else(django_capture_on_commit_callbacks):
    from nqihub.notifications.models import Notification

    reg = _registered()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/accounts/register/{reg.token}/", {"code": _code_from_mail()})
    told = set(
        Notification.objects.filter(event="accounts.registration.pending").values_list(
            "recipient__username", flat=True
        )
    )
    assert "station_lz" in told and "reg_lz" in told
    assert "station_wh" not in told and "ent_shanyuan" not in told


def test_signing_in_before_confirmation_says_it_waits():
    _verified()
    r = Client().post("/accounts/login/", {"username": "lz_new_ent", "password": PASSWORD})
    assert r.status_code == 200 and "尚待" in r.content.decode()
    # A wrong password learns nothing about the registration.
    r = Client().post("/accounts/login/", {"username": "lz_new_ent", "password": "wrong-Password-1"})
    assert "尚待" not in r.content.decode()


def test_visitor_can_pick_the_county_by_name():
    r = Client().get("/options/regions/", {"q": "柳南", "level": "county"})
    assert r.status_code == 200 and "450204" in r.content.decode()


def test_deciders_find_the_list_in_the_menu_and_enterprises_do_not(client_for):
    assert "/accounts/registrations/" in client_for("station_lz").get("/desk/requests/").content.decode()
    assert "/accounts/registrations/" in client_for("reg_lz").get("/desk/requests/").content.decode()
    assert (
        "/accounts/registrations/" not in client_for("ent_shanyuan").get("/desk/requests/").content.decode()
    )
    # An enterprise user opening the list sees nothing to decide.
    _verified()
    assert "柳州示例螺蛳粉" not in client_for("ent_shanyuan").get("/accounts/registrations/").content.decode()
