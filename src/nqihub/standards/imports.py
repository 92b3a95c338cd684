"""Bulk import of the standards catalog from CSV / XLSX, and the loader of the shipped reference files.

All or nothing: every row is validated first; while any row is bad nothing is written and every bad row is
reported with its number (the header is row 1) and the reason. A good file is an idempotent upsert by the
canonical number. Changes of status or replacement of a standard some enterprise follows are notified to
its followers (``services.notify_changes``).

Columns (header names in English as in ``standards_sample.csv`` or in Chinese): code 标准号, title 标准名称,
title_en 英文名称, nature 性质, status 状态, publish_date 发布日期, implement_date 实施日期, abolish_date 废止日期,
replaces 代替标准, replaced_by 被代替标准, ics, ccs, issued_by 发布机构, source 来源, is_demo 示例.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit, imports, tabular
from nqihub.core.errors import DomainError
from nqihub.core.scoping import scope_of
from nqihub.core.tabular import RowIssue

from . import services
from .models import CcsCode, IcsCode, Requirement, Standard
from .numbers import parse_standard_number
from .search import index_text
from .services import PermissionDenied

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
BATCH = 500
MAX_ROWS = 500_000

FIELDS = (
    "code",
    "title",
    "title_en",
    "nature",
    "status",
    "publish_date",
    "implement_date",
    "abolish_date",
    "replaces",
    "replaced_by",
    "ics",
    "ccs",
    "issued_by",
    "source",
    "is_demo",
)
_ALIASES = {
    "code": ("code", "标准号", "标准编号", "编号"),
    "title": ("title", "标准名称", "名称", "中文名称", "title_zh"),
    "title_en": ("title_en", "英文名称", "英文标准名称"),
    "nature": ("nature", "性质", "标准性质"),
    "status": ("status", "状态", "标准状态"),
    "publish_date": ("publish_date", "发布日期"),
    "implement_date": ("implement_date", "实施日期"),
    "abolish_date": ("abolish_date", "废止日期"),
    "replaces": ("replaces", "代替标准", "替代标准", "代替"),
    "replaced_by": ("replaced_by", "被代替标准", "被替代标准", "被代替"),
    "ics": ("ics", "ics分类号", "ics分类"),
    "ccs": ("ccs", "ccs分类号", "中国标准分类号", "ccs分类"),
    "issued_by": ("issued_by", "发布机构", "发布部门", "归口单位"),
    "source": ("source", "来源", "数据来源"),
    "is_demo": ("is_demo", "示例", "示例数据"),
}

_STATUS = {
    "current": Standard.Status.CURRENT,
    "现行": Standard.Status.CURRENT,
    "现行有效": Standard.Status.CURRENT,
    "upcoming": Standard.Status.UPCOMING,
    "即将实施": Standard.Status.UPCOMING,
    "abolished": Standard.Status.ABOLISHED,
    "废止": Standard.Status.ABOLISHED,
    "作废": Standard.Status.ABOLISHED,
}
_NATURE = {
    "mandatory": Standard.Nature.MANDATORY,
    "强制性": Standard.Nature.MANDATORY,
    "强制": Standard.Nature.MANDATORY,
    "recommended": Standard.Nature.RECOMMENDED,
    "推荐性": Standard.Nature.RECOMMENDED,
    "推荐": Standard.Nature.RECOMMENDED,
    "guidance": Standard.Nature.GUIDANCE,
    "指导性": Standard.Nature.GUIDANCE,
    "指导性技术文件": Standard.Nature.GUIDANCE,
}
_TRUE = {"1", "true", "yes", "是", "y"}
_FALSE = {"", "0", "false", "no", "否", "n"}

MAX_LENGTHS = {f.name: f.max_length for f in Standard._meta.fields if getattr(f, "max_length", None)}


class StandardImportRejected(DomainError):
    """Bad rows: nothing was imported."""

    status = 422

    def __init__(self, errors: list[RowIssue]) -> None:
        self.errors = errors
        super().__init__(
            _("%(n)d 行有误，未导入任何数据。请改正后重新上传。") % {"n": len({e.row for e in errors})}
        )


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "changes": self.changes[:200],
        }


# --- reading files (core.tabular) ----------------------------------------------------------------------

HEADER = tabular.HeaderMap(_ALIASES)
check_size = tabular.check_size


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, {field: cell text}) of a CSV or XLSX file; the first row is the header (row 1)."""
    kind = tabular.check_file(filename, data)
    rows = iter(tabular.table_rows(kind, data))
    first = next(rows, None)
    if first is None:
        raise tabular.file_error(_("文件中没有数据。"))
    columns = HEADER.columns(first[1])
    missing = [name for name in ("code", "title", "status") if name not in columns]
    if missing:
        labels = "、".join(f"{m}（{_ALIASES[m][1]}）" for m in missing)
        raise tabular.file_error(_("表头（第1行）缺少必需的列：%(cols)s。") % {"cols": labels})
    out = []
    for number, cells in rows:
        values = {name: _cell(value) for name, value in tabular.pick(cells, columns).items()}
        if any(values.values()):
            if len(out) >= MAX_ROWS:
                raise tabular.file_error(_("文件行数超过上限 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS})
            out.append((number, values))
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


# --- validation -----------------------------------------------------------------------------------------


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    return dt.date.fromisoformat(text.replace("/", "-")[:10])


def _numbers(text: str) -> list[str]:
    """Canonical numbers of a list cell (separated by , ， ; ； 、 or newline)."""
    for sep in "，;；、\n":
        text = text.replace(sep, ",")
    return [parse_standard_number(part).canonical for part in text.split(",") if part.strip()]


def validate_row(number: int, values: dict[str, str]) -> tuple[dict | None, list[RowIssue]]:
    issues: list[RowIssue] = []

    def bad(name: str, message: str) -> None:
        issues.append(RowIssue(number, message, name))

    out: dict = {}
    try:
        parsed = parse_standard_number(values.get("code", ""))
    except ValueError as exc:
        bad("code", str(exc))
        parsed = None
    else:
        if parsed.year is None:
            bad("code", _("标准号缺少年代号：%(code)s") % {"code": parsed.canonical})
        out.update(
            canonical=parsed.canonical,
            code_without_year=parsed.code_without_year,
            prefix=parsed.prefix,
            year=parsed.year,
            level=parsed.level,
        )
    title = values.get("title", "")
    if not title:
        bad("title", _("缺少标准名称。"))
    out["title"] = title
    status = _STATUS.get(values.get("status", "").lower())
    if status is None:
        bad(
            "status",
            _("状态“%(v)s”无效，应为 现行/即将实施/废止（current/upcoming/abolished）。")
            % {"v": values.get("status", "")},
        )
    out["status"] = status
    nature_text = values.get("nature", "")
    if nature_text:
        nature = _NATURE.get(nature_text.lower())
        if nature is None:
            bad(
                "nature",
                _("性质“%(v)s”无效，应为 强制性/推荐性/指导性（mandatory/recommended/guidance）。")
                % {"v": nature_text},
            )
        out["nature"] = nature or ""
    else:
        out["nature"] = parsed.nature if parsed else ""
    for name in ("publish_date", "implement_date", "abolish_date"):
        try:
            out[name] = _date(values.get(name, ""))
        except ValueError:
            bad(name, _("日期“%(v)s”无效，应为 YYYY-MM-DD。") % {"v": values.get(name, "")})
            out[name] = None
    if out.get("publish_date") and out.get("implement_date") and out["implement_date"] < out["publish_date"]:
        bad("implement_date", _("实施日期早于发布日期。"))
    for name in ("replaces", "replaced_by"):
        try:
            codes = _numbers(values.get(name, ""))
        except ValueError as exc:
            bad(name, str(exc))
            codes = []
        if parsed and parsed.canonical in codes:
            bad(name, _("标准不能代替自身。"))
        out[name] = ",".join(codes)
    for name in ("title_en", "ics", "ccs", "issued_by", "source"):
        out[name] = values.get(name, "")
    for name in ("title", "title_en", "ics", "ccs", "issued_by", "source", "replaces", "replaced_by"):
        limit = MAX_LENGTHS.get(name)
        if limit and len(out[name]) > limit:
            bad(name, _("超过 %(n)d 个字符。") % {"n": limit})
    demo = values.get("is_demo", "").lower()
    if demo not in _TRUE | _FALSE:
        bad("is_demo", _("示例标记应为 是/否。"))
    out["is_demo"] = demo in _TRUE
    # Columns the file has: an existing standard keeps the values of columns the file does not carry.
    out["columns"] = frozenset(values)
    return (None if issues else out), issues


def validate_rows(rows: Iterable[tuple[int, dict[str, str]]]) -> tuple[list[dict], list[RowIssue]]:
    good, issues = [], []
    first_row: dict[str, int] = {}
    for number, values in rows:
        cleaned, row_issues = validate_row(number, values)
        if cleaned is not None:
            seen = first_row.setdefault(cleaned["canonical"], number)
            if seen != number:
                row_issues.append(
                    RowIssue(
                        number,
                        _("标准号 %(code)s 与第 %(row)d 行重复。")
                        % {"code": cleaned["canonical"], "row": seen},
                        "code",
                    )
                )
                cleaned = None
        issues.extend(row_issues)
        if cleaned is not None:
            good.append(cleaned)
    return good, issues


# --- writing --------------------------------------------------------------------------------------------

#: What a row writes: the parts of the number (its key), then every column of the file but the number.
_COMPARED = ("code_without_year", "prefix", "year", "level", *(f for f in FIELDS if f != "code"))
#: Always taken from the row: parsed from the number, or required columns.
_DERIVED = frozenset({"code_without_year", "prefix", "year", "level", "title", "status"})
#: The part of a standard whose change its followers are told about.
_ALERTED = ("status", "replaced_by", "abolish_date", "implement_date")


def _search_text(values: dict) -> str:
    return index_text(values["title"], values["canonical"], values.get("title_en", ""))


def _snapshot(std: Standard) -> dict:
    return {f: getattr(std, f) for f in _ALERTED}


def upsert_standards(
    rows: list[dict],
    *,
    by=None,
    progress: Callable[[int, int], None] | None = None,
    action: str = "standards.catalog.imported",
) -> ImportReport:
    """Write validated rows (``validate_rows``) in one transaction; notify followers of what changed."""
    report = ImportReport(rows=len(rows))
    total = len(rows)
    with transaction.atomic():
        canonicals = [r["canonical"] for r in rows]
        linked = {c for r in rows for c in (*r["replaces"].split(","), *r["replaced_by"].split(",")) if c}
        existing: dict[str, Standard] = {}
        keys = list({*canonicals, *linked})
        for i in range(0, len(keys), 900):
            existing.update(
                {s.canonical: s for s in Standard.objects.filter(canonical__in=keys[i : i + 900])}
            )
        before = {c: _snapshot(s) for c, s in existing.items()}

        to_create, to_update = [], []
        for done, values in enumerate(rows, start=1):
            columns = values.get("columns")
            values = {k: v for k, v in values.items() if k != "columns"}
            std = existing.get(values["canonical"])
            # Fields derived from the number, and the required columns, always come from the row; the
            # others only where the file has that column (a file without 来源 must not blank the source).
            fields = [f for f in _COMPARED if columns is None or f in _DERIVED or f in columns]
            if std is None:
                std = Standard(**values, search_text=_search_text(values))
                to_create.append(std)
                existing[std.canonical] = std
            elif any(getattr(std, f) != values[f] for f in fields):
                for f in fields:
                    setattr(std, f, values[f])
                std.search_text = _search_text(values)
                to_update.append(std)
            else:
                report.unchanged += 1
            if progress and (done % BATCH == 0 or done == total):
                progress(done, total)
        Standard.objects.bulk_create(to_create, batch_size=BATCH)
        update_fields = [*_COMPARED, "search_text", "updated_at"]
        from django.utils import timezone

        now = timezone.now()
        for std in to_update:
            std.updated_at = now
        Standard.objects.bulk_update(to_update, update_fields, batch_size=BATCH)
        report.created, report.updated = len(to_create), len(to_update)

        # Links in one direction imply the other: "B replaces A" → A is replaced by B.
        imported = {r["canonical"] for r in rows}
        linked_updates = {}
        for values in rows:
            for old in filter(None, values["replaces"].split(",")):
                target = existing.get(old)
                if (
                    target
                    and target.pk
                    and old not in imported
                    and values["canonical"] not in target.replaced_by_list()
                ):
                    target.replaced_by = ",".join([*target.replaced_by_list(), values["canonical"]])
                    linked_updates[target.pk] = target
            for new in filter(None, values["replaced_by"].split(",")):
                target = existing.get(new)
                if (
                    target
                    and target.pk
                    and new not in imported
                    and values["canonical"] not in target.replaces_list()
                ):
                    target.replaces = ",".join([*target.replaces_list(), values["canonical"]])
                    linked_updates[target.pk] = target
        if linked_updates:
            Standard.objects.bulk_update(
                list(linked_updates.values()), ["replaces", "replaced_by"], batch_size=BATCH
            )

        changed = []
        for canonical, old in before.items():
            std = existing[canonical]
            new = _snapshot(std)
            if new != old:
                changed.append((std, old, new))
        report.changes = [
            {
                "standard": s.canonical,
                **{f: [str(o[f] or ""), str(n[f] or "")] for f in _ALERTED if o[f] != n[f]},
            }
            for s, o, n in changed
        ]
        if to_create or to_update or linked_updates:
            audit.record(
                by,
                action,
                None,
                {
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "changed": [c["standard"] for c in report.changes][:100],
                },
                username="manage.py" if by is None else "",
            )
        services.notify_changes(changed, existing)
    return report


def import_standards(data: bytes, filename: str, *, by=None, progress=None) -> ImportReport:
    """Validate the whole file, then upsert it; ``StandardImportRejected`` (nothing written) on bad rows."""
    rows, issues = validate_rows(read_table(data, filename))
    if issues:
        raise StandardImportRejected(issues)
    return upsert_standards(rows, by=by, progress=progress)


# --- background job for the upload page ------------------------------------------------------------------


def can_import(user) -> bool:
    return scope_of(user).is_admin


KIND = "standards.catalog"


def import_job_start(*, data: bytes, filename: str, by) -> str:
    """Validate now (raising like ``import_standards``), then queue the upsert (on commit); returns the
    job id."""
    if not can_import(by):
        raise PermissionDenied(_("只有平台管理员可以导入标准目录。"))
    rows, issues = validate_rows(read_table(data, filename))
    if issues:
        raise StandardImportRejected(issues)
    job = imports.start(KIND, by=by, data=data, filename=filename, scope_label=_("标准目录"), total=len(rows))
    return job.pk.hex


def import_job_get(job_id: str, *, fetched_by) -> dict | None:
    job = imports.get(job_id, fetched_by=fetched_by, kind=KIND)
    return None if job is None else imports.view(job)


def run_job(job, data: bytes, progress) -> dict:
    """``core.imports`` runner (permission checked again as the uploader)."""
    if not can_import(job.created_by):
        raise PermissionDenied(_("只有平台管理员可以导入标准目录。"))
    report = import_standards(
        data,
        job.filename,
        by=job.created_by,
        progress=lambda done, total: progress("writing", done, total),
    )
    return report.as_dict()


def import_job_run(job_id: str) -> None:
    imports.run(job_id)


def template_csv() -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            "标准号",
            "标准名称",
            "英文名称",
            "性质",
            "状态",
            "发布日期",
            "实施日期",
            "废止日期",
            "代替标准",
            "被代替标准",
            "ICS",
            "CCS",
            "发布机构",
        ]
    )
    return out.getvalue().encode("utf-8")


# --- the shipped reference files ---------------------------------------------------------------------


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_classifications() -> tuple[int, int]:
    """ICS and CCS trees from ``data/`` (upsert; parents before children)."""
    n = 0
    for model, name, fields in (
        (IcsCode, "ics_codes.csv", ("name_zh", "name_en", "level")),
        (CcsCode, "ccs_codes.csv", ("name", "level", "notes")),
    ):
        rows = _read_csv(name)
        existing = set(model.objects.values_list("code", flat=True))
        create = [
            model(code=r["code"], parent_id=r["parent_code"] or None, **{f: r[f] for f in fields})
            for r in rows
            if r["code"] not in existing
        ]
        update = [
            model(code=r["code"], parent_id=r["parent_code"] or None, **{f: r[f] for f in fields})
            for r in rows
            if r["code"] in existing
        ]
        # Parents first: the files list them in tree order, and SQLite/PostgreSQL check FKs at commit.
        model.objects.bulk_create(create, batch_size=BATCH)
        model.objects.bulk_update(update, ["parent", *fields], batch_size=BATCH)
        n += len(rows)
    load_ics_field_names()
    return IcsCode.objects.count(), CcsCode.objects.count()


def load_ics_field_names() -> int:
    """The Chinese names of the 40 ICS fields (``ics_fields_zh.csv``; groups and subgroups have none yet)."""
    n = 0
    for r in _read_csv("ics_fields_zh.csv"):
        n += (
            IcsCode.objects.filter(code=r["code"], level=IcsCode.Level.FIELD)
            .exclude(name_zh=r["name_zh"])
            .update(name_zh=r["name_zh"])
        )
    return n


def food_safety_rows() -> list[dict[str, str]]:
    """``food_safety_standards_subset.csv`` as catalog rows. The source marks superseded editions 现行, so
    SOURCES.md left ``status`` blank where a later edition of the same number is in the list: such an edition
    is abolished (replaced by the next one) when a later edition is in force, and current while every later
    edition is only upcoming (GB 7718-2011 until GB 7718-2025 takes effect)."""
    rows = _read_csv("food_safety_standards_subset.csv")
    status = {r["code"]: r["status"] for r in rows}
    out = []
    for r in rows:
        values = {k: r.get(k, "") for k in FIELDS if k in r}
        newer = [c.strip() for c in (r.get("newer_edition_in_list") or "").split(";") if c.strip()]
        if not values.get("status") and newer:
            if any(status.get(c) in ("current", "") for c in newer):
                values["status"] = "abolished"
                values["replaced_by"] = values.get("replaced_by") or newer[0]
            else:
                values["status"] = "current"
        out.append(values)
    return out


def load_catalog_rows() -> list[dict]:
    """The rows of standards_sample.csv, food_safety_standards_subset.csv and standards_core.csv (a later file
    wins on a clash: core last), validated."""
    merged: dict[str, tuple[str, int, dict]] = {}
    errors = []
    files = (
        ("standards_sample.csv", _read_csv("standards_sample.csv")),
        ("food_safety_standards_subset.csv", food_safety_rows()),
        ("standards_core.csv", _read_csv("standards_core.csv")),
    )
    for name, file_rows in files:
        for number, values in enumerate(file_rows, start=2):
            values = {k: " ".join((v or "").split()) for k, v in values.items() if k in FIELDS}
            _drop_self_links(values)
            cleaned, issues = validate_row(number, values)
            if issues:
                errors.extend(f"{name}:{i.row} {i.field} {i.message}" for i in issues)
                continue
            merged[cleaned["canonical"]] = (name, number, cleaned)
    if errors:
        raise ValueError("\n".join(errors))
    return [v[2] for v in merged.values()]


def _drop_self_links(values: dict) -> None:
    """The sample has one row replaced by itself (GB 9668-1996, a slip of its source's version matching,
    whose replaced_by values SOURCES.md calls hints): a shipped file drops such a link instead of failing."""
    try:
        own = parse_standard_number(values.get("code", "")).canonical
    except ValueError:
        return
    for name in ("replaces", "replaced_by"):
        kept = []
        for part in (values.get(name) or "").split(","):
            try:
                if part.strip() and parse_standard_number(part).canonical == own:
                    continue
            except ValueError:
                pass
            kept.append(part)
        values[name] = ",".join(p for p in kept if p.strip())


def load_requirements() -> int:
    """The requirement table of GB 18401-2010 (needs the catalog loaded)."""
    n = 0
    for r in _read_csv("requirements_gb18401_2010.csv"):
        std = Standard.objects.get(canonical=parse_standard_number(r["standard"]).canonical)
        Requirement.objects.update_or_create(
            standard=std,
            category=r["safety_category"],
            item=r["item"],
            defaults={"requirement": r["requirement"], "unit": r["unit"]},
        )
        n += 1
    return n
