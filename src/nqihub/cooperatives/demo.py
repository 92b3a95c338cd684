"""Demo data of the cooperatives app; called by ``load_demo`` after the directory's demo world exists.

The seed article's Nantong story: the 南通海门家纺质量合作社 with its charter and commitment (texts marked
示例), 南通悦瑟家居 (member since 2018) and a few invented members （示例） with synthetic USCCs, a
quality-control plan for bed linen whose limits come from GB 18401-2010 (shared/data), about six months of
inspections giving a pass rate near the 95% target (one member below it), and this year's free testing plan
at the Nantong textile lab, ready to order.
"""

import random
from datetime import date, timedelta

from django.db import transaction

from nqihub.accounts.models import User
from nqihub.core.models import Organisation
from nqihub.core.search import segment
from nqihub.directory.models import Enterprise, Institution
from nqihub.directory.uscc import demo_uscc
from nqihub.standards.models import Standard

from . import services
from .models import (
    CheckItem,
    Checkpoint,
    Cooperative,
    Inspection,
    LabelTemplate,
    Member,
    MemberEvent,
    MemberStatus,
    NonConformity,
    QcPlan,
    SharedStandard,
    TestingPlan,
    TestingPlanLine,
)

COOP_NAME = "南通海门家纺质量合作社"
YUESE = "南通悦瑟家居用品有限公司"
TEXTILE_LAB = "南通纺织品检测实验室（示例）"

CHARTER = (
    "【示例章程】\n"
    "第一条 本合作社由海门区家纺中小企业和个体工商户自愿组成，以“统一产品标准、统一标识标签、统一检测标准、"
    "设立质量专员、质量信用管理、品牌培育”为主要工作。\n"
    "第二条 成员应建立进货验收、过程控制和出货检验制度，如实记录检验结果。\n"
    "第三条 合作社每年为成员免费开展原辅材料和成品质量检测，并组织质量分析和攻关。\n"
    "（本文为示例文本，非真实章程。）"
)
COMMITMENT = (
    "【示例承诺书】\n"
    "本企业自愿加入南通海门家纺质量合作社，承诺：\n"
    "一、执行合作社统一发布的产品标准和标识标签模板，产品符合 GB 18401 国家纺织产品基本安全技术规范；\n"
    "二、指定一名质量专员，按合作社质量控制计划开展进货验收、过程控制和出货检验，如实登记；\n"
    "三、对检验发现的不合格项按期整改并提交整改证据；\n"
    "四、配合合作社的年度免费检测和质量分析。\n"
    "（本文为示例文本。）"
)

#: (name, region, serial for demo_uscc, kind, products, officer, phone, inspection pass probability)
OTHER_MEMBERS = [
    (
        "海门示例家纺有限公司（示例）",
        "320614",
        3,
        "company",
        "被套、枕套",
        "陆女士（示例）",
        "13900000003",
        0.97,
    ),
    (
        "叠石桥示例床品经营部（示例）",
        "320614",
        4,
        "individual",
        "床单、四件套",
        "施先生（示例）",
        "13900000004",
        0.88,
    ),
    (
        "通州示例纺织品有限公司（示例）",
        "320612",
        8,
        "company",
        "毛巾、浴巾",
        "顾女士（示例）",
        "13900000008",
        0.96,
    ),
]
YUESE_OFFICER = ("周女士（示例）", "13900000002")
YUESE_PASS = 0.98

#: stage, checkpoint, items: (name, kind, requirement, unit, basis). Limits of GB 18401-2010 category B
#: (direct skin contact) from shared/data/requirements_gb18401_2010.csv.
PLAN = [
    (
        "incoming",
        "面料进货验收",
        [
            ("供方检测报告和合格证齐全", "pass_fail", "", "", "合作社统一要求"),
            ("甲醛含量", "measured", "≤75", "mg/kg", "GB 18401-2010 B类"),
            ("pH值", "measured", "4.0~8.5", "", "GB 18401-2010 B类"),
            ("异味", "measured", "无", "", "GB 18401-2010"),
        ],
    ),
    (
        "process",
        "缝制与整烫",
        [
            ("缝制线迹平直、无跳针", "pass_fail", "", "", "合作社工艺要求（示例）"),
            ("整烫平整、无极光", "pass_fail", "", "", "合作社工艺要求（示例）"),
        ],
    ),
    (
        "outgoing",
        "成品出货检验",
        [
            ("外观疵点", "pass_fail", "", "", "GB/T 22796-2021"),
            ("标识标签完整（使用说明）", "pass_fail", "", "", "GB 5296.4-2012"),
            ("甲醛含量（抽检）", "measured", "≤75", "mg/kg", "GB 18401-2010 B类"),
        ],
    ),
]
FAILING_VALUES = {"甲醛含量": "82", "甲醛含量（抽检）": "96", "pH值": "8.9", "异味": "有霉味"}
PASSING_VALUES = {
    "甲醛含量": ["18", "26", "35", "41", "<20"],
    "甲醛含量（抽检）": ["22", "30", "<20"],
    "pH值": ["6.2", "6.8", "7.1", "5.9"],
    "异味": ["无"],
}

STANDARDS = [
    ("GB 18401-2010", "基本安全技术要求（成员产品按 B 类）"),
    ("GB 5296.4-2012", "使用说明（标识标签）"),
    ("GB/T 22796-2021", "床上用品产品标准"),
]

#: A bed-sheet label in the fields of ``nqihub.labels`` (textile), used when the labels app has none.
BEDSHEET_LABEL = {
    "manufacturer_name": YUESE,
    "manufacturer_address": "江苏省南通市海门区（示例地址）",
    "product_name": "纯棉床单",
    "size": "230cm×250cm",
    "fibre_content": "棉 100%",
    "care_instructions": "30℃水温手洗或机洗，不可漂白，悬挂晾干，低温熨烫",
    "standard_number": "GB/T 22796-2021",
    "safety_category": "B",
    "quality_grade": "合格品",
    "conformity": "合格证",
}


def _label_fields() -> dict:
    try:
        from nqihub.labels.demo import YUESE_BEDSHEET_AFTER
    except ImportError:
        return dict(BEDSHEET_LABEL)
    return dict(YUESE_BEDSHEET_AFTER)


def _demo_enterprise(name, region, serial, kind, products):
    org, _ = Organisation.objects.update_or_create(
        kind=Organisation.Kind.ENTERPRISE, name=name, defaults={"region_id": region, "is_demo": True}
    )
    ent, _ = Enterprise.objects.update_or_create(
        organisation=org,
        defaults={
            "uscc": demo_uscc(region, serial, series=2),
            "name": name,
            "kind": kind,
            "region_id": region,
            "industry_id": "1771" if "床" in products or "被" in products else "1779",
            "products": products,
            "address": "江苏省南通市（示例地址）",
            "is_demo": True,
        },
    )
    ent.search_text = segment(ent.name, ent.uscc, ent.address, ent.products)
    ent.save(update_fields=["search_text"])
    return ent


@transaction.atomic
def seed_demo(today) -> None:
    """Idempotent: re-running updates the same rows and adds no second set of inspections."""
    org = Organisation.objects.filter(kind=Organisation.Kind.COOPERATIVE, name=COOP_NAME).first()
    admin = User.objects.filter(username="coop_haimen").first()
    if org is None or admin is None:
        return
    coop, _ = Cooperative.objects.update_or_create(
        organisation=org,
        defaults={
            "host_organisation": "海门区市场监督管理局（示例）",
            "region_id": org.region_id,
            "industry_id": "177",
            "charter": CHARTER,
            "commitment_text": COMMITMENT,
            "is_demo": True,
        },
    )

    # Members: 悦瑟 since 2018 (the article), three invented ones.
    rows = [(Enterprise.objects.get(name=YUESE), *YUESE_OFFICER, YUESE_PASS, date(2018, 6, 1))]
    for name, region, serial, kind, products, officer, phone, rate in OTHER_MEMBERS:
        ent = _demo_enterprise(name, region, serial, kind, products)
        rows.append((ent, officer, phone, rate, date(2020 + serial % 3, 3, 1)))
    yuese_user = User.objects.filter(username="ent_yuese").first()
    members = []
    for ent, officer, phone, rate, joined in rows:
        member, created = Member.objects.update_or_create(
            cooperative=coop,
            enterprise=ent,
            defaults={
                "status": MemberStatus.ACTIVE,
                "officer_name": officer,
                "officer_phone": phone,
                "commitment_version": coop.commitment_version,
                "joined_on": joined,
                "left_on": None,
                "is_demo": True,
            },
        )
        if created:
            member.commitment_accepted_at = member.created_at.replace(
                year=joined.year, month=joined.month, day=joined.day
            )
            member.commitment_accepted_by = yuese_user if ent.name == YUESE else None
            member.save(update_fields=["commitment_accepted_at", "commitment_accepted_by"])
            MemberEvent.objects.create(
                member=member, action=MemberEvent.Action.APPLIED, reason="示例：申请入社"
            )
            MemberEvent.objects.create(member=member, action=MemberEvent.Action.ADMITTED, by=admin)
        members.append((member, rate))

    # The quality-control plan.
    plan, _ = QcPlan.objects.update_or_create(
        cooperative=coop,
        name="床上用品质量控制计划（示例）",
        defaults={"product": "床单、被套、枕套等床上用品", "is_active": True, "is_demo": True},
    )
    checkpoints = []
    for position, (stage, name, items) in enumerate(PLAN):
        checkpoint, _ = Checkpoint.objects.update_or_create(
            plan=plan, name=name, defaults={"stage": stage, "position": position}
        )
        for index, (item_name, kind, requirement, unit, basis) in enumerate(items):
            CheckItem.objects.update_or_create(
                checkpoint=checkpoint,
                name=item_name,
                defaults={
                    "kind": kind,
                    "requirement": requirement,
                    "unit": unit,
                    "basis": basis,
                    "position": index,
                },
            )
        checkpoints.append(checkpoint)

    # About six months of inspections, once (the rows are dated when first seeded).
    if not Inspection.objects.filter(member__cooperative=coop, is_demo=True).exists():
        rng = random.Random(20180601)  # noqa: S311 — reproducible demo data, not security
        start = today - timedelta(days=180)
        for member, rate in members:
            day = start
            while day <= today - timedelta(days=2):
                checkpoint = checkpoints[rng.randrange(len(checkpoints))]
                items = list(checkpoint.items.all())
                failing = rng.random() > rate
                bad = rng.randrange(len(items)) if failing else -1
                values = {}
                for index, item in enumerate(items):
                    if item.kind == CheckItem.Kind.PASS_FAIL:
                        values[item.pk] = "fail" if index == bad else "pass"
                    elif index == bad:
                        values[item.pk] = FAILING_VALUES.get(item.name, "不合格")
                    else:
                        values[item.pk] = rng.choice(PASSING_VALUES.get(item.name, ["合格"]))
                services.inspection_record(
                    member=member,
                    checkpoint=checkpoint,
                    values=values,
                    inspected_on=day,
                    batch=f"示例-{day:%Y%m%d}-{member.pk}",
                    inspector=member.officer_name,
                    by=admin,
                    today=today,
                    is_demo=True,
                    notify_members=False,
                )
                day += timedelta(days=rng.choice([5, 6, 7, 8]))
        # Two recent failures of the member below target: one overdue, one still within its deadline.
        low = members[2][0]
        for days_ago, checkpoint, bad_name in (
            (16, checkpoints[2], "甲醛含量（抽检）"),
            (3, checkpoints[0], "pH值"),
        ):
            values = {
                item.pk: (
                    FAILING_VALUES[item.name]
                    if item.name == bad_name
                    else "pass"
                    if item.kind == CheckItem.Kind.PASS_FAIL
                    else PASSING_VALUES.get(item.name, ["合格"])[0]
                )
                for item in checkpoint.items.all()
            }
            services.inspection_record(
                member=low,
                checkpoint=checkpoint,
                values=values,
                inspected_on=today - timedelta(days=days_ago),
                batch=f"示例-{today - timedelta(days=days_ago):%Y%m%d}-{low.pk}",
                inspector=low.officer_name,
                by=admin,
                today=today,
                is_demo=True,
                notify_members=False,
            )
        # Older non-conformities were corrected; the last month's stay open (some overdue).
        for nc in NonConformity.objects.filter(
            member__cooperative=coop, inspection__inspected_on__lt=today - timedelta(days=30)
        ):
            nc.corrective_action = "示例：更换面料供应商批次，加强进货抽检。"
            nc.evidence = "示例：复检合格，附复检记录。"
            nc.status = NonConformity.Status.CLOSED
            nc.closed_on = nc.due_date
            nc.closed_by = admin
            nc.save()

    # Shared standards (real numbers, from the loaded catalogue) and the bed-sheet label template.
    for number, note in STANDARDS:
        standard = Standard.objects.filter(canonical=number).first()
        if standard is not None:
            SharedStandard.objects.update_or_create(
                cooperative=coop, standard=standard, defaults={"note": note}
            )
    LabelTemplate.objects.update_or_create(
        cooperative=coop,
        name="纯棉床单标签模板（示例）",
        defaults={"category": "textile", "fields": _label_fields(), "is_demo": True},
    )

    # This year's free testing plan at the Nantong textile lab, ready to order.
    lab = Institution.objects.filter(name=TEXTILE_LAB).first()
    testing, _ = TestingPlan.objects.update_or_create(
        cooperative=coop,
        year=today.year,
        name=f"{today.year}年度成员免费检测计划（示例）",
        defaults={"is_demo": True},
    )
    if testing.status == TestingPlan.Status.DRAFT:
        yuese_member = members[0][0]
        lines = [
            (
                yuese_member,
                "product",
                "纯棉床单（示例）",
                [
                    {"parameter": "甲醛含量", "method_standard": "", "requirement": "≤75", "unit": "mg/kg"},
                    {"parameter": "pH值", "method_standard": "", "requirement": "4.0~8.5", "unit": ""},
                    {"parameter": "异味", "method_standard": "", "requirement": "无", "unit": ""},
                    {"parameter": "纤维含量", "method_standard": "", "requirement": "", "unit": ""},
                ],
            ),
            (
                members[2][0],
                "material",
                "涤棉面料（示例）",
                [
                    {"parameter": "甲醛含量", "method_standard": "", "requirement": "≤75", "unit": "mg/kg"},
                    {"parameter": "pH值", "method_standard": "", "requirement": "4.0~8.5", "unit": ""},
                ],
            ),
        ]
        for member, kind, product, items in lines:
            TestingPlanLine.objects.update_or_create(
                plan=testing,
                member=member,
                product_name=product,
                defaults={"sample_kind": kind, "items": items},
            )
        if lab is not None and testing.lab_id is None:
            testing.lab = lab
            testing.save(update_fields=["lab"])
