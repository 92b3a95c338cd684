"""Findings as the draft is typed: mandatory limits, cited standards, methods, missing items, references."""

import pytest

from nqihub.drafting import checks
from nqihub.drafting.validation import DraftData, clean

from .conftest import graphene, textile

pytestmark = pytest.mark.django_db


def findings(enterprise, data):
    return checks.check_content(clean(DraftData(**data)), enterprise=enterprise)


def codes(found):
    return [(f["code"], f["field"]) for f in found]


def test_shape_is_the_label_checkers(yuese):
    for f in findings(yuese, textile()):
        assert set(f) == {"field", "severity", "code", "message", "source", "fix"}
        assert f["severity"] in {"error", "warning"}


def test_a_limit_weaker_than_the_mandatory_one_is_an_error_naming_both_values_and_the_source(yuese):
    data = textile()
    data["indicators"][0]["requirement"] = "≤30"
    found = findings(yuese, data)
    error = found[0]
    assert (error["severity"], error["code"], error["field"]) == (
        "error",
        "weaker_than_mandatory",
        "indicators.0.requirement",
    )
    assert "≤30 mg/kg" in error["message"] and "≤20 mg/kg" in error["message"]
    assert "GB 18401-2010（A类）" in error["message"] and error["source"].startswith("GB 18401-2010（A类）")


def test_a_limit_as_strict_as_the_mandatory_one_is_fine(yuese):
    assert [f for f in findings(yuese, textile()) if f["severity"] == "error"] == []


def test_units_are_converted_before_comparing(yuese):
    data = textile()
    data["indicators"][0].update(requirement="≤0.03", unit="g/kg")  # 30 mg/kg
    assert codes(findings(yuese, data))[0] == ("weaker_than_mandatory", "indicators.0.requirement")


def test_grade_decides_which_limit_applies(yuese):
    data = textile()
    data["indicators"][0].update(requirement="≤75", grade="B")
    assert "weaker_than_mandatory" not in [c for c, _f in codes(findings(yuese, data))]
    data["indicators"][0].update(grade="A")
    assert "weaker_than_mandatory" in [c for c, _f in codes(findings(yuese, data))]


def test_no_grade_warns_and_errs_only_when_weaker_than_every_grade(yuese):
    data = textile()
    for ind in data["indicators"]:
        ind["grade"] = ""
    data["indicators"][0]["requirement"] = "≤75"
    found = codes(findings(yuese, data))
    assert ("grade_missing", "indicators.0.grade") in found
    assert ("weaker_than_mandatory", "indicators.0.requirement") not in found
    data["indicators"][0]["requirement"] = "≤400"
    error = findings(yuese, data)[0]
    assert error["code"] == "weaker_than_mandatory" and "≤300 mg/kg" in error["message"]


def test_mandatory_standard_for_the_product_applies_even_when_not_cited(yuese):
    found = findings(
        yuese,
        textile(
            references=[],
            indicators=[
                {
                    "item": "甲醛",
                    "requirement": "≤100",
                    "unit": "mg/kg",
                    "method": "GB/T 2912.1-2009",
                    "grade": "B",
                }
            ],
        ),
    )
    assert ("mandatory_not_referenced", "references") in codes(found)
    assert ("weaker_than_mandatory", "indicators.0.requirement") in codes(found)  # 甲醛 = 甲醛含量


def test_items_the_product_standard_requires_but_the_draft_lacks_are_listed(yuese):
    data = textile()
    data["indicators"] = data["indicators"][:2]
    missing = [f for f in findings(yuese, data) if f["code"] == "missing_item"]
    assert len(missing) == 1
    assert "异味" in missing[0]["message"] and "可分解致癌芳香胺染料" in missing[0]["message"]
    assert "甲醛含量" not in missing[0]["message"] and missing[0]["source"] == "GB 18401-2010"


def test_weaker_than_a_cited_recommended_standard_must_be_declared(yuese):
    from nqihub.standards.models import Requirement, Standard

    std = Standard.objects.get(canonical="GB/T 22796-2021")
    Requirement.objects.create(standard=std, item="甲醛含量", requirement="≤20", unit="mg/kg")
    data = textile(references=["GB 18401-2010", "GB/T 22796-2021"])
    data["indicators"][0].update(requirement="≤75", grade="B")
    for ind in data["indicators"]:
        ind["grade"] = "B"
    warning = next(f for f in findings(yuese, data) if f["code"] == "weaker_than_recommended")
    assert warning["severity"] == "warning" and "须明确声明" in warning["message"]
    assert "≤75 mg/kg" in warning["message"] and "≤20 mg/kg" in warning["message"]
    declared = next(
        f
        for f in findings(yuese, {**data, "weaker_statement": "婴幼儿用品以外的B类产品（示例）"})
        if f["code"] == "weaker_than_recommended"
    )
    assert "已在说明中声明" in declared["message"] and declared["fix"] == ""


def test_methods_missing_or_not_covering_the_item_warn(yuese):
    data = textile()
    data["indicators"][1]["method"] = "GB/T 2912.1-2009"  # a formaldehyde method for pH
    found = codes(findings(yuese, data))
    assert ("method_not_covering", "indicators.1.method") in found
    assert ("method_not_covering", "indicators.0.method") not in found  # 甲醛 in its title
    assert ("method_missing", "indicators.3.method") in found


def test_a_lab_scope_line_pairing_method_and_parameter_counts_as_covering(yuese):
    # The demo textile lab tests 异味 by GB 18401-2010, whose title does not name it.
    assert ("method_not_covering", "indicators.2.method") not in codes(findings(yuese, textile()))


def test_references_current_withdrawn_unknown(yuese):
    data = textile(references=["GB 18401-2003", "GB/T 99999-2030", "GB 18401-2010"])
    found = {f["field"]: f for f in findings(yuese, data) if f["field"].startswith("references.")}
    assert found["references.0"]["code"] == "reference_withdrawn"
    assert (
        "GB 18401-2010" in found["references.0"]["message"]
        and "GB 18401-2010" in found["references.0"]["fix"]
    )
    assert (
        found["references.1"]["code"] == "reference_unknown"
        and "未收录，请核实" in found["references.1"]["message"]
    )
    assert "references.2" not in found


def test_upcoming_reference_warns(yuese):
    found = findings(yuese, textile(references=["GB 18401-2010", "GB 7718-2025"]))
    assert ("reference_upcoming", "references.1") in codes(found)


def test_graphene_film_has_no_mandatory_limits_only_reference_lookups(hanxi):
    found = findings(hanxi, graphene())
    assert {f["severity"] for f in found} == {"warning"}
    assert ("reference_unknown", "references.0") in codes(found)
    assert ("method_unknown", "indicators.0.method") in codes(found)


def test_food_number_in_a_province_using_s(hanxi, settings):
    from nqihub.directory.models import Enterprise

    shanyuan = Enterprise.objects.get(name="善元食品有限公司")
    settings.DRAFTING_FOOD_S_PROVINCES = ("45",)
    found = findings(
        shanyuan, graphene(number="Q/SYSP 0001-2026", product="螺蛳粉", references=[], indicators=[])
    )
    assert ("number_food_suffix", "number") in codes(found)
    found = findings(hanxi, graphene(number="Q/HXKJ 0001S-2026"))
    assert ("number_suffix_not_food", "number") in codes(found)


def test_the_products_grade_applies_to_indicators_without_their_own(yuese):
    data = textile(grade="B")
    for ind in data["indicators"]:
        ind["grade"] = ""
    data["indicators"][0]["requirement"] = "≤100"
    error = findings(yuese, data)[0]
    assert error["code"] == "weaker_than_mandatory" and "GB 18401-2010（B类）" in error["message"]
    assert "≤75 mg/kg" in error["message"]
    data["indicators"][0].update(requirement="≤20", grade="A")  # an indicator's own grade wins
    assert [f for f in findings(yuese, data) if f["severity"] == "error"] == []
