"""Reading uploaded tables (CSV / XLSX) safely: the one place every import reads its file.

* ``check_file(filename, data)`` → ``"csv"`` or ``"xlsx"``: empty, too large (``IMPORT_MAX_BYTES``), wrong
  type (by extension *and* content: an ``.xls``, a PDF called ``.xlsx``, a workbook called ``.csv``), a zip
  that is no workbook or unpacks too large (zip bomb), and any XML part with a DTD or an entity declaration
  (XXE, "billion laughs") are refused with a Chinese message on ``file`` (``ValidationFailed``). openpyxl
  itself parses through defusedxml (installed) as a second line.
* ``table_rows(kind, data)``: (row number as the user sees it — the header is row 1 when it is the first
  line —, raw cells) of the CSV (UTF-8 with or without BOM, UTF-16 with BOM, GB18030; comma, tab or
  semicolon) or of the workbook's first sheet. ``workbook_sheets(data)`` opens every sheet (results files).
* ``HeaderMap``: column names with synonyms (full-width folded, case and spaces ignored, ``*`` and
  ``(必填)`` dropped) and optional keywords → field.
* ``RowIssue``: a problem with one row and column, in Chinese, for the error tables of every import.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ValidationFailed

#: An XLSX may not unpack to more than this many times the upload limit (zip bombs).
MAX_UNZIP_RATIO = 20
#: Issues kept for display (jobs store at most this many).
MAX_ISSUES = 500

XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def file_error(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})


# --- cells -----------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b\ufeff]")
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


def header_key(text) -> str:
    """A column name compared loosely: full-width folded, no spaces, lower case, no ``*``/``(必填)``/colon."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_cell(text))).lower()
    for mark in ("(必填)", "(选填)", "*", ":"):
        key = key.replace(mark, "")
    return key


class HeaderMap:
    """Field → accepted column names (and, when no name matches exactly, keywords the name contains)."""

    def __init__(
        self,
        aliases: Mapping[str, Iterable[str]],
        keywords: Sequence[tuple[str, Iterable[str]]] = (),
    ) -> None:
        self.fields = tuple(aliases)
        self._index: dict[str, str] = {}
        for name, names in aliases.items():
            for alias in (name, *names):
                self._index.setdefault(header_key(str(alias)), name)
        self._keywords = [(name, tuple(header_key(w) for w in words)) for name, words in keywords]

    def field(self, text) -> str | None:
        key = header_key(text)
        if not key:
            return None
        if key in self._index:
            return self._index[key]
        for name, words in self._keywords:
            if any(w in key for w in words):
                return name
        return None

    def columns(self, cells: Sequence) -> dict[str, int]:
        """Field → column index of a header row (the first column wins when two name the same field)."""
        found: dict[str, int] = {}
        for index, cell in enumerate(cells):
            name = self.field(cell)
            if name and name not in found:
                found[name] = index
        return found


def pick(cells: Sequence, columns: Mapping[str, int]) -> dict[str, object]:
    """Field → raw cell of one row (None where the row is short)."""
    return {name: (cells[i] if i < len(cells) else None) for name, i in columns.items()}


def is_blank(cells: Sequence) -> bool:
    return not any(clean_cell(c) for c in cells)


# --- issues ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row (``row`` as the user sees it: the header is row 1) and column (``field``)."""

    row: int
    message: str
    field: str = ""
    level: str = "error"  # or "warning"

    def as_dict(self) -> dict:
        return asdict(self)


def issues_as_dicts(issues: Iterable, limit: int = MAX_ISSUES) -> list[dict]:
    out = []
    for issue in issues:
        if len(out) >= limit:
            break
        out.append(issue.as_dict() if hasattr(issue, "as_dict") else dict(issue))
    return out


# --- files -----------------------------------------------------------------------------------------------


def check_size(size: int, *, max_bytes: int | None = None) -> None:
    """``ValidationFailed`` on "file" when an upload of ``size`` bytes is empty or over the limit
    (``settings.IMPORT_MAX_BYTES``): callable before the file is read."""
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if size <= 0:
        raise file_error(_("文件为空。"))
    if size > max_bytes:
        raise file_error(
            _("文件过大（%(size).1f MB），上限为 %(limit).1f MB。请拆分后分批导入。")
            % {"size": size / 1048576, "limit": max_bytes / 1048576}
        )


_DTD = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)


def _has_dtd(raw: bytes) -> bool:
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or raw[:4] in (
        b"<\x00?\x00",
        b"\x00<\x00?",
    ):
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return True  # an XML part we cannot even decode is not one to parse
    return bool(_DTD.search(raw))


def check_workbook(data: bytes, *, max_bytes: int | None = None) -> None:
    """A real, bounded, DTD-free XLSX, or ``ValidationFailed`` on "file"."""
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise file_error(_("文件是压缩包，但不是 Excel 工作簿（.xlsx）。"))
            if sum(info.file_size for info in infos) > max_bytes * MAX_UNZIP_RATIO:
                raise file_error(_("Excel 文件解压后过大，请拆分后分批导入。"))
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels", ".vml")) and _has_dtd(zf.read(info)):
                    raise file_error(
                        _(
                            "Excel 文件含有 DTD 或实体声明（%(part)s），出于安全原因拒绝读取。请在 Excel 中另存为新的 .xlsx 后再上传。"
                        )
                        % {"part": info.filename[:80]}
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, NotImplementedError) as exc:
        raise file_error(_("Excel 文件已损坏，无法读取。")) from exc


def check_file(filename: str, data: bytes, *, max_bytes: int | None = None) -> str:
    """``"csv"`` or ``"xlsx"``; ``ValidationFailed`` on "file" for an empty, too big, wrong or unsafe file."""
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    data = data or b""
    ext = PurePath(filename or "").suffix.lower()
    check_size(len(data), max_bytes=max_bytes)
    is_zip = data[:4] == ZIP_MAGIC
    is_ole = data[:8] == XLS_MAGIC
    if ext == ".xls" or (is_ole and ext in (".xlsx", ".csv", ".txt")):
        raise file_error(_("不支持 Excel 97-2003（.xls）格式，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。"))
    if ext == ".xlsx":
        if not is_zip:
            raise file_error(
                _("文件扩展名为 .xlsx，但内容不是 Excel 工作簿。请确认文件未损坏，或另存为 .xlsx 后再上传。")
            )
        check_workbook(data, max_bytes=max_bytes)
        return "xlsx"
    if ext in (".csv", ".txt"):
        if is_zip:
            raise file_error(
                _("文件扩展名为 .csv，但内容是压缩包（可能是 .xlsx 工作簿）。请使用正确的扩展名。")
            )
        if b"\x00" in data[:8192] and data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise file_error(_("文件既不是 Excel 工作簿（.xlsx），也不是文本格式的 CSV。"))
        return "csv"
    raise file_error(_("只支持 .xlsx 和 .csv 文件（当前为“%(ext)s”）。") % {"ext": ext or _("无扩展名")})


def sniff(data: bytes) -> str:
    """``"xlsx"`` or ``"csv"`` by content alone (uploads whose name says nothing, e.g. results files);
    ``ValidationFailed`` for an old ``.xls``, a PDF or an image."""
    if data[:8] == XLS_MAGIC:
        raise file_error(_("不支持 Excel 97-2003（.xls）格式，请在 Excel 中另存为 .xlsx 后再上传。"))
    if data[:4] == ZIP_MAGIC:
        return "xlsx"
    if data[:5] == b"%PDF-" or data[:4] in (b"\x89PNG", b"GIF8") or data[:3] == b"\xff\xd8\xff":
        raise file_error(_("文件不是 Excel 工作簿（.xlsx）或 CSV 文本。"))
    return "csv"


def decode_text(data: bytes) -> str:
    if data[:3] == codecs.BOM_UTF8:
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error(_("无法识别文件编码，请将 CSV 另存为 UTF-8 或 GBK 编码后再上传。"))


def csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    if b"\x00" in data[:8192] and data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise file_error(_("文件既不是 Excel 工作簿（.xlsx），也不是文本格式的 CSV。"))
    text = decode_text(data)
    if "\x00" in text:
        raise file_error(_("文件既不是 Excel 工作簿（.xlsx），也不是文本格式的 CSV。"))
    # Comma, or tab (Excel's "Unicode text"), or semicolon: whichever the first lines hold most of. (The
    # csv sniffer is misled by the full-width commas and semicolons inside Chinese cells.)
    head = "\n".join(text.splitlines()[:5])
    delimiter = max((",", "\t", ";"), key=lambda d: (head.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise file_error(
            _("CSV 格式有误（第%(n)d行附近）：%(e)s") % {"n": reader.line_num, "e": exc}
        ) from exc


def _unsafe_xml_errors() -> tuple[type[BaseException], ...]:
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        return ()
    return (DefusedXmlException,)


@contextmanager
def open_workbook(data: bytes, *, max_bytes: int | None = None):
    """The openpyxl workbook (read-only, values) of a checked XLSX; closed on exit."""
    import openpyxl

    check_workbook(data, max_bytes=max_bytes)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _unsafe_xml_errors() as exc:
        raise file_error(_("Excel 文件含有 DTD 或实体声明，出于安全原因拒绝读取。")) from exc
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise file_error(_("Excel 文件已损坏或格式不受支持，无法读取。")) from exc
    try:
        yield workbook
    finally:
        workbook.close()


def sheet_rows(sheet, *, values_only: bool = True) -> Iterator[tuple[int, list]]:
    """(row number, cells) of one read-only sheet; a broken sheet is a "file" error."""
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # some writers record a wrong sheet size
    try:
        for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=values_only), start=1):
            yield number, list(cells)
    except _unsafe_xml_errors() as exc:
        raise file_error(_("Excel 文件含有 DTD 或实体声明，出于安全原因拒绝读取。")) from exc
    except (KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile, SyntaxError) as exc:
        raise file_error(_("Excel 文件已损坏，无法读取。")) from exc


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    with open_workbook(data) as workbook:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise file_error(_("Excel 文件中没有工作表。"))
        yield from sheet_rows(sheets[0])


def table_rows(kind: str, data: bytes) -> Iterator[tuple[int, list]]:
    """(row number as the user sees it, raw cells) of the first sheet / the CSV."""
    return xlsx_rows(data) if kind == "xlsx" else csv_rows(data)


def read_upload(fileobj, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file, refusing an empty or too large one before reading it all."""
    limit = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    size = getattr(fileobj, "size", None)
    if size is not None:
        check_size(size, max_bytes=limit)
    if hasattr(fileobj, "seek"):
        try:
            fileobj.seek(0)
        except (OSError, ValueError):
            pass
    data = fileobj.read(limit + 1) if hasattr(fileobj, "read") else b""
    if isinstance(data, str):
        data = data.encode("utf-8")
    check_size(len(data or b""), max_bytes=limit)
    return data
