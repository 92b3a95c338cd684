"""``manage.py backup DIR``: the database (PostgreSQL: ``pg_dump``; SQLite: its backup API), every stored file,
and ``manifest.json`` with the row count of every table and the SHA-256 of the dump and of each file.
``DIR`` must be new or empty. See core.backup and docs/operations.md."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nqihub.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库与全部文件到指定目录（含行数与哈希清单）。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录（新建或空目录）")

    def handle(self, *args, **options):
        try:
            result = backup(Path(options["directory"]), log=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written to {result.directory}: {result.tables} tables, {result.rows} rows, {result.files} files"
        )
