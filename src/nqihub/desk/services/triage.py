"""Triage by the station (or platform) that received the request: the route, accepting, rejecting, re-routing."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Region
from nqihub.core.policy import require
from nqihub.directory.models import Station

from .. import routing
from ..models import ServiceRequest
from ._common import _action, _apply, _lock, _reason, _tell, can_triage, station_users


def _covering(county: str) -> list[Station]:
    """The stations whose service area covers ``county`` (read by index), with what routing needs."""
    return list(
        Station.objects.filter(areas__region_id=county)
        .prefetch_related("industries", "areas")
        .distinct()
        .select_related("region")
    )


def _descriptor(s: Station) -> routing.StationInfo:
    return routing.StationInfo(
        id=s.pk,
        name=s.name,
        counties=frozenset(a.region_id for a in s.areas.all()),
        industries=frozenset(i.code for i in s.industries.all()),
        level=s.region.level if s.region_id else "county",
    )


def station_descriptors(county: str) -> list[routing.StationInfo]:
    """The stations whose service area covers ``county``, as routing's plain data."""
    return [_descriptor(s) for s in _covering(county)]


def _platform_region(route: routing.Route, county: str) -> Region:
    for code in (route.platform_region, routing.city_of(county), routing.province_of(county)):
        if code:
            region = Region.objects.filter(code=code).first()
            if region is not None:
                return region
    raise ValidationFailed({"enterprise_id": _("企业所在地区无法分派到任何平台。")})


def compute_route(county: str, industry: str | None) -> tuple[Station | None, Region | None, str, str]:
    stations = {s.pk: s for s in _covering(county)}
    route = routing.route(county, industry, [_descriptor(s) for s in stations.values()])
    if route.station_id is not None:
        return stations[route.station_id], None, route.level, route.reason
    region = _platform_region(route, county)
    level = routing.LEVEL_CITY if region.level == Region.Level.CITY else routing.LEVEL_PROVINCE
    return None, region, level, route.reason


# --- triage ------------------------------------------------------------------------------------------


@_action
def request_accept(*, request: ServiceRequest, by) -> ServiceRequest:
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以受理。"))
    req.accepted_at = timezone.now()
    _apply(req, "accept", by)
    return req


@_action
def request_reject(*, request: ServiceRequest, reason: str, by) -> ServiceRequest:
    reason = _reason(reason)
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以退回。"))
    _apply(
        req, "reject", by, message=_("退回：%(r)s") % {"r": reason}, data={"reason": reason}, reason=reason
    )
    return req


@_action
def request_reroute(
    *, request: ServiceRequest, reason: str, by, station_id: int | None = None
) -> ServiceRequest:
    """Send the request to another station (or, without ``station_id``, to the city-level platform)."""
    reason = _reason(reason)
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以改派。"))
    if station_id is not None:
        target = Station.objects.filter(pk=station_id).first()
        if target is None:
            raise ValidationFailed({"station_id": _("服务站不存在。")})
        if target.pk == req.station_id:
            raise ValidationFailed({"station_id": _("该需求已由此服务站受理。")})
        platform, level = None, routing.LEVEL_STATION
        text = _("改派至%(name)s：%(reason)s") % {"name": target.name, "reason": reason}
    else:
        if req.station_id is None:
            raise ValidationFailed({"station_id": _("请指定改派的服务站。")})
        target = None
        platform = _platform_region(
            routing.Route(None, routing.LEVEL_CITY, "", routing.city_of(req.region_id)), req.region_id
        )
        level = routing.LEVEL_CITY if platform.level == Region.Level.CITY else routing.LEVEL_PROVINCE
        text = _("改派至%(name)s平台：%(reason)s") % {"name": platform.name, "reason": reason}
    old_station = req.station
    old_users = station_users(req)
    req.station, req.handling_region, req.routing_level, req.routing_reason = (
        target,
        platform,
        level,
        text[:500],
    )
    req.accepted_at = None
    _apply(
        req,
        "reroute",
        by,
        message=text,
        reason=reason,
        data={
            "reason": reason,
            "from_station": old_station.pk if old_station else None,
            "to_station": target.pk if target else None,
            "to_platform": platform.code if platform else None,
        },
    )
    _tell(
        req,
        station_users(req),
        "desk.request.status_changed",
        _("改派来的服务需求 %(number)s") % {"number": req.number},
        text,
    )
    _tell(
        req,
        [u for u in old_users if u not in station_users(req)],
        "desk.request.status_changed",
        _("服务需求 %(number)s 已改派") % {"number": req.number},
        text,
    )
    return req
