from django.core.management.base import BaseCommand

from nqihub.core.imports import sweep


class Command(BaseCommand):
    help = (
        "导入任务维护：重新排队无人处理的任务，标记中断的任务，删除超过保存期限（IMPORT_JOB_RETENTION_DAYS）"
        "的任务及无任务读取的上传文件（imports/ 目录）。"
    )

    def handle(self, *args, **options):
        counts = sweep()
        self.stdout.write(
            "requeued {requeued}, stalled {stalled}, deleted {deleted_jobs} job(s) and "
            "{deleted_files} stale import file(s)".format(**counts)
        )
