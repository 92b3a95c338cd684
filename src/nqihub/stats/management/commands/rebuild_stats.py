"""Recompute every statistics table from the service requests (repair after bulk writes or a bug fix)."""

from django.core.management.base import BaseCommand

from nqihub.stats import rollups


class Command(BaseCommand):
    help = "Rebuild the statistics rollups from the service requests."

    def handle(self, *args, **options):
        counts = rollups.rebuild()
        self.stdout.write(self.style.SUCCESS(f"statistics rebuilt: {counts}"))
