import pytest
from django.core.management import call_command

from nqihub.certification.catalogue import ccc_guidance
from nqihub.certification.models import CccCatalogueVersion, CccProduct

pytestmark = pytest.mark.django_db


def test_load_ccc_is_idempotent_and_marks_versions(ccc):
    call_command("load_ccc", stdout=__import__("io").StringIO())
    old = CccCatalogueVersion.objects.get(key="ccc-pre2018")
    new = CccCatalogueVersion.objects.get(key="ccc-2023")
    assert new.is_current and new.is_complete and new.year == 2023
    assert not old.is_current and old.year is None
    assert CccProduct.objects.filter(version=new).count() == 96
    assert CccProduct.objects.filter(version=new).values("category").distinct().count() == 16
    # The markers of the announcement: 7 products under self-declaration route A, 12 under route B.
    assert CccProduct.objects.filter(version=new, marker="*").count() == 7
    assert CccProduct.objects.filter(version=new, marker="**").count() == 12
    assert CccProduct.objects.filter(version=new, marker="*").first().notes
    assert CccProduct.objects.filter(version=old).count() == ccc["ccc-pre2018"]
    # Rows whose category header is missing in the source get the category their note names.
    assert CccProduct.objects.get(version=old, name="微型计算机").category == "信息技术设备"
    # A category with no product rows is its own product.
    assert CccProduct.objects.filter(version=old, name="小功率电动机").exists()


def test_an_admins_choice_of_current_version_is_kept(ccc):
    old = CccCatalogueVersion.objects.get(key="ccc-pre2018")
    CccCatalogueVersion.objects.update(is_current=False)
    old.is_current = True
    old.save()
    call_command("load_ccc", stdout=__import__("io").StringIO())
    assert CccCatalogueVersion.objects.get(is_current=True).key == "ccc-pre2018"


def test_wire_and_cable_matches_the_current_catalogue(ccc):
    matches = ccc_guidance("电线电缆", None)
    assert matches
    assert matches[0].is_current
    assert any("电线电缆" in m.name for m in matches)
    assert all(m.category == "电线电缆" for m in matches if m.is_current)


def test_the_partial_seed_left_current_gives_way_to_the_complete_edition(ccc):
    partial = CccCatalogueVersion.objects.create(
        key="ccc-2023-partial", name="部分", year=2023, is_complete=False
    )
    CccCatalogueVersion.objects.update(is_current=False)
    CccCatalogueVersion.objects.filter(pk=partial.pk).update(is_current=True)
    call_command("load_ccc", stdout=__import__("io").StringIO())
    assert CccCatalogueVersion.objects.get(is_current=True).key == "ccc-2023"


def test_a_product_of_the_later_categories_matches_the_current_catalogue(ccc):
    # Categories 8-16 were missing from the partial seed (toys are category 儿童用品).
    matches = ccc_guidance("儿童玩具", None)
    assert matches and matches[0].is_current
    assert any("儿童用品" in m.category for m in matches)
    assert all(m.is_current for m in matches)


def test_industry_hint_adds_categories(ccc):
    matches = ccc_guidance("", "3823")
    assert {m.name for m in matches} >= {"电线电缆", "低压电器"}
    assert all(m.kind == "category" for m in matches)


def test_food_has_no_ccc_match(ccc):
    assert ccc_guidance("预包装柳州螺蛳粉", "1431") == []


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        ("充电宝", "移动电源"),
        ("燃气灶", "家用燃气灶具"),
        ("电动车", "电动自行车"),
        ("锂电池", "锂离子电池和电池组"),
    ],
)
def test_products_of_the_2023_edition_are_found_by_everyday_words(ccc, product, expected):
    matches = ccc_guidance(product, None)
    assert matches and matches[0].is_current
    assert expected in [m.name for m in matches]


def test_industry_hint_uses_the_2023_category_names(ccc):
    assert "电子产品及安全附件" in {m.name for m in ccc_guidance("", "3911")}
    assert "车辆及安全附件" in {m.name for m in ccc_guidance("", "3610")}
