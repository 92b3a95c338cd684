"""``manage.py import_standards FILE``: import a CSV or XLSX catalog file. Every bad row is reported with
its number (header = row 1) and reason, and nothing is imported while any row is bad."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nqihub.core.errors import ValidationFailed
from nqihub.standards.imports import StandardImportRejected, import_standards


class Command(BaseCommand):
    help = "从 CSV 或 XLSX 文件导入标准目录（按标准号更新或新增；任一行有误则不导入）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv 或 .xlsx 文件")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")

        def progress(done, total):
            self.stdout.write(f"\r{done}/{total}", ending="")

        try:
            report = import_standards(path.read_bytes(), path.name, progress=progress)
        except StandardImportRejected as exc:
            lines = [f"第 {e.row} 行 [{e.field}] {e.message}" for e in exc.errors]
            raise CommandError(exc.message + "\n" + "\n".join(lines)) from exc
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write("")
        self.stdout.write(
            f"rows {report.rows}: created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        )
        for change in report.changes:
            self.stdout.write(f"changed: {change}")
