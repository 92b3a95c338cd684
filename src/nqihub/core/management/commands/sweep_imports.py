from django.core.management.base import BaseCommand

from nqihub.core.uploads import sweep_stale_imports


class Command(BaseCommand):
    help = "删除超过 25 小时、已无导入任务读取的上传文件（imports/ 目录）。"

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {sweep_stale_imports()} stale import file(s)")
