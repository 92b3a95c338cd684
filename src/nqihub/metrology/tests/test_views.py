import datetime

import pytest
from django.urls import reverse

from nqihub.metrology.models import Booking


@pytest.fixture
def today_demo(db):
    from nqihub.metrology.demo import seed_demo

    return {i.name: i for i in seed_demo(datetime.date.today())}


def test_ledger_shows_badges_and_blocked_instrument(today_demo, client_for):
    resp = client_for("ent_shanyuan").get(reverse("metrology:instrument-list"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "善元食品有限公司" in html and "电子计价秤" in html and "温度记录仪" in html
    assert html.count("禁止使用") >= 1 and "超期3天" in html and "5天后到期" in html and "25天后到期" in html


def test_regulator_overdue_list_shows_the_overdue_one_only(today_demo, client_for, haimen_instrument):
    haimen_instrument.next_due = datetime.date.today() - datetime.timedelta(days=1)
    haimen_instrument.save()
    html = client_for("reg_lz").get(reverse("metrology:overdue-list")).content.decode()
    assert "压力表" in html and "示例-SY-YLB-002" in html
    assert "电子计价秤" not in html and "HM-001" not in html
    html = client_for("ent_yuese").get(reverse("metrology:overdue-list")).content.decode()
    assert "压力表" not in html and "HM-001" in html


def test_detail_shows_records_and_forbidden_banner(today_demo, client_for):
    gauge = today_demo["压力表"]
    html = client_for("reg_lz").get(reverse("metrology:instrument-detail", args=[gauge.pk])).content.decode()
    assert "禁止使用" in html and "示例-JD-2025-0202" in html and "检定证书" in html
    assert reverse("metrology:instrument-edit", args=[gauge.pk]) not in html  # regulators read only


def test_create_edit_record_and_booking_pages(today_demo, client_for):
    from nqihub.directory.models import Enterprise

    c = client_for("ent_shanyuan")
    ent = Enterprise.objects.get(name="善元食品有限公司")
    assert c.get(reverse("metrology:instrument-create") + f"?enterprise={ent.pk}").status_code == 200
    resp = c.post(
        reverse("metrology:instrument-create"),
        {"enterprise": ent.pk, "name": "", "serial_number": "", "purpose": "trade"},
    )
    assert resp.status_code == 200 and "请填写器具名称" in resp.content.decode()
    resp = c.post(
        reverse("metrology:instrument-create"),
        {
            "enterprise": ent.pk,
            "name": "台秤",
            "serial_number": "TC-1",
            "purpose": "trade",
            "quantity": "质量",
            "in_use": "on",
        },
    )
    assert resp.status_code == 302
    gauge = today_demo["压力表"]
    assert c.get(reverse("metrology:instrument-edit", args=[gauge.pk])).status_code == 200
    assert c.get(reverse("metrology:record-create", args=[gauge.pk])).status_code == 200
    resp = c.get(reverse("metrology:booking-create", args=[gauge.pk]))
    assert "柳州市计量检定测试机构（示例）" in resp.content.decode()
    body_id = resp.context["bodies"][0].id
    resp = c.post(
        reverse("metrology:booking-create", args=[gauge.pk]),
        {"institution": body_id, "proposed_date": datetime.date.today().isoformat()},
    )
    assert resp.status_code == 302
    booking = Booking.objects.get(instrument=gauge)
    cal = client_for("cal_lz")
    assert "压力表" in cal.get(reverse("metrology:booking-list")).content.decode()
    assert cal.post(reverse("metrology:booking-action", args=[booking.pk, "accept"])).status_code == 302
    assert cal.get(reverse("metrology:booking-complete", args=[booking.pk])).status_code == 200
    resp = cal.post(
        reverse("metrology:booking-complete", args=[booking.pk]),
        {
            "kind": "verification",
            "performed_on": datetime.date.today().isoformat(),
            "result": "pass",
            "certificate_number": "JD-100",
            "valid_until": (datetime.date.today() + datetime.timedelta(days=180)).isoformat(),
        },
    )
    assert resp.status_code == 302
    gauge.refresh_from_db()
    assert not gauge.is_blocked()
    assert c.post(reverse("metrology:booking-action", args=[booking.pk, "accept"])).status_code in (302, 403)


def test_outsider_gets_404_on_every_route(today_demo, client_for, demo_user):
    from nqihub.metrology import services

    gauge = today_demo["压力表"]
    body = services.suggest_bodies(instrument=gauge, fetched_by=demo_user("ent_shanyuan"))[0].institution
    booking = services.booking_create(
        instrument=gauge, institution=body, proposed_date=datetime.date.today(), by=demo_user("ent_shanyuan")
    )
    for username in ("ent_yuese", "lab_lz"):
        c = client_for(username)
        for name in ("instrument-detail", "instrument-edit", "record-create", "booking-create"):
            assert c.get(reverse(f"metrology:{name}", args=[gauge.pk])).status_code == 404, (username, name)
        assert c.get(reverse("metrology:booking-detail", args=[booking.pk])).status_code == 404
        assert c.get(reverse("metrology:booking-complete", args=[booking.pk])).status_code == 404
        assert c.post(reverse("metrology:booking-action", args=[booking.pk, "accept"])).status_code == 404
        assert (
            c.get(reverse("metrology:instrument-create") + f"?enterprise={gauge.enterprise_id}").status_code
            == 404
        )
        assert (
            c.get(reverse("metrology:instrument-list") + f"?enterprise={gauge.enterprise_id}").status_code
            == 404
        )
        for name in ("instrument-list", "overdue-list", "booking-list"):
            assert "示例-SY-YLB-002" not in c.get(reverse(f"metrology:{name}")).content.decode()


def test_regulator_of_other_region_gets_404_on_haimen_instrument(haimen_instrument, client_for):
    c = client_for("reg_lz")
    for name in ("instrument-detail", "instrument-edit", "record-create", "booking-create"):
        assert c.get(reverse(f"metrology:{name}", args=[haimen_instrument.pk])).status_code == 404
    assert "HM-001" not in c.get(reverse("metrology:instrument-list")).content.decode()


def test_anonymous_is_sent_to_login(db, client):
    assert client.get(reverse("metrology:instrument-list")).status_code == 302


def test_catalogue_page_marks_review(db, client_for):
    html = client_for("ent_shanyuan").get(reverse("metrology:catalogue-list") + "?q=压力").content.decode()
    assert "压力表" in html and "待核对" in html


def test_nav_items(db, demo_user):
    from nqihub.metrology.navigation import nav_items

    assert len(nav_items(demo_user("reg_lz"))) == 3
    assert len(nav_items(demo_user("lab_lz"))) == 1
