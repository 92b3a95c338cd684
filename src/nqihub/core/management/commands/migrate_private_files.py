"""``manage.py migrate_private_files``: move uploads from their public-era places (``desk/<id>/<name>`` under
the old ``MEDIA_ROOT``, once served at ``/media/``) into the private storage under random object names,
and point their rows there. The original name stays in the row. Safe to run again (``make prod`` and
``make migrate`` do): rows already moved are skipped."""

from django.core.management.base import BaseCommand

from nqihub.core.files import migrate_legacy_files


class Command(BaseCommand):
    help = "把旧版公开目录中的上传文件迁入私有存储（随机对象名），可重复运行。"

    def handle(self, *args, **options):
        counts = migrate_legacy_files(log=self.stderr.write)
        self.stdout.write(
            f"private files: {counts['moved']} moved, {counts['missing']} missing, {counts['kept']} already private"
        )
