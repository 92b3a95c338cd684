import datetime

import pytest

from nqihub.directory.models import Enterprise


def _ids(resp):
    return {i["id"] for i in resp.json()}


def test_due_endpoint_lists_visible_instruments_with_overdue_flag(met_demo, api_for):
    # The demo is seeded relative to a fixed day; re-seed relative to today for the live endpoint.
    from nqihub.metrology.demo import seed_demo

    seed_demo(datetime.date.today())
    resp = api_for("ent_shanyuan").get("/api/v1/instruments/due?within_days=10")
    assert resp.status_code == 200
    items = {i["name"]: i for i in resp.json()}
    assert set(items) == {"电子计价秤", "压力表"}
    assert (
        items["压力表"]["overdue"] is True
        and items["压力表"]["days_left"] == -3
        and items["压力表"]["blocked"]
    )
    assert items["电子计价秤"]["overdue"] is False and items["电子计价秤"]["days_left"] == 5
    assert items["电子计价秤"]["next_due"] == (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    assert len(api_for("ent_shanyuan").get("/api/v1/instruments/due?within_days=30").json()) == 3
    assert len(api_for("reg_lz").get("/api/v1/instruments/due?within_days=30").json()) == 3
    assert api_for("ent_yuese").get("/api/v1/instruments/due?within_days=30").json() == []


@pytest.mark.parametrize("value", ["-1", "abc", "99999"])
def test_due_endpoint_422_names_the_field(db, api_for, value):
    resp = api_for("ent_shanyuan").get(f"/api/v1/instruments/due?within_days={value}")
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["field"] == "within_days"


def test_instrument_crud(db, api_for):
    api = api_for("ent_shanyuan")
    ent = Enterprise.objects.get(name="善元食品有限公司")
    resp = api.post(
        "/api/v1/instruments",
        {
            "enterprise": ent.pk,
            "name": "体温计",
            "serial_number": "TW-1",
            "purpose": "medical",
            "catalogue_entry": None,
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["is_mandatory"] is False
    resp = api.put(
        f"/api/v1/instruments/{pk}",
        {
            "enterprise": ent.pk,
            "name": "体温计",
            "serial_number": "TW-1",
            "purpose": "bogus",
            "internal_interval_days": 0,
        },
        content_type="application/json",
    )
    assert resp.status_code == 422
    assert {e["field"] for e in resp.json()["detail"]} == {"purpose", "internal_interval_days"}
    assert api.get(f"/api/v1/instruments/{pk}").json()["name"] == "体温计"
    assert pk in _ids_page(api.get("/api/v1/instruments"))
    assert api.delete(f"/api/v1/instruments/{pk}").status_code == 204
    assert api.get(f"/api/v1/instruments/{pk}").status_code == 404


def _ids_page(resp):
    return {i["id"] for i in resp.json()["items"]}


def test_outsider_gets_404_on_every_instrument_route(met_demo, api_for):
    gauge = met_demo["压力表"]
    api = api_for("ent_yuese")
    payload = {"enterprise": gauge.enterprise_id, "name": "x", "serial_number": "y"}
    assert api.get(f"/api/v1/instruments/{gauge.pk}").status_code == 404
    assert (
        api.put(f"/api/v1/instruments/{gauge.pk}", payload, content_type="application/json").status_code
        == 404
    )
    assert api.delete(f"/api/v1/instruments/{gauge.pk}").status_code == 404
    assert api.get(f"/api/v1/instruments/{gauge.pk}/records").status_code == 404
    assert (
        api.post(
            f"/api/v1/instruments/{gauge.pk}/records",
            {"kind": "verification"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert api.get(f"/api/v1/instruments/{gauge.pk}/bodies").status_code == 404
    assert api.post("/api/v1/instruments", payload, content_type="application/json").status_code == 404
    assert gauge.pk not in _ids_page(api.get("/api/v1/instruments"))


def test_regulator_of_other_region_gets_404(haimen_instrument, api_for):
    api = api_for("reg_lz")
    assert api.get(f"/api/v1/instruments/{haimen_instrument.pk}").status_code == 404
    assert haimen_instrument.pk not in _ids_page(api.get("/api/v1/instruments"))
    assert api_for("reg_national").get(f"/api/v1/instruments/{haimen_instrument.pk}").status_code == 200


def test_regulator_reads_but_cannot_write(met_demo, api_for):
    gauge = met_demo["压力表"]
    api = api_for("reg_lz")
    assert api.get(f"/api/v1/instruments/{gauge.pk}").status_code == 200
    assert api.delete(f"/api/v1/instruments/{gauge.pk}").status_code == 403


def test_booking_api_flow_and_outsiders(met_demo, api_for):
    gauge = met_demo["压力表"]
    ent, cal = api_for("ent_shanyuan"), api_for("cal_lz")
    bodies = ent.get(f"/api/v1/instruments/{gauge.pk}/bodies").json()
    assert len(bodies) == 1
    resp = ent.post(
        "/api/v1/bookings",
        {
            "instrument": gauge.pk,
            "institution": bodies[0]["id"],
            "proposed_date": datetime.date.today().isoformat(),
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    bid = resp.json()["id"]
    # the calibration body now sees the booking and the instrument
    assert cal.get(f"/api/v1/bookings/{bid}").status_code == 200
    assert cal.get(f"/api/v1/instruments/{gauge.pk}").status_code == 200
    assert ent.post(f"/api/v1/bookings/{bid}/accept").status_code == 403
    for outsider in ("ent_yuese", "lab_lz"):
        api = api_for(outsider)
        assert api.get(f"/api/v1/bookings/{bid}").status_code == 404
        assert api.post(f"/api/v1/bookings/{bid}/accept").status_code == 404
        assert api.post(f"/api/v1/bookings/{bid}/cancel").status_code == 404
        assert (
            api.post(
                f"/api/v1/bookings/{bid}/complete", {"kind": "verification"}, content_type="application/json"
            ).status_code
            == 404
        )
        assert api.get("/api/v1/bookings").json()["items"] == []
    assert (
        cal.post(
            f"/api/v1/bookings/{bid}/accept", {"note": "ok"}, content_type="application/json"
        ).status_code
        == 200
    )
    resp = cal.post(
        f"/api/v1/bookings/{bid}/complete",
        {
            "kind": "verification",
            "performed_on": datetime.date.today().isoformat(),
            "result": "fail",
            "certificate_number": "TZ-1",
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["document"] == "检定结果通知书"
    got = ent.get(f"/api/v1/instruments/{gauge.pk}").json()
    assert got["blocked"] is True
    assert cal.post(f"/api/v1/bookings/{bid}/cancel").status_code == 403
    assert ent.post(f"/api/v1/bookings/{bid}/cancel").status_code == 409
