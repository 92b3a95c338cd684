"""``manage.py send_reminders [--date YYYY-MM-DD]``: the daily reminder sweep (the Celery beat task calls the
same code): instrument due dates (metrology) and, when that app provides one, certificate expiries
(certification). Safe to run twice a day."""

import datetime
import importlib

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "发送计量器具到期提醒（及证书到期提醒，如已安装）。同一天重复运行不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按指定日期运行（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期应为 YYYY-MM-DD：{options['date']}") from exc
        from nqihub.metrology.reminders import sweep

        self.stdout.write(f"metrology: {sweep(today)}")
        try:
            certification = importlib.import_module("nqihub.certification.reminders")
        except ImportError:
            certification = None
        if certification is not None and hasattr(certification, "sweep"):
            self.stdout.write(f"certification: {certification.sweep(today)}")
        else:
            self.stdout.write("certification: skipped (no nqihub.certification.reminders.sweep)")
