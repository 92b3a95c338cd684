"""The document model (GB/T 1.1-2020 layout) and the version differences: pure functions of content."""

from hypothesis import given, settings
from hypothesis import strategies as st

from nqihub.drafting.diff import diff
from nqihub.drafting.document import CHAPTERS, build_document, reference_sort_key


def content(**changes) -> dict:
    base = {
        "number": "Q/ABC 0001-2026",
        "title": "示例膜",
        "product": "示例膜",
        "scope": "",
        "references": [
            "T/CAS 290-2017",
            "GB/T 6672-2001",
            "DB32/T 3596-2019",
            "GB 18401-2010",
            "FZ/T 62011.2-2016",
        ],
        "terms": [{"term": "示例膜", "english": "demo film", "definition": "用于演示的膜。"}],
        "indicators": [
            {
                "item": "厚度",
                "requirement": "25±3",
                "unit": "μm",
                "method": "GB/T 6672-2001",
                "grade": "",
                "factory": True,
            },
            {
                "item": "密度",
                "requirement": "≥1.9",
                "unit": "g/cm³",
                "method": "",
                "grade": "",
                "factory": False,
            },
        ],
        "batch_rule": "",
        "sampling": "",
        "marking": "",
        "packaging": "",
        "transport": "",
        "storage": "",
        "annexes": [{"title": "试样制备", "normative": True, "content": "按本附录制备试样。"}],
        "drafters": "张三",
        "publish_date": "2026-05-01",
        "implement_date": "2026-06-01",
        "weaker_statement": "",
    }
    base.update(changes)
    return base


def test_chapters_in_gbt11_order_with_clause_numbers():
    doc = build_document(content(), enterprise="某公司")
    assert doc.chapter_headings() == [f"{n}　{t}" for n, t in CHAPTERS]
    numbers = [c.number for c in doc.clauses]
    assert (
        numbers.index("3.1")
        < numbers.index("4.1")
        < numbers.index("5.2")
        < numbers.index("6.3.2")
        < numbers.index("7.4")
    )
    assert [a.letter for a in doc.annexes] == ["A"] and doc.annexes[0].kind == "规范性"


def test_references_list_methods_too_in_gbt11_order_with_titles():
    doc = build_document(
        content(), enterprise="某公司", titles={"GB 18401-2010": "国家纺织产品基本安全技术规范"}
    )
    refs = next(c for c in doc.clauses if c.number == "2").items
    assert refs == [
        "GB 18401-2010　国家纺织产品基本安全技术规范",
        "GB/T 6672-2001",
        "FZ/T 62011.2-2016",
        "DB32/T 3596-2019",
        "T/CAS 290-2017",
    ]


def test_no_references_and_no_terms_say_so():
    doc = build_document(content(references=[], terms=[], indicators=[]), enterprise="某公司")
    by_number = {c.number: c for c in doc.clauses}
    assert by_number["2"].paragraphs == ["本文件没有规范性引用文件。"]
    assert by_number["3"].paragraphs == ["本文件没有需要界定的术语和定义。"]


def test_indicator_table_and_inspection_rules_come_from_the_indicators():
    doc = build_document(content(), enterprise="某公司")
    by_number = {c.number: c for c in doc.clauses}
    table = by_number["4.1"].table
    assert table.header == ["序号", "项目", "单位", "指标", "试验方法"]
    assert table.rows == [["1", "厚度", "μm", "25±3", "GB/T 6672-2001"], ["2", "密度", "g/cm³", "≥1.9", "—"]]
    assert "厚度" in by_number["6.3.2"].paragraphs[0] and "密度" not in by_number["6.3.2"].paragraphs[0]
    assert "厚度、密度" in by_number["6.4.1"].paragraphs[0]
    assert "GB/T 6672-2001" in by_number["5.1"].paragraphs[0]
    assert "待定" in by_number["5.2"].paragraphs[0]


def test_a_graded_table_gets_a_grade_column():
    ind = [
        {
            "item": "甲醛含量",
            "requirement": "≤75",
            "unit": "mg/kg",
            "method": "",
            "grade": "B",
            "factory": True,
        }
    ]
    table = next(c for c in build_document(content(indicators=ind), enterprise="某").clauses if c.table).table
    assert table.header[2] == "等级" and table.rows[0][2] == "B"


def test_cover_and_foreword():
    doc = build_document(content(), enterprise="某公司", weaker=["密度低于某标准"], is_demo=True)
    assert (doc.cover.mark, doc.cover.number, doc.cover.publish) == ("Q/ABC", "Q/ABC 0001-2026", "2026-05-01")
    assert doc.foreword[0].startswith("本文件按照GB/T 1.1-2020")
    assert any("密度低于某标准" in p for p in doc.foreword)
    assert any("示例" in p for p in doc.foreword)


def test_outline_names_every_clause_a_comment_may_refer_to():
    keys = [k for k, _label in build_document(content(), enterprise="某").outline()]
    assert keys[:3] == ["cover", "foreword", "1"] and "4.1" in keys and "6.4.2" in keys and keys[-1] == "A"


def test_reference_sort_key_orders_by_level_then_number():
    codes = ["GB/T 10-2000", "GB/T 9-2000", "GB 2-2000", "QB/T 1-2000"]
    assert sorted(codes, key=reference_sort_key) == [
        "GB 2-2000",
        "GB/T 9-2000",
        "GB/T 10-2000",
        "QB/T 1-2000",
    ]


def test_diff_per_clause_and_indicator():
    old = content()
    new = content(
        title="示例膜（修订）",
        references=["GB/T 6672-2001"],
        indicators=[
            {
                "item": "厚度",
                "requirement": "25±2",
                "unit": "μm",
                "method": "GB/T 6672-2001",
                "grade": "",
                "factory": True,
            },
            {
                "item": "密度",
                "requirement": "≥1.9",
                "unit": "g/cm³",
                "method": "GB/T 1033.1-2008",
                "grade": "",
                "factory": True,
            },
            {
                "item": "拉伸强度",
                "requirement": "≥20",
                "unit": "MPa",
                "method": "",
                "grade": "",
                "factory": True,
            },
        ],
    )
    changes = diff(old, new)
    seen = {(c["clause"], c["what"], c["kind"], c["old"], c["new"]) for c in changes}
    assert ("cover", "标准名称", "changed", "示例膜", "示例膜（修订）") in seen
    assert ("2", "GB 18401-2010", "removed", "GB 18401-2010", "") in seen
    assert ("4", "厚度", "changed", "25±3 μm", "25±2 μm") in seen
    assert ("4", "拉伸强度", "added", "", "≥20 MPa") in seen
    assert ("5", "密度", "changed", "", "GB/T 1033.1-2008") in seen
    assert ("6", "密度", "changed", "仅型式检验", "出厂检验项目") in seen
    clauses = [c["clause"] for c in changes]
    assert clauses == sorted(clauses, key=["cover", "foreword", "1", "2", "3", "4", "5", "6"].index)


indicator = st.fixed_dictionaries(
    {
        "item": st.sampled_from(["厚度", "密度", "导热系数", "外观"]),
        "requirement": st.sampled_from(["≥1", "≤2", "25±3", "无"]),
        "unit": st.sampled_from(["", "μm", "MPa"]),
        "method": st.sampled_from(["", "GB/T 6672-2001"]),
        "grade": st.just(""),
        "factory": st.booleans(),
    }
)
contents = st.builds(
    lambda title, refs, inds: content(title=title, references=refs, indicators=inds),
    st.text(max_size=5),
    st.lists(st.sampled_from(["GB 1-2000", "GB 2-2000", "GB 3-2000"]), unique=True),
    st.lists(indicator, max_size=4, unique_by=lambda i: i["item"]),
)


@settings(deadline=None)
@given(contents)
def test_a_version_does_not_differ_from_itself(c):
    assert diff(c, c) == []


@settings(deadline=None)
@given(contents, contents)
def test_what_is_added_one_way_is_removed_the_other(a, b):
    forward = {(c["clause"], c["what"]) for c in diff(a, b) if c["kind"] == "added"}
    backward = {(c["clause"], c["what"]) for c in diff(b, a) if c["kind"] == "removed"}
    assert forward == backward


def test_the_products_grade_fills_the_grade_column():
    ind = [
        {
            "item": "甲醛含量",
            "requirement": "≤75",
            "unit": "mg/kg",
            "method": "",
            "grade": "",
            "factory": True,
        }
    ]
    table = next(
        c for c in build_document(content(indicators=ind, grade="b"), enterprise="某").clauses if c.table
    ).table
    assert table.rows[0][2] == "B"
