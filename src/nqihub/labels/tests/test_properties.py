"""Properties of the checker and the extractor: never raise, the fibre sum rule, extract → check round trip."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqihub.labels import UnknownCategory, check_label, extract_fields, field_keys
from nqihub.labels.checker import round_half_up
from nqihub.labels.packs import pack

from .labels_fixtures import FOOD_OK, LOOKUP, SHIRT_OK

CATEGORIES = ["textile", "prepackaged_food"]
ALL_KEYS = sorted({k for c in CATEGORIES for k in field_keys(c)})
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
label_dicts = st.dictionaries(st.sampled_from(ALL_KEYS) | st.text(max_size=10), values, max_size=14)


def _assert_findings(findings):
    json.dumps(findings, ensure_ascii=False)
    for f in findings:
        assert set(f) == {"field", "severity", "code", "message", "source", "fix"}
        assert f["severity"] in ("error", "warning")
        assert isinstance(f["message"], str) and f["message"]
    severities = [f["severity"] for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "error")  # errors first


@QUICK
@given(st.sampled_from(CATEGORIES), label_dicts)
def test_checker_never_raises_on_any_dict(category, fields):
    _assert_findings(check_label(category, fields, standard_status=LOOKUP))


@QUICK
@given(st.sampled_from(CATEGORIES), values)
def test_checker_never_raises_on_anything(category, fields):
    _assert_findings(check_label(category, fields, standard_status=LOOKUP))


@QUICK
@given(st.sampled_from(CATEGORIES), st.sampled_from(ALL_KEYS), st.text(max_size=60))
def test_any_text_in_any_field(category, key, text):
    base = SHIRT_OK if category == "textile" else FOOD_OK
    _assert_findings(check_label(category, {**base, key: text}, standard_status=LOOKUP))


@QUICK
@given(st.sampled_from(CATEGORIES), st.text(max_size=400))
def test_extractor_never_raises(category, text):
    fields = extract_fields(category, text)
    assert set(fields) <= set(field_keys(category))
    _assert_findings(check_label(category, fields, standard_status=LOOKUP))


@given(st.text(max_size=30))
def test_unknown_category_is_a_clear_value_error(category):
    if category in CATEGORIES:
        return
    with pytest.raises(ValueError) as err:
        check_label(category, {})
    assert isinstance(err.value, UnknownCategory)
    assert "textile" in str(err.value) and "prepackaged_food" in str(err.value)
    with pytest.raises(UnknownCategory):
        extract_fields(category, "品名：床单")


GENERIC = ["棉", "聚酯纤维", "绵羊毛", "桑蚕丝", "聚酰胺纤维", "粘胶纤维", "亚麻", "氨纶"]


@QUICK
@given(
    st.lists(
        st.tuples(st.sampled_from(GENERIC), st.integers(1, 100)),
        min_size=1,
        max_size=5,
        unique_by=lambda t: t[0],
    ),
    st.booleans(),
    st.booleans(),
)
def test_fibre_sum_rule(entries, percent_first, as_list):
    if as_list:
        content = [{"fibre": n, "percent": p} for n, p in entries]
    elif percent_first:
        content = " ".join(f"{p}%{n}" for n, p in entries)
    else:
        content = " ".join(f"{n} {p}%" for n, p in entries)
    findings = check_label("textile", {**SHIRT_OK, "fibre_content": content}, standard_status=LOOKUP)
    codes = [f["code"] for f in findings if f["field"] == "fibre_content"]
    total = sum(p for _, p in entries)
    assert codes == ([] if total == 100 else ["fibre_sum"])
    if total != 100:
        assert f"{total}%" in next(f["message"] for f in findings if f["code"] == "fibre_sum")


def _caption(category, key):
    return next(f["extract"][0] for f in pack(category)["fields"] if f["key"] == key)


textile_labels = st.fixed_dictionaries(
    {
        "manufacturer_name": st.sampled_from(["南通示例家纺有限公司", "示例服饰有限公司"]),
        "manufacturer_address": st.sampled_from(["江苏省南通市海门区（示例地址）", "广西柳州市（示例）"]),
        "product_name": st.sampled_from(["床单", "男式衬衫", "婴儿连体衣", "窗帘", "被套"]),
        "size": st.sampled_from(["230cm×250cm", "170/88A", "M", "均码"]),
        "fibre_content": st.sampled_from(
            ["棉 100%", "棉 60% 天丝 40%", "莱卡 5% 棉 90%", "60%棉 40%聚酯纤维"]
        ),
        "care_instructions": st.sampled_from(["最高水温30℃ 常规洗涤；不可漂白；悬挂晾干", "悬挂晾干；手洗"]),
        "standard_number": st.sampled_from(
            ["GB/T 22796-2021", "GB/T 22796-2009", "GB 18401-2010", "Q/DEMO 0099-2025"]
        ),
        "safety_category": st.sampled_from(["B类", "C类", "A类 婴幼儿用品", "GB 18401-2010 B类"]),
        "quality_grade": st.sampled_from(["合格品", "一等品", "A级"]),
    }
)

food_labels = st.fixed_dictionaries(
    {
        "food_name": st.sampled_from(["螺蛳粉", "米粉"]),
        "net_content": st.sampled_from(["300克", "2斤", "1500g", "500mL", "1公斤"]),
        "licence_number": st.sampled_from(["SC00000000000000", "SC0000000000000", "QS000000000000"]),
        "standard_code": st.sampled_from(["Q/DEMO 0002S", "GB 7718-2011", "Q/DEMO 0003S-2019"]),
        "shelf_life": st.sampled_from(["6个月", "180天", "长期"]),
        "storage_conditions": st.sampled_from(["置于阴凉干燥处", "冷藏"]),
    }
)


@QUICK
@given(st.data())
def test_extract_then_check_round_trip(data):
    category = data.draw(st.sampled_from(CATEGORIES))
    fields = data.draw(textile_labels if category == "textile" else food_labels)
    keys = data.draw(st.lists(st.sampled_from(sorted(fields)), unique=True, min_size=1))
    fields = {k: fields[k] for k in keys}
    sep = data.draw(st.sampled_from(["：", ":", " : "]))
    text = "\n".join(f"{_caption(category, k)}{sep}{v}" for k, v in fields.items())
    extracted = extract_fields(category, text)
    inferred = {"for_infants": True} if "婴幼儿用品" in text else {}  # the label says so
    assert extracted == {**fields, **inferred}
    assert check_label(category, extracted, standard_status=LOOKUP) == check_label(
        category, fields, standard_status=LOOKUP
    )


@QUICK
@given(st.integers(0, 4000), st.integers(-3, 3))
def test_energy_nrv_percent(kj, offset):
    nrv = round_half_up(kj / 8400 * 100) if kj > 17 else 0
    rows = [{**r} for r in FOOD_OK["nutrition"]]
    rows[0] = {"item": "能量", "per_100": kj, "unit": "kJ", "nrv_percent": f"{max(nrv + offset, 0)}%"}
    codes = {
        f["code"]
        for f in check_label("prepackaged_food", {**FOOD_OK, "nutrition": rows}, standard_status=LOOKUP)
    }
    assert ("nutrition_nrv_wrong" in codes) == (abs(max(nrv + offset, 0) - nrv) > 1)
    assert ("nutrition_zero" in codes) == (0 < kj <= 17)
