"""XLSX exports: Chinese headers, one sheet, streamed rows, never a formula.

openpyxl stores a string that starts with ``=`` as a formula; every such value is written as text so
that a name like ``=HYPERLINK(...)`` cannot turn into a live formula in the reader's spreadsheet.
"""

import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(ws, value, *, bold: bool = False):
    if value is None:
        value = ""
    cell = WriteOnlyCell(
        ws, value=value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    )
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence], *, note: str = "") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    for index, header in enumerate(headers):
        ws.column_dimensions[get_column_letter(index + 1)].width = max(12, min(40, len(str(header)) * 3))
    ws.append([_cell(ws, h, bold=True) for h in headers])
    for row in rows:
        ws.append([_cell(ws, v) for v in row])
    if note:
        ws.append([])
        ws.append([_cell(ws, note)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence], *, note: str = ""
) -> HttpResponse:
    response = HttpResponse(workbook_bytes(title, headers, rows, note=note), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
