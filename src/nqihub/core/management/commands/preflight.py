"""``manage.py preflight``: what this installation lacks to run in production, each named — the settings
(``DEBUG`` off, ``SECRET_KEY``, field keys, ``ALLOWED_HOSTS``, PostgreSQL, Redis, the broker …) and
whether PostgreSQL, Redis, the broker and the file storage answer. ``make prod`` runs it first and stops
when it fails (exit status 1)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nqihub.core import preflight


class Command(BaseCommand):
    help = "检查生产环境配置是否齐全、PostgreSQL/Redis/消息队列/文件存储是否可用。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--no-connect", action="store_true", help="只检查配置，不连接各服务")

    def handle(self, *args, **options):
        problems = []
        if settings.DEBUG:
            problems.append("DEBUG is on: set DEBUG=false for production.")
        problems += preflight.configuration_problems()
        if not options["no_connect"]:
            problems += preflight.connection_problems()
        if problems:
            for problem in problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError(f"not ready for production: {len(problems)} problem(s) above")
        self.stdout.write("production configuration complete; every service answers")
