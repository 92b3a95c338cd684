"""``manage.py send_reminders [--date YYYY-MM-DD] [--only metrology|certification]``: the daily reminder
sweeps — instrument due dates (metrology) and certificate expiries and surveillance audits
(certification); Celery beat runs each as its own periodic job. Safe to run twice a day."""

from nqihub.core.periodic import JobCommand

JOBS = {"metrology": "metrology.send_reminders", "certification": "certification.send_reminders"}


class Command(JobCommand):
    help = "发送计量器具到期提醒与认证证书到期提醒。同一天重复运行不会重复发送。"
    takes_date = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--only", choices=sorted(JOBS), help="只运行其中一项")

    def handle(self, *args, **options):
        labels = [options["only"]] if options.get("only") else list(JOBS)
        for label in labels:
            self.run_job(JOBS[label], options, label=label)
