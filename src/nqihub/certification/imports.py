"""Import an enterprise's certificates from XLSX or CSV: every row is checked first; if any row is bad,
nothing is imported and each bad row is reported with its number and the fields at fault.

Columns (header row required; names in Chinese or English): 证书编号 number, 认证类型 type, 认证机构 body,
认证范围 scope, 产品 product, 发证日期 issue_date, 有效期至 expiry_date (blank: the type's usual validity).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit, imports
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.tabular import HeaderMap, RowIssue, check_file, clean_cell, table_rows
from nqihub.directory.models import Enterprise

from . import services
from .models import CertificateType

MAX_ROWS = 2000

HEADERS = {
    "number": ["证书编号", "编号", "number", "certificate number"],
    "type": ["认证类型", "类型", "type"],
    "body_name": ["认证机构", "发证机构", "body", "certification body"],
    "scope": ["认证范围", "范围", "scope"],
    "product": ["产品", "产品名称", "product"],
    "issue_date": ["发证日期", "颁证日期", "issue_date", "issue date"],
    "expiry_date": ["有效期至", "到期日期", "expiry_date", "expiry date"],
}
REQUIRED = ("number", "type", "body_name", "issue_date")

TYPE_ALIASES = {
    "iso9001": CertificateType.QMS,
    "9001": CertificateType.QMS,
    "质量管理体系": CertificateType.QMS,
    "iso14001": CertificateType.EMS,
    "14001": CertificateType.EMS,
    "环境管理体系": CertificateType.EMS,
    "iso45001": CertificateType.OHSMS,
    "45001": CertificateType.OHSMS,
    "职业健康安全管理体系": CertificateType.OHSMS,
    "3c": CertificateType.CCC,
    "ccc": CertificateType.CCC,
    "强制性产品认证": CertificateType.CCC,
    "自愿性产品认证": CertificateType.PRODUCT,
    "产品认证": CertificateType.PRODUCT,
    "服务认证": CertificateType.SERVICE,
    "其他": CertificateType.OTHER,
}


@dataclass
class RowError:
    row: int
    errors: dict[str, str]


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0


class ImportRejected(DomainError):
    """Some rows are bad; nothing was imported. ``row_errors``: every bad row."""

    status = 422

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = row_errors
        #: The same as row issues (row, column, message), for the job's error table.
        self.errors = [RowIssue(e.row, m, f) for e in row_errors for f, m in e.errors.items()]
        super().__init__(_("%(n)d 行有误，未导入任何证书。请修改后重新上传。") % {"n": len(row_errors)})


def parse_type(text: str) -> str | None:
    value = (text or "").strip()
    if value.lower() in CertificateType.values:
        return value.lower()
    for code, label in CertificateType.choices:
        if value == str(label):
            return code
    key = value.lower().replace(" ", "").replace("-", "").replace("：", "").replace(":", "")
    for alias, code in TYPE_ALIASES.items():
        if alias in key:
            return code
    return None


def parse_date(value) -> date | None | str:
    """A date; None for blank; the text itself when it is not a date (the caller reports it)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = (
        clean_cell(value)
        .replace("/", "-")
        .replace(".", "-")
        .replace("年", "-")
        .replace("月", "-")
        .rstrip("日")
    )
    if not text:
        return None
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return clean_cell(value)


HEADER = HeaderMap(HEADERS)


def _columns(header: list) -> dict[str, int]:
    return HEADER.columns(header)


def _label(key: str) -> str:
    return HEADERS[key][0]


def certificate_import(
    *, enterprise: Enterprise, filename: str, data: bytes, by, today: date | None = None
) -> ImportResult:
    """Check every row, then create all certificates in one transaction, or none (``ImportRejected`` with
    every bad row; ``ValidationFailed`` on "file" for an unreadable file or a missing column)."""
    if not services.can_register_for(by, enterprise):
        raise services.PermissionDenied(_("您无权为该企业导入认证证书。"))
    today = today or timezone.localdate()
    parsed = parse(filename=filename, data=data, today=today)
    with transaction.atomic():
        for _number, item in parsed:
            cleaned = services.validate_certificate(item, today=today)
            services._create(enterprise, cleaned, by=by, today=today, is_demo=False, plan_surveillance=True)
        audit.record(
            by, "certification.certificate.imported", enterprise, {"file": filename, "rows": len(parsed)}
        )
    return ImportResult(created=len(parsed), rows=len(parsed))


def parse(*, filename: str, data: bytes, today: date) -> list[tuple[int, "services.CertificateData"]]:
    """Every row checked: the good rows, or ``ImportRejected`` / ``ValidationFailed`` (nothing written)."""
    kind = check_file(filename, data)
    rows = iter(table_rows(kind, data))
    columns: dict[str, int] = {}
    for _number, cells in rows:
        if any(clean_cell(c) for c in cells):
            columns = _columns(cells)
            break
    missing = [_label(k) for k in REQUIRED if k not in columns]
    if missing:
        raise ValidationFailed(
            {"file": _("缺少必填列：%(cols)s（第一行应为列名）。") % {"cols": "、".join(missing)}}
        )
    parsed: list[tuple[int, services.CertificateData]] = []
    row_errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows:
        if not any(clean_cell(c) for c in cells):
            continue
        if len(parsed) + len(row_errors) >= MAX_ROWS:
            raise ValidationFailed({"file": _("一次最多导入 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS}})

        def cell(key, cells=cells):
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        errors: dict[str, str] = {}
        type_text = clean_cell(cell("type"))
        type_ = parse_type(type_text)
        if type_ is None:
            errors["type"] = _("无法识别的认证类型“%(t)s”。") % {"t": type_text}
        dates = {}
        for key in ("issue_date", "expiry_date"):
            value = parse_date(cell(key))
            if isinstance(value, str):
                errors[key] = _("“%(v)s”不是日期（应为 2024-05-01 这样的格式）。") % {"v": value}
                value = None
            dates[key] = value
        item = services.CertificateData(
            type=type_ or "",
            number=clean_cell(cell("number")),
            body_name=clean_cell(cell("body_name")),
            scope=clean_cell(cell("scope")),
            product=clean_cell(cell("product")),
            issue_date=dates["issue_date"],
            expiry_date=dates["expiry_date"],
        )
        try:
            cleaned = services.validate_certificate(item, today=today)
        except ValidationFailed as exc:
            for k, v in exc.errors.items():
                if k == "type" and "type" in errors:
                    continue
                if k == "issue_date" and "issue_date" in errors:
                    continue
                errors.setdefault(k, v)
        else:
            key = (cleaned["body_name"], cleaned["number"])
            if key in seen:
                errors["number"] = _("与第 %(row)d 行的证书编号重复。") % {"row": seen[key]}
            else:
                seen[key] = number
        if errors:
            row_errors.append(
                RowError(row=number, errors={_label(k) if k in HEADERS else k: v for k, v in errors.items()})
            )
        else:
            parsed.append((number, item))
    if row_errors:
        raise ImportRejected(row_errors=row_errors)
    if not parsed:
        raise ValidationFailed({"file": _("文件中没有证书数据行。")})
    return parsed


KIND = "certification.certificates"


def import_job_start(*, enterprise: Enterprise, filename: str, data: bytes, by):
    """Check the permission and every row now (raising as ``certificate_import``), then queue the import
    (on commit); returns the ``ImportJob``."""
    from django.urls import reverse

    if not services.can_register_for(by, enterprise):
        raise services.PermissionDenied(_("您无权为该企业导入认证证书。"))
    rows = parse(filename=filename, data=data, today=timezone.localdate())
    return imports.start(
        KIND,
        by=by,
        data=data,
        filename=filename,
        scope={
            "enterprise_id": enterprise.pk,
            "return_url": reverse("certification:enterprise-certificates", args=[enterprise.pk]),
        },
        scope_label=enterprise.name,
        total=len(rows),
    )


def run_job(job, data: bytes, progress) -> dict:
    """``core.imports`` runner: every row or none, as the uploader (permission checked again)."""
    enterprise = Enterprise.objects.get(pk=job.scope["enterprise_id"])
    result = certificate_import(enterprise=enterprise, filename=job.filename, data=data, by=job.created_by)
    return {"rows": result.rows, "created": result.created}


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([HEADERS[k][0] for k in HEADERS])
    writer.writerow(
        ["示例-QMS-0002", "ISO 9001", "示例认证机构", "示例：产品的设计和生产", "", "2024-01-15", ""]
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
