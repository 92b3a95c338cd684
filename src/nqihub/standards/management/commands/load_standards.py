"""Load the standards shipped in standards/data: the catalog (standards_sample.csv + standards_core.csv,
core wins on a clash), the ICS and CCS classifications and the GB 18401-2010 requirement table.
Re-runnable: an upsert by canonical number."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nqihub.core.models import ReferenceDataVersion
from nqihub.standards import imports


class Command(BaseCommand):
    help = "载入标准目录（真实记录）、ICS/CCS 分类与 GB 18401-2010 技术要求表。可重复运行。"

    def handle(self, *args, **options):
        try:
            rows = imports.load_catalog_rows()
        except ValueError as exc:
            raise CommandError(f"标准数据有误，未导入：\n{exc}") from exc
        with transaction.atomic():
            n_ics, n_ccs = imports.load_classifications()
            report = imports.upsert_standards(rows, action="standards.catalog.loaded")
            n_req = imports.load_requirements()
            for dataset, source, n in (
                (
                    "standards",
                    "haiqing85/sports-standards1@e7124891 + xiongying118/infant-std-watch@a9d05d8f + core",
                    len(rows),
                ),
                ("ics", "metanorma/isoics@214d9eb6", n_ics),
                ("ccs", "metanorma/cnccs@12d5a9b0", n_ccs),
            ):
                ReferenceDataVersion.objects.update_or_create(
                    dataset=dataset, defaults={"source": source, "version": "2026", "rows": n}
                )
        self.stdout.write(
            f"standards: {report.rows} (created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}), ics: {n_ics}, ccs: {n_ccs}, requirements: {n_req}"
        )
