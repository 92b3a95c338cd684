"""Capability-scope import (能力范围导入) from CSV or XLSX, for one institution.

* Reading is pure (``parse_scope_file``): type and size check, encoding (UTF-8 with or without BOM,
  UTF-16 with BOM as Excel's "Unicode text" writes it, GB18030), the header row (Chinese or English column
  names, found within the first rows), then every row through ``validate_row``. Row numbers are the ones
  the user sees in Excel or a text editor: the header is row 1 when it is the first line.
* Nothing is imported while any row is bad: ``scope_import`` validates the whole file first and raises
  ``ScopeImportRejected`` with every bad row; otherwise it writes in one transaction.
* Idempotent: lines are upserted by (institution, normalised product, normalised parameter, normalised
  method). ``replace=True`` also deletes the institution's lines the file no longer lists.
* Large files run as a background job (``import_job_start`` → Celery task ``tasks.scope_import_task`` →
  ``import_job_run``); the job's state and progress live in the Django cache under its id, and the upload
  page polls it. The uploaded file waits in ``default_storage`` (object storage in production) until the
  job has run.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import DomainError, ValidationFailed

from .matching import canonical_method_code, clean_code_text, vocabulary_map
from .models import Institution, Parameter, ProductCategory, ScopeLine
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
#: An XLSX may not unpack to more than this many times the upload limit (zip bombs).
MAX_UNZIP_RATIO = 20
#: Rows written per batch (and progress step).
BATCH = 500
#: Issues kept in a job's state for display.
MAX_ISSUES_SHOWN = 500

JOB_TTL = 24 * 3600


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


# --- cells ---------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Cells that mean "nothing": a dash, a slash, 无.
_PLACEHOLDERS = {"/", "／", "-", "－", "—", "——", "–", "无", "n/a", "N/A", "\\"}


def clean_cell(value) -> str:
    """A cell as text: numbers without a spurious ".0", dates as ISO, control characters and line breaks as
    spaces, runs of spaces collapsed, placeholders (``/``, ``—``, ``无``) as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "1" if value else "0"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    elif isinstance(value, date | time):
        text = value.isoformat()
    else:
        text = str(value)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return "" if text in _PLACEHOLDERS else text


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


def _header_key(text: str) -> str:
    s = normalise(clean_cell(text))
    for mark in ("(必填)", "(选填)", "*", "：", ":"):
        s = s.replace(mark, "")
    return s


_ALIAS_INDEX = {_header_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases}


def header_field(text: str) -> str | None:
    """The scope-line field a column name stands for, or None (the column is ignored)."""
    key = _header_key(text)
    if not key:
        return None
    if key in _ALIAS_INDEX:
        return _ALIAS_INDEX[key]
    for name, words in _KEYWORDS:
        if any(w in key for w in words):
            return name
    return None


def header_columns(cells: list) -> dict[str, int]:
    """Field → column index of a header row (the first column wins when two name the same field)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = header_field(clean_cell(cell))
        if name and name not in columns:
            columns[name] = index
    return columns


def _is_header(columns: dict[str, int]) -> bool:
    return "product_text" in columns and ("parameter_text" in columns or "quantity" in columns)


# --- cells and rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row (``row`` as the user sees it: the header is row 1)."""

    row: int
    message: str
    field: str = ""
    level: str = "error"  # or "warning"

    def as_dict(self) -> dict:
        return asdict(self)


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
    return ValidationFailed({"file": message})


def check_size(size: int, *, max_bytes: int | None = None) -> None:
    """``ValidationFailed`` on "file" when an upload of ``size`` bytes is empty or over the limit
    (``settings.IMPORT_MAX_BYTES``): callable before the file is read."""
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if size <= 0:
        raise _file_error(_("文件为空。"))
    if size > max_bytes:
        raise _file_error(
            _("文件过大（%(size).1f MB），上限为 %(limit).1f MB。请拆分后分批导入。")
            % {"size": size / 1048576, "limit": max_bytes / 1048576}
        )


def check_file(filename: str, data: bytes, *, max_bytes: int | None = None) -> str:
    """``"csv"`` or ``"xlsx"``; ``ValidationFailed`` on "file" for an empty, too big or wrong file."""
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    ext = PurePath(filename or "").suffix.lower()
    check_size(len(data or b""), max_bytes=max_bytes)
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if ext == ".xls" or (is_ole and ext in (".xlsx", ".csv")):
        raise _file_error(_("不支持 Excel 97-2003（.xls）格式，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"))
    if ext == ".xlsx":
        if not is_zip:
            raise _file_error(
                _("文件扩展名为 .xlsx，但内容不是 Excel 工作簿。请确认文件未损坏，或另存为 .xlsx 后再上传。")
            )
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                unpacked = sum(info.file_size for info in zf.infolist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise _file_error(_("Excel 文件已损坏，无法读取。")) from exc
        if "xl/workbook.xml" not in names:
            raise _file_error(_("文件是压缩包，但不是 Excel 工作簿（.xlsx）。"))
        if unpacked > max_bytes * MAX_UNZIP_RATIO:
            raise _file_error(_("Excel 文件解压后过大，请拆分后分批导入。"))
        return "xlsx"
    if ext in (".csv", ".txt"):
        if is_zip:
            raise _file_error(
                _("文件扩展名为 .csv，但内容是压缩包（可能是 .xlsx 工作簿）。请使用正确的扩展名。")
            )
        if b"\x00" in data[:8192] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            raise _file_error(_("文件不是文本格式的 CSV。"))
        return "csv"
    raise _file_error(_("只支持 .xlsx 和 .csv 文件（当前为“%(ext)s”）。") % {"ext": ext or _("无扩展名")})


def _decode(data: bytes) -> str:
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", errors="strict")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _file_error(_("无法识别文件编码，请将 CSV 另存为 UTF-8 或 GBK 编码后再上传。")) from exc


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        raise _file_error(_("无法识别文件编码，请将 CSV 另存为 UTF-8 或 GBK 编码后再上传。")) from exc
    if "\x00" in text:
        raise _file_error(_("文件不是文本格式的 CSV。"))
    # Comma, or tab (Excel's "Unicode text"), or semicolon: whichever the first lines hold most of. (The
    # csv sniffer is misled by the full-width commas and semicolons inside Chinese cells.)
    head = "\n".join(text.splitlines()[:5])
    delimiter = max((",", "\t", ";"), key=lambda d: (head.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise _file_error(
            _("CSV 格式有误（第%(n)d行附近）：%(e)s") % {"n": reader.line_num, "e": exc}
        ) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise _file_error(_("Excel 文件已损坏或格式不受支持，无法读取。")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _file_error(_("Excel 文件中没有工作表。"))
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers record a wrong sheet size
        try:
            for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                yield number, list(cells)
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise _file_error(_("Excel 文件已损坏，无法读取。")) from exc
    finally:
        workbook.close()


def table_rows(kind: str, data: bytes) -> Iterator[tuple[int, list]]:
    """(row number as the user sees it, raw cells) of the first sheet / the CSV."""
    return _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)


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
    from .services import can_edit

    return can_edit(user, institution)


def _check_permission(by, institution: Institution) -> None:
    from .services import PermissionDenied

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


def _job_key(job_id: str) -> str:
    return f"directory:scope-import:{job_id}"


def _job_update(job_id: str, **changes) -> dict | None:
    job = cache.get(_job_key(job_id))
    if job is None:
        return None
    job.update(changes)
    cache.set(_job_key(job_id), job, JOB_TTL)
    return job


def import_job_start(
    *, institution: Institution, data: bytes, filename: str, by, replace: bool = False
) -> str:
    """Validate the file now (raising as ``scope_import`` does), then queue the import; returns the job id
    whose state ``import_job_get`` reads."""
    _check_permission(by, institution)
    parsed = parse_scope_file(data, filename)
    if parsed.errors:
        raise ScopeImportRejected(parsed.errors, parsed.warnings)
    job_id = uuid.uuid4().hex
    stored = default_storage.save(f"imports/scope/{job_id}.{parsed.kind}", ContentFile(data))
    cache.set(
        _job_key(job_id),
        {
            "id": job_id,
            "state": "queued",
            "phase": "",
            "done": 0,
            "total": len(parsed.rows),
            "institution_id": institution.pk,
            "institution_name": institution.name,
            "user_id": by.pk,
            "filename": PurePath(filename).name[:200],
            "stored": stored,
            "replace": bool(replace),
            "report": None,
            "message": "",
            "errors": [],
        },
        JOB_TTL,
    )
    from .tasks import scope_import_task

    scope_import_task.delay(job_id)
    return job_id


def import_job_get(job_id: str, *, fetched_by) -> dict | None:
    """The job's state (``state``: queued, running, done, failed; ``done``/``total``; ``report``), or None
    when it does not exist, has expired or was started by someone else."""
    job = cache.get(_job_key(str(job_id)))
    if job is None or job.get("user_id") != getattr(fetched_by, "pk", None):
        return None
    job = dict(job)
    share = min(1.0, job["done"] / job["total"]) if job["total"] else 0.0
    if job["state"] == "done":
        job["percent"] = 100
    elif job.get("phase") == "writing":  # the file is read twice: checked, then written
        job["percent"] = 50 + int(50 * share)
    else:
        job["percent"] = int(50 * share) if job["state"] == "running" else 0
    job["finished"] = job["state"] in ("done", "failed")
    report = job.get("report") or {}
    job["more_warnings"] = max(0, report.get("warning_count", 0) - len(report.get("warnings", [])))
    return job


def import_job_run(job_id: str) -> None:
    """Run a queued job (the Celery task's body). Safe to run twice: the import is an upsert."""
    from nqihub.accounts.models import User

    job = cache.get(_job_key(job_id))
    if job is None or job["state"] == "done":
        return
    _job_update(job_id, state="running", phase="checking", done=0)
    try:
        user = User.objects.get(pk=job["user_id"])
        institution = Institution.objects.get(pk=job["institution_id"])
        with default_storage.open(job["stored"], "rb") as fh:
            data = fh.read()
        report = scope_import(
            institution=institution,
            data=data,
            filename=job["filename"],
            by=user,
            replace=job["replace"],
            progress=lambda phase, done, total: _job_update(
                job_id, phase=phase, done=done, total=total or job["total"]
            ),
            expected_rows=job["total"],
        )
    except ScopeImportRejected as exc:
        _job_update(
            job_id,
            state="failed",
            message=exc.message,
            errors=[e.as_dict() for e in exc.errors[:MAX_ISSUES_SHOWN]],
        )
    except DomainError as exc:
        _job_update(job_id, state="failed", message=exc.message)
    except (User.DoesNotExist, Institution.DoesNotExist, OSError):
        _job_update(
            job_id, state="failed", message=_("导入任务已失效（文件、机构或用户不存在），请重新上传。")
        )
    except Exception:
        logger.exception("scope import job %s failed", job_id)
        _job_update(
            job_id,
            state="failed",
            message=_("导入失败：系统内部错误，未导入任何数据。请稍后重试或联系管理员。"),
        )
    else:
        _job_update(job_id, state="done", done=report.rows, report=report.as_dict())
    finally:
        try:
            default_storage.delete(job["stored"])
        except OSError:
            logger.warning("could not delete %s", job["stored"])


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
