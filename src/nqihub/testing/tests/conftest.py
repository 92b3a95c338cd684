import pytest


@pytest.fixture
def lab(db):
    from nqihub.directory.models import Institution

    return Institution.objects.get(name="柳州市食品检验检测实验室（示例）")


@pytest.fixture
def shanyuan(db):
    from nqihub.directory.models import Enterprise

    return Enterprise.objects.get(name="善元食品有限公司")


@pytest.fixture
def users(demo_user):
    names = ["ent_shanyuan", "lab_lz", "lab_lz_review", "lab_lz_approve", "station_lz", "reg_lz", "ent_yuese"]
    return {n: demo_user(n) for n in names}


ITEMS = [
    {"parameter": "水分", "method_standard": "GB 5009.3-2016", "requirement": "≤14.5", "unit": "g/100g"},
    {"parameter": "铅", "method_standard": "GB 5009.12", "requirement": "≤0.5", "unit": "mg/kg"},
]


@pytest.fixture
def make_order(lab, shanyuan, users):
    """``make_order(**overrides)`` → a submitted order of 善元 at the Liuzhou lab (two items)."""
    from nqihub.testing import services

    def make(**kw):
        args = {
            "by": users["ent_shanyuan"],
            "lab": lab,
            "enterprise": shanyuan,
            "product_name": "预包装柳州螺蛳粉",
            "items": [dict(i) for i in ITEMS],
            "submit": True,
        }
        args.update(kw)
        return services.order_create(**args)

    return make


@pytest.fixture
def advance(users):
    """``advance(order, "approved")``: run the lab's steps up to that state (results pass by default)."""
    from nqihub.testing import services

    steps = ["sample_received", "testing", "results_entered", "reviewed", "approved", "issued"]

    def run(order, until: str, results=None):
        order.refresh_from_db()
        for step in steps:
            if step == "sample_received" and order.status == "submitted":
                services.order_receive(order=order, by=users["lab_lz"], condition="包装完好")
            elif step == "testing" and order.status == "sample_received":
                values = results or {"水分": "11.2", "铅": "0.03"}
                services.results_enter(
                    order=order,
                    by=users["lab_lz"],
                    results={str(i.pk): values.get(i.parameter, "1") for i in order.items.all()},
                )
            elif step == "results_entered" and order.status == "testing":
                services.order_complete(order=order, by=users["lab_lz"])
            elif step == "reviewed" and order.status == "results_entered":
                services.order_review(order=order, by=users["lab_lz_review"])
            elif step == "approved" and order.status == "reviewed":
                services.order_approve(order=order, by=users["lab_lz_approve"])
            elif step == "issued" and order.status == "approved":
                services.report_issue(order=order, by=users["lab_lz_approve"], base_url="http://testserver")
            order.refresh_from_db()
            if step == until:
                break
        return order

    return run
