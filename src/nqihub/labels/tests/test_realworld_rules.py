"""Rules real labels need (issue 16 items 2–4): reading label text as people paste it, excerpt mode, imported
foods, alcoholic drinks, small workshops, single-fibre wording, nutrition tables, and the GB 7718-2025 /
GB 28050-2025 packs chosen by production date. Texts are taken from or modelled on the real-world corpus;
made-up identifiers are marked 示例."""

from datetime import date

import opencc
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqihub.labels import check_label, extract_fields
from nqihub.labels.checker import select_pack

from .labels_fixtures import LOOKUP

CURRENT = {"status": "current"}
ANY = lambda number: CURRENT  # noqa: E731 - every standard current: these tests are not about the catalogue
QUICK = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def codes(findings):
    return sorted((f["field"], f["code"]) for f in findings)


# --- reading ---------------------------------------------------------------------------------------------


def test_run_together_shop_block_is_read_field_by_field():
    text = (
        "生产许可证编号：QS3411 2401 0829 产品标准号：GB/T 20981厂名：安徽示例食品有限公司厂址：安徽省滁州市示例路1号"
        "厂家联系方式：0550-0000000配料表：小麦粉、白砂糖、鸡蛋储藏方法：请置于阴凉干燥处保质期：180 天"
        "食品添加剂：山梨糖醇液净含量: 1000g包装方式: 包装品牌: 示例"
    )
    f = extract_fields("prepackaged_food", text)
    assert f["licence_number"] == "QS3411 2401 0829"
    assert f["standard_code"] == "GB/T 20981"
    assert f["producer_name"] == "安徽示例食品有限公司"
    assert f["ingredients"] == "小麦粉、白砂糖、鸡蛋"
    assert f["shelf_life"] == "180 天"
    assert f["net_content"] == "1000g"
    found = codes(check_label("prepackaged_food", f, standard_status=ANY, complete=False))
    assert found == [("licence_number", "licence_qs"), ("net_content", "net_content_range")]


def test_spaced_captions_no_colons_and_key_less_lines():
    text = "品 名 小麻花(海苔味)\n配 料 小麦粉、植物油、白砂糖\n产品类型 膨化食品 执行标准 GB17401"
    f = extract_fields("prepackaged_food", text)
    assert f == {
        "food_name": "小麻花(海苔味)",
        "ingredients": "小麦粉、植物油、白砂糖",
        "standard_code": "GB17401",
    }
    text = "示例牌锅巴\n配料：糯米、食用植物油\n示例食品有限公司\n安徽省合肥市示例路1号\n电话：0551-0000000"
    f = extract_fields("prepackaged_food", text)
    assert f["food_name"] == "示例牌锅巴"
    assert f["producer_name"] == "示例食品有限公司"
    assert f["producer_address"] == "安徽省合肥市示例路1号"


def test_value_on_the_next_line_and_most_specific_caption_wins():
    text = "生产地址：广东省潮州市示例路\n联系方式：0768-0000000\n经销商：上海示例有限公司·地址：上海市示例路\n生产日期：\n2025年12月10日\n保质期至：\n2027年12月09日"
    f = extract_fields("prepackaged_food", text)
    assert f["producer_address"] == "广东省潮州市示例路"  # 生产地址 beats the distributor's 地址
    assert f["production_date"] == "2025年12月10日"
    assert f["expiry_date"] == "2027年12月09日"


def test_traditional_characters_are_read():
    f = extract_fields("prepackaged_food", "成分：開心果、玫瑰鹽\n產地：台灣加工\n保存期限：八個月")
    assert f["ingredients"] == "开心果、玫瑰盐" and f["shelf_life"] == "八个月"
    found = codes(check_label("prepackaged_food", f, standard_status=ANY, complete=False))
    assert found == [("ingredients_lead", "ingredients_lead_word")]


def test_textile_parts_bare_compositions_and_safety_with_standard():
    text = "成分\n主面料：100%聚酯纤维\n（装饰部分除外）\n下摆罗纹：96.4%聚酯纤维\n3.2%锦纶\n0.4%氨纶\n洗涤说明\n不可干洗"
    f = extract_fields("textile", text)
    assert f["fibre_content"] == "主面料:100%聚酯纤维;下摆罗纹:96.4%聚酯纤维 3.2%锦纶 0.4%氨纶"
    assert check_label("textile", f, standard_status=ANY, complete=False) == []
    f = extract_fields(
        "textile", "执行标准：FZ/T73005-2002\n安全技术类别：\n符合GB18401-2010B类\n（直接接触皮肤类）"
    )
    assert f == {"standard_number": "FZ/T73005-2002", "safety_category": "符合GB18401-2010B类"}
    f = extract_fields("textile", "材质：100%棉\n执行标准：GB18401-2010 B类")
    assert f == {"fibre_content": "100%棉", "safety_category": "GB18401-2010 B类"}


def test_nutrition_table_pasted_on_one_line_with_units_in_brackets():
    text = "营养成分表 项目 每100克 (g) 营养素参考值 能量 1367千焦 (KJ) 16% 蛋白质 23.4克 (g) 39% 脂肪 26.2克 (g) 44% 碳水化合物 0克 (g) 0% 钠 1124毫克(mg) 56%"
    rows = extract_fields("prepackaged_food", text)["nutrition"]
    assert [(r["item"], r["per_100"], r["nrv_percent"]) for r in rows] == [
        ("能量", 1367, "16%"),
        ("蛋白质", 23.4, "39%"),
        ("脂肪", 26.2, "44%"),
        ("碳水化合物", 0, "0%"),
        ("钠", 1124, "56%"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GB/T 20977 GB 7099", []),
        ("GB/T 20977、GB 2760", []),  # a general standard next to the product standard is no error
        ("GB/T 31121-2014（GB 7718）", []),
        ("GB/T 20977-2007/XG1-2009", []),
        ("GB 2760、GB 7718", [("standard_code", "standard_not_product")]),
        ("GB/T 10782-2021 20977", [("standard_code", "standard_invalid")]),
    ],
)
def test_several_standard_numbers_in_one_field(value, expected):
    found = check_label("prepackaged_food", {"standard_code": value}, standard_status=ANY, complete=False)
    assert codes(found) == expected


# --- excerpt mode ----------------------------------------------------------------------------------------


def test_excerpt_mode_reports_nothing_missing_but_judges_what_is_there():
    fields = {"net_content": "9斤", "shelf_life": "7 天"}
    whole = codes(check_label("prepackaged_food", fields, standard_status=ANY))
    part = codes(check_label("prepackaged_food", fields, standard_status=ANY, complete=False))
    assert ("food_name", "missing") in whole
    assert part == [("net_content", "net_content_forbidden_unit")]


def test_api_excerpt_flag_and_fields_always_listed():
    body = {"category": "prepackaged_food", "text": "品名：示例螺蛳粉\n净含量：2斤", "complete": False}
    r = Client().post("/api/v1/labels/check", body, content_type="application/json")
    data = r.json()
    assert r.status_code == 200 and data["complete"] is False
    assert codes(data["findings"]) == [("net_content", "net_content_forbidden_unit")]
    assert data["fields"] == {"food_name": "示例螺蛳粉", "net_content": "2斤"}
    assert data["edition"] == "GB 7718-2011 / GB 28050-2011"
    bad = Client().post(
        "/api/v1/labels/check", {**body, "complete": "maybe"}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_page_excerpt_switch():
    r = Client().post(
        "/labels/",
        {
            "category": "prepackaged_food",
            "mode": "text",
            "label_text": "品名：示例螺蛳粉\n净含量：300克",
            "excerpt": "1",
        },
    )
    page = r.content.decode()
    assert r.status_code == 200 and "缺少" not in page and "按标签的一部分检查" in page


# --- rules real labels need ------------------------------------------------------------------------------

DOMESTIC = {
    "food_name": "示例牌酸辣粉",
    "ingredients": "红薯粉条、水、食用盐",
    "net_content": "130克",
    "producer_name": "示例食品有限公司",
    "producer_address": "重庆市示例路1号",
    "producer_contact": "023-00000000",
    "production_date": "见包装封口处",
    "shelf_life": "6个月",
    "storage_conditions": "置于阴凉干燥处",
    "licence_number": "SC00000000000000",
    "standard_code": "Q/DEMO 0001S",
    "nutrition": [
        {"item": "能量", "per_100": 1400, "unit": "kJ", "nrv_percent": "17%"},
        {"item": "蛋白质", "per_100": 1.0, "unit": "g", "nrv_percent": "2%"},
        {"item": "脂肪", "per_100": 0, "unit": "g", "nrv_percent": "0%"},
        {"item": "碳水化合物", "per_100": 80.0, "unit": "g", "nrv_percent": "27%"},
        {"item": "钠", "per_100": 900, "unit": "mg", "nrv_percent": "45%"},
    ],
}


def test_imported_food_importer_stands_for_the_producer():
    text = (
        "示例牌杯面（油炸方便面）\n配料：小麦粉、棕榈油、食用盐\n净含量：65克\n生产日期：见包装侧面\n保质期：12个月\n"
        "贮藏条件：请置于阴凉干燥处\n原产国：越南\n在华注册编码：示例CVNM0000000000\n代理商：上海示例贸易有限公司\n"
        "电话：021-00000000\n地址：上海市示例路1号"
    )
    f = extract_fields("prepackaged_food", text)
    assert f["producer_name"] == "上海示例贸易有限公司" and f["origin_country"] == "越南"
    found = codes(
        check_label("prepackaged_food", {**f, "nutrition": DOMESTIC["nutrition"]}, standard_status=ANY)
    )
    assert found == []  # no SC number, no product standard code needed
    no_origin = {k: v for k, v in f.items() if k != "origin_country"}
    assert ("origin_country", "imported_origin_missing") in codes(
        check_label(
            "prepackaged_food", {**no_origin, "nutrition": DOMESTIC["nutrition"]}, standard_status=ANY
        )
    )


@pytest.mark.parametrize(
    ("name", "alcohol", "shelf_required", "nutrition_required"),
    [
        ("示例牌白酒", "52%vol", False, False),
        ("示例牌啤酒", "4.8%vol", True, False),
        ("示例牌葡萄汁", None, True, True),
    ],
)
def test_alcoholic_drinks(name, alcohol, shelf_required, nutrition_required):
    fields = {k: v for k, v in DOMESTIC.items() if k not in ("shelf_life", "nutrition")} | {"food_name": name}
    if alcohol:
        fields["alcohol_content"] = alcohol
    found = codes(check_label("prepackaged_food", fields, standard_status=ANY))
    assert (("shelf_life", "missing") in found) is shelf_required
    assert (("nutrition", "missing") in found) is nutrition_required
    assert ("alcohol_content", "alcohol_format") in codes(
        check_label(
            "prepackaged_food", {**fields, "alcohol_content": "高度白酒(50%以上)"}, standard_status=ANY
        )
    )


def test_small_workshop_registration_instead_of_sc():
    fields = {k: v for k, v in DOMESTIC.items() if k != "licence_number"}
    assert ("licence_number", "missing") in codes(
        check_label("prepackaged_food", fields, standard_status=ANY)
    )
    text = "小作坊登记证编号：示例登记0001"
    fields |= extract_fields("prepackaged_food", text)
    assert fields["workshop_registration"] == "示例登记0001"
    assert check_label("prepackaged_food", fields, standard_status=ANY) == []


@pytest.mark.parametrize(
    ("fibres", "expected"),
    [
        ("100%全棉", []),
        ("纯棉", []),
        ("100% 纯棉", []),
        ("纯棉 60% 聚酯纤维 40%", [("fibre_content", "fibre_pure_in_blend")]),
        ("聚酯纤维", [("fibre_content", "fibre_no_percent")]),
        ("面料:100%棉;填充物:20%白鸭绒+80%白鹅毛片", []),
        ("面料:100%棉;填充物:白鹅绒", []),
        ("100%双宫茧桑蚕丝", []),
        ("65% 天丝 35% 亚麻", [("fibre_content", "fibre_trade_name")]),
        ("15%亚麻+85%涤", [("fibre_content", "fibre_unknown")]),
    ],
)
def test_fibre_wording(fibres, expected):
    assert (
        codes(check_label("textile", {"fibre_content": fibres}, standard_status=LOOKUP, complete=False))
        == expected
    )


def test_nutrition_core_nutrient_replaced_by_salt():
    rows = [r if r["item"] != "钠" else {**r, "item": "盐"} for r in DOMESTIC["nutrition"]]
    found = codes(check_label("prepackaged_food", {**DOMESTIC, "nutrition": rows}, standard_status=ANY))
    assert found == [("nutrition", "nutrition_replaced")]


# --- GB 7718-2025 / GB 28050-2025 ------------------------------------------------------------------------


def test_pack_in_force_on_the_production_date_applies():
    assert select_pack("prepackaged_food", {"production_date": "2027-03-15"})["edition"].startswith(
        "GB 7718-2011"
    )
    assert select_pack("prepackaged_food", {"production_date": "2027年03月16日"})["edition"].startswith(
        "GB 7718-2025"
    )
    assert select_pack("prepackaged_food", {}, on=date(2027, 6, 1))["edition"].startswith("GB 7718-2025")
    assert (
        check_label("prepackaged_food", {**DOMESTIC, "production_date": "2026-10-12"}, standard_status=ANY)
        == []
    )
    new = check_label("prepackaged_food", {**DOMESTIC, "production_date": "2027-04-01"}, standard_status=ANY)
    assert {(f["field"], f["code"], f["source"]) for f in new} == {
        ("expiry_date", "missing", "GB 7718-2025 4.7.1"),
        ("nutrition", "nutrition_core_missing", "GB 28050-2025"),
        ("nutrition_statement", "missing", "GB 28050-2025 4.5"),
    }
    assert sorted(f["message"] for f in new if f["code"] == "nutrition_core_missing") == [
        "营养成分表缺少“糖”。",
        "营养成分表缺少“饱和脂肪”。",
    ]


def test_2025_allergens_and_imported_registration():
    fields = {
        **DOMESTIC,
        "production_date": "2027-05-01",
        "expiry_date": "2027-11-01",
        "ingredients": "小麦粉、白砂糖、全脂乳粉、鸡蛋",
        "nutrition_statement": "儿童青少年应避免过量摄入盐油糖",
        "nutrition": [
            *DOMESTIC["nutrition"][:3],
            {"item": "饱和脂肪", "per_100": 0, "unit": "g", "nrv_percent": "0%"},
            DOMESTIC["nutrition"][3],
            {"item": "糖", "per_100": 10.0, "unit": "g", "nrv_percent": ""},
            DOMESTIC["nutrition"][4],
        ],
    }
    found = check_label("prepackaged_food", fields, standard_status=ANY)
    assert [(f["code"], f["source"]) for f in found] == [("allergen_missing", "GB 7718-2025 4.12.1")]
    assert "含有麸质的谷物" in found[0]["message"] and "乳及乳制品" in found[0]["message"]
    ok = {**fields, "allergen_statement": "含有小麦、乳制品、蛋类"}
    assert check_label("prepackaged_food", ok, standard_status=ANY) == []
    imported = {**ok, "origin_country": "泰国"}
    assert codes(check_label("prepackaged_food", imported, standard_status=ANY)) == [
        ("registration_number", "imported_registration_missing")
    ]


# --- properties of the reader ----------------------------------------------------------------------------

_S2T = opencc.OpenCC("s2t")
LABEL = {
    "food_name": ("产品名称", "示例螺蛳粉"),
    "ingredients": ("配料", "米粉、酸笋、腐竹、食用盐"),
    "net_content": ("净含量", "300克"),
    "producer_name": ("生产商", "柳州示例食品有限公司"),
    "shelf_life": ("保质期", "6个月"),
    "storage_conditions": ("贮存条件", "置于阴凉干燥处"),
    "licence_number": ("食品生产许可证编号", "SC00000000000000"),
    "standard_code": ("执行标准", "DBS 45/034"),
}


def _spaced(caption, spaces):
    return spaces.join(caption) if len(caption) <= 3 else caption


@QUICK
@given(
    keys=st.lists(st.sampled_from(sorted(LABEL)), unique=True, min_size=1),
    colon=st.sampled_from(["：", ":", " : ", "： "]),
    spaces=st.sampled_from(["", " ", "　", "　　"]),
    joiner=st.sampled_from(["\n", "\r\n", "<br/>", "\n\n"]),
    traditional=st.booleans(),
)
def test_reading_does_not_depend_on_how_the_label_is_written(keys, colon, spaces, joiner, traditional):
    text = joiner.join(f"{_spaced(LABEL[k][0], spaces)}{colon}{LABEL[k][1]}" for k in keys)
    if traditional:
        text = _S2T.convert(text)
    assert extract_fields("prepackaged_food", text) == {k: LABEL[k][1] for k in keys}


@QUICK
@given(keys=st.lists(st.sampled_from(sorted(LABEL)), unique=True, min_size=2))
def test_run_together_items_are_split_at_the_captions(keys):
    text = "".join(f"{LABEL[k][0]}：{LABEL[k][1]}" for k in keys)
    assert extract_fields("prepackaged_food", text) == {k: LABEL[k][1] for k in keys}


@QUICK
@given(st.sampled_from(["prepackaged_food", "textile"]), st.text(max_size=300))
def test_excerpt_mode_never_reports_missing(category, text):
    fields = extract_fields(category, text)
    found = check_label(category, fields, standard_status=ANY, complete=False)
    # a nutrition table that is there is judged whole (a core nutrient missing from it is a defect of the table)
    reported_missing = [
        f for f in found if f["code"].endswith("missing") and f["code"] != "nutrition_core_missing"
    ]
    assert reported_missing == []


ROWS = [
    ("能量", "1800", ("kJ", "千焦"), "21"),
    ("蛋白质", "5.0", ("g", "克"), "8"),
    ("钠", "200", ("mg", "毫克"), "10"),
]


@QUICK
@given(
    sep=st.sampled_from([" ", "\t", " | ", "|", "  "]),
    chinese_units=st.booleans(),
    one_line=st.booleans(),
    unit_space=st.sampled_from(["", " "]),
)
def test_nutrition_tables_as_text_in_any_layout(sep, chinese_units, one_line, unit_space):
    lines = ["营养成分表", sep.join(["项目", "每100克", "NRV%"])]
    for item, value, units, nrv in ROWS:
        lines.append(
            sep.join([item, f"{value}{unit_space}{units[1] if chinese_units else units[0]}", f"{nrv}%"])
        )
    text = (" " if one_line else "\n").join(lines)
    rows = extract_fields("prepackaged_food", text)["nutrition"]
    assert [(r["item"], float(r["per_100"]), r["nrv_percent"]) for r in rows] == [
        (item, float(value), f"{nrv}%") for item, value, _u, nrv in ROWS
    ]


@pytest.mark.parametrize(
    "text", ["能量 | 1800千焦 (430千卡) | 21%", "能量(kJ) 1800 21%", "能量 1800kJ(430kcal) 21%"]
)
def test_energy_with_kcal_or_unit_in_the_item(text):
    (row,) = extract_fields("prepackaged_food", text)["nutrition"]
    assert (row["item"], row["per_100"], row["nrv_percent"]) == ("能量", 1800, "21%")


def test_a_spot_check_notice_line_is_read():
    text = "标称生产企业名称：示例食品有限公司 标称生产企业地址：湖南省长沙市示例路1号 食品名称：示例辣条 规格型号：100g/袋 生产日期/批号：2023-05-01 分类：方便食品"
    assert extract_fields("prepackaged_food", text) == {
        "producer_name": "示例食品有限公司",
        "producer_address": "湖南省长沙市示例路1号",
        "food_name": "示例辣条",
        "net_content": "100g/袋",
        "production_date": "2023-05-01",
    }


def test_captions_printed_without_a_colon_on_packages():
    text = "净含量500克\n保质期12个月\n生产日期见包装底部\n执行标准GB/T 20977\n食品生产许可证编号SC12345678901234"
    assert extract_fields("prepackaged_food", text) == {
        "net_content": "500克",
        "shelf_life": "12个月",
        "production_date": "见包装底部",
        "standard_code": "GB/T 20977",
        "licence_number": "SC12345678901234",
    }


def test_two_captions_sharing_one_value_fill_both_fields():
    from nqihub.labels import extract_fields

    got = extract_fields("prepackaged_food", "生产日期/保质期到期日：见包装喷码\n保质期：45天")
    assert got["production_date"] == "见包装喷码" and got["expiry_date"] == "见包装喷码"
    got = extract_fields("prepackaged_food", "生产日期：2026年3月1日\n生产日期/批号：见瓶底")
    assert got["production_date"] == "2026年3月1日"  # stated on its own: not overwritten


def test_an_ingredient_caption_alone_on_its_line_reads_the_lines_below_once():
    from nqihub.labels import extract_fields

    assert extract_fields("prepackaged_food", "配料：\n小麦粉、水、食用盐\n净含量：100克")["ingredients"] == (
        "小麦粉、水、食用盐"
    )
    got = extract_fields("prepackaged_food", "配料\n面饼：小麦粉、水\n调料包：食用盐、辣椒\n净含量：100克")
    assert got["ingredients"] == "面饼：小麦粉、水 调料包：食用盐、辣椒" and got["net_content"] == "100克"
