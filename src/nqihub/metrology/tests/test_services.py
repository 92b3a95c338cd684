import datetime

import pytest

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.directory.models import Enterprise
from nqihub.metrology import services
from nqihub.metrology.catalogue import suggest_entry
from nqihub.metrology.models import Booking, Instrument, MandatoryCatalogueEntry, Purpose, RecordKind


def _shanyuan():
    return Enterprise.objects.get(name="善元食品有限公司")


def test_catalogue_is_seeded_from_1987_list_and_marked_for_review(db):
    entries = MandatoryCatalogueEntry.objects.all()
    assert entries.count() >= 97
    assert not entries.filter(needs_review=False).exists()
    assert set(entries.values_list("source_year", flat=True)) == {1987}
    scale = entries.get(name="电子秤")
    assert scale.category == "秤" and scale.category_number == "10" and "360docs" in scale.source


def test_suggest_entry_by_name_and_category(db):
    assert suggest_entry("压力表").name == "压力表"
    assert suggest_entry("电子计价秤").category == "秤"
    assert suggest_entry("温度记录仪") is None


@pytest.mark.parametrize(
    "in_catalogue,purpose,expected",
    [
        (True, Purpose.TRADE, True),
        (True, Purpose.SAFETY, True),
        (True, Purpose.MEDICAL, True),
        (True, Purpose.ENVIRONMENT, True),
        (True, Purpose.INTERNAL, False),
        (False, Purpose.TRADE, False),
    ],
)
def test_is_mandatory_needs_catalogue_entry_and_one_of_four_purposes(
    db, demo_user, in_catalogue, purpose, expected
):
    entry = MandatoryCatalogueEntry.objects.get(name="压力表")
    inst = services.instrument_create(
        enterprise=_shanyuan(),
        data=services.InstrumentData(
            name="压力表",
            serial_number="T-1",
            purpose=purpose,
            catalogue_entry=entry.pk if in_catalogue else None,
        ),
        by=demo_user("ent_shanyuan"),
    )
    assert inst.is_mandatory is expected
    assert inst.record_kind == (RecordKind.VERIFICATION if expected else RecordKind.CALIBRATION)
    assert inst.region_id == "450204"


def test_inactive_catalogue_entry_is_rejected(db, demo_user):
    entry = MandatoryCatalogueEntry.objects.get(name="压力表")
    entry.is_active = False
    entry.save()
    with pytest.raises(ValidationFailed) as exc:
        services.instrument_create(
            enterprise=_shanyuan(),
            data=services.InstrumentData(
                name="压力表", serial_number="T-2", purpose="safety", catalogue_entry=entry.pk
            ),
            by=demo_user("ent_shanyuan"),
        )
    assert "catalogue_entry" in exc.value.errors


def test_enterprise_cannot_set_interval_for_mandatory_instrument(db, demo_user):
    entry = MandatoryCatalogueEntry.objects.get(name="压力表")
    with pytest.raises(ValidationFailed) as exc:
        services.instrument_create(
            enterprise=_shanyuan(),
            data=services.InstrumentData(
                name="压力表",
                serial_number="T-3",
                purpose="safety",
                catalogue_entry=entry.pk,
                internal_interval_days=365,
            ),
            by=demo_user("ent_shanyuan"),
        )
    assert set(exc.value.errors) == {"internal_interval_days"}


def test_regulator_and_outsider_cannot_write_the_ledger(db, demo_user):
    for username in ("reg_lz", "ent_yuese", "lab_lz"):
        with pytest.raises(services.PermissionDenied):
            services.instrument_create(
                enterprise=_shanyuan(),
                data=services.InstrumentData(name="x", serial_number="1"),
                by=demo_user(username),
            )


def test_demo_instruments_due_5_25_minus3(met_demo, demo_day):
    assert met_demo["电子计价秤"].days_left(demo_day) == 5 and met_demo["电子计价秤"].is_mandatory
    assert met_demo["温度记录仪"].days_left(demo_day) == 25 and not met_demo["温度记录仪"].is_mandatory
    gauge = met_demo["压力表"]
    assert gauge.days_left(demo_day) == -3 and gauge.is_mandatory
    assert gauge.is_overdue(demo_day) and gauge.is_blocked(demo_day)
    assert not met_demo["电子计价秤"].is_blocked(demo_day)
    assert all(i.is_demo for i in met_demo.values())
    assert all(r.certificate_number.startswith("示例") for i in met_demo.values() for r in i.records.all())


def test_seed_demo_is_rerunnable(met_demo, demo_day):
    from nqihub.metrology.demo import seed_demo

    again = seed_demo(demo_day + datetime.timedelta(days=1))
    assert Instrument.objects.filter(enterprise=_shanyuan()).count() == 3
    assert {i.days_left(demo_day + datetime.timedelta(days=1)) for i in again} == {5, 25, -3}


def test_verification_pass_sets_next_due_and_fail_blocks(met_demo, demo_user):
    today = datetime.date.today()
    gauge = met_demo["压力表"]
    user = demo_user("ent_shanyuan")
    services.record_add(
        instrument=gauge,
        data=services.RecordData(
            kind="verification",
            performed_on=today,
            body_name="某检定所",
            result="pass",
            certificate_number="C-1",
            valid_until=today + datetime.timedelta(days=180),
        ),
        by=user,
    )
    gauge.refresh_from_db()
    assert gauge.next_due == today + datetime.timedelta(days=180) and not gauge.is_blocked(today)
    services.record_add(
        instrument=gauge,
        data=services.RecordData(
            kind="verification",
            performed_on=today,
            body_name="某检定所",
            result="fail",
            certificate_number="N-1",
        ),
        by=user,
    )
    gauge.refresh_from_db()
    assert gauge.failed_verification and gauge.is_blocked(today)
    assert gauge.records.first().document_label == "检定结果通知书"


def test_record_rules_for_verification_and_calibration(met_demo, demo_user):
    today = datetime.date.today()
    user = demo_user("ent_shanyuan")
    with pytest.raises(ValidationFailed) as exc:  # a mandatory instrument cannot be merely calibrated
        services.record_add(
            instrument=met_demo["压力表"],
            data=services.RecordData(
                kind="calibration",
                performed_on=today,
                body_name="x",
                certificate_number="1",
                suggested_next=today + datetime.timedelta(days=30),
            ),
            by=user,
        )
    assert "kind" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:  # calibration gives no pass/fail and no validity
        services.record_add(
            instrument=met_demo["温度记录仪"],
            data=services.RecordData(
                kind="calibration",
                performed_on=today,
                body_name="x",
                certificate_number="1",
                result="pass",
                valid_until=today + datetime.timedelta(days=30),
            ),
            by=user,
        )
    assert {"result", "valid_until", "suggested_next"} <= set(exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:  # a pass without validity date; future date
        services.record_add(
            instrument=met_demo["压力表"],
            data=services.RecordData(
                kind="verification",
                performed_on=today + datetime.timedelta(days=1),
                body_name="x",
                certificate_number="1",
                result="pass",
            ),
            by=user,
        )
    assert {"performed_on", "valid_until"} <= set(exc.value.errors)


def test_internal_interval_drives_next_due_of_calibrated_instrument(met_demo, demo_user):
    today = datetime.date.today()
    user = demo_user("ent_shanyuan")
    rec = met_demo["温度记录仪"]
    data = services.InstrumentData(
        **{f: getattr(rec, f) for f in ("name", "serial_number", "purpose", "model_number", "quantity")},
        internal_interval_days=180,
        next_due=rec.next_due,
    )
    services.instrument_update(instrument=rec, data=data, by=user)
    services.record_add(
        instrument=rec,
        data=services.RecordData(
            kind="calibration",
            performed_on=today,
            body_name="x",
            certificate_number="JZ-2",
            suggested_next=today + datetime.timedelta(days=365),
            uncertainty="U=0.2℃",
        ),
        by=user,
    )
    rec.refresh_from_db()
    assert rec.next_due == today + datetime.timedelta(days=180)


def test_booking_flow_records_certificate_on_instrument(
    met_demo, demo_user, django_capture_on_commit_callbacks
):
    from nqihub.notifications.models import Notification

    today = datetime.date.today()
    scale = met_demo["电子计价秤"]
    ent, cal = demo_user("ent_shanyuan"), demo_user("cal_lz")
    bodies = services.suggest_bodies(instrument=scale, fetched_by=ent)
    assert [b.name for b in bodies] == ["柳州市计量检定测试机构（示例）"]
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(
            instrument=scale, institution=bodies[0].institution, proposed_date=today, by=ent
        )
    assert booking.kind == RecordKind.VERIFICATION and booking.status == Booking.Status.REQUESTED
    assert Notification.objects.filter(recipient=cal, event="metrology.booking").exists()
    with pytest.raises(DomainError):  # one open booking per instrument
        services.booking_create(
            instrument=scale, institution=bodies[0].institution, proposed_date=today, by=ent
        )
    with pytest.raises(services.PermissionDenied):  # the enterprise cannot accept its own booking
        services.booking_accept(booking=booking, by=ent)
    with pytest.raises(DomainError):  # cannot complete before accepting
        services.booking_complete(
            booking=booking, data=services.RecordData(kind="verification", performed_on=today), by=cal
        )
    services.booking_accept(booking=booking, by=cal, note="请上午送检")
    record = services.booking_complete(
        booking=booking,
        data=services.RecordData(
            kind="verification",
            performed_on=today,
            result="pass",
            certificate_number="JD-9",
            valid_until=today + datetime.timedelta(days=365),
        ),
        by=cal,
    )
    booking.refresh_from_db()
    scale.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED and record.booking == booking
    assert record.body == booking.institution
    assert scale.next_due == today + datetime.timedelta(days=365)
    with pytest.raises(DomainError):
        services.booking_cancel(booking=booking, by=ent)


def test_booking_rejects_body_whose_scope_does_not_cover(met_demo, demo_user):
    from nqihub.directory.models import Institution

    lab = Institution.objects.get(name="柳州市食品检验检测实验室（示例）")
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(
            instrument=met_demo["压力表"],
            institution=lab,
            proposed_date=datetime.date.today(),
            by=demo_user("ent_shanyuan"),
        )
    assert "institution" in exc.value.errors


def test_decline_and_cancel(met_demo, demo_user):
    today = datetime.date.today()
    ent, cal = demo_user("ent_shanyuan"), demo_user("cal_lz")
    body = services.suggest_bodies(instrument=met_demo["压力表"], fetched_by=ent)[0].institution
    b = services.booking_create(instrument=met_demo["压力表"], institution=body, proposed_date=today, by=ent)
    services.booking_decline(booking=b, by=cal, note="满了")
    b.refresh_from_db()
    assert b.status == Booking.Status.DECLINED and b.response_note == "满了"
    b2 = services.booking_create(instrument=met_demo["压力表"], institution=body, proposed_date=today, by=ent)
    with pytest.raises(services.PermissionDenied):
        services.booking_cancel(booking=b2, by=cal)
    services.booking_cancel(booking=b2, by=ent)
    b2.refresh_from_db()
    assert b2.status == Booking.Status.CANCELLED


def _cal_body(name: str, measuring_range: str):
    from nqihub.core.models import Organisation, Region
    from nqihub.directory.models import Institution, ScopeLine

    region = Region.objects.get(code="450204")
    org = Organisation.objects.create(kind=Organisation.Kind.INSTITUTION, name=name, region=region)
    inst = Institution.objects.create(
        organisation=org, name=name, kind=Institution.Kind.CALIBRATION, region=region
    )
    ScopeLine.objects.create(
        institution=inst,
        region=region,
        product_text="压力表",
        parameter_text="压力",
        quantity="压力",
        measuring_range=measuring_range,
    )
    return inst


def test_suggest_bodies_drops_body_whose_range_does_not_cover(met_demo, demo_user):
    ent = demo_user("ent_shanyuan")
    gauge = met_demo["压力表"]  # (0～0.6) MPa
    narrow = _cal_body("窄量程压力校准站（测试）", "(0~0.25) MPa")
    wide = _cal_body("宽量程压力校准站（测试）", "(0~1) MPa")
    unstated = _cal_body("未注明量程压力校准站（测试）", "")
    bodies = {b.id: b for b in services.suggest_bodies(instrument=gauge, fetched_by=ent)}
    assert narrow.pk not in bodies
    assert wide.pk in bodies and unstated.pk in bodies
    assert bodies[wide.pk].range_note == "测量范围 (0~1) MPa 覆盖 (0～0.6) MPa"
    assert bodies[unstated.pk].range_note == "范围未注明"
    with pytest.raises(ValidationFailed) as exc:
        services.booking_create(
            instrument=gauge, institution=narrow, proposed_date=datetime.date.today(), by=ent
        )
    assert "institution" in exc.value.errors
    booking = services.booking_create(
        instrument=gauge, institution=wide, proposed_date=datetime.date.today(), by=ent
    )
    assert booking.institution == wide


def test_suggest_bodies_keeps_body_when_instrument_range_is_unknown(met_demo, demo_user):
    ent = demo_user("ent_shanyuan")
    gauge = met_demo["压力表"]
    gauge.measuring_range = ""
    gauge.save(update_fields=["measuring_range"])
    narrow = _cal_body("窄量程压力校准站（测试）", "(0~0.25) MPa")
    bodies = {b.id: b for b in services.suggest_bodies(instrument=gauge, fetched_by=ent)}
    assert bodies[narrow.pk].range_note == "器具测量范围未注明"


def test_each_demo_instrument_still_finds_the_demo_body(met_demo, demo_user):
    ent = demo_user("ent_shanyuan")
    for instrument in met_demo.values():
        bodies = services.suggest_bodies(instrument=instrument, fetched_by=ent)
        assert [b.name for b in bodies] == ["柳州市计量检定测试机构（示例）"], instrument.name
        assert "覆盖" in bodies[0].range_note
