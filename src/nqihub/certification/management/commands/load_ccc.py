"""``manage.py load_ccc``: seed the CCC catalogue editions shipped in ``certification/data`` (idempotent)."""

from django.core.management.base import BaseCommand

from nqihub.certification.catalogue import load_seed_editions


class Command(BaseCommand):
    help = "载入CCC目录的种子版本（旧版目录与2023年修订的部分目录）。可重复运行。"

    def handle(self, *args, **options):
        counts = load_seed_editions()
        for key, n in counts.items():
            self.stdout.write(f"{key}: {n} products")
        self.stdout.write(self.style.SUCCESS("CCC catalogue loaded"))
