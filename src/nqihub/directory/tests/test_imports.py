"""Scope import: CSV (UTF-8, BOM, GB18030) and XLSX, per-row errors with row numbers and nothing imported,
idempotent upsert, file type and size checks, permissions, the background job and the command line."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import AuditEntry
from nqihub.directory.imports import (
    FIELDS,
    MAX_LENGTHS,
    ScopeImportRejected,
    clean_cell,
    header_field,
    import_job_get,
    import_job_start,
    parse_scope_file,
    scope_import,
    validate_row,
)
from nqihub.directory.models import ScopeLine
from nqihub.directory.services import PermissionDenied

from .test_matching import World, build_world

HEADER = ["检测对象/产品", "检测项目/参数", "检测方法标准", "限制范围"]
GOOD = [
    ["皮革", "六价铬", "GB/T 22807—2008", "比色法"],
    ["皮革制品", "可萃取重金属", "GB/T 22930.1-2008", ""],
    ["塑料制品", "邻苯二甲酸酯", "GB/T 22048-2015", ""],
]


def csv_bytes(rows, *, encoding="utf-8-sig", header=HEADER, delimiter=",") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=HEADER, title: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    if header:
        ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def world(db) -> World:
    return build_world()


def lines_of(institution):
    return ScopeLine.objects.filter(institution=institution)


# --- happy paths -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_with_bom_is_imported_mapped_and_audited(world):
    inst = world.b
    before = lines_of(inst).count()
    report = scope_import(institution=inst, data=csv_bytes(GOOD), filename="scope.csv", by=world.reg_gx)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert lines_of(inst).count() == before + 3
    line = lines_of(inst).get(product_text="皮革", parameter_text="六价铬")
    assert line.method_code == "GB/T 22807-2008" and line.method_standard == "GB/T 22807—2008"
    assert (
        line.parameter.name == "六价铬含量"
        and line.product.name == "皮革制品"
        and line.region_id == inst.region_id
    )
    assert report.unmapped_parameters == 1  # 邻苯二甲酸酯 is not in the vocabulary yet
    assert lines_of(inst).get(parameter_text="邻苯二甲酸酯").parameter_id is None
    entry = AuditEntry.objects.get(action="directory.scope.imported", object_id=str(inst.pk))
    assert entry.actor_username == "t_reg_gx"
    assert entry.data["created"] == 3 and entry.data["rows"] == 3 and entry.data["file"] == "scope.csv"


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_csv_encodings(world, encoding):
    report = scope_import(
        institution=world.a, data=csv_bytes(GOOD, encoding=encoding), filename="a.csv", by=world.staff_a
    )
    assert report.created + report.updated + report.unchanged == 3
    assert lines_of(world.a).filter(parameter_text="邻苯二甲酸酯").exists()


@pytest.mark.django_db
def test_tab_separated_csv_is_read(world):
    report = scope_import(
        institution=world.a, data=csv_bytes(GOOD, delimiter="\t"), filename="a.csv", by=world.staff_a
    )
    assert report.rows == 3


def test_punctuation_inside_chinese_cells_does_not_split_them():
    rows = [["皮革", "六价铬", "GB/T 22807-2008", "仅限：鞋面；内里，衬布; 其他"]]
    [row] = parse_scope_file(csv_bytes(rows), "s.csv").rows
    assert row.limitation == "仅限：鞋面；内里，衬布; 其他" and row.method_code == "GB/T 22807-2008"


@pytest.mark.django_db
def test_xlsx_with_a_title_row_above_the_header(world):
    data = xlsx_bytes(GOOD, title="某检测所能力范围表")
    parsed = parse_scope_file(data, "scope.xlsx")
    assert parsed.kind == "xlsx" and parsed.header_row == 2
    assert [r.row for r in parsed.rows] == [3, 4, 5]
    report = scope_import(institution=world.a, data=data, filename="scope.xlsx", by=world.staff_a)
    assert report.rows == 3


@pytest.mark.django_db
def test_english_headers_and_calibration_columns(world):
    header = ["Product", "Quantity", "Range", "Uncertainty", "Method"]
    rows = [["压力表", "压力", "(0~60) MPa", "0.05级", "JJG 52-2013"], ["温度计", "温度", 100, 0.5, ""]]
    report = scope_import(
        institution=world.a, data=csv_bytes(rows, header=header), filename="cal.csv", by=world.staff_a
    )
    assert report.created == 2
    line = lines_of(world.a).get(product_text="压力表")
    assert (line.parameter_text, line.quantity, line.measuring_range, line.uncertainty, line.method_code) == (
        "压力",
        "压力",
        "(0~60) MPa",
        "0.05级",
        "JJG 52-2013",
    )
    assert lines_of(world.a).get(product_text="温度计").measuring_range == "100"


# --- nothing imported while any row is bad ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_bad_rows_are_listed_with_their_row_numbers_and_nothing_is_imported(world, make):
    rows = [
        GOOD[0],  # row 2
        ["", "六价铬", "", ""],  # row 3: no product
        GOOD[1],  # row 4
        ["皮革", "", "GB/T 1", ""],  # row 5: no parameter
        ["皮革", "铅" * 201, "", ""],  # row 6: too long
        ["", "", "", ""],  # row 7: empty, skipped
        ["皮革", "甲苯", "按委托方方法", ""],  # row 8: method not a standard number — only a warning
    ]
    before = ScopeLine.objects.count()
    filename = "bad.csv" if make is csv_bytes else "bad.xlsx"
    with pytest.raises(ScopeImportRejected) as exc:
        scope_import(institution=world.a, data=make(rows), filename=filename, by=world.staff_a)
    errors = exc.value.errors
    assert [(e.row, e.field) for e in errors] == [
        (3, "product_text"),
        (5, "parameter_text"),
        (6, "parameter_text"),
    ]
    assert "缺少检测对象/产品" in errors[0].message
    assert "超过200个字符" in errors[2].message and "201" in errors[2].message
    assert [w.row for w in exc.value.warnings] == [8]
    assert "3行有误" in exc.value.message
    assert ScopeLine.objects.count() == before
    assert not AuditEntry.objects.filter(action="directory.scope.imported").exists()


@pytest.mark.django_db
def test_a_file_without_the_required_columns_names_them(world):
    data = csv_bytes([["a", "b"]], header=["名称", "备注"])
    with pytest.raises(ScopeImportRejected) as exc:
        scope_import(institution=world.a, data=data, filename="x.csv", by=world.staff_a)
    [error] = exc.value.errors
    assert error.row == 1 and "检测对象/产品" in error.message and "检测项目/参数" in error.message


@pytest.mark.django_db
def test_a_header_without_rows_is_refused(world):
    with pytest.raises(ScopeImportRejected) as exc:
        scope_import(institution=world.a, data=csv_bytes([]), filename="x.csv", by=world.staff_a)
    assert "没有任何数据行" in exc.value.errors[0].message


# --- idempotency ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimporting_the_same_file_does_not_duplicate(world):
    data = csv_bytes(GOOD)
    scope_import(institution=world.c, data=data, filename="s.csv", by=world.admin)
    count = lines_of(world.c).count()
    again = scope_import(institution=world.c, data=data, filename="s.csv", by=world.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert lines_of(world.c).count() == count
    # Spaces, width and dashes do not make a new line; a changed limitation updates it.
    changed = [["皮 革", "六价铬", "GB/T 22807-2008", "分光光度法"], *GOOD[1:]]
    third = scope_import(institution=world.c, data=csv_bytes(changed), filename="s.csv", by=world.admin)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert lines_of(world.c).count() == count
    assert lines_of(world.c).get(parameter_text="六价铬", product_text="皮 革").limitation == "分光光度法"


@pytest.mark.django_db
def test_duplicate_rows_in_one_file_are_skipped_with_a_warning(world):
    rows = [GOOD[0], GOOD[1], ["皮革", "六价铬", "GB/T 22807-2008", "另一说明"]]
    report = scope_import(institution=world.e, data=csv_bytes(rows), filename="d.csv", by=world.admin)
    assert report.created == 2
    assert [(w.row, "第2行" in w.message) for w in report.warnings] == [(4, True)]


@pytest.mark.django_db
def test_replace_deletes_lines_the_file_no_longer_lists(world):
    scope_import(institution=world.d, data=csv_bytes(GOOD), filename="s.csv", by=world.admin)
    report = scope_import(
        institution=world.d, data=csv_bytes(GOOD[:1]), filename="s.csv", by=world.admin, replace=True
    )
    assert report.deleted == 3  # two from the first import and the world's own 皮具 line
    assert list(lines_of(world.d).values_list("parameter_text", flat=True)) == ["六价铬"]


# --- file checks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data", "needle"),
    [
        ("scope.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        ("scope.pdf", b"%PDF-1.4", "只支持 .xlsx 和 .csv"),
        ("scope", b"a,b", "无扩展名"),
        ("scope.xlsx", b"not a zip at all", "不是 Excel 工作簿"),
        ("scope.xlsx", b"PK\x03\x04broken", "已损坏"),
        ("scope.csv", b"PK\x03\x04whatever", "压缩包"),
        ("scope.csv", b"", "文件为空"),
        ("scope.csv", b"\x00\x01\x02binary", "不是文本格式"),
        ("scope.csv", "检测对象,检测项目\n皮革,铬\n".encode()[:-1] + b"\xff\xfe\xfa" * 3, "编码"),
    ],
)
def test_wrong_files_are_refused_with_a_clear_message(filename, data, needle):
    with pytest.raises(ValidationFailed) as exc:
        parse_scope_file(data, filename)
    assert "file" in exc.value.errors and needle in exc.value.errors["file"]


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ValidationFailed) as exc:
        parse_scope_file(out.getvalue(), "scope.xlsx")
    assert "不是 Excel 工作簿" in exc.value.message


def test_too_big_is_refused_before_reading(settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationFailed) as exc:
        parse_scope_file(csv_bytes(GOOD * 10), "big.csv")
    assert "文件过大" in exc.value.message and "上限" in exc.value.message


# --- who may import -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enterprise_users_and_other_regulators_may_not_import(world):
    for user in (world.ent_gx, world.reg_js):
        with pytest.raises(PermissionDenied):
            scope_import(institution=world.a, data=csv_bytes(GOOD), filename="s.csv", by=user)
    assert not lines_of(world.a).filter(parameter_text="邻苯二甲酸酯").exists()


@pytest.mark.django_db
def test_own_staff_regulators_of_the_subtree_and_admins_may_import(world):
    for user in (world.staff_a, world.reg_gx, world.admin):
        scope_import(institution=world.a, data=csv_bytes(GOOD), filename="s.csv", by=user)
    assert lines_of(world.a).filter(parameter_text="邻苯二甲酸酯").count() == 1


# --- background job and command line ----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_a_job_runs_eagerly_and_reports_its_progress(world, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = import_job_start(
            institution=world.a, data=csv_bytes(GOOD), filename="s.csv", by=world.staff_a
        )
    job = import_job_get(job_id, fetched_by=world.staff_a)
    assert job["state"] == "done" and job["percent"] == 100 and job["finished"]
    # 皮革/六价铬 is the world's line with another dash (updated), 可萃取重金属 is unchanged, 邻苯 is new.
    report = job["report"]
    assert (report["rows"], report["created"], report["updated"], report["unchanged"]) == (3, 1, 1, 1)
    assert import_job_get(job_id, fetched_by=world.admin) is None  # someone else's job
    assert not [p for p in (media / "imports").rglob("*") if p.is_file()]  # removed once imported


@pytest.mark.django_db
def test_progress_is_reported_while_checking_then_while_writing(world, monkeypatch):
    import nqihub.directory.imports as imports

    monkeypatch.setattr(imports, "BATCH", 2)
    calls = []
    rows = [["皮革", f"项目{i}", "", ""] for i in range(5)]
    scope_import(
        institution=world.a,
        data=csv_bytes(rows),
        filename="p.csv",
        by=world.staff_a,
        progress=lambda *a: calls.append(a),
        expected_rows=5,
    )
    assert calls == [
        ("checking", 2, 5),
        ("checking", 4, 5),
        ("writing", 2, 5),
        ("writing", 4, 5),
        ("writing", 5, 5),
    ]


@pytest.mark.django_db
def test_a_job_with_bad_rows_is_refused_before_it_is_queued(world, media):
    with pytest.raises(ScopeImportRejected):
        import_job_start(
            institution=world.a, data=csv_bytes([["", "x", "", ""]]), filename="s.csv", by=world.staff_a
        )
    assert not (media / "imports").exists()


@pytest.mark.django_db
def test_command_line_import(world, tmp_path):
    path = tmp_path / "scope.xlsx"
    path.write_bytes(xlsx_bytes(GOOD))
    out = io.StringIO()
    call_command("import_scope", str(world.f.pk), str(path), stdout=out)
    assert "新增 3" in out.getvalue()
    assert AuditEntry.objects.filter(action="directory.scope.imported", actor_username="manage.py").exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["", "x", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_scope", str(world.f.pk), str(bad), stderr=err)
    assert "第2行" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_scope", "999999", str(path))


# --- pieces ------------------------------------------------------------------------------------------------


def test_max_lengths_are_the_model_field_lengths():
    assert {name: ScopeLine._meta.get_field(name).max_length for name in FIELDS} == MAX_LENGTHS


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("检测对象/产品", "product_text"),
        ("检测对象", "product_text"),
        ("产品 *", "product_text"),
        ("Product", "product_text"),
        ("检测项目/参数", "parameter_text"),
        ("检测项目（必填）", "parameter_text"),
        ("parameter", "parameter_text"),
        ("依据的标准（方法）名称及编号（含年号）", "method_standard"),
        ("检测方法标准", "method_standard"),
        ("限制范围", "limitation"),
        ("被测量", "quantity"),
        ("测量范围", "measuring_range"),
        ("扩展不确定度(k=2)", "uncertainty"),
        ("序号", None),
        ("", None),
    ],
)
def test_header_names(header, field):
    assert header_field(header) == field


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12.0, "12"),
        (0.5, "0.5"),
        (7, "7"),
        ("  a\nb\t c ", "a b c"),
        ("/", ""),
        ("—", ""),
        ("无", ""),
    ],
)
def test_cells_are_cleaned(value, text):
    assert clean_cell(value) == text


cell = st.one_of(
    st.none(), st.text(max_size=260), st.integers(), st.floats(allow_nan=False, allow_infinity=False)
)


@given(row=st.integers(min_value=2, max_value=10**6), cells=st.dictionaries(st.sampled_from(FIELDS), cell))
@settings(max_examples=400, deadline=None)
def test_validate_row_never_raises_and_returns_a_row_or_errors(row, cells):
    result, issues = validate_row(row, cells)
    assert all(i.row == row and i.message for i in issues)
    errors = [i for i in issues if i.level == "error"]
    assert (result is None) == bool(errors)
    if result is not None:
        assert result.row == row and result.product_text and result.parameter_text
        for name in FIELDS:
            value = getattr(result, name)
            assert len(value) <= MAX_LENGTHS[name]
            assert value == value.strip() and "\n" not in value and "\x00" not in value
        assert len(result.method_code) <= 64
    else:
        assert {i.field for i in errors} <= set(FIELDS) | {""}
