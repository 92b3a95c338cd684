"""The results workbook: template → filled by the lab → parsed, all or nothing, every bad row named."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nqihub.core.errors import ValidationFailed
from nqihub.testing.results_xlsx import (
    MAX_RESULT_LENGTH,
    SHEET_TITLE,
    cell_text,
    number_text,
    parse_results_xlsx,
    results_template_xlsx,
)

ORDER = [(1, "感官"), (2, "水分"), (3, "铅（以Pb计）"), (4, "过氧化值（以脂肪计）"), (5, "菌落总数")]
UNITS = {1: "/", 2: "g/100g", 3: "mg/kg", 4: "g/100g", 5: "CFU/g"}


def template(order=ORDER) -> bytes:
    return results_template_xlsx([(seq, parameter, UNITS.get(seq, "")) for seq, parameter in order])


def fill(
    book: bytes,
    values: dict[int, object],
    *,
    number_formats: dict[int, str] | None = None,
    drop_unfilled: bool = True,
    edits=None,
) -> io.BytesIO:
    """Fill the template's result column as the lab would; rows without a value are deleted."""
    wb = openpyxl.load_workbook(io.BytesIO(book))
    ws = wb[SHEET_TITLE]
    for row in range(ws.max_row, 1, -1):
        seq = ws.cell(row=row, column=1).value
        if seq in values:
            cell = ws.cell(row=row, column=4)
            cell.value = values[seq]
            if isinstance(values[seq], str):
                cell.data_type = "s"
            if number_formats and seq in number_formats:
                cell.number_format = number_formats[seq]
        elif drop_unfilled:
            ws.delete_rows(row)
    if edits:
        edits(ws)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def errors_of(fileobj, expected=ORDER) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as exc:
        parse_results_xlsx(fileobj, expected)
    return exc.value.errors


# --- examples -----------------------------------------------------------------------------------------


def test_template_lists_the_items_and_round_trips():
    book = template()
    ws = openpyxl.load_workbook(io.BytesIO(book))[SHEET_TITLE]
    assert [c.value for c in ws[1]] == ["序号", "检验项目", "单位", "检验结果"]
    assert [(r[0], r[1], r[2]) for r in ws.iter_rows(min_row=2, values_only=True)] == [
        (seq, parameter, UNITS[seq]) for seq, parameter in ORDER
    ]
    assert ws["D2"].number_format == "@"  # typed text stays text
    values = {1: "符合", 2: "10.6", 3: "<0.02 (未检出)", 4: "ND", 5: "3.2×10³"}
    assert parse_results_xlsx(fill(book, values), ORDER) == values


def test_rows_may_be_left_out_but_a_present_row_needs_a_result():
    assert parse_results_xlsx(fill(template(), {2: "10.6", 5: "<10"}), ORDER) == {2: "10.6", 5: "<10"}
    errors = errors_of(fill(template(), {2: "10.6", 3: "", 5: "<10"}))
    assert list(errors) == ["第3行"]  # the row of seq 1 was deleted: seq 3 is on row 3
    assert "序号 3（铅（以Pb计））未填写检验结果" in errors["第3行"]
    assert "整行删除" in errors["第3行"]


def test_odd_cell_types_come_back_as_the_text_the_lab_meant():
    values = {
        1: 0.1,  # General number: not 0.1000000000000000055
        2: 0.30000000000000004,  # a cached formula result 0.1+0.2
        3: 0.5,  # formatted 0.00
        4: 0.956,  # formatted 0.0%
        5: 120.0,
    }
    filled = fill(template(), values, number_formats={3: "0.00", 4: "0.0%"})
    assert parse_results_xlsx(filled, ORDER) == {1: "0.1", 2: "0.3", 3: "0.50", 4: "95.6%", 5: "120"}
    filled = fill(
        template(),
        {1: datetime(2026, 5, 1), 2: "  未检出 ", 3: "<0.5", 4: "ND", 5: 3},
    )
    assert parse_results_xlsx(filled, ORDER) == {1: "2026-05-01", 2: "未检出", 3: "<0.5", 4: "ND", 5: "3"}


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (0.1, "General", "0.1"),
        (1e-05, "General", "0.00001"),
        (0.1000000001, "General", "0.1000000001"),
        (2.665, "0.00", "2.67"),  # Excel rounds half up
        (-0.001, "0.00", "0.00"),
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (12345.678, "0.00E+00", "1.23E+04"),
        (1.5e20, "General", "1.5E+20"),
        (True, "General", "TRUE"),
        (7, "0", "7"),
    ],
)
def test_number_text(value, number_format, text):
    assert number_text(value, number_format) == text


def test_cell_text_of_dates_times_and_control_characters():
    assert cell_text(datetime(2026, 5, 1, 8, 30)) == "2026-05-01 08:30"
    assert cell_text(date(2026, 5, 1)) == "2026-05-01"
    assert cell_text(time(1, 2)) == "01:02"
    assert cell_text("0.12\x00\u200b mg") == "0.12 mg"
    assert cell_text(None) == ""


def test_every_bad_row_is_reported_at_once_and_nothing_is_returned():
    def edits(ws):
        ws.append([9, "汞", "mg/kg", "0.01"])  # row 7: not an item of this order
        ws.append([2, "水分", "g/100g", "11.0"])  # row 8: seq 2 again
        ws.append(["二", "水分", "", "11.0"])  # row 9: not a number
        ws.append([None, "", "", "5"])  # row 10: no seq

    filled = fill(template(), {1: "符合", 2: "10.6", 3: "0.01", 4: "0.2", 5: "<10"}, edits=edits)
    errors = errors_of(filled)
    assert set(errors) == {"第7行", "第8行", "第9行", "第10行"}
    assert "本委托单没有序号为 9 的检验项目（共 5 项）" in errors["第7行"]
    assert "序号 2（水分）与第3行重复" in errors["第8行"]
    assert "序号“二”不是整数" in errors["第9行"]
    assert "缺少序号" in errors["第10行"]


def test_a_parameter_that_does_not_match_its_seq_is_refused():
    def edits(ws):
        ws["B3"] = "灰分"  # seq 2 is 水分

    errors = errors_of(fill(template(), {1: "符合", 2: "10.6"}, edits=edits))
    assert errors == {"第3行": "序号 2 的检验项目应为“水分”，文件中为“灰分”（请勿改动模板中的序号和项目）"}

    # full-width forms and spaces do not count as a change
    def ok_edits(ws):
        ws["B2"] = "铅 (以 Pb 计)"  # the only row left: seq 3

    assert parse_results_xlsx(fill(template(), {3: "0.01"}, edits=ok_edits), ORDER) == {3: "0.01"}


def test_an_overlong_result_is_refused():
    errors = errors_of(fill(template(), {1: "符" * (MAX_RESULT_LENGTH + 1)}))
    assert "检验结果过长" in errors["第2行"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"%PDF-1.7 not a workbook", "不是 Excel 工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003"),
        (b"PK\x03\x04 broken zip", "已损坏"),
        (b"\x00\x01\x02\x03binary", "既不是 Excel 工作簿"),
    ],
)
def test_unusable_files_are_one_file_error(content, message):
    errors = errors_of(io.BytesIO(content))
    assert list(errors) == ["file"]
    assert message in errors["file"]


def _book(rows, title="Sheet") -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_empty_sheet_missing_header_and_header_without_rows_are_file_errors():
    assert "没有找到结果表" in errors_of(_book([]))["file"]
    assert "没有找到结果表" in errors_of(_book([["名称", "数值"], ["水分", "10"]]))["file"]
    assert "表头缺少“检验结果”列" in errors_of(_book([["序号", "检验项目"], [2, "水分"]]))["file"]
    assert "没有结果数据" in errors_of(_book([["序号", "检验项目", "检验结果"]]))["file"]


def test_the_results_sheet_is_found_among_others_and_below_a_title():
    wb = openpyxl.Workbook()
    wb.active.title = "封面"
    wb.active.append(["某某实验室原始记录"])
    ws = wb.create_sheet("数据")
    ws.append(["水分等项目结果"])
    ws.append([])
    ws.append(["序号", "检测项目", "结果"])
    ws.append([2, "水分", 10.6])
    out = io.BytesIO()
    wb.save(out)
    assert parse_results_xlsx(io.BytesIO(out.getvalue()), ORDER) == {2: "10.6"}


def test_a_gbk_csv_and_a_utf8_csv_are_read_too():
    text = "序号,检验项目,单位,检验结果\r\n3,铅（以Pb计）,mg/kg,＜0.02（未检出）\r\n2,水分,g/100g,10.60\r\n"
    expected = {3: "＜0.02（未检出）", 2: "10.60"}
    assert parse_results_xlsx(io.BytesIO(text.encode("gbk")), ORDER) == expected
    assert parse_results_xlsx(io.BytesIO(text.encode("utf-8-sig")), ORDER) == expected
    assert parse_results_xlsx(text.encode("utf-8"), ORDER) == expected
    errors = errors_of(io.BytesIO("序号,检验结果\r\n7,1\r\n".encode("gbk")))
    assert "第2行" in errors


def test_an_uploaded_file_object_is_read_from_the_start():
    filled = fill(template(), {2: "10.6"})
    filled.read(10)
    assert parse_results_xlsx(filled, ORDER) == {2: "10.6"}


# --- properties ---------------------------------------------------------------------------------------

_parameters = st.text(
    alphabet=st.sampled_from("水分铅汞砷镉铬锌铜钙钠钾糖酸碱值总量以计脂肪（）()ABCpH的-"),
    min_size=1,
    max_size=12,
)
_result_text = st.one_of(
    st.sampled_from(["未检出", "ND", "<0.5", "≤0.01", "符合", "不符合", "3.2×10³", "<10", "阴性", "0.10"]),
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Co", "Cn", "Cf")
        ),
        min_size=1,
        max_size=20,
    ).filter(lambda s: s.strip() == s and not s.startswith("=")),
)
_decimal = st.decimals(
    min_value=Decimal("-99999"), max_value=Decimal("99999"), places=4, allow_nan=False, allow_infinity=False
)


def _canonical(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


@st.composite
def orders_and_results(draw):
    seqs = draw(st.lists(st.integers(1, 300), min_size=1, max_size=25, unique=True))
    order = [(seq, draw(_parameters)) for seq in sorted(seqs)]
    chosen = draw(st.lists(st.sampled_from(seqs), unique=True, min_size=1, max_size=len(seqs)))
    values: dict[int, object] = {}
    expected: dict[int, str] = {}
    for seq in chosen:
        if draw(st.booleans()):
            text = draw(_result_text)
            values[seq], expected[seq] = text, " ".join(text.split())
        else:
            number = draw(_decimal)
            values[seq], expected[seq] = float(number), _canonical(number)
    return order, values, expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders_and_results())
@example(([(1, "水分")], {1: 0.1}, {1: "0.1"}))
def test_valid_files_parse_to_exactly_the_filled_values(case):
    order, values, expected = case
    filled = fill(template(order), values)
    assert parse_results_xlsx(filled, order) == expected


_breakages = st.sampled_from(["unknown", "duplicate", "empty", "renamed", "not_a_number"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders_and_results(), _breakages, st.data())
def test_any_bad_row_is_named_and_nothing_is_returned(case, breakage, data):
    order, values, _expected = case
    parameters = dict(order)
    victim = data.draw(st.sampled_from(sorted(values)))
    bad_row: list[int] = []

    def edits(ws):
        rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
        row = rows[victim]
        if breakage == "unknown":
            ws.cell(row=row, column=1).value = max(parameters) + 1
        elif breakage == "duplicate":
            ws.append([victim, parameters[victim], "", "1"])
            row = ws.max_row
        elif breakage == "empty":
            ws.cell(row=row, column=4).value = None
        elif breakage == "renamed":
            ws.cell(row=row, column=2).value = parameters[victim] + "甲"
        else:
            ws.cell(row=row, column=1).value = "第一"
        bad_row.append(row)

    filled = fill(template(order), values, edits=edits)
    with pytest.raises(ValidationFailed) as exc:
        parse_results_xlsx(filled, order)
    assert list(exc.value.errors) == [f"第{bad_row[0]}行"]
