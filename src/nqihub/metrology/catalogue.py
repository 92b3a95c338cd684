"""The catalogue of instruments under mandatory verification (强制检定目录).

Seeded from ``data/mandatory_verification_1987.csv`` (强制检定的工作计量器具明细目录, 1987; partial: items 1–37
and ten later categories). The 2020 catalogue (实施强制管理的计量器具目录) replaced it and no copy of its
table was found, so every seeded row is marked ``needs_review`` with its source and year; admins maintain the
table in the admin site. ``suggest_entry`` proposes an entry for an instrument name.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .models import MandatoryCatalogueEntry

DATA_FILE = Path(__file__).resolve().parent / "data" / "mandatory_verification_1987.csv"
SOURCE_YEAR = 1987
SOURCE_TITLE = "强制检定的工作计量器具明细目录（1987）"


@dataclass(frozen=True)
class CatalogueRow:
    category: str
    category_number: str
    name: str
    note: str
    source: str


def read_rows(path: Path = DATA_FILE) -> list[CatalogueRow]:
    """One row per instrument (the CSV lists a category's instruments separated by 、); a category whose
    list was cut off in the source becomes one row named after the category."""
    rows: list[CatalogueRow] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for item in csv.DictReader(fh):
            category = item["category"].strip()
            names = [n.strip() for n in (item["instruments"] or "").split("、") if n.strip()] or [category]
            source = f"{SOURCE_TITLE}；{item['source'].strip()}"
            for name in names:
                rows.append(
                    CatalogueRow(
                        category=category,
                        category_number=(item["seq"] or "").strip(),
                        name=name,
                        note=(item["note"] or "").strip()[:255],
                        source=source,
                    )
                )
    return rows


def load(model) -> int:
    """Create or update the 1987 rows in ``model`` (the real model or a migration's historical one).
    Re-runnable; an admin's ``is_active`` / ``needs_review`` choices on existing rows are kept."""
    count = 0
    for row in read_rows():
        model.objects.update_or_create(
            category=row.category,
            name=row.name,
            source_year=SOURCE_YEAR,
            defaults={"category_number": row.category_number, "note": row.note, "source": row.source},
            create_defaults={
                "category_number": row.category_number,
                "note": row.note,
                "source": row.source,
                "needs_review": True,
            },
        )
        count += 1
    return count


def suggest_entry(name: str):
    """The active catalogue entry an instrument called ``name`` most likely is: the same name, else an entry
    whose name is part of it (the longest), else a category whose name is part of it. ``None`` if none."""
    name = "".join((name or "").split())
    if not name:
        return None
    entries = list(MandatoryCatalogueEntry.objects.filter(is_active=True).order_by("-source_year", "id"))
    for entry in entries:
        if entry.name == name:
            return entry
    contained = [e for e in entries if e.name and e.name in name]
    if contained:
        return max(contained, key=lambda e: len(e.name))
    by_category = [e for e in entries if e.category and e.category in name]
    if by_category:
        return max(by_category, key=lambda e: len(e.category))
    return None
