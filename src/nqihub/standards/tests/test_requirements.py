"""Requirement expressions: evaluate() against real wording from Chinese standards and test reports, compare(),
parse_requirement(), and property tests. Pure: no database."""

import ast
import csv
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nqihub.standards import requirements
from nqihub.standards.requirements import (
    FAIL,
    NOT_JUDGED,
    PASS,
    Kind,
    Requirement,
    Strictness,
    Verdict,
    compare,
    evaluate,
    parse_requirement,
)

P, F, N = PASS, FAIL, NOT_JUDGED

# --- evaluate: real-world table ----------------------------------------------------------------------------

EVALUATE_CASES = [
    # GB 18401-2010 国家纺织产品基本安全技术规范 (甲醛 mg/kg, pH, 异味, 芳香胺, 色牢度 级)
    ("≤20", "16", "mg/kg", P),  # A 类 甲醛
    ("≤20", "25", "mg/kg", F),
    ("≤75", "75", "mg/kg", P),  # B 类, exactly at the limit
    ("≤75 mg/kg", "80 mg/kg", None, F),
    ("≤300", "<20", "mg/kg", P),  # GB/T 2912.1 detection limit 20 mg/kg
    ("≤20", "未检出(<20 mg/kg)", "mg/kg", P),
    ("4.0~7.5", "7.2", None, P),  # A 类 pH
    ("4.0~8.5", "8.6", None, F),  # B 类 pH
    ("4.0~7.5", "4.0", None, P),
    ("4.0～9.0", "3.9", None, F),  # C 类 pH, full-width tilde
    ("无", "无", None, P),  # 异味
    ("无", "有霉味", None, F),
    ("禁用", "未检出", None, P),  # 可分解致癌芳香胺染料
    ("禁用", "检出", None, F),
    ("≥3-4", "4", None, P),  # 耐水色牢度 (变色、沾色), A/B 类
    ("≥3-4级", "3", None, F),
    ("≥ 3-4 级", "3-4", None, P),
    ("≥3", "2-3", None, F),  # C 类
    ("≥4", "3-4", None, F),  # half grade 3.5 < 4
    ("≥3 級", "3-4級", None, P),
    # GB 2762-2022 污染物限量 / GB 2761 真菌毒素
    ("≤0.2 mg/kg", "0.05 mg/kg", None, P),  # 铅 (以Pb计) 谷物
    ("≤0.2", "0.21", "mg/kg", F),
    ("≤0.2 mg/kg", "0.00015 g/kg", None, P),
    ("≤0.2 mg/kg", "0.25 ppm", None, F),
    ("≤0.2 mg/kg", "<0.5 mg/kg", None, N),  # detection limit above the limit
    ("≤0.1 mg/kg", "未检出", None, P),  # 镉, no detection limit given
    ("≤0.2mg/kg(以Pb计)", "0.1", None, P),
    ("≤20 μg/kg", "0.025 mg/kg", None, F),  # 黄曲霉毒素B1 玉米
    ("≤20 ug/kg", "15 µg/kg", None, P),
    ("≤5.0 μg/kg", "ND", None, P),
    # GB 4789 / GB 29921 微生物
    ("n=5,c=2,m=10^4,M=10^5", "3.2×10^3", "CFU/g", P),  # one result ≤ m
    ("n=5,c=2,m=10^4,M=10^5", "2.1×10^5", "CFU/g", F),  # > M
    ("≤10^4 CFU/g", "2.3×10^3 CFU/g", None, P),
    ("≤1×10⁴ CFU/g", "1.5×10^4 CFU/g", None, F),
    ("≤1.0×10^4 CFU/g", "9800", None, P),
    ("≤100 CFU/g", "<10 CFU/g", None, P),
    ("不得检出", "未检出", None, P),  # 沙门氏菌
    ("不得检出/25g", "检出", None, F),
    ("阴性", "阴性", None, P),
    ("0/25g", "阳性", None, F),
    ("≤3.0 MPN/g", "<3.0 MPN/g", None, P),  # 大肠菌群 MPN
    ("≤10 CFU/g", "10 MPN/g", None, N),
    ("≤100 CFU/mL", "50 CFU/g", None, N),
    ("不得检出", "<0.5 (未检出)", None, P),
    ("不得检出", "0.05 mg/kg", None, F),
    ("<0.5 (未检出)", "未检出", "mg/kg", P),  # requirement written with its detection limit
    ("<0.5 (未检出)", "0.6", "mg/kg", F),
    ("不得检出", "ND(<0.01)", None, P),
    # GB 1354 大米, GB 2716 植物油, GB 19301 生乳 (g/100g, %, mg/g)
    ("≤14.5%", "13.2%", None, P),  # 水分
    ("≤12.0 g/100g", "12.5%", None, F),
    ("≤12.0 g/100g", "11.8", None, P),
    ("≤0.25 g/100g", "0.12 g/100g", None, P),  # 过氧化值
    ("≤0.25 g/100g", "2.6 g/kg", None, F),
    ("≤3 mg/g", "2.1 mg/g", None, P),  # 酸价 (KOH)
    ("≤3 mg/g (以KOH计)", "3.5", None, F),
    ("≥2.8 g/100g", "2.95 g/100g", None, P),  # 蛋白质
    ("≥2.8 g/100g", "2.7", None, F),
    ("≥2.8 g/100g", "未检出", None, F),
    ("≥95%", "96.2%", None, P),
    ("≥95%", "949‰", None, F),
    ("≤ 2.5%", "25‰", None, P),
    ("0.5%~1.0%", "0.8%", None, P),
    ("0.5%~1.0%", "12 g/kg", None, F),
    # GB 5749-2022 生活饮用水
    ("≤0.01 mg/L", "0.012 mg/L", None, F),  # 砷
    ("≤10 μg/L", "0.008 mg/L", None, P),
    ("6.5~8.5", "7.1", None, P),  # pH
    ("不小于6.5且不大于8.5", "7.1", None, N),  # not a form we read
    ("≤0.3 mg/L", "0.2 mg/kg", None, N),
    # comparators, words, suffixes, ranges, tolerances
    ("<0.1", "0.1", None, F),
    ("<0.1", "0.09", None, P),
    ("≤0.1%", "<0.1%", None, P),
    ("不大于 0.05 mg/kg", "0.06 mg/kg", None, F),
    ("不小于 90%", "92%", None, P),
    ("75 mg/kg 以下", "75 mg/kg", None, P),  # 以下 includes the number
    ("3 以上", "3", None, P),
    ("超过 5", "5", None, F),
    ("75-300", "150", None, P),
    ("75 至 300 mg/kg", "60 mg/kg", None, F),
    ("75—300", "300", None, P),
    ("20±2", "21.5", "℃", P),
    ("(20±2)℃", "23 ℃", None, F),
    ("-10~40", "-5", "℃", P),
    ("-10~40 ℃", "45℃", None, F),
    ("≤-18 ℃", "-20 ℃", None, P),  # 速冻食品 中心温度
    ("≤-18℃", "-15 ℃", None, F),
    ("≥0.5 mm", "0.05 cm", None, P),
    ("≤７５ｍｇ／ｋｇ", "８０ ㎎/㎏", None, F),  # full width
    ("≦0.3mg/Kg", "0.25 mg/kg", None, P),
    ("≤0.3", "0.30000000000000004", None, F),  # exact decimals
    ("≤0.3", "0.3", None, P),
    ("≤75 mg/kg", "0.1%", None, F),
    ("≤75", "约八十", "mg/kg", N),
    ("abc", "1", None, N),
    ("≤75 mg/kg", "1 CFU/g", None, N),
    # text requirements
    ("符合", "符合", None, P),
    ("符合", "合格", None, P),
    ("符合要求", "不符合", None, F),
    ("无异味", "无异味", None, P),
    ("无异味", "无", None, P),
    ("无异味", "有异味", None, F),
    ("无异味", "轻微", None, N),
    ("不得有异物", "无异物", None, P),
    ("具有该产品应有的色泽、滋味和气味", "符合", None, P),  # GB 2716 感官要求
    ("具有该产品应有的色泽、滋味和气味", "淡黄色", None, N),
    ("透明", "不透明", None, F),
]


@pytest.mark.parametrize("requirement, value, unit, expected", EVALUATE_CASES)
def test_evaluate_table(requirement, value, unit, expected):
    verdict = evaluate(requirement, value, unit)
    assert verdict.verdict == expected, verdict.reason
    assert verdict.reason


def test_the_table_is_big_enough():
    assert len(EVALUATE_CASES) >= 50
    assert len(COMPARE_CASES) >= 20


def test_gb18401_csv_requirements_all_parse():
    path = Path("/work/shared/data/requirements_gb18401_2010.csv")
    if not path.exists():
        pytest.skip("shared data not present")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert rows
    for row in rows:
        req = parse_requirement(row["requirement"], unit=row["unit"] or None)
        if row["item"] == "甲醛含量":
            assert req.kind == Kind.UPPER and req.unit == "mg/kg"
        elif row["item"] == "pH值":
            assert req.kind == Kind.RANGE and req.lower == Decimal("4.0")
        else:
            assert req.kind == Kind.TEXT


# --- evaluate: reasons and labels --------------------------------------------------------------------------


def test_reason_wording():
    assert evaluate("≤ 75 mg/kg", "80 mg/kg") == Verdict("fail", "实测值 80 mg/kg 大于限值 75 mg/kg")
    assert evaluate("≤75", "约八十", "mg/kg").reason == "无法解析实测值“约八十”"
    assert evaluate("≤75 mg/kg", "1 CFU/g").reason == "单位不可换算：CFU/g 与 mg/kg"
    assert "满足 n=5, c=2, m=10000, M=100000" in evaluate("n=5,c=2,m=10^4,M=10^5", "100").reason
    assert evaluate("n=5,c=0,m=0/25g", "阴性").verdict == PASS
    assert evaluate("/", "0.84").reason.startswith("无技术要求")
    assert "折合 80 mg/kg" in evaluate("≤75 mg/kg", "0.08 g/kg").reason
    assert "检出限高于限值" in evaluate("≤0.2 mg/kg", "<0.5").reason
    assert "3-4级" in evaluate("≥3-4", "3").reason


def test_labels():
    assert evaluate("≤75", "70").label == "合格"
    assert evaluate("≤75", "80").label == "不合格"
    assert evaluate("符合", "见附件").label == "不判定"


def test_verdict_is_frozen():
    v = evaluate("≤75", "70")
    with pytest.raises(AttributeError):
        v.verdict = "fail"


def test_unit_argument_supplies_the_requirement_unit():
    assert evaluate("≤75", "0.08 g/kg", unit="mg/kg").verdict == FAIL
    assert evaluate("≤75", "0.07 g/kg", unit="mg/kg").verdict == PASS
    # the text's own unit wins over the argument
    assert evaluate("≤0.2 mg/kg", "0.1", unit="g/kg").verdict == PASS


def test_value_may_be_a_number_object():
    assert evaluate("≤75", Decimal("75")).verdict == PASS
    assert evaluate("≤75", 76).verdict == FAIL


def test_below_detection_limit_against_lower_limit_and_range():
    assert evaluate("≥95%", "<0.5%").verdict == FAIL
    assert evaluate("≥0.3", "<0.5").verdict == NOT_JUDGED
    assert evaluate("75~300", "<20").verdict == FAIL
    assert evaluate("0~0.8", "<0.5").verdict == PASS


def test_above_range_results():
    assert evaluate("≤10^3 MPN/g", ">1.1×10^3 MPN/g").verdict == FAIL
    assert evaluate("≥100", ">200").verdict == PASS
    assert evaluate("≤500", ">200").verdict == NOT_JUDGED


def test_measurement_uncertainty_is_not_used():
    assert evaluate("≤81 mg/kg", "80±3 mg/kg").verdict == PASS


# --- parse_requirement ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, lower, upper, lower_inclusive, upper_inclusive, unit",
    [
        ("≤75", Kind.UPPER, None, "75", True, True, None),
        ("≤ 75 mg/kg", Kind.UPPER, None, "75", True, True, "mg/kg"),
        ("<0.1", Kind.UPPER, None, "0.1", True, False, None),
        ("＜0.1", Kind.UPPER, None, "0.1", True, False, None),
        ("<=0.1", Kind.UPPER, None, "0.1", True, True, None),
        ("≯0.1", Kind.UPPER, None, "0.1", True, True, None),
        ("不超过 0.1", Kind.UPPER, None, "0.1", True, True, None),
        ("不高于0.1", Kind.UPPER, None, "0.1", True, True, None),
        ("小于0.1", Kind.UPPER, None, "0.1", True, False, None),
        ("0.1以下", Kind.UPPER, None, "0.1", True, True, None),
        ("0.1 mg/kg 及以下", Kind.UPPER, None, "0.1", True, True, "mg/kg"),
        ("≥95%", Kind.LOWER, "95", None, True, True, "%"),
        ("≧95", Kind.LOWER, "95", None, True, True, None),
        (">=95", Kind.LOWER, "95", None, True, True, None),
        (">95", Kind.LOWER, "95", None, False, True, None),
        ("不小于95", Kind.LOWER, "95", None, True, True, None),
        ("不低于95", Kind.LOWER, "95", None, True, True, None),
        ("大于95", Kind.LOWER, "95", None, False, True, None),
        ("95以上", Kind.LOWER, "95", None, True, True, None),
        ("75~300", Kind.RANGE, "75", "300", True, True, None),
        ("75～300", Kind.RANGE, "75", "300", True, True, None),
        ("75-300", Kind.RANGE, "75", "300", True, True, None),
        ("75—300", Kind.RANGE, "75", "300", True, True, None),
        ("75 至 300", Kind.RANGE, "75", "300", True, True, None),
        ("-10~40", Kind.RANGE, "-10", "40", True, True, None),
        ("-10-40", Kind.RANGE, "-10", "40", True, True, None),
        ("−10～−5 ℃", Kind.RANGE, "-10", "-5", True, True, "℃"),
        ("20±2", Kind.RANGE, "18", "22", True, True, None),
        ("(20±2)℃", Kind.RANGE, "18", "22", True, True, "℃"),
        ("±0.5", Kind.RANGE, "-0.5", "0.5", True, True, None),
        ("0.5%~1.0%", Kind.RANGE, "0.5", "1.0", True, True, "%"),
        ("≤1.0×10^4 CFU/g", Kind.UPPER, None, "10000", True, True, "CFU/g"),
        ("≤1×10⁴ CFU/g", Kind.UPPER, None, "10000", True, True, "CFU/g"),
        ("≤10^4", Kind.UPPER, None, "10000", True, True, None),
        ("≤10⁵cfu/g", Kind.UPPER, None, "100000", True, True, "CFU/g"),
        ("≤1.5e3", Kind.UPPER, None, "1500", True, True, None),
        ("≥3-4", Kind.LOWER, "3.5", None, True, True, None),
        ("≥3-4级", Kind.LOWER, "3.5", None, True, True, "级"),
        ("3-4级", Kind.LOWER, "3.5", None, True, True, "级"),  # a bare grade is a minimum
        ("3-4", Kind.RANGE, "3", "4", True, True, None),
        ("=7", Kind.EQUALS, "7", "7", True, True, None),
        ("7", Kind.UPPER, None, "7", True, True, None),  # a bare limit is a maximum
        ("等于7", Kind.EQUALS, "7", "7", True, True, None),
        ("≤75 mg/Kg", Kind.UPPER, None, "75", True, True, "mg/kg"),
        ("≤75㎎/㎏", Kind.UPPER, None, "75", True, True, "mg/kg"),
        ("≤75 mg·kg⁻¹", Kind.UPPER, None, "75", True, True, "mg/kg"),
        ("≤5 µg/kg", Kind.UPPER, None, "5", True, True, "μg/kg"),
        ("≤5 ug/kg", Kind.UPPER, None, "5", True, True, "μg/kg"),
        ("≤ 0.3 mg/L", Kind.UPPER, None, "0.3", True, True, "mg/L"),
        ("≤12 g/100g", Kind.UPPER, None, "12", True, True, "g/100g"),
        ("≤2‰", Kind.UPPER, None, "2", True, True, "‰"),
        ("≤50 ppm", Kind.UPPER, None, "50", True, True, "ppm"),
        ("≤ 3 MPN/100mL", Kind.UPPER, None, "3", True, True, "MPN/100mL"),
        ("≤ 40 ℃", Kind.UPPER, None, "40", True, True, "℃"),
        ("≥ 2 cm", Kind.LOWER, "2", None, True, True, "cm"),
        ("≤ ７５", Kind.UPPER, None, "75", True, True, None),
        ("应≤75", Kind.UPPER, None, "75", True, True, None),
        ("≤52%vol", Kind.UPPER, None, "52", True, True, "%vol"),
    ],
)
def test_parse_requirement(text, kind, lower, upper, lower_inclusive, upper_inclusive, unit):
    req = parse_requirement(text)
    assert req.kind == kind
    assert req.lower == (None if lower is None else Decimal(lower))
    assert req.upper == (None if upper is None else Decimal(upper))
    assert (req.lower_inclusive, req.upper_inclusive) == (lower_inclusive, upper_inclusive)
    assert req.unit == unit


@pytest.mark.parametrize("text", ["不得检出", "不应检出", "阴性", "应为阴性", "ND", "0/25g", "不得检出/25g"])
def test_parse_not_detected(text):
    assert parse_requirement(text).kind == Kind.NOT_DETECTED


@pytest.mark.parametrize("text", ["符合", "符合要求", "无异味", "无", "禁用", "具有正常色泽，无霉变"])
def test_parse_text(text):
    assert parse_requirement(text).kind == Kind.TEXT


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "限值为空"),
        ("abc", "无法解析限值"),
        ("≤", "比较符后缺少数值"),
        ("≤abc", "比较符后缺少数值"),
        ("300~75", "范围下限大于上限"),
        ("≤75~300", "比较符后不能是范围"),
        ("75 左右", "无法识别单位"),
        ("≤75以下", "比较符重复"),
        ("n=5,c=6,m=10^4,M=10^5", "c 不能大于 n"),
        ("n=5,c=2,m=10^5,M=10^4", "M 不能小于 m"),
        ("0.5%~10 mg/kg", "范围两端单位不一致"),
        ("(20±2", "括号不配对"),
    ],
)
def test_parse_requirement_rejects_garbage_with_a_chinese_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_requirement(text)


def test_requirement_str_is_canonical():
    assert str(parse_requirement("≤ 75 mg/Kg")) == "≤75 mg/kg"
    assert str(parse_requirement("≥95 ％")) == "≥95%"
    assert str(parse_requirement("≥3-4")) == "≥3-4级"
    assert str(parse_requirement("75-300")) == "75～300"
    assert str(parse_requirement("不得检出")) == "不得检出"
    assert isinstance(parse_requirement("≤75"), Requirement)


# --- compare: table ----------------------------------------------------------------------------------------

COMPARE_CASES = [
    ("≤20", "≤75", "stricter"),  # GB 18401 甲醛 A vs B
    ("≤300", "≤75", "weaker"),
    ("≤75 mg/kg", "≤ 75 mg/kg", "equal"),
    ("≤75 mg/kg", "≤0.0075%", "equal"),
    ("≤0.2 mg/kg", "≤0.0002 g/kg", "equal"),
    ("≤0.2 mg/kg", "≤200 μg/kg", "equal"),
    ("4.0~7.5", "4.0~8.5", "stricter"),  # pH A vs B
    ("4.0~9.0", "4.0~8.5", "weaker"),
    ("4.0~8.5", "6.5~9.5", "incomparable"),
    ("≥3-4", "≥3", "stricter"),  # 色牢度 A/B vs C
    ("≥3 级", "≥3-4级", "weaker"),
    ("≥95%", "≥90%", "stricter"),
    ("≥95%", "≤95%", "incomparable"),
    ("不得检出", "≤0.1 mg/kg", "stricter"),
    ("≤0.1", "不得检出", "weaker"),
    ("不得检出", "阴性", "equal"),
    ("不得检出", "≥95%", "incomparable"),
    ("不得检出", "≤-18 ℃", "incomparable"),
    ("75~300", "≤300", "stricter"),
    ("≤300", "75~300", "weaker"),
    ("<0.1", "≤0.1", "stricter"),
    ("≤10^4 CFU/g", "≤10^5 CFU/g", "stricter"),
    ("≤10^4 CFU/g", "≤10^4 CFU/mL", "incomparable"),
    ("≤0.2 mg/kg", "≤0.2 mg/L", "incomparable"),
    ("符合", "符合要求", "equal"),
    ("符合", "合格", "equal"),
    ("无异味", "不得有异味", "equal"),
    ("无异味", "≤75", "incomparable"),
    ("符合", "无异味", "incomparable"),
    ("20±2", "18~22", "equal"),
    ("20±1", "18~22", "stricter"),
    ("≤12.0 g/100g", "≤12.5%", "stricter"),
    ("≤0.25 g/100g", "≤3 g/kg", "stricter"),
    ("75以下", "≤75", "equal"),
    ("75以上", ">75", "weaker"),
    ("≤2.5‰", "≤0.25%", "equal"),
    ("n=5,c=2,m=10^4,M=10^5", "≤10^5 CFU/g", "incomparable"),
    ("≤-18℃", "≤-15 ℃", "stricter"),
    ("abc", "abc", "incomparable"),
]


@pytest.mark.parametrize("a, b, expected", COMPARE_CASES)
def test_compare_table(a, b, expected):
    assert compare(a, b) == expected
    mirror = {"stricter": "weaker", "weaker": "stricter"}.get(expected, expected)
    assert compare(b, a) == mirror


def test_compare_returns_strictness_enum():
    result = compare("≤20", "≤75")
    assert result is Strictness.STRICTER and result == "stricter"
    assert {s.value for s in Strictness} == {"stricter", "equal", "weaker", "incomparable"}


# --- properties --------------------------------------------------------------------------------------------

decimals = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)
units = st.sampled_from(["", " mg/kg", " g/kg", "%", " μg/L", " CFU/g", " ℃", " mm", "级"])


def _s(d: Decimal) -> str:
    return format(d, "f")


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("≤")
@example("(")
@example("10^99999")
@example("≤1e9999 mg/kg")
@example("n=5")
@example("--1")
@example("±")
@example("≥3-4-5")
def test_evaluate_never_raises_on_arbitrary_text(text):
    for requirement, value in (
        (text, "80"),
        ("≤75", text),
        (text, text),
        ("无异味", text),
        ("不得检出", text),
    ):
        verdict = evaluate(requirement, value)
        assert verdict.verdict in (PASS, FAIL, NOT_JUDGED)
        assert verdict.reason


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789.-~<>≤≥=±^×eE%/ mgkLCFU至以下上级", max_size=20))
def test_evaluate_never_raises_on_requirement_like_text(text):
    assert evaluate(text, text).verdict in (PASS, FAIL, NOT_JUDGED)
    assert compare(text, "≤75") in set(Strictness)


@settings(max_examples=300, deadline=None)
@given(limit=decimals, value=decimals, unit=units)
def test_bounds_are_judged_exactly(limit, value, unit):
    L, v = _s(limit), _s(value)
    cases = [("≤", value <= limit), ("<", value < limit), ("≥", value >= limit), (">", value > limit)]
    for op, ok in cases:
        got = evaluate(f"{op}{L}{unit}", f"{v}{unit}").verdict
        assert got == (PASS if ok else FAIL), (op, L, v, unit)
    bare_ok = (
        value >= limit if unit == "级" else value <= limit
    )  # a bare limit: maximum; a bare grade: minimum
    assert evaluate(f"{L}{unit}", v).verdict == (PASS if bare_ok else FAIL)


@settings(max_examples=300, deadline=None)
@given(a=decimals, b=decimals, value=decimals, sep=st.sampled_from(["~", "～", " 至 ", "-", "—"]))
def test_ranges_are_judged_exactly(a, b, value, sep):
    lo, hi = min(a, b), max(a, b)
    ok = lo <= value <= hi
    assert evaluate(f"{_s(lo)}{sep}{_s(hi)}", _s(value)).verdict == (PASS if ok else FAIL)


@settings(max_examples=200, deadline=None)
@given(centre=decimals, tolerance=positive, value=decimals)
def test_tolerances_are_judged_exactly(centre, tolerance, value):
    ok = centre - tolerance <= value <= centre + tolerance
    assert evaluate(f"{_s(centre)}±{_s(tolerance)}", _s(value)).verdict == (PASS if ok else FAIL)


@settings(max_examples=200, deadline=None)
@given(limit=positive, lod=positive)
def test_below_detection_limit(limit, lod):
    got = evaluate(f"≤{_s(limit)} mg/kg", f"<{_s(lod)} mg/kg").verdict
    if lod == 0:
        assert got == NOT_JUDGED or got == PASS
    else:
        assert got == (PASS if lod <= limit else NOT_JUDGED)
        assert evaluate("不得检出", f"<{_s(lod)}").verdict == PASS


@settings(max_examples=300, deadline=None)
@given(x=positive, limit=positive)
def test_unit_conversion_is_consistent(x, limit):
    L = _s(limit)
    in_g = evaluate(f"≤{L} mg/kg", f"{_s(x)} g/kg").verdict
    in_mg = evaluate(f"≤{L} mg/kg", f"{_s(x * 1000)} mg/kg").verdict
    in_percent = evaluate(f"≤{L} mg/kg", f"{_s(x / 10)}%").verdict
    in_ug = evaluate(f"≤{L} mg/kg", f"{_s(x * 1000000)} μg/kg").verdict
    assert in_g == in_mg == in_percent == in_ug == (PASS if x * 1000 <= limit else FAIL)


def _requirements():
    number = decimals.map(_s)
    unit = st.sampled_from(["", " mg/kg", " g/kg", "%", "‰", " μg/kg", " mg/L", " CFU/g", " ℃", "级"])
    single = st.builds(
        lambda op, n, u: f"{op}{n}{u}", st.sampled_from(["≤", "<", "≥", ">", "=", ""]), number, unit
    )
    ranged = st.builds(
        lambda a, b, u: f"{_s(min(a, b))}~{_s(max(a, b))}{u}",
        decimals,
        decimals,
        unit,
    )
    tolerance = st.builds(lambda c, t, u: f"{_s(c)}±{_s(t)}{u}", decimals, positive, unit)
    fixed = st.sampled_from(
        [
            "不得检出",
            "阴性",
            "符合",
            "符合要求",
            "无异味",
            "无",
            "禁用",
            "≥3-4",
            "≥3-4级",
            "75以下",
            "3以上",
            "garbage",
        ]
    )
    return st.one_of(single, ranged, tolerance, fixed)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_requirements(), _requirements())
@example("≤75 mg/kg", "≤0.0075%")
@example("不得检出", "≤0.1")
@example("≥3-4", "≥3")
def test_compare_is_antisymmetric(a, b):
    ab, ba = compare(a, b), compare(b, a)
    mirror = {
        Strictness.STRICTER: Strictness.WEAKER,
        Strictness.WEAKER: Strictness.STRICTER,
        Strictness.EQUAL: Strictness.EQUAL,
        Strictness.INCOMPARABLE: Strictness.INCOMPARABLE,
    }
    assert ba == mirror[ab]


@settings(max_examples=300, deadline=None)
@given(_requirements())
def test_compare_is_reflexive(a):
    if a == "garbage":
        assert compare(a, a) == Strictness.INCOMPARABLE
    else:
        assert compare(a, a) == Strictness.EQUAL


@settings(max_examples=200, deadline=None)
@given(a=decimals, b=decimals, value=decimals)
def test_stricter_upper_limit_never_passes_more(a, b, value):
    """If a is stricter than b, whatever passes a passes b."""
    ra, rb = f"≤{_s(a)}", f"≤{_s(b)}"
    if compare(ra, rb) in (Strictness.STRICTER, Strictness.EQUAL) and evaluate(ra, _s(value)).verdict == PASS:
        assert evaluate(rb, _s(value)).verdict == PASS


# --- purity ------------------------------------------------------------------------------------------------


def test_package_is_pure():
    """No Django, no project imports: only the standard library and OpenCC (Traditional → Simplified)."""
    imported = set()
    for path in Path(requirements.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add((node.module or "").split(".")[0])
    allowed = {"__future__", "re", "unicodedata", "dataclasses", "decimal", "enum", "functools", "opencc"}
    assert imported <= allowed, imported - allowed
