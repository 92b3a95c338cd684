"""Routing a service request to the station that serves it: a pure function, no Django.

Given the enterprise's county code, its industry code (GB/T 4754) and the stations (with the counties they
serve and the industries they specialise in), pick:

1. the stations whose service area covers the county; among several, the one whose industries match the
   enterprise's industry most precisely (the 4-digit class, then its 3-digit group, then its 2-digit
   division); remaining ties go to the lowest id, so the answer is deterministic;
2. no station covers the county → the city-level platform (``level = "city"``);
3. the county code has no city part (a province-level code) → the province platform.

The reason is returned as a sentence to record on the request ("按服务区域分派至…").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

LEVEL_STATION = "station"
LEVEL_CITY = "city"
LEVEL_PROVINCE = "province"


@dataclass(frozen=True)
class StationInfo:
    id: int
    name: str
    counties: frozenset[str] = field(default_factory=frozenset)
    industries: frozenset[str] = field(default_factory=frozenset)
    #: The station's own level (e.g. "county", "city"); informative only.
    level: str = "county"


@dataclass(frozen=True)
class Route:
    station_id: int | None
    level: str
    reason: str
    #: The region code of the platform that handles the request when no station does.
    platform_region: str | None = None

    def __iter__(self):
        # ``station_id, level, reason = route(...)``
        return iter((self.station_id, self.level, self.reason))


def city_of(county: str) -> str:
    return county[:4] + "00"


def province_of(county: str) -> str:
    return county[:2] + "0000"


def industry_affinity(industry: str, served: Iterable[str]) -> int:
    """How precisely a station's industries cover ``industry``: 4 exact class, 3 same group, 2 same
    division, 1 same section letter or a served code that is a prefix of it, 0 none."""
    industry = (industry or "").strip().upper()
    if not industry:
        return 0
    best = 0
    for code in served:
        code = (code or "").strip().upper()
        if not code:
            continue
        if code == industry:
            return 4
        if industry.isdigit() and code.isdigit():
            common = 0
            for a, b in zip(code, industry, strict=False):
                if a != b:
                    break
                common += 1
            if common >= 2:
                best = max(best, min(common, 3))
        elif industry.startswith(code) or code.startswith(industry):
            best = max(best, 1)
    return best


def _as_info(s) -> StationInfo:
    if isinstance(s, StationInfo):
        return s
    if isinstance(s, dict):
        return StationInfo(
            id=s["id"],
            name=s["name"],
            counties=frozenset(s.get("counties", ())),
            industries=frozenset(s.get("industries", ())),
            level=s.get("level", "county"),
        )
    sid, name, counties, industries, *rest = s
    return StationInfo(sid, name, frozenset(counties), frozenset(industries), rest[0] if rest else "county")


def route(county: str, industry: str | None, stations: Sequence) -> Route:
    """Which station handles a request from ``county`` in ``industry``, and why.

    ``stations``: ``StationInfo`` objects, dicts with the same keys, or tuples
    ``(id, name, counties, industries[, level])``.
    """
    county = (county or "").strip()
    candidates = [info for info in map(_as_info, stations) if county in info.counties]
    if candidates:
        scored = sorted(candidates, key=lambda s: (-industry_affinity(industry or "", s.industries), s.id))
        chosen = scored[0]
        if len(candidates) == 1:
            reason = f"按服务区域分派至{chosen.name}（服务区域覆盖企业所在县区 {county}）"
        else:
            affinity = industry_affinity(industry or "", chosen.industries)
            if affinity:
                reason = (
                    f"按服务区域分派至{chosen.name}（{len(candidates)} 个服务站覆盖县区 {county}，"
                    f"按行业 {industry} 的专业服务择优）"
                )
            else:
                reason = (
                    f"按服务区域分派至{chosen.name}（{len(candidates)} 个服务站覆盖县区 {county}，"
                    f"均无行业专长，按登记先后选定）"
                )
        return Route(chosen.id, LEVEL_STATION, reason)
    if len(county) == 6 and county.isdigit() and county[2:4] != "00":
        city = city_of(county)
        return Route(
            None,
            LEVEL_CITY,
            f"县区 {county} 无质量服务站覆盖，转市级平台（{city}）受理",
            platform_region=city,
        )
    province = province_of(county) if len(county) >= 2 else county
    return Route(
        None,
        LEVEL_PROVINCE,
        f"县区 {county} 无质量服务站及市级平台，转省级平台（{province}）受理",
        platform_region=province,
    )
