"""``manage.py run_periodic``: run every periodic job that is due (state in the database), for sites
without Celery beat — put it in cron every few minutes:

    */5 * * * *  cd /srv/nqihub && .venv/bin/python manage.py run_periodic

``--list`` shows each job's schedule and last run; ``--job NAME`` (repeatable) limits the run;
``--force`` runs them whether due or not. Jobs already running elsewhere (beat, another cron) are skipped.
Exit status 1 when a job failed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from nqihub.core import periodic
from nqihub.core.schedule import BY_NAME


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


class Command(BaseCommand):
    help = "运行到期的定时任务（无 Celery beat 的站点用 cron 定时调用）。"

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="列出各任务的周期与最近运行情况")
        parser.add_argument("--job", action="append", default=[], help="只运行此任务（可重复）")
        parser.add_argument("--force", action="store_true", help="不论是否到期都运行")

    def handle(self, *args, **options):
        unknown = [n for n in options["job"] if n not in BY_NAME]
        if unknown:
            raise CommandError(f"未知的定时任务：{', '.join(unknown)}（可用：{', '.join(BY_NAME)}）")
        if options["list"]:
            for spec, row, due in periodic.states():
                status = row.last_status if row else ""
                self.stdout.write(
                    f"{spec.name:32} every {spec.every}  last {_when(row and row.last_started_at)} "
                    f"{status or 'never':8} {'DUE' if due else ''}  ({spec.command}: {spec.description})"
                )
            return
        outcomes = periodic.run_due(names=options["job"] or None, force=options["force"])
        for outcome in outcomes:
            detail = outcome.error or outcome.result
            self.stdout.write(
                f"{outcome.name}: {outcome.status} {detail if detail is not None else ''}".rstrip()
            )
        if not outcomes:
            self.stdout.write("nothing due")
        if any(o.status == "failed" for o in outcomes):
            raise CommandError("some periodic jobs failed (see above)")
