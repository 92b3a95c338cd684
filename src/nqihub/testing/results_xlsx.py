"""Results upload: a workbook listing an order's test items, filled in by the lab and read back, all or nothing.

* ``results_template_xlsx(items)`` writes the workbook to fill: sheet "检验结果", header row 1 with
  序号 / 检验项目 / 单位 / 检验结果, one row per item; the result column is formatted as text so Excel keeps
  what the analyst types ("0.10", "<0.5", "1-2") instead of turning it into a number or a date.
* ``parse_results_xlsx(fileobj, expected)`` reads it back: ``{seq: result text}`` for every data row, or
  ``ValidationFailed`` with every bad row at once (key "第N行", N as Excel numbers the row) and nothing
  returned. File-level problems (not a workbook, empty, no sheet with the header) are one "file" error.
  Rows may be left out (results not ready yet) but a row that is present must carry a result.
* Cells come back as the text the lab meant: numbers without float noise (0.1, not 0.1000000000000000055),
  honouring the cell's fixed-decimals, percent or scientific format ("0.50", "95.6%"), dates as ISO.
  A CSV (UTF-8, UTF-16 or GBK/GB18030, as Excel saves it) with the same columns is read too.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from nqihub.core import tabular
from nqihub.core.errors import ValidationFailed

from . import services
from .models import TestOrder

SHEET_TITLE = "检验结果"
#: Longest result text (``TestItem.result``).
MAX_RESULT_LENGTH = 100
#: Data rows one file may hold.
MAX_ROWS = 2000
#: The header is looked for in this many first rows of each sheet.
HEADER_SEARCH_ROWS = 10

_COLUMN_NAMES = {
    "seq": ("序号", "项目序号", "编号", "no", "no.", "seq"),
    "parameter": (
        "检验项目",
        "检测项目",
        "项目",
        "项目名称",
        "检验参数",
        "检测参数",
        "参数",
        "parameter",
        "item",
    ),
    "unit": ("单位", "计量单位", "unit"),
    "result": ("检验结果", "检测结果", "结果", "实测值", "测定值", "检测值", "result"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")


def _norm(text) -> str:
    """Fold full-width forms and case, drop spaces and the '*' of required columns."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s+", "", text).replace("*", "").lower()


_HEADER = tabular.HeaderMap(_COLUMN_NAMES)


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})


# --- the template ---------------------------------------------------------------------------------------


def results_template_xlsx(items: list[tuple[int, str, str]]) -> bytes:
    """The workbook to fill: one row per ``(seq, parameter, unit)``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    headers = [_("序号"), _("检验项目"), _("单位"), _("检验结果")]
    ws.append(headers)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    given = PatternFill("solid", fgColor="F2F2F2")
    to_fill = PatternFill("solid", fgColor="FFF9DB")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
    for seq, parameter, unit in items:
        ws.append([int(seq), _as_text_value(parameter), _as_text_value(unit), None])
        row = ws.max_row
        for column in (1, 2, 3):
            cell = ws.cell(row=row, column=column)
            cell.fill = given
            cell.border = border
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
        result = ws.cell(row=row, column=4)
        result.number_format = "@"  # text: what is typed stays as typed
        result.fill = to_fill
        result.border = border
    last = max(ws.max_row, 2)
    validation = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(MAX_RESULT_LENGTH),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("检验结果过长"),
        error=_("检验结果不能超过%(n)d个字符。") % {"n": MAX_RESULT_LENGTH},
    )
    validation.add(f"D2:D{last}")
    ws.add_data_validation(validation)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 32
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 24
    ws.freeze_panes = "A2"

    notes = wb.create_sheet(_("填写说明"))
    for line in (
        _(
            "在“检验结果”工作表的“检验结果”列填写每个项目的结果，按报告中应显示的样子填写，例如：0.12、<0.5、未检出、ND、符合。"
        ),
        _("请勿改动序号和检验项目；暂无结果的项目可以整行删除，之后再上传。"),
        _("有任何一行有误时，整个文件都不会导入，页面会列出每个有误的行。"),
        _("也可以另存为 CSV（UTF-8 或 GBK 编码）后上传，列名相同。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _as_text_value(value) -> str:
    return "" if value is None else str(value)


# --- reading cells ----------------------------------------------------------------------------------------

_FIXED = re.compile(r"^[#,]*0(?:\.(0+))?(%?)$")
_SCIENTIFIC = re.compile(r"^[#0]*\.?(0*)E\+0+$", re.IGNORECASE)


def _plain_decimal(text: str) -> str:
    """'1e-05' → '0.00001'; '120.0' stays as given (callers pass canonical text)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if "e" not in text.lower():
        return text
    exponent = number.adjusted()
    if -10 <= exponent <= 15:
        formatted = format(number, "f")
        if "." in formatted:
            formatted = formatted.rstrip("0").rstrip(".")
        return formatted
    return text.upper().replace("E-0", "E-").replace("E+0", "E+")


def number_text(value: float | int, number_format: str = "General") -> str:
    """A numeric cell as the text Excel shows: fixed decimals, percent and scientific formats are honoured;
    otherwise (General) up to 15 significant digits, no float noise, no exponent for ordinary sizes."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = (number_format or "General").split(";")[0].strip()
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.', "", fmt)  # drop literals, colours, padding
    if match := _FIXED.match(fmt):
        decimals = len(match[1] or "")
        percent = match[2] == "%"
        number = Decimal(repr(float(value))) * (100 if percent else 1)
        grouping = "," if "," in fmt.split(".")[0] else ""
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)  # as Excel rounds
        text = f"{number:{grouping}.{decimals}f}"
        if text.startswith("-") and not text.strip("-0.,"):
            text = text[1:]  # Excel shows -0.001 with format 0.00 as 0.00
        return text + ("%" if percent else "")
    if match := _SCIENTIFIC.match(fmt):
        decimals = len(match[1] or "")
        mantissa, exponent = f"{float(value):.{decimals}E}".split("E")
        return f"{mantissa}E{'-' if exponent.startswith('-') else '+'}{abs(int(exponent)):02d}"
    if isinstance(value, int):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return _plain_decimal(format(float(value), ".15g"))


def cell_text(value, number_format: str = "General") -> str:
    """A cell's value as the text the lab meant (see the module docstring); "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return number_text(value, number_format)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    text = _CONTROL.sub("", str(value))
    return " ".join(text.split())


# --- reading the file -------------------------------------------------------------------------------------


def _read(fileobj) -> bytes:
    if isinstance(fileobj, bytes | bytearray | memoryview):
        data = bytes(fileobj)
        tabular.check_size(len(data))
        return data
    return tabular.read_upload(fileobj)


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    """(sheet title, rows) of each worksheet, the one titled 检验结果 first; rows are
    (row number, cell texts). The workbook is checked by ``core.tabular`` (size, zip bomb, DTD)."""
    with tabular.open_workbook(data) as workbook:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        sheets.sort(key=lambda ws: _norm(ws.title) != _norm(SHEET_TITLE))
        for sheet in sheets:
            yield sheet.title, _sheet_rows(sheet)


def _sheet_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    for number, cells in tabular.sheet_rows(sheet, values_only=False):
        yield (
            number,
            [cell_text(getattr(c, "value", None), getattr(c, "number_format", "General")) for c in cells],
        )


def _csv_sheets(data: bytes) -> Iterator[tuple[str, Iterator[tuple[int, list[str]]]]]:
    rows = tabular.csv_rows(data)

    def texts():
        for number, cells in rows:
            yield number, [cell_text(c) for c in cells]

    yield "CSV", texts()


def _sheets(data: bytes):
    return _xlsx_sheets(data) if tabular.sniff(data) == "xlsx" else _csv_sheets(data)


def _header(cells: Sequence[str]) -> dict[str, int]:
    return _HEADER.columns(cells)


# --- parsing ----------------------------------------------------------------------------------------------


def _seq(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{1,6}(\.0+)?", text):
        return int(float(text))
    return None


def parse_results_xlsx(fileobj, expected: list[tuple[int, str]]) -> dict[int, str]:
    """``{seq: result text}`` from a filled results workbook (or CSV) for an order whose items are
    ``expected`` ``(seq, parameter)``. ``ValidationFailed``: ``{"file": …}`` when the file cannot be used,
    otherwise one entry per bad row ("第N行": every problem of that row); nothing is returned then."""
    data = _read(fileobj)
    parameters = {int(seq): parameter for seq, parameter in expected}
    found_sheet = False
    for _title, rows in _sheets(data):
        found_sheet = True
        columns: dict[str, int] | None = None
        results: dict[int, str] = {}
        first_row: dict[int, int] = {}
        errors: dict[str, str] = {}
        data_rows = 0
        for number, cells in rows:
            if columns is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                found = _header(cells)
                if "result" in found or "seq" in found:
                    missing = [
                        name
                        for column, name in (("seq", _("序号")), ("result", _("检验结果")))
                        if column not in found
                    ]
                    if missing:
                        raise _file_error(
                            _("表头缺少“%(columns)s”列。请下载结果模板，在模板中填写后上传。")
                            % {"columns": "”“".join(missing)}
                        )
                    columns = found
                continue
            if not any(cells):
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise _file_error(_("文件超过%(n)d行，不是本委托单的结果文件。") % {"n": MAX_ROWS})
            problems = _check_row(number, cells, columns, parameters, first_row)
            if problems:
                errors[_("第%(n)d行") % {"n": number}] = "；".join(problems)
            else:
                seq = _seq(_cell(cells, columns, "seq"))
                results[seq] = _cell(cells, columns, "result")
        if columns is None:
            continue  # no header on this sheet: try the next one
        if errors:
            raise ValidationFailed(errors)
        if not results:
            raise _file_error(_("文件中没有结果数据：请在表头下逐行填写序号和检验结果。"))
        return results
    if not found_sheet:
        raise _file_error(_("Excel 文件中没有工作表。"))
    raise _file_error(
        _("没有找到结果表：前%(n)d行中没有“序号”“检验结果”表头。请下载结果模板，在模板中填写后上传。")
        % {"n": HEADER_SEARCH_ROWS}
    )


def _cell(cells: Sequence[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _check_row(
    number: int,
    cells: Sequence[str],
    columns: dict[str, int],
    parameters: dict[int, str],
    first_row: dict[int, int],
) -> list[str]:
    problems: list[str] = []
    seq_text = _cell(cells, columns, "seq")
    parameter = _cell(cells, columns, "parameter")
    result = _cell(cells, columns, "result")
    seq = _seq(seq_text)
    label = ""
    if not seq_text:
        problems.append(_("缺少序号"))
    elif seq is None:
        problems.append(_("序号“%(s)s”不是整数") % {"s": seq_text})
    elif seq not in parameters:
        problems.append(
            _("本委托单没有序号为 %(seq)d 的检验项目（共 %(n)d 项）") % {"seq": seq, "n": len(parameters)}
        )
    else:
        label = _("序号 %(seq)d（%(p)s）") % {"seq": seq, "p": parameters[seq]}
        if seq in first_row:
            problems.append(_("%(item)s与第%(row)d行重复") % {"item": label, "row": first_row[seq]})
        else:
            first_row[seq] = number
        if parameter and _norm(parameter) != _norm(parameters[seq]):
            problems.append(
                _(
                    "序号 %(seq)d 的检验项目应为“%(expected)s”，文件中为“%(given)s”（请勿改动模板中的序号和项目）"
                )
                % {"seq": seq, "expected": parameters[seq], "given": parameter}
            )
    if not result:
        problems.append(
            _("%(item)s未填写检验结果；暂无结果的项目请整行删除后再上传") % {"item": label or _("该行")}
        )
    elif len(result) > MAX_RESULT_LENGTH:
        problems.append(
            _("检验结果过长（%(len)d个字符，最多%(n)d个）") % {"len": len(result), "n": MAX_RESULT_LENGTH}
        )
    return problems


def run_job(job, data: bytes, progress) -> dict:
    """``core.imports`` runner: the results of one order, every row or none, as the uploader."""
    order = TestOrder.objects.get(pk=job.scope["order_id"])
    expected = list(order.items.order_by("seq").values_list("seq", "parameter"))
    parsed = parse_results_xlsx(data, expected)
    services.results_enter(
        order=order, by=job.created_by, results={f"seq:{seq}": text for seq, text in parsed.items()}
    )
    return {"rows": len(parsed), "created": 0, "updated": len(parsed)}
