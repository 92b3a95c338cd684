"""Rule packs and reference tables: loaded once from ``data/rules/*.json`` and ``data/ref/*.csv``.

A rule pack is data: the fields a label of the category must carry, each field's checks (a check ``kind``
from :mod:`nqihub.labels.checker` with its parameters, messages, fixes and source standard), and checks that
span fields (``label_checks``). Adding a category is adding a JSON file; changing a message, a list of units
or a source standard is editing one. ``version`` is shown with every result so a finding can be traced to the
pack that produced it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
RULES = DATA / "rules"
REF = DATA / "ref"


class UnknownCategory(ValueError):
    """``check_label`` / ``extract_fields`` with a category that has no rule pack."""

    def __init__(self, category: object) -> None:
        self.category = category
        known = "、".join(f"{k}（{p['title']}）" for k, p in packs().items())
        super().__init__(f"未知的标签类别“{category}”。可用类别：{known}")


@cache
def editions() -> dict[str, list[dict]]:
    """Every rule pack by category, oldest edition first (``effective``: the date its standards apply from;
    a pack without one has always applied)."""
    out: dict[str, list[dict]] = {}
    for path in sorted(RULES.glob("*.json")):
        p = json.loads(path.read_text(encoding="utf-8"))
        out.setdefault(p["category"], []).append(p)
    for items in out.values():
        items.sort(key=lambda p: p.get("effective", ""))
    return dict(sorted(out.items(), key=lambda kv: (kv[1][0].get("order", 99), kv[0])))


#: Standards take effect on Beijing dates.
_BEIJING = timezone(timedelta(hours=8))


def pack_on(category: object, on: date | None = None) -> dict:
    """The pack in force on ``on`` (default today): the newest edition whose ``effective`` date has come."""
    if not isinstance(category, str) or category not in editions():
        raise UnknownCategory(category)
    day = (on or datetime.now(_BEIJING).date()).isoformat()
    items = editions()[category]
    current = items[0]
    for p in items:
        if p.get("effective", "") <= day:
            current = p
    return current


def packs() -> dict[str, dict]:
    """The pack in force today for every category, in menu order."""
    return {k: pack_on(k) for k in editions()}


def pack(category: object) -> dict:
    """The pack in force today (``pack_on`` for another date)."""
    return pack_on(category)


def categories() -> list[tuple[str, str]]:
    """``[(key, title), …]`` for menus."""
    return [(k, p["title"]) for k, p in packs().items()]


def field_keys(category: str) -> list[str]:
    return [f["key"] for f in pack(category)["fields"]]


def _read(name: str) -> list[dict]:
    with (REF / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _names_in(text: str) -> list[str]:
    """``莱赛尔纤维（莱赛尔）`` → ``["莱赛尔纤维", "莱赛尔"]``; ``锦纶、尼龙`` → both."""
    out = []
    for part in text.replace("（", "、").replace("）", "").replace("(", "、").replace(")", "").split("、"):
        part = part.strip()
        if part:
            out.append(part)
    return out


@dataclass(frozen=True)
class FibreNames:
    #: Generic names and allowed short names.
    generic: frozenset[str]
    #: Trade, commercial or wrong names → the generic name to print instead (as the table writes it).
    wrong: dict[str, str] = field(default_factory=dict)


@cache
def fibre_names() -> FibreNames:
    generic: set[str] = set()
    for row in _read("fibre_names.csv"):
        generic.add(row["name_zh"])
        generic.update(_names_in(row["short_name_zh"]))
    wrong: dict[str, str] = {}
    for row in _read("fibre_trade_names.csv"):
        names = _names_in(row["generic_name_zh"])
        if row["status"].startswith("generic short name"):
            generic.add(row["trade_name"])
            generic.update(names)
        else:
            wrong[row["trade_name"].upper()] = row["generic_name_zh"]
            generic.update(names)  # 聚酯纤维（涤纶）: 涤纶 is the short name the table gives
    return FibreNames(frozenset(generic), wrong)


@dataclass(frozen=True)
class Nutrient:
    name: str  # 能量, 钠, 维生素B1
    unit: str  # kJ, g, mg, μg (the base unit, without RE / α-TE / DFE)
    interval: float
    zero_limit: float
    nrv: float | None


def _base_unit(unit: str) -> str:
    return unit.split()[0] if unit else ""


def _short(name: str) -> str:
    """``维生素B1（硫胺素）`` → ``维生素B1``; ``饱和脂肪（酸）`` → ``饱和脂肪``."""
    for bracket in ("（", "(", "["):
        name = name.split(bracket)[0]
    return name.strip()


@cache
def nutrients(edition: str = "GB 28050-2011") -> dict[str, Nutrient]:
    """GB 28050 表1 (names, units, rounding interval, "0" limit) joined with 表A.1 (NRV), keyed by every
    name a label may use for the nutrient (full name, name without the bracket, the NRV table's name)."""
    use_2025 = edition.endswith("2025")
    nrv: dict[str, float] = {}
    for row in _read("nrv_gb28050.csv"):
        name, value = (row["nutrient_2025"], row["nrv_2025"]) if use_2025 else (row["nutrient"], row["nrv"])
        if name and value:
            nrv[name] = float(value)
    out: dict[str, Nutrient] = {}
    for row in _read("nutrition_rounding_gb28050.csv"):
        if row["standard"] != edition:
            continue
        full = row["component"]
        short = _short(full)
        value = nrv.get(short)
        if value is None:  # 饱和脂肪（酸） ↔ 饱和脂肪酸
            value = next((v for k, v in nrv.items() if k.startswith(short) or short.startswith(k)), None)
        n = Nutrient(
            short,
            _base_unit(row["zero_limit_unit"]),
            float(row["rounding_interval"]),
            float(row["zero_limit"]),
            value,
        )
        for key in {full, short, full.replace("（", "(").replace("）", ")")}:
            out.setdefault(key, n)
    for name in nrv:  # 饱和脂肪酸 as the NRV table spells it
        if name not in out:
            match = next((n for n in out.values() if name.startswith(n.name)), None)
            if match is not None:
                out[name] = match
    return out
