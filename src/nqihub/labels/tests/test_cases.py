"""The label rules against a table of real-world labels: typical mistakes next to correct labels, each with
the exact findings (field, severity, code) it must produce — no more, no fewer. Standard statuses come from a
fixed lookup (``LOOKUP``); the standards catalogue is exercised in test_catalogue.py."""

import pytest

from nqihub.labels import check_label

from .labels_fixtures import BEDSHEET_OK, FOOD_OK, LOOKUP, SHIRT_OK, nutrition_with

E, W = "error", "warning"
DROP = object()


def label(base: dict, **changes) -> dict:
    out = dict(base)
    for k, v in changes.items():
        if v is DROP:
            out.pop(k, None)
        else:
            out[k] = v
    return out


TEXTILE_CASES = [
    ("bedsheet_correct", BEDSHEET_OK, []),
    ("shirt_correct", SHIRT_OK, []),
    (
        "trade_name_lycra",
        label(SHIRT_OK, fibre_content="棉 95% 莱卡 5%"),
        [("fibre_content", E, "fibre_trade_name")],
    ),
    (
        "trade_name_tencel",
        label(BEDSHEET_OK, fibre_content="天丝 100%"),
        [("fibre_content", E, "fibre_trade_name")],
    ),
    (
        "trade_name_latin_lycra",
        label(SHIRT_OK, fibre_content="聚酯纤维 92% LYCRA 8%"),
        [("fibre_content", E, "fibre_trade_name")],
    ),
    (
        "wrong_name_anlun_fibre",
        label(SHIRT_OK, fibre_content="棉 95% 氨纶纤维 5%"),
        [("fibre_content", E, "fibre_trade_name")],
    ),
    ("modal_short_name_allowed", label(BEDSHEET_OK, fibre_content="莫代尔 50% 棉 50%"), []),
    ("lyocell_short_name_allowed", label(BEDSHEET_OK, fibre_content="莱赛尔 40% 棉 60%"), []),
    ("short_names_allowed", label(SHIRT_OK, fibre_content="涤纶 60% 锦纶 30% 氨纶 10%"), []),
    ("sum_95", label(SHIRT_OK, fibre_content="棉 60% 聚酯纤维 35%"), [("fibre_content", E, "fibre_sum")]),
    ("sum_110", label(SHIRT_OK, fibre_content="棉 70% 聚酯纤维 40%"), [("fibre_content", E, "fibre_sum")]),
    ("percent_first", label(SHIRT_OK, fibre_content="60%棉 40%聚酯纤维"), []),
    ("pure_cotton", label(BEDSHEET_OK, fibre_content="纯棉"), []),
    ("full_width", label(BEDSHEET_OK, fibre_content="棉　６０％　聚酯纤维　４０％"), []),
    ("two_parts", label(SHIRT_OK, fibre_content="面料：棉 100%；里料：聚酯纤维 100%"), []),
    (
        "two_parts_one_wrong",
        label(SHIRT_OK, fibre_content="面料：棉 80% 氨纶 10%；里料：聚酯纤维 100%"),
        [("fibre_content", E, "fibre_sum")],
    ),
    ("ice_silk_unknown", label(SHIRT_OK, fibre_content="冰丝 100%"), [("fibre_content", W, "fibre_unknown")]),
    (
        "no_percentages",
        label(SHIRT_OK, fibre_content="棉 聚酯纤维"),
        [("fibre_content", E, "fibre_no_percent"), ("fibre_content", E, "fibre_no_percent")],
    ),
    (
        "fibre_list_ok",
        label(
            SHIRT_OK, fibre_content=[{"fibre": "棉", "percent": 60}, {"fibre": "聚酯纤维", "percent": "40%"}]
        ),
        [],
    ),
    (
        "fibre_list_tencel_sum",
        label(
            BEDSHEET_OK, fibre_content=[{"fibre": "天丝", "percent": "50%"}, {"fibre": "棉", "percent": 40}]
        ),
        [("fibre_content", E, "fibre_trade_name"), ("fibre_content", E, "fibre_sum")],
    ),
    (
        "fibre_list_malformed",
        label(BEDSHEET_OK, fibre_content=["棉"]),
        [("fibre_content", E, "fibre_item_malformed")],
    ),
    (
        "infant_in_category_b",
        label(SHIRT_OK, product_name="婴儿连体衣", safety_category="B类", for_infants=True),
        [("safety_category", E, "infant_not_a"), ("safety_category", E, "infant_mark_missing")],
    ),
    (
        "infant_a_without_mark",
        label(SHIRT_OK, product_name="婴儿连体衣", safety_category="A类", for_infants=True),
        [("safety_category", E, "infant_mark_missing")],
    ),
    (
        "infant_correct",
        label(
            SHIRT_OK,
            product_name="婴儿连体衣",
            safety_category="GB 18401-2010 A类 婴幼儿用品",
            for_infants=True,
        ),
        [],
    ),
    (
        "infant_in_category_c",
        label(SHIRT_OK, product_name="婴儿帽", safety_category="C类", for_infants="是"),
        [("safety_category", E, "infant_not_a"), ("safety_category", E, "infant_mark_missing")],
    ),
    (
        "infant_product_not_declared",
        label(SHIRT_OK, product_name="婴儿睡袋"),
        [("for_infants", W, "infant_suspected")],
    ),
    (
        "says_infant_but_b",
        label(SHIRT_OK, safety_category="B类 婴幼儿用品"),
        [("safety_category", E, "infant_not_a")],
    ),
    (
        "bedsheet_category_c",
        label(BEDSHEET_OK, safety_category="C类"),
        [("safety_category", E, "skin_contact_c")],
    ),
    ("curtain_category_c", label(BEDSHEET_OK, product_name="窗帘", safety_category="C类"), []),
    ("category_d", label(SHIRT_OK, safety_category="D类"), [("safety_category", E, "safety_invalid")]),
    (
        "two_categories",
        label(SHIRT_OK, safety_category="A类/B类"),
        [("safety_category", E, "safety_ambiguous")],
    ),
    (
        "withdrawn_standard",
        label(BEDSHEET_OK, standard_number="GB/T 22796-2009"),
        [("standard_number", E, "standard_abolished")],
    ),
    (
        "safety_spec_as_product_standard",
        label(SHIRT_OK, standard_number="GB 18401-2010"),
        [("standard_number", E, "standard_not_product")],
    ),
    (
        "standard_unreadable",
        label(SHIRT_OK, standard_number="见吊牌"),
        [("standard_number", E, "standard_invalid")],
    ),
    (
        "standard_not_in_catalogue",
        label(SHIRT_OK, standard_number="Q/DEMO 0099-2025"),
        [("standard_number", W, "standard_unknown")],
    ),
    (
        "standard_upcoming",
        label(SHIRT_OK, standard_number="Q/DEMO 0004-2027"),
        [("standard_number", W, "standard_upcoming")],
    ),
    ("size_letters_only", label(SHIRT_OK, size="M"), [("size", E, "size_letters_only")]),
    ("size_with_letters_ok", label(SHIRT_OK, size="170/88A（M）"), []),
    (
        "no_care_no_address",
        label(SHIRT_OK, care_instructions=DROP, manufacturer_address=""),
        [("manufacturer_address", E, "missing"), ("care_instructions", E, "missing")],
    ),
    (
        "care_out_of_order",
        label(SHIRT_OK, care_instructions="悬挂晾干；最高水温30℃ 常规洗涤；不可漂白"),
        [("care_instructions", W, "care_order")],
    ),
    (
        "care_without_washing",
        label(SHIRT_OK, care_instructions="不可漂白；平摊晾干"),
        [("care_instructions", W, "care_no_washing")],
    ),
    ("grade_unusual", label(SHIRT_OK, quality_grade="A级"), [("quality_grade", W, "grade_unknown")]),
    ("no_conformity", label(SHIRT_OK, conformity=False), [("conformity", E, "conformity_false")]),
    ("number_as_size", label(SHIRT_OK, size=230), [("size", E, "type")]),
    ("unknown_key", label(SHIRT_OK, colour="红色"), [("colour", W, "unknown_field")]),
    (
        "empty_label",
        {},
        [
            (k, E, "missing")
            for k in (
                "manufacturer_name",
                "manufacturer_address",
                "product_name",
                "size",
                "fibre_content",
                "care_instructions",
                "standard_number",
                "safety_category",
                "quality_grade",
                "conformity",
            )
        ],
    ),
]

FOOD_CASES = [
    ("food_correct", FOOD_OK, []),
    ("jin_as_unit", label(FOOD_OK, net_content="1斤"), [("net_content", E, "net_content_forbidden_unit")]),
    (
        "liang_as_unit",
        label(FOOD_OK, net_content="净含量：4两"),
        [("net_content", E, "net_content_forbidden_unit")],
    ),
    ("ounces", label(FOOD_OK, net_content="12oz"), [("net_content", E, "net_content_forbidden_unit")]),
    (
        "cc_for_drinks",
        label(FOOD_OK, net_content="250cc"),
        [("net_content", E, "net_content_forbidden_unit")],
    ),
    ("gongjin", label(FOOD_OK, net_content="1公斤"), [("net_content", W, "net_content_discouraged_unit")]),
    ("half_kilo_in_kg", label(FOOD_OK, net_content="0.5kg"), [("net_content", W, "net_content_range")]),
    ("1500_grams", label(FOOD_OK, net_content="1500g"), [("net_content", W, "net_content_range")]),
    ("millilitres_ok", label(FOOD_OK, net_content="500mL"), []),
    ("litres_ok", label(FOOD_OK, net_content="1.5L"), []),
    ("no_quantity", label(FOOD_OK, net_content="一袋"), [("net_content", E, "net_content_no_number")]),
    (
        "sc_13_digits",
        label(FOOD_OK, licence_number="SC0000000000000"),
        [("licence_number", E, "licence_digits")],
    ),
    ("old_qs_number", label(FOOD_OK, licence_number="QS000000000000"), [("licence_number", E, "licence_qs")]),
    ("sc_spaced_lowercase_ok", label(FOOD_OK, licence_number="sc 0000 0000 0000 00"), []),
    (
        "licence_garbage",
        label(FOOD_OK, licence_number="许可证已办理"),
        [("licence_number", E, "licence_format")],
    ),
    ("no_shelf_life", label(FOOD_OK, shelf_life=DROP), [("shelf_life", E, "missing")]),
    (
        "shelf_life_without_duration",
        label(FOOD_OK, shelf_life="长期"),
        [("shelf_life", W, "shelf_life_format")],
    ),
    (
        "no_storage_no_contact",
        label(FOOD_OK, storage_conditions=DROP, producer_contact=" "),
        [("producer_contact", E, "missing"), ("storage_conditions", E, "missing")],
    ),
    (
        "contact_without_number",
        label(FOOD_OK, producer_contact="详见官方旗舰店"),
        [("producer_contact", W, "contact_unclear")],
    ),
    (
        "date_impossible",
        label(FOOD_OK, production_date="2026/13/45"),
        [("production_date", W, "date_format")],
    ),
    ("date_compact_ok", label(FOOD_OK, production_date="20261012"), []),
    (
        "sodium_nrv_wrong",
        label(FOOD_OK, nutrition=nutrition_with("钠", nrv_percent="6.8%")),
        [("nutrition", E, "nutrition_nrv_wrong")],
    ),
    (
        "energy_nrv_wrong",
        label(FOOD_OK, nutrition=nutrition_with("能量", nrv_percent="25%")),
        [("nutrition", E, "nutrition_nrv_wrong")],
    ),
    (
        "protein_rounding",
        label(FOOD_OK, nutrition=nutrition_with("蛋白质", per_100=7.25)),
        [("nutrition", W, "nutrition_rounding")],
    ),
    (
        "fat_below_zero_limit",
        label(FOOD_OK, nutrition=nutrition_with("脂肪", per_100=0.3, nrv_percent="1%")),
        [("nutrition", E, "nutrition_zero")],
    ),
    ("nrv_not_integer", label(FOOD_OK, nutrition=nutrition_with("蛋白质", nrv_percent="12.0%")), []),
    (
        "nrv_decimal",
        label(FOOD_OK, nutrition=nutrition_with("蛋白质", nrv_percent="12.4%")),
        [("nutrition", W, "nutrition_nrv_not_integer")],
    ),
    (
        "sodium_missing",
        label(FOOD_OK, nutrition=nutrition_with("钠", drop=True)),
        [("nutrition", E, "nutrition_core_missing")],
    ),
    (
        "salt_instead_of_sodium",
        label(FOOD_OK, nutrition=nutrition_with("钠", item="盐")),
        [("nutrition", E, "nutrition_replaced")],
    ),
    (
        "heat_instead_of_energy",
        label(FOOD_OK, nutrition=nutrition_with("能量", item="热量")),
        [("nutrition", W, "nutrition_alias")],
    ),
    (
        "energy_in_kcal",
        label(FOOD_OK, nutrition=nutrition_with("能量", per_100=354, unit="kcal")),
        [("nutrition", E, "nutrition_unit")],
    ),
    (
        "sodium_in_grams",
        label(FOOD_OK, nutrition=nutrition_with("钠", per_100=1.35, unit="g")),
        [("nutrition", E, "nutrition_unit")],
    ),
    (
        "protein_nrv_missing",
        label(FOOD_OK, nutrition=nutrition_with("蛋白质", nrv_percent="")),
        [("nutrition", E, "nutrition_nrv_missing")],
    ),
    (
        "chinese_units_ok",
        label(
            FOOD_OK,
            nutrition=[
                {**r, "unit": {"kJ": "千焦", "g": "克", "mg": "毫克"}[r["unit"]]}
                for r in FOOD_OK["nutrition"]
            ],
        ),
        [],
    ),
    (
        "core_out_of_order",
        label(FOOD_OK, nutrition=[FOOD_OK["nutrition"][i] for i in (0, 2, 1, 3, 4)]),
        [("nutrition", W, "nutrition_order")],
    ),
    ("nutrition_as_text", label(FOOD_OK, nutrition="见包装背面"), [("nutrition", E, "type")]),
    (
        "nutrition_row_malformed",
        label(FOOD_OK, nutrition=["能量 1480kJ 18%", *FOOD_OK["nutrition"][1:]]),
        [("nutrition", E, "nutrition_core_missing"), ("nutrition", E, "nutrition_malformed")],
    ),
    (
        "label_standard_as_product_standard",
        label(FOOD_OK, standard_code="GB 7718-2011"),
        [("standard_code", E, "standard_not_product")],
    ),
    (
        "withdrawn_enterprise_standard",
        label(FOOD_OK, standard_code="Q/DEMO 0003S-2019"),
        [("standard_code", E, "standard_abolished")],
    ),
    (
        "partial_food_label",
        {"food_name": "螺蛳粉", "net_content": "2斤"},
        [
            (k, E, "missing")
            for k in (
                "ingredients",
                "producer_name",
                "producer_address",
                "producer_contact",
                "production_date",
                "shelf_life",
                "storage_conditions",
                "licence_number",
                "standard_code",
                "nutrition",
            )
        ]
        + [("net_content", E, "net_content_forbidden_unit")],
    ),
]

CASES = [("textile", *c) for c in TEXTILE_CASES] + [("prepackaged_food", *c) for c in FOOD_CASES]


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert sum(1 for c in CASES if c[3]) >= 30  # at least 30 labels with mistakes


@pytest.mark.parametrize(
    ("category", "name", "fields", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_label_case(category, name, fields, expected):
    findings = check_label(category, fields, standard_status=LOOKUP)
    got = sorted((f["field"], f["severity"], f["code"]) for f in findings)
    assert got == sorted(expected), [f["message"] for f in findings]
    for f in findings:
        assert f["message"] and f["fix"] and f["source"]
