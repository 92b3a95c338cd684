"""Capability-scope import (能力范围导入) from CSV or XLSX, for one institution.

* Reading is pure (``parse_scope_file``): type and size check, encoding (UTF-8 with or without BOM,
  UTF-16 with BOM as Excel's "Unicode text" writes it, GB18030), the header row (Chinese or English column
  names, found within the first rows), then every row through ``validate_row``. Row numbers are the ones
  the user sees in Excel or a text editor: the header is row 1 when it is the first line.
* Nothing is imported while any row is bad: ``scope_import`` validates the whole file first and raises
  ``ScopeImportRejected`` with every bad row; otherwise it writes in one transaction.
* Idempotent: lines are upserted by (institution, normalised product, normalised parameter, normalised
  method). ``replace=True`` also deletes the institution's lines the file no longer lists.
* The file is read by ``core.tabular`` (the one reader of every import: size, type, DTD-free workbooks).
* Uploads run as a ``core.ImportJob`` (``import_job_start`` → ``core.imports`` queues it on commit →
  ``run_job``); its state and progress live in the database, and the upload page polls them. The uploaded
  file waits in the private storage until the job has run.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit, imports, tabular
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.tabular import RowIssue, check_file, check_size, clean_cell, table_rows

from .matching import canonical_method_code, clean_code_text, vocabulary_map
from .models import Institution, Parameter, ProductCategory, ScopeLine
from .services import PermissionDenied, can_edit
from .vocabulary import normalise

logger = logging.getLogger(__name__)

#: The columns of a scope line, in the order of a template file.
FIELDS = (
    "product_text",
    "parameter_text",
    "method_standard",
    "limitation",
    "quantity",
    "measuring_range",
    "uncertainty",
)

#: Longest cell per column: the ``ScopeLine`` field lengths (a test keeps them equal).
MAX_LENGTHS = {
    "product_text": 200,
    "parameter_text": 200,
    "method_standard": 200,
    "limitation": 255,
    "quantity": 100,
    "measuring_range": 100,
    "uncertainty": 100,
}

#: Rows (after the header) one file may hold.
MAX_ROWS = 200_000
#: The header may be preceded by a title: it is looked for in this many first rows.
HEADER_SEARCH_ROWS = 10
#: Rows written per batch (and progress step).
BATCH = 500
#: Issues kept in a job's state for display.
MAX_ISSUES_SHOWN = tabular.MAX_ISSUES


def field_label(name: str) -> str:
    return {
        "product_text": _("检测对象/产品"),
        "parameter_text": _("检测项目/参数"),
        "method_standard": _("检测方法标准"),
        "limitation": _("限制范围"),
        "quantity": _("被测量"),
        "measuring_range": _("测量范围"),
        "uncertainty": _("不确定度"),
    }[name]


# --- header ----------------------------------------------------------------------------------------------

#: Exact column names (normalised: no spaces, lower case, full-width folded) → field.
_ALIASES = {
    "product_text": [
        "检测对象/产品",
        "检测对象",
        "产品",
        "产品名称",
        "检测产品",
        "检验对象",
        "检测对象(产品)",
        "对象",
        "产品/类别",
        "产品类别",
        "样品",
        "样品名称",
        "计量器具",
        "计量器具名称",
        "测量仪器",
        "仪器名称",
        "校准对象",
        "product",
        "products",
        "object",
        "product_text",
        "productcategory",
    ],
    "parameter_text": [
        "检测项目/参数",
        "检测项目",
        "参数",
        "项目",
        "检测参数",
        "项目/参数",
        "检验项目",
        "项目名称",
        "parameter",
        "parameters",
        "parameter_text",
        "item",
        "testitem",
    ],
    "method_standard": [
        "检测方法标准",
        "检测方法",
        "方法标准",
        "检测标准",
        "检验方法",
        "检测依据",
        "标准",
        "方法",
        "依据的标准(方法)名称及编号(含年号)",
        "检测标准(方法)名称及编号(含年号)",
        "method",
        "methodstandard",
        "method_standard",
        "standard",
    ],
    "limitation": [
        "限制范围",
        "限制范围/说明",
        "限制",
        "说明",
        "备注",
        "limitation",
        "limitations",
        "limit",
        "remarks",
        "note",
    ],
    "quantity": ["被测量", "被测量名称", "quantity", "measurand"],
    "measuring_range": ["测量范围", "范围", "range", "measuring_range", "measuringrange"],
    "uncertainty": [
        "不确定度",
        "扩展不确定度",
        "准确度等级",
        "最大允许误差",
        "不确定度/准确度等级/最大允许误差",
        "不确定度/准确度等级",
        "uncertainty",
        "accuracy",
    ],
}
#: When no alias matches exactly: a keyword the name contains, in this order.
_KEYWORDS = [
    ("uncertainty", ("不确定度", "准确度", "误差", "uncertainty")),
    ("measuring_range", ("测量范围", "range")),
    ("quantity", ("被测量",)),
    ("limitation", ("限制", "limitation")),
    ("method_standard", ("方法", "标准", "依据", "method", "standard")),
    ("parameter_text", ("项目", "参数", "parameter")),
    ("product_text", ("对象", "产品", "样品", "器具", "仪器", "product")),
]


HEADER = tabular.HeaderMap(_ALIASES, _KEYWORDS)


def header_field(text: str) -> str | None:
    """The scope-line field a column name stands for, or None (the column is ignored)."""
    return HEADER.field(text)


def header_columns(cells: list) -> dict[str, int]:
    """Field → column index of a header row (the first column wins when two name the same field)."""
    return HEADER.columns(cells)


def _is_header(columns: dict[str, int]) -> bool:
    return "product_text" in columns and ("parameter_text" in columns or "quantity" in columns)


# --- cells and rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    """One valid row, cleaned."""

    row: int
    product_text: str
    parameter_text: str
    method_standard: str = ""
    limitation: str = ""
    quantity: str = ""
    measuring_range: str = ""
    uncertainty: str = ""
    method_code: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return line_key(self.product_text, self.parameter_text, self.method_standard)


def line_key(product_text: str, parameter_text: str, method_standard: str) -> tuple[str, str, str]:
    """What makes two lines of one institution the same line: product, parameter and method, normalised."""
    return normalise(product_text), normalise(parameter_text), normalise(clean_code_text(method_standard))


def validate_row(row: int, cells: Mapping[str, object]) -> tuple[ScopeRow | None, list[RowIssue]]:
    """Check one row (``cells``: field → raw cell value). Returns the cleaned row and its issues; the row
    is None when any issue is an error. Never raises."""
    values = {name: clean_cell(cells.get(name)) for name in FIELDS}
    issues: list[RowIssue] = []
    if not values["parameter_text"] and values["quantity"]:
        values["parameter_text"] = values["quantity"]  # calibration scopes: the measurand is the parameter
    if not values["product_text"]:
        issues.append(
            RowIssue(row, _("缺少检测对象/产品（若为合并单元格，请取消合并并在每一行填写）"), "product_text")
        )
    if not values["parameter_text"]:
        issues.append(RowIssue(row, _("缺少检测项目/参数"), "parameter_text"))
    for name in FIELDS:
        limit = MAX_LENGTHS[name]
        if len(values[name]) > limit:
            issues.append(
                RowIssue(
                    row,
                    _("“%(field)s”超过%(limit)d个字符（共%(n)d个）")
                    % {"field": field_label(name), "limit": limit, "n": len(values[name])},
                    name,
                )
            )
    method_code = canonical_method_code(values["method_standard"]) if values["method_standard"] else ""
    if (
        values["method_standard"]
        and not method_code
        and len(values["method_standard"]) <= MAX_LENGTHS["method_standard"]
    ):
        issues.append(
            RowIssue(
                row,
                _("未能识别方法标准号“%(text)s”：该行仍会导入，但不能按标准号检索")
                % {"text": values["method_standard"][:40]},
                "method_standard",
                "warning",
            )
        )
    if any(i.level == "error" for i in issues):
        return None, issues
    return ScopeRow(row=row, method_code=method_code, **values), issues


# --- files -----------------------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    kind: str  # "csv" or "xlsx"
    rows: list[ScopeRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    header_row: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ScopeImportRejected(DomainError):
    """The file has bad rows: nothing was imported. ``errors`` lists every one."""

    status = 422

    def __init__(self, errors: list[RowIssue], warnings: list[RowIssue] | None = None) -> None:
        self.errors = errors
        self.warnings = warnings or []
        rows = len({e.row for e in errors})
        super().__init__(
            _("文件中有%(n)d行有误，未导入任何数据。请改正后重新上传。") % {"n": rows}, field="file"
        )


def _file_error(message: str) -> ValidationFailed:
    return tabular.file_error(message)


def parse_scope_file(
    data: bytes,
    filename: str,
    *,
    max_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParsedFile:
    """Check and read a whole scope file. File-level problems (type, size, encoding) raise
    ``ValidationFailed`` on "file"; row problems are collected in ``errors`` / ``warnings``.
    ``progress(rows read)`` is called every ``BATCH`` data rows."""
    kind = check_file(filename, data, max_bytes=max_bytes)
    parsed = ParsedFile(kind=kind)
    columns: dict[str, int] | None = None
    first_seen: dict[tuple[str, str, str], int] = {}
    first_nonempty: tuple[int, list] | None = None
    read = 0
    for number, cells in table_rows(kind, data):
        if not any(clean_cell(c) for c in cells):
            continue
        if columns is None:
            if first_nonempty is None:
                first_nonempty = (number, cells)
            found = header_columns(cells)
            if _is_header(found):
                columns, parsed.header_row = found, number
                continue
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        if len(parsed.rows) + len(parsed.errors) >= MAX_ROWS:
            raise _file_error(_("文件超过%(n)d行，请拆分后分批导入。") % {"n": MAX_ROWS})
        raw = {name: (cells[i] if i < len(cells) else None) for name, i in columns.items()}
        row, issues = validate_row(number, raw)
        read += 1
        if progress is not None and read % BATCH == 0:
            progress(read)
        for issue in issues:
            (parsed.errors if issue.level == "error" else parsed.warnings).append(issue)
        if row is None:
            continue
        earlier = first_seen.get(row.key)
        if earlier is not None:
            parsed.warnings.append(
                RowIssue(
                    number,
                    _("与第%(n)d行重复（检测对象、项目和方法相同），已跳过") % {"n": earlier},
                    "",
                    "warning",
                )
            )
            continue
        first_seen[row.key] = number
        parsed.rows.append(row)
    if columns is None:
        where = first_nonempty[0] if first_nonempty else 1
        found = header_columns(first_nonempty[1]) if first_nonempty else {}
        missing = [field_label("product_text")] if "product_text" not in found else []
        if "parameter_text" not in found and "quantity" not in found:
            missing.append(field_label("parameter_text"))
        parsed.errors.append(
            RowIssue(
                where,
                _("找不到表头：第一行应为列名，缺少“%(cols)s”列（可下载导入模板对照）")
                % {"cols": "”“".join(missing)},
            )
        )
    elif not parsed.rows and not parsed.errors:
        parsed.errors.append(RowIssue(parsed.header_row, _("表头下没有任何数据行。")))
    return parsed


# --- the import ------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    unmapped_parameters: int = 0
    unmapped_products: int = 0
    warnings: list[RowIssue] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["warnings"] = [w.as_dict() for w in self.warnings[:MAX_ISSUES_SHOWN]]
        data["warning_count"] = len(self.warnings)
        return data


def can_import(user, institution: Institution) -> bool:
    """Platform admins, regulators of the institution's region subtree, the institution's own staff."""
    return can_edit(user, institution)


def _check_permission(by, institution: Institution) -> None:
    if by is not None and not can_import(by, institution):
        raise PermissionDenied(_("您无权导入该机构的能力范围。"))


#: ``progress(phase, done, total)``: phase "checking" (rows read and validated) or "writing" (rows written).
ProgressFn = Callable[[str, int, int], None]

_LINE_FIELDS = ("region_id", "product_id", "parameter_id", "method_code", *FIELDS)


@transaction.atomic
def _apply(
    *,
    institution: Institution,
    parsed: ParsedFile,
    filename: str,
    by,
    replace: bool,
    progress: ProgressFn | None,
) -> ImportReport:
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    report = ImportReport(filename=filename, rows=len(parsed.rows), warnings=list(parsed.warnings))
    existing: dict[tuple[str, str, str], ScopeLine] = {}
    stale: set[int] = set()
    for line in ScopeLine.objects.filter(institution=institution).order_by("pk").only("pk", *_LINE_FIELDS):
        key = line_key(line.product_text, line.parameter_text, line.method_standard)
        if key in existing:
            stale.add(line.pk)  # a duplicate already in the database: kept unless replacing
        else:
            existing[key] = line
    total = len(parsed.rows)
    to_create: list[ScopeLine] = []
    to_update: list[ScopeLine] = []
    seen: set[int] = set()

    def flush(done: int) -> None:
        if to_create:
            ScopeLine.objects.bulk_create(to_create, batch_size=BATCH)
            to_create.clear()
        if to_update:
            ScopeLine.objects.bulk_update(to_update, _LINE_FIELDS, batch_size=BATCH)
            to_update.clear()
        if progress is not None:
            progress("writing", done, total)

    products, parameters = vocabulary_map(ProductCategory), vocabulary_map(Parameter)
    product_ids: dict[str, int | None] = {}
    parameter_ids: dict[str, int | None] = {}
    for done, row in enumerate(parsed.rows, start=1):
        if row.product_text not in product_ids:
            product_ids[row.product_text] = products.resolve(row.product_text)
        if row.parameter_text not in parameter_ids:
            parameter_ids[row.parameter_text] = parameters.resolve(row.parameter_text)
        product_id, parameter_id = product_ids[row.product_text], parameter_ids[row.parameter_text]
        report.unmapped_parameters += parameter_id is None
        report.unmapped_products += product_id is None
        values = {
            "region_id": institution.region_id,
            "product_id": product_id,
            "parameter_id": parameter_id,
            "method_code": row.method_code,
            **{name: getattr(row, name) for name in FIELDS},
        }
        line = existing.get(row.key)
        if line is None:
            to_create.append(ScopeLine(institution=institution, **values))
            report.created += 1
        else:
            seen.add(line.pk)
            if any(getattr(line, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(line, k, v)
                to_update.append(line)
                report.updated += 1
            else:
                report.unchanged += 1
        if done % BATCH == 0:
            flush(done)
    flush(total)

    if replace:
        gone = sorted(({line.pk for line in existing.values()} - seen) | stale)
        for start in range(0, len(gone), BATCH):
            report.deleted += ScopeLine.objects.filter(
                institution=institution, pk__in=gone[start : start + BATCH]
            ).delete()[0]

    audit.record(
        by,
        "directory.scope.imported",
        institution,
        {
            "file": filename,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "deleted": report.deleted,
            "unmapped_parameters": report.unmapped_parameters,
            "warnings": len(report.warnings),
            "replace": replace,
        },
        username="" if by is not None else "manage.py",
    )
    return report


def scope_import(
    *,
    institution: Institution,
    data: bytes,
    filename: str,
    by,
    replace: bool = False,
    progress: ProgressFn | None = None,
    max_bytes: int | None = None,
    expected_rows: int = 0,
) -> ImportReport:
    """Import a scope file for ``institution``: all rows or none.

    ``by`` is the acting user (checked with ``can_import``), or None for the command line.
    ``progress(phase, done, total)`` reports reading ("checking"; ``total`` is ``expected_rows`` when known)
    and writing ("writing"). Raises
    ``ValidationFailed`` (file-level), ``ScopeImportRejected`` (bad rows, nothing imported) or
    ``PermissionDenied``."""
    _check_permission(by, institution)
    checked = None if progress is None else (lambda done: progress("checking", done, expected_rows))
    parsed = parse_scope_file(data, filename, max_bytes=max_bytes, progress=checked)
    if parsed.errors:
        raise ScopeImportRejected(parsed.errors, parsed.warnings)
    return _apply(
        institution=institution, parsed=parsed, filename=filename, by=by, replace=replace, progress=progress
    )


# --- background jobs -------------------------------------------------------------------------------------


KIND = "directory.scope"


def import_job_start(
    *, institution: Institution, data: bytes, filename: str, by, replace: bool = False
) -> str:
    """Validate the file now (raising as ``scope_import`` does), then queue the import (on commit); returns
    the job id whose state ``import_job_get`` reads."""
    _check_permission(by, institution)
    parsed = parse_scope_file(data, filename)
    if parsed.errors:
        raise ScopeImportRejected(parsed.errors, parsed.warnings)
    job = imports.start(
        KIND,
        by=by,
        data=data,
        filename=filename,
        scope={
            "institution_id": institution.pk,
            "institution_name": institution.name,
            "replace": bool(replace),
        },
        scope_label=institution.name,
        total=len(parsed.rows),
    )
    return job.pk.hex


def import_job_get(job_id: str, *, fetched_by) -> dict | None:
    """The job's state (``state``: queued, running, done, failed; ``done``/``total``; ``report``), or None
    when it does not exist or was started by someone else."""
    job = imports.get(job_id, fetched_by=fetched_by, kind=KIND)
    return None if job is None else imports.view(job)


def run_job(job, data: bytes, progress) -> dict:
    """``core.imports`` runner: the import, as the user who uploaded it (permission checked again)."""
    institution = Institution.objects.get(pk=job.scope["institution_id"])
    report = scope_import(
        institution=institution,
        data=data,
        filename=job.filename,
        by=job.created_by,
        replace=bool(job.scope.get("replace")),
        progress=progress,
        expected_rows=job.total,
    )
    return report.as_dict()


def import_job_run(job_id: str) -> None:
    """Run a queued job now (as its task does)."""
    imports.run(job_id)


def template_csv() -> bytes:
    """A template file: UTF-8 with BOM (so Excel opens it right), the Chinese column names, two examples."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([field_label(name) for name in FIELDS])
    writer.writerow(["纺织品", "甲醛含量", "GB/T 2912.1-2009", "", "", "", ""])
    writer.writerow(["压力表", "压力", "JJG 52-2013", "", "压力", "(0~60) MPa", "0.05级"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


__all__ = [
    "FIELDS",
    "ImportReport",
    "MAX_LENGTHS",
    "ParsedFile",
    "RowIssue",
    "ScopeImportRejected",
    "ScopeRow",
    "can_import",
    "check_file",
    "check_size",
    "clean_cell",
    "header_columns",
    "header_field",
    "import_job_get",
    "import_job_run",
    "import_job_start",
    "line_key",
    "parse_scope_file",
    "scope_import",
    "template_csv",
    "validate_row",
]
