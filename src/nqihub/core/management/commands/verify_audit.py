"""Checks the audit log's SM3 chain and names every changed, inserted, deleted or reordered entry.

``manage.py verify_audit`` walks the database from the last archive anchor; ``--archive FILE`` checks an
archive written by ``archive_audit`` (signature, digest and the chain inside it). Exit status 1 when
anything is wrong, so that cron or a monitoring probe can alert on it.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nqihub.core import audit
from nqihub.core.audit_archive import verify_archive
from nqihub.core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (SM3) and name tampered entries."

    def add_arguments(self, parser):
        parser.add_argument("--archive", nargs="*", default=None, help="verify these archive files instead")

    def handle(self, *args, archive, **options):
        if archive is not None:
            problems = [p for name in archive for p in verify_archive(Path(name))]
            checked = f"{len(archive)} archive file(s)"
        else:
            problems = [str(p) for p in audit.verify()]
            checked = f"{AuditEntry.objects.count()} entries, head {audit.chain_head() or '-'}"
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"audit log: {len(problems)} problem(s) found in {checked}")
        self.stdout.write(f"audit log intact: {checked}")
