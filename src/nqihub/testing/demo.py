"""Demo data of the testing app; called by ``load_demo`` after the directory's demo world exists.

The Liuzhou food lab (柳州市食品检验检测实验室（示例）) tests 善元食品's 预包装柳州螺蛳粉 and issues a report:
lab_lz tests, lab_lz_review reviews, lab_lz_approve approves and issues. A second order, placed by the
螺蛳粉 station for 善元, waits for the lab to receive its samples.

The platform's standards catalogue has no 螺蛳粉 product standard and no food requirement table (only
GB 18401-2010's), so the order names its basis as a 示例 text and its requirements are demonstration
values, marked as such; the method standards are the lab's scope lines (real standard numbers).
Report numbers carry the 示例 prefix of the demo lab.
"""

from django.db import transaction

from nqihub.accounts.models import User
from nqihub.directory.models import Enterprise, Institution

from . import services
from .models import LabProfile, LabRole, OrderStatus, TestOrder

LAB_LZ = "柳州市食品检验检测实验室（示例）"
LAB_NT = "南通纺织品检测实验室（示例）"
PRODUCT = "预包装柳州螺蛳粉"
BASIS = "柳州螺蛳粉产品标准（示例：平台标准库未收录，技术要求为演示值）"
ITEMS = [
    # parameter, method standard (the lab's scope), requirement (示例), unit, result
    ("水分", "GB 5009.3-2016", "≤14.5", "g/100g", "11.2"),
    ("酸价", "GB 5009.229", "≤3", "mg/g", "0.8"),
    ("过氧化值", "GB 5009.227", "≤0.25", "g/100g", "0.06"),
    ("铅", "GB 5009.12", "≤0.5", "mg/kg", "<0.02（未检出）"),
    ("大肠菌群", "GB 4789.3", "≤10", "CFU/g", "<10"),
    ("商业无菌", "GB 4789.26", "商业无菌", "", "商业无菌"),
]
ROLES = {
    "lab_lz": [LabRole.Role.TESTER],
    "lab_lz_review": [LabRole.Role.REVIEWER],
    "lab_lz_approve": [LabRole.Role.APPROVER, LabRole.Role.MANAGER],
}


def seed_demo(today) -> None:
    """Idempotent: re-running finds the demo orders by product name and leaves them as they are."""
    lab = Institution.objects.filter(name=LAB_LZ).first()
    enterprise = Enterprise.objects.filter(name="善元食品有限公司").first()
    if lab is None or enterprise is None:
        return
    LabProfile.objects.update_or_create(institution=lab, defaults={"report_prefix": "示例LZ"})
    nt = Institution.objects.filter(name=LAB_NT).first()
    if nt is not None:
        LabProfile.objects.update_or_create(institution=nt, defaults={"report_prefix": "示例NT"})
    users = {u.username: u for u in User.objects.filter(username__in=[*ROLES, "ent_shanyuan", "station_lz"])}
    for username, roles in ROLES.items():
        if username in users:
            for role in roles:
                LabRole.objects.get_or_create(user=users[username], institution=lab, role=role)
    if not all(name in users for name in (*ROLES, "ent_shanyuan")):
        return
    with transaction.atomic(), services.quiet():
        if not TestOrder.objects.filter(enterprise=enterprise, product_name=PRODUCT, is_demo=True).exists():
            _issued_order(services, lab, enterprise, users, today)
        second = f"{PRODUCT}（新配方试制品）"
        if (
            "station_lz" in users
            and not TestOrder.objects.filter(
                enterprise=enterprise, product_name=second, is_demo=True
            ).exists()
        ):
            services.order_create(
                by=users["station_lz"],
                lab=lab,
                enterprise=enterprise,
                product_name=second,
                items=[
                    {
                        "parameter": "水分",
                        "method_standard": "GB 5009.3-2016",
                        "requirement": "≤14.5",
                        "unit": "g/100g",
                    },
                    {
                        "parameter": "菌落总数",
                        "method_standard": "GB 4789.2-2022",
                        "requirement": "",
                        "unit": "CFU/g",
                    },
                ],
                samples=[
                    {
                        "name": second,
                        "model_spec": "280 g/袋（示例）",
                        "batch": "示例批次 B02",
                        "quantity": "4 袋",
                    }
                ],
                product_standard=BASIS,
                remarks="示例委托：新配方保质期验证前的基础检验；菌落总数仅报告实测值。",
                submit=True,
                is_demo=True,
            )


def _issued_order(services, lab, enterprise, users, today):
    client = users["ent_shanyuan"]
    order = services.order_create(
        by=client,
        lab=lab,
        enterprise=enterprise,
        product_name=PRODUCT,
        items=[
            {"parameter": p, "method_standard": m, "requirement": r, "unit": u} for p, m, r, u, _res in ITEMS
        ],
        samples=[
            {"name": PRODUCT, "model_spec": "300 g/袋（示例）", "batch": "示例批次 A01", "quantity": "6 袋"}
        ],
        product_standard=BASIS,
        remarks="示例报告：技术要求为演示值，仅供平台演示。",
        submit=True,
        is_demo=True,
    )
    services.order_receive(
        order=order, by=users["lab_lz"], received_on=today, condition="包装完好，常温保存（示例）"
    )
    by_param = {p: res for p, _m, _r, _u, res in ITEMS}
    results = {str(item.pk): by_param[item.parameter] for item in order.items.all()}
    services.results_enter(order=order, by=users["lab_lz"], results=results)
    services.order_complete(order=order, by=users["lab_lz"])
    services.order_review(order=order, by=users["lab_lz_review"])
    services.order_approve(order=order, by=users["lab_lz_approve"])
    services.report_issue(order=order, by=users["lab_lz_approve"])
    assert TestOrder.objects.get(pk=order.pk).status == OrderStatus.ISSUED
    return order
