"""Matching by product (issue 16 item 8): "who can test 螺蛳粉 near me" without naming a parameter, and the
one lab-coverage rule (``directory.matching.coverage_q``) shared by test orders and cooperatives' plans."""

import pytest

from nqihub.directory.matching import capability_match, lab_covers, lab_lines
from nqihub.directory.models import Institution, ScopeLine

pytestmark = pytest.mark.django_db
LAB_LZ = "柳州市食品检验检测实验室（示例）"
YUFENG = "450204"  # 柳州市柳南区


def _lab():
    return Institution.objects.get(name=LAB_LZ)


def test_who_can_test_luosifen_near_me_without_a_parameter(demo_user):
    for product in ("螺蛳粉", "预包装柳州螺蛳粉", "米粉制品"):
        results = capability_match(
            fetched_by=demo_user("ent_shanyuan"), parameter="", product=product, region=YUFENG
        )
        assert results and results[0].name == LAB_LZ, product
        assert results[0].closeness
        assert all(line.product.name == "米粉制品" for line in results[0].lines)


def test_product_only_search_through_the_api_and_the_page(api_for, client_for):
    body = (
        api_for("ent_shanyuan")
        .get("/api/v1/capabilities/match", {"product": "螺蛳粉", "region": YUFENG})
        .json()
    )
    assert body["items"][0]["name"] == LAB_LZ
    bad = api_for("ent_shanyuan").get("/api/v1/capabilities/match", {"product": "", "parameter": ""})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "parameter"
    page = client_for("ent_shanyuan").get("/directory/capability/", {"product": "螺蛳粉"}).content.decode()
    assert LAB_LZ in page


def test_an_outsider_does_not_find_labs_it_may_not_see(demo_user):
    # ent_yuese (Jiangsu) does not see Guangxi scope lines (the directory's scoping).
    assert all(
        r.name != LAB_LZ
        for r in capability_match(fetched_by=demo_user("ent_yuese"), parameter="", product="螺蛳粉")
    )


def test_unknown_product_gives_nothing(demo_user):
    assert (
        capability_match(fetched_by=demo_user("ent_shanyuan"), parameter="", product="不存在的产品xyz") == []
    )


def test_one_coverage_rule_for_orders_and_plans():
    lab = _lab()
    # The plan check (cooperatives) and the order check (testing) now give the same answer for every wording.
    from nqihub.cooperatives.services import lab_lines as plan_lines
    from nqihub.testing.services import lab_covers as order_covers

    for parameter in ("菌落总数", "细菌总数", "霉菌", "水分含量", "甲醛含量"):
        assert order_covers(lab, parameter) == (plan_lines(lab, [parameter])[parameter] is not None), (
            parameter
        )
        assert order_covers(lab, parameter) == lab_covers(lab, parameter)
    assert lab_covers(lab, "水分", product="预包装柳州螺蛳粉")
    assert not lab_covers(lab, "甲醛含量")


def test_an_unmapped_line_covers_by_its_text_in_both(db):
    lab = _lab()
    ScopeLine.objects.create(
        institution=lab, region_id=lab.region_id, product_text="米粉", parameter_text="致病菌（沙门氏菌）"
    )
    assert lab_covers(lab, "沙门氏菌")
    assert lab_lines(lab, ["沙门氏菌"])["沙门氏菌"] is not None
    from nqihub.testing.services import lab_covers as order_covers

    assert order_covers(lab, "沙门氏菌")


def test_a_general_food_line_still_covers_a_long_product_name():
    lab = _lab()
    ScopeLine.objects.filter(institution=lab, product__name="米粉制品", parameter__name="水分").delete()
    # Only the lab's 食品 line is left for 水分: an order for 预包装柳州螺蛳粉 is not refused for it.
    assert lab_covers(lab, "水分", product="预包装柳州螺蛳粉")
    # A textile product named exactly restricts to textile lines: the food lab does not cover it.
    assert not lab_covers(lab, "水分", product="床上用品")
