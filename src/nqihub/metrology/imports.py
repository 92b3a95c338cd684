"""Bulk import of an enterprise's instrument ledger from XLSX or CSV, all or nothing.

The first row is the header (column names as in ``COLUMNS``); every following row is checked with the same
rules as the form (``services.validate_instrument``) plus in-file duplicates. If any row is bad, nothing is
imported and every bad row is reported with its number (the header is row 1) and the column at fault.
The file is read by ``core.tabular``; an upload runs as a ``core.ImportJob`` (``import_job_start``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core import audit, imports
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.tabular import HeaderMap, RowIssue, check_file, clean_cell, table_rows
from nqihub.directory.models import Enterprise

from .models import Instrument, MandatoryCatalogueEntry, Purpose
from .services import (
    InstrumentData,
    PermissionDenied,
    can_manage_ledger,
    instrument_create,
    validate_instrument,
)

MAX_ROWS = 5000

#: field → (column name in the template, other accepted names)
COLUMNS: dict[str, tuple] = {
    "name": (gettext_lazy("器具名称"), "名称", "计量器具名称"),
    "model_number": (gettext_lazy("型号规格"), "型号", "规格型号"),
    "serial_number": (gettext_lazy("出厂编号"), "编号", "器具编号"),
    "manufacturer": (gettext_lazy("制造厂"), "生产厂家", "制造单位"),
    "measuring_range": (gettext_lazy("测量范围"), "量程"),
    "accuracy_class": (gettext_lazy("准确度等级"), "准确度等级/最大允许误差", "准确度", "精度"),
    "quantity": (gettext_lazy("被测量"),),
    "location": (gettext_lazy("使用地点"), "安装地点", "使用部门"),
    "purpose": (gettext_lazy("使用目的"), "用途"),
    "catalogue_entry": (gettext_lazy("强检目录器具"), "强检目录", "强制检定目录"),
    "next_due": (gettext_lazy("下次检定/校准日期"), "下次检定日期", "下次校准日期", "有效期至"),
    "internal_interval_days": (gettext_lazy("内部校准周期（天）"), "校准周期", "内部校准周期"),
}
REQUIRED = ("name", "serial_number", "purpose")


def _header() -> HeaderMap:
    """The column names (built when used: the template names are translatable)."""
    return HeaderMap({name: [str(n) for n in names] for name, names in COLUMNS.items()})


def _purpose(text: str) -> str | None:
    text = text.strip()
    for value, label in Purpose.choices:
        if text in (value, str(label)) or (text and str(label).startswith(text)):
            return value
    return None


def _date(text: str) -> datetime.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    return datetime.date.fromisoformat(text[:10])


class InstrumentImportRejected(DomainError):
    """Bad rows: nothing was imported. ``errors`` lists every one."""

    status = 422

    def __init__(self, errors: list[RowIssue]) -> None:
        self.errors = errors
        rows = len({e.row for e in errors})
        super().__init__(
            _("文件中有%(n)d行有误，未导入任何数据。请改正后重新上传。") % {"n": rows}, field="file"
        )


@dataclass
class ImportResult:
    created: list[Instrument] = field(default_factory=list)


def template_header() -> list[str]:
    return [str(v[0]) + ("*" if k in REQUIRED else "") for k, v in COLUMNS.items()]


def parse(
    data: bytes, filename: str, *, enterprise: Enterprise
) -> tuple[list[tuple[int, InstrumentData]], list[RowIssue]]:
    kind = check_file(filename, data)
    header = _header()
    columns: dict[str, int] | None = None
    rows: list[tuple[int, InstrumentData]] = []
    errors: list[RowIssue] = []
    seen: dict[tuple[str, str], int] = {}
    entries = {
        e.name: e.pk for e in MandatoryCatalogueEntry.objects.filter(is_active=True).order_by("source_year")
    }
    for number, cells in table_rows(kind, data):
        if not any(clean_cell(c) for c in cells):
            continue
        if columns is None:
            columns = header.columns(cells)
            missing = [str(COLUMNS[r][0]) for r in REQUIRED if r not in columns]
            if missing:
                errors.append(
                    RowIssue(
                        number, _("表头缺少“%(c)s”列（可下载导入模板对照）。") % {"c": "”“".join(missing)}
                    )
                )
                return [], errors
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ValidationFailed({"file": _("文件超过%(n)d行，请拆分后分批导入。") % {"n": MAX_ROWS}})
        raw = {name: clean_cell(cells[i] if i < len(cells) else None) for name, i in columns.items()}
        row_errors: list[RowIssue] = []
        purpose = _purpose(raw.get("purpose", ""))
        if purpose is None:
            row_errors.append(
                RowIssue(
                    number,
                    _("使用目的应为：%(v)s。")
                    % {"v": "、".join(str(label) for _v, label in Purpose.choices)},
                    "purpose",
                )
            )
        entry_id = None
        if raw.get("catalogue_entry"):
            entry_id = entries.get(raw["catalogue_entry"])
            if entry_id is None:
                row_errors.append(
                    RowIssue(
                        number,
                        _("“%(n)s”不在强制检定目录中（请填写目录中的器具名称，或留空）。")
                        % {"n": raw["catalogue_entry"]},
                        "catalogue_entry",
                    )
                )
        next_due = None
        if raw.get("next_due"):
            try:
                next_due = _date(raw["next_due"])
            except ValueError:
                row_errors.append(
                    RowIssue(
                        number, _("日期“%(d)s”无效，应为 YYYY-MM-DD。") % {"d": raw["next_due"]}, "next_due"
                    )
                )
        interval = None
        if raw.get("internal_interval_days"):
            try:
                interval = int(raw["internal_interval_days"])
            except ValueError:
                row_errors.append(
                    RowIssue(number, _("内部校准周期应为天数（整数）。"), "internal_interval_days")
                )
        data = InstrumentData(
            name=raw.get("name", ""),
            serial_number=raw.get("serial_number", ""),
            purpose=purpose or Purpose.INTERNAL,
            model_number=raw.get("model_number", ""),
            manufacturer=raw.get("manufacturer", ""),
            measuring_range=raw.get("measuring_range", ""),
            accuracy_class=raw.get("accuracy_class", ""),
            quantity=raw.get("quantity", ""),
            location=raw.get("location", ""),
            catalogue_entry=entry_id,
            internal_interval_days=interval,
            next_due=next_due,
        )
        try:
            validate_instrument(data, enterprise=enterprise)
        except ValidationFailed as exc:
            done = {e.field for e in row_errors}
            row_errors += [RowIssue(number, str(m), f) for f, m in exc.errors.items() if f not in done]
        key = (" ".join(data.name.split()), " ".join(data.serial_number.split()))
        if all(key) and key in seen:
            row_errors.append(
                RowIssue(
                    number,
                    _("与第%(n)d行重复（器具名称和出厂编号相同）。") % {"n": seen[key]},
                    "serial_number",
                )
            )
        elif all(key):
            seen[key] = number
        if row_errors:
            errors += row_errors
        else:
            rows.append((number, data))
    if columns is None:
        errors.append(RowIssue(1, _("文件是空的。")))
    elif not rows and not errors:
        errors.append(RowIssue(1, _("表头下没有任何数据行。")))
    return rows, errors


@transaction.atomic
def instrument_import(*, enterprise: Enterprise, data: bytes, filename: str, by) -> list[Instrument]:
    """Create every row's instrument, or none: ``InstrumentImportRejected`` lists the bad rows."""
    if not can_manage_ledger(by, enterprise):
        raise PermissionDenied(_("您无权维护该企业的计量器具台账。"))
    rows, errors = parse(data, filename, enterprise=enterprise)
    if errors:
        raise InstrumentImportRejected(errors)
    created = [instrument_create(enterprise=enterprise, data=row, by=by) for _n, row in rows]
    audit.record(
        by, "metrology.instrument.imported", enterprise, {"filename": filename, "rows": len(created)}
    )
    return created


KIND = "metrology.instruments"


def import_job_start(*, enterprise: Enterprise, data: bytes, filename: str, by):
    """Check the permission and every row now (raising as ``instrument_import``), then queue the import
    (on commit); returns the ``ImportJob``."""
    if not can_manage_ledger(by, enterprise):
        raise PermissionDenied(_("您无权维护该企业的计量器具台账。"))
    rows, errors = parse(data, filename, enterprise=enterprise)
    if errors:
        raise InstrumentImportRejected(errors)
    return imports.start(
        KIND,
        by=by,
        data=data,
        filename=filename,
        scope={"enterprise_id": enterprise.pk, "return_url": _list_url(enterprise)},
        scope_label=enterprise.name,
        total=len(rows),
    )


def _list_url(enterprise) -> str:
    from django.urls import reverse

    return reverse("metrology:instrument-list") + f"?enterprise={enterprise.pk}"


def run_job(job, data: bytes, progress) -> dict:
    """``core.imports`` runner: every row or none, as the uploader (permission checked again)."""
    enterprise = Enterprise.objects.get(pk=job.scope["enterprise_id"])
    created = instrument_import(enterprise=enterprise, data=data, filename=job.filename, by=job.created_by)
    return {"rows": len(created), "created": len(created)}
