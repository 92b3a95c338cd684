from django.core.management.base import BaseCommand

from nqihub.notifications.digest import send_daily_digests


class Command(BaseCommand):
    help = "发送每日通知摘要邮件（已选择“每日摘要”的用户，每天一封）。"

    def handle(self, *args, **options):
        counts = send_daily_digests()
        self.stdout.write("daily digests: {sent} sent, {empty} empty, {failed} failed".format(**counts))
