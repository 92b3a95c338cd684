"""Booking several due instruments with one calibration body in one go: all booked, or none and each refused
instrument named with its reason (service, page, API); only one's own instruments."""

import datetime

import pytest
from django.urls import reverse

from nqihub.core.errors import ValidationFailed
from nqihub.directory.models import Institution
from nqihub.metrology import services, services_bulk
from nqihub.metrology.models import Booking, Instrument
from nqihub.metrology.tests.test_services import _cal_body

BODY = "柳州市计量检定测试机构（示例）"


@pytest.fixture
def body(db):
    return Institution.objects.get(name=BODY)


def _open(instruments) -> int:
    return Booking.objects.filter(instrument__in=instruments, status__in=services.OPEN_STATUSES).count()


def test_every_instrument_booked_with_the_body_and_it_is_told(
    met_demo, demo_user, body, django_capture_on_commit_callbacks
):
    from nqihub.notifications.models import Notification

    ent, cal = demo_user("ent_shanyuan"), demo_user("cal_lz")
    instruments = list(met_demo.values())
    day = datetime.date.today() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        bookings = services_bulk.booking_create_bulk(
            instruments=instruments, institution=body, proposed_date=day, note="一起送检", by=ent
        )
    assert [b.instrument for b in bookings] == instruments
    assert all(b.status == Booking.Status.REQUESTED and b.proposed_date == day for b in bookings)
    assert {b.kind for b in bookings} == {"verification", "calibration"}  # each instrument's own kind
    assert Notification.objects.filter(recipient=cal, event="metrology.booking").count() == 3


def test_one_instrument_the_body_cannot_take_books_nothing_and_is_named(met_demo, demo_user):
    ent = demo_user("ent_shanyuan")
    gauge = met_demo["压力表"]  # (0～0.6) MPa
    small = services.instrument_create(
        enterprise=gauge.enterprise,
        data=services.InstrumentData(
            name="微压表", serial_number="T-9", quantity="压力", measuring_range="(0~0.1) MPa"
        ),
        by=ent,
    )
    narrow = _cal_body("窄量程压力校准站（测试）", "(0~0.25) MPa")
    with pytest.raises(ValidationFailed) as exc:
        services_bulk.booking_create_bulk(
            instruments=[small, gauge], institution=narrow, proposed_date=datetime.date.today(), by=ent
        )
    assert list(exc.value.errors) == ["instruments.1"]
    assert "压力表" in exc.value.errors["instruments.1"]
    assert "能力范围不包括" in exc.value.errors["instruments.1"]
    assert _open([small, gauge]) == 0  # the one it could take is not booked either


def test_an_open_booking_and_a_repeat_are_refused_with_their_reason(met_demo, demo_user, body):
    ent = demo_user("ent_shanyuan")
    scale, gauge = met_demo["电子计价秤"], met_demo["压力表"]
    today = datetime.date.today()
    services.booking_create(instrument=scale, institution=body, proposed_date=today, by=ent)
    with pytest.raises(ValidationFailed) as exc:
        services_bulk.booking_create_bulk(
            instruments=[gauge, scale], institution=body, proposed_date=today, by=ent
        )
    assert exc.value.errors == {"instruments.1": f"{scale}：该器具已有未完成的预约，请先完成或取消。"}
    assert _open([gauge]) == 0
    with pytest.raises(ValidationFailed) as exc:
        services_bulk.booking_create_bulk(
            instruments=[gauge, gauge], institution=body, proposed_date=today, by=ent
        )
    assert list(exc.value.errors) == ["instruments.1"]


def test_a_bad_date_is_one_error_not_one_per_instrument(met_demo, demo_user, body):
    with pytest.raises(ValidationFailed) as exc:
        services_bulk.booking_create_bulk(
            instruments=list(met_demo.values()),
            institution=body,
            proposed_date=datetime.date.today() - datetime.timedelta(days=1),
            by=demo_user("ent_shanyuan"),
        )
    assert list(exc.value.errors) == ["proposed_date"]
    assert _open(list(met_demo.values())) == 0


def test_api_books_all_and_answers_field_level_errors(met_demo, api_for, body, haimen_instrument):
    api = api_for("ent_shanyuan")
    ids = [i.pk for i in met_demo.values()]
    day = datetime.date.today().isoformat()

    def post(payload, client=api):
        return client.post("/api/v1/bookings/bulk", payload, content_type="application/json")

    # not one's own instrument: named by position, nothing booked
    resp = post({"instruments": [ids[0], haimen_instrument.pk], "institution": body.pk, "proposed_date": day})
    assert resp.status_code == 422
    assert [e["field"] for e in resp.json()["detail"]] == ["instruments.1"]
    resp = post({"instruments": [], "institution": body.pk, "proposed_date": day})
    assert resp.status_code == 422 and resp.json()["detail"][0]["field"] == "instruments"
    too_many = {"instruments": list(range(1, 52)), "institution": body.pk, "proposed_date": day}
    resp = post(too_many)
    assert resp.status_code == 422 and resp.json()["detail"][0]["field"] == "instruments"
    resp = post({"instruments": ids, "institution": body.pk, "proposed_date": "2026-13-01"})
    assert resp.status_code == 422 and resp.json()["detail"][0]["field"] == "proposed_date"
    assert _open(Instrument.objects.filter(pk__in=ids)) == 0
    # an outsider cannot book another enterprise's instruments
    resp = post({"instruments": ids, "institution": body.pk, "proposed_date": day}, api_for("ent_yuese"))
    assert resp.status_code == 422
    assert [e["field"] for e in resp.json()["detail"]] == [f"instruments.{n}" for n in range(3)]
    assert _open(Instrument.objects.filter(pk__in=ids)) == 0

    resp = post({"instruments": ids, "institution": body.pk, "proposed_date": day, "note": "批量"})
    assert resp.status_code == 201, resp.content
    assert [b["instrument_id"] for b in resp.json()] == ids
    assert {b["status"] for b in resp.json()} == {"requested"}


def test_page_lists_common_bodies_and_books_ticked_instruments(met_demo, client_for, body):
    client = client_for("ent_shanyuan")
    ids = [i.pk for i in met_demo.values()]
    ledger = client.get(reverse("metrology:instrument-list")).content.decode()
    assert 'name="instrument"' in ledger and reverse("metrology:booking-bulk") in ledger
    url = reverse("metrology:booking-bulk")
    page = client.get(url, {"instrument": ids})
    assert page.status_code == 200
    html = page.content.decode()
    assert BODY in html and all(i.name in html for i in met_demo.values())
    resp = client.post(
        url,
        {"instrument": ids, "institution": body.pk, "proposed_date": "", "note": ""},
    )
    assert resp.status_code == 422 and "请填写预约日期" in resp.content.decode()
    assert _open(Instrument.objects.filter(pk__in=ids)) == 0
    day = datetime.date.today().isoformat()
    resp = client.post(url, {"instrument": ids, "institution": body.pk, "proposed_date": day})
    assert resp.status_code == 302 and resp.url == reverse("metrology:booking-list")
    assert _open(Instrument.objects.filter(pk__in=ids)) == 3


def test_page_refuses_outsiders_and_an_empty_selection(met_demo, client_for):
    ids = [i.pk for i in met_demo.values()]
    url = reverse("metrology:booking-bulk")
    assert client_for("ent_yuese").get(url, {"instrument": ids}).status_code == 404
    assert client_for("reg_lz").get(url, {"instrument": ids}).status_code == 403  # reads, does not book
    resp = client_for("ent_shanyuan").get(url)
    assert resp.status_code == 302 and resp.url == reverse("metrology:instrument-list")
