"""``manage.py stats_upkeep [--full]``: bring the statistics in line with the service requests where they
drifted (stats.upkeep; the Celery beat job ``stats.upkeep`` runs it daily). ``--full`` rebuilds every
statistics table instead (``rebuild_stats``)."""

from nqihub.core.periodic import JobCommand
from nqihub.stats import rollups


class Command(JobCommand):
    help = "核对统计汇总与服务需求，修复不一致之处（--full：全部重算）。"
    job_name = "stats.upkeep"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="全部重算（与 rebuild_stats 相同）")

    def handle(self, *args, **options):
        if options["full"]:
            self.stdout.write(f"statistics rebuilt: {rollups.rebuild()}")
            return
        super().handle(*args, **options)
