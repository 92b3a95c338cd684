"""``manage.py import_scope INSTITUTION_ID FILE``: import a capability-scope file (CSV / XLSX) for one
institution, all rows or none, with the same checks as the upload page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nqihub.accounts.models import User
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.directory.imports import ScopeImportRejected, scope_import
from nqihub.directory.models import Institution


class Command(BaseCommand):
    help = "导入一个机构的能力范围（CSV 或 XLSX）：有任何一行出错则不导入；可重复运行（按产品、项目、方法更新）。"

    def add_arguments(self, parser):
        parser.add_argument("institution_id", type=int, help="机构编号（Institution id）")
        parser.add_argument("file", type=Path, help=".xlsx 或 .csv 文件")
        parser.add_argument("--replace", action="store_true", help="删除该机构在文件中没有的能力范围行")
        parser.add_argument(
            "--user",
            help="以该用户身份导入（检查其权限并记入审计日志）；不填则以命令行（系统）身份导入",
        )
        parser.add_argument(
            "--max-bytes", type=int, default=None, help="文件大小上限（默认 IMPORT_MAX_BYTES）"
        )

    def handle(self, *args, **options):
        institution = Institution.objects.filter(pk=options["institution_id"]).first()
        if institution is None:
            raise CommandError(f"机构 {options['institution_id']} 不存在。")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户 {options['user']} 不存在。")

        def progress(phase: str, done: int, total: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {'校验' if phase == 'checking' else '写入'} {done}/{total or '?'}")

        try:
            report = scope_import(
                institution=institution,
                data=path.read_bytes(),
                filename=path.name,
                by=user,
                replace=options["replace"],
                progress=progress,
                max_bytes=options["max_bytes"],
            )
        except ScopeImportRejected as exc:
            for issue in exc.errors:
                self.stderr.write(f"第{issue.row}行：{issue.message}")
            raise CommandError(exc.message) from exc
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for issue in report.warnings:
            self.stdout.write(f"提示 第{issue.row}行：{issue.message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{institution.name}：共 {report.rows} 行，新增 {report.created}，更新 {report.updated}，"
                f"未变 {report.unchanged}，删除 {report.deleted}，未映射检测项目 {report.unmapped_parameters}"
            )
        )
