from django.core.management.base import BaseCommand

from nqihub.labels.photo_jobs import sweep


class Command(BaseCommand):
    help = "删除工作进程未读取的标签照片（label-photos/ 目录中超过 1 小时的文件）。"

    def handle(self, *args, **options):
        counts = sweep()
        self.stdout.write("deleted {deleted} stale label photo(s)".format(**counts))
