"""Archives audit entries older than AUDIT_RETENTION_DAYS (≥ 180) to a signed file, then deletes them.

Runs daily (Celery beat ``core.archive_audit``, or cron). Each run archives at most ``--limit`` entries
into one file under AUDIT_ARCHIVE_DIR; it runs again until nothing is old enough. The chain continues from
the anchor it records (``verify_audit``).
"""

from django.core.management.base import BaseCommand, CommandError

from nqihub.core.audit_archive import archive


class Command(BaseCommand):
    help = "Archive (signed JSON lines) and delete audit entries past the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100_000, help="entries per archive file")

    def handle(self, *args, limit, **options):
        if not 1 <= limit <= 10_000_000:
            raise CommandError("--limit must be between 1 and 10000000")
        files = 0
        while (anchor := archive(limit=limit)) is not None:
            files += 1
            self.stdout.write(
                f"{anchor.archive}: {anchor.count} entries (#{anchor.first_id}–#{anchor.last_id})"
            )
        self.stdout.write(f"{files} archive file(s) written")
