from django.core.management.base import BaseCommand

from .load_demo import DEMO_USERS, demo_password


class Command(BaseCommand):
    help = "打印示例账户。"

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write("NQI Hub demo logins (示例账户) — password for all: " + demo_password())
        for username, (_display, _org, role, desc) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<14} {role:<18} {desc}")
        self.stdout.write("")
