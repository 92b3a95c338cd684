"""``manage.py restore DIR``: replace the database with the backup in ``DIR`` and put back its files, after
checking every hash of the backup; then count every table and hash every file again and fail on any
difference. Stop the web and worker processes first. Asks for confirmation unless ``--no-input``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nqihub.core.backup import BackupError, read_manifest, restore


class Command(BaseCommand):
    help = "从备份目录恢复数据库与文件（会覆盖当前数据），恢复后逐表核对行数、逐个核对文件哈希。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="manage.py backup 写出的目录")
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive", help="不再确认"
        )

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        try:
            manifest = read_manifest(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["interactive"]:
            answer = input(
                f"Replace the database and files with the backup of {manifest['created_at']}? Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            result = restore(directory, log=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.problems:
            for problem in result.problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError(f"restored, but {len(result.problems)} difference(s) from the backup remain")
        self.stdout.write(
            f"restored from {directory}: {result.tables} tables and {result.rows} rows, {result.files} files — "
            "every count and hash equal to the backup"
        )
