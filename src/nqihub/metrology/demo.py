"""Demo data for metrology: 善元食品's instrument ledger, due in 5, 25 and −3 days from the day the demo is
loaded, and a calibration body in Liuzhou (with a ``cal_lz`` login) whose scope covers them.

Every record is flagged ``is_demo`` and every certificate / serial number starts with 示例. Re-runnable: the
instruments are found by serial number and their records rewritten for the new ``today``.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from nqihub.accounts.demo import demo_password
from nqihub.accounts.models import User
from nqihub.core.models import Membership, Organisation, Region
from nqihub.directory.models import Enterprise, Institution, ScopeLine

from .models import Instrument, MandatoryCatalogueEntry, Purpose, RecordKind, VerificationRecord
from .services import compute_is_mandatory, recompute_next_due

CAL_BODY_NAME = "柳州市计量检定测试机构（示例）"
CAL_USERNAME = "cal_lz"
CAL_SCOPE = [
    # product (instrument), quantity, range, uncertainty / class
    ("电子秤、计价秤", "质量", "(0～30) kg", "Ⅲ级"),
    ("压力表", "压力", "(0～60) MPa", "0.4级"),
    ("温度计、温度记录仪", "温度", "(-40～300) ℃", "U=0.1℃（k=2）"),
]


def _entry(name: str) -> MandatoryCatalogueEntry | None:
    return MandatoryCatalogueEntry.objects.filter(name=name, is_active=True).order_by("-source_year").first()


def _calibration_body() -> Institution:
    region = Region.objects.get(code="450204")
    inst = Institution.objects.filter(name=CAL_BODY_NAME).first()
    if inst is None:
        org = Organisation.objects.create(
            kind=Organisation.Kind.INSTITUTION, name=CAL_BODY_NAME, region=region, is_demo=True
        )
        inst = Institution.objects.create(
            organisation=org,
            name=CAL_BODY_NAME,
            kind=Institution.Kind.CALIBRATION,
            region=region,
            address="广西柳州市（示例地址）",
            description="承担柳州市衡器、压力表、温度仪表的检定与校准（示例机构）。",
            is_demo=True,
        )
    for product, quantity, measuring_range, uncertainty in CAL_SCOPE:
        ScopeLine.objects.update_or_create(
            institution=inst,
            product_text=product,
            parameter_text=quantity,
            defaults={
                "region": region,
                "quantity": quantity,
                "measuring_range": measuring_range,
                "uncertainty": uncertainty,
            },
        )
    return inst


def _cal_user(inst: Institution) -> None:
    user, _created = User.objects.get_or_create(
        username=CAL_USERNAME, defaults={"display_name": "柳州计量机构人员（示例）"}
    )
    user.set_password(demo_password())
    user.save()
    Membership.objects.get_or_create(
        user=user, organisation=inst.organisation, role=Membership.Role.INSTITUTION_STAFF
    )


@transaction.atomic
def seed_demo(today: datetime.date) -> list[Instrument]:
    """善元食品's three instruments: an electronic price scale (贸易结算, 强检) due in 5 days, a temperature
    recorder (内部使用, 校准) due in 25 days, and the pressure gauge of the sterilising retort (安全防护, 强检)
    3 days overdue — 禁止使用 and on the Liuzhou regulator's overdue list."""
    enterprise = Enterprise.objects.get(name="善元食品有限公司")
    body = _calibration_body()
    _cal_user(body)
    d = datetime.timedelta
    specs = [
        {
            "name": "电子计价秤",
            "serial_number": "示例-SY-JJC-001",
            "model_number": "ACS-15（示例）",
            "manufacturer": "示例衡器有限公司",
            "measuring_range": "(0～15) kg",
            "accuracy_class": "Ⅲ级",
            "quantity": "质量",
            "location": "成品销售部",
            "purpose": Purpose.TRADE,
            "entry": "电子秤",
            "record": (RecordKind.VERIFICATION, today + d(5) - d(365), "示例-JD-2025-0101", today + d(5)),
        },
        {
            "name": "温度记录仪",
            "serial_number": "示例-SY-WDJ-003",
            "model_number": "TR-100（示例）",
            "manufacturer": "示例仪表有限公司",
            "measuring_range": "(0～150) ℃",
            "accuracy_class": "±0.5 ℃",
            "quantity": "温度",
            "location": "杀菌车间 杀菌锅1号",
            "purpose": Purpose.INTERNAL,
            "entry": None,
            "record": (RecordKind.CALIBRATION, today + d(25) - d(365), "示例-JZ-2025-0303", today + d(25)),
        },
        {
            "name": "压力表",
            "serial_number": "示例-SY-YLB-002",
            "model_number": "Y-100（示例）",
            "manufacturer": "示例仪表有限公司",
            "measuring_range": "(0～0.6) MPa",
            "accuracy_class": "1.6级",
            "quantity": "压力",
            "location": "杀菌车间 杀菌锅1号",
            "purpose": Purpose.SAFETY,
            "entry": "压力表",
            "record": (RecordKind.VERIFICATION, today - d(3) - d(180), "示例-JD-2025-0202", today - d(3)),
        },
    ]
    instruments = []
    for spec in specs:
        entry = _entry(spec["entry"]) if spec["entry"] else None
        kind, performed_on, certificate, due = spec["record"]
        instrument, _created = Instrument.objects.update_or_create(
            enterprise=enterprise,
            name=spec["name"],
            serial_number=spec["serial_number"],
            defaults={
                "region_id": enterprise.region_id,
                "model_number": spec["model_number"],
                "manufacturer": spec["manufacturer"],
                "measuring_range": spec["measuring_range"],
                "accuracy_class": spec["accuracy_class"],
                "quantity": spec["quantity"],
                "location": spec["location"],
                "purpose": spec["purpose"],
                "catalogue_entry": entry,
                "is_mandatory": compute_is_mandatory(entry, spec["purpose"]),
                "in_use": True,
                "is_demo": True,
            },
        )
        instrument.records.all().delete()
        VerificationRecord.objects.create(
            instrument=instrument,
            kind=kind,
            body=body,
            performed_on=performed_on,
            result=VerificationRecord.Result.PASS if kind == RecordKind.VERIFICATION else "",
            certificate_number=certificate,
            valid_until=due if kind == RecordKind.VERIFICATION else None,
            suggested_next=due if kind == RecordKind.CALIBRATION else None,
            uncertainty="U=0.3 ℃（k=2）（示例）" if kind == RecordKind.CALIBRATION else "",
            data="示例：50 ℃、100 ℃、121 ℃ 三点校准，示值误差均在 ±0.4 ℃ 以内。"
            if kind == RecordKind.CALIBRATION
            else "",
            is_demo=True,
        )
        recompute_next_due(instrument)
        instrument.save()
        instruments.append(instrument)
    return instruments
