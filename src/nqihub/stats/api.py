"""统计与报表 routes, mounted under /api/v1: figures of a region (404 outside the caller's subtree),
breakdowns, and the periodic reports (submit / approve / return). Thin: reads through ``selectors``
and ``figures``, writes through ``services``."""

import json
from datetime import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from nqihub.core.api import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS
from nqihub.core.bounds import Id, Year
from nqihub.core.errors import NotFound, ValidationFailed
from nqihub.core.http import scoped_or_404

from . import labels, selectors, services
from .models import Report, ReportEvent

router = Router(tags=["统计与报表"])


class PeriodQuery(Schema):
    region: str = Field("", description="行政区划代码（6位）；默认为本人监管的地区", max_length=16)
    from_: str = Field("", alias="from", description="起始月份 YYYY-MM；默认为近12个月", max_length=16)
    to: str = Field("", description="截止月份 YYYY-MM；默认为本月", max_length=16)
    category: str = Field("", description="仅统计某一 NQI 要素（需求类别）", max_length=32)
    industry: str = Field("", description="仅统计某一行业大类（2位代码）", max_length=16)
    station: str = Field("", description="仅统计某一服务站（id）", max_length=24)
    cooperative: str = Field(
        "",
        description="仅统计某一质量合作社（机构 id）的成员企业在入社期间提交的需求，并给出其合格率",
        max_length=24,
    )


class BreakdownQuery(PeriodQuery):
    by: str = Field(
        ..., description="child_region、category、industry、station、month、cooperative", max_length=16
    )


def _resolve(request, q: PeriodQuery):
    region = selectors.region_for(request.user, q.region or None)
    from_month, to_month = selectors.period(q.from_ or None, q.to or None)
    dim, value = labels.dimension_filter(category=q.category, industry=q.industry, station=q.station)
    return region, from_month, to_month, dim, value


def _month_text(m: int) -> str:
    return f"{m // 100:04d}-{m % 100:02d}"


def _not_found(exc):
    raise Http404 from exc


@router.get("/stats/summary", response={200: dict, **DETAIL_ERRORS}, summary="Figures of a region and period")
def summary(request, q: Query[PeriodQuery]):
    try:
        region, from_month, to_month, dim, value = _resolve(request, q)
    except NotFound as exc:
        _not_found(exc)
    try:
        cooperative = (
            selectors.cooperative_for(request.user, region, q.cooperative) if q.cooperative else None
        )
    except NotFound as exc:
        _not_found(exc)
    figures = selectors.summary(
        request.user,
        region=region,
        from_month=from_month,
        to_month=to_month,
        dim=dim,
        value=value,
        cooperative=cooperative,
    )
    return {
        "region": region.code,
        "region_name": region.name,
        "from": _month_text(from_month),
        "to": _month_text(to_month),
        **figures,
    }


@router.get(
    "/stats/breakdown", response={200: dict, **DETAIL_ERRORS}, summary="Figures grouped by a dimension"
)
def breakdown(request, q: Query[BreakdownQuery]):
    if q.by not in selectors.BREAKDOWNS:
        raise ValidationFailed({"by": _("by 应为：%(v)s。") % {"v": "、".join(selectors.BREAKDOWNS)}})
    if q.cooperative:
        raise ValidationFailed({"cooperative": _("分组统计不支持合作社筛选；请用 by=cooperative。")})
    try:
        region, from_month, to_month, dim, value = _resolve(request, q)
    except NotFound as exc:
        _not_found(exc)
    rows = selectors.breakdown(
        request.user, region=region, from_month=from_month, to_month=to_month, by=q.by, dim=dim, value=value
    )
    return {
        "region": region.code,
        "from": _month_text(from_month),
        "to": _month_text(to_month),
        "by": q.by,
        "rows": rows,
    }


class StatsReportOut(Schema):
    id: int
    region: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.name")
    parent_region: str | None = Field(..., alias="parent_region_id")
    period_type: str
    period_label: str
    period_unfinished: bool = Field(..., description="报表期间尚未结束（数据仍会变化）")
    year: int
    part: int
    status: str
    status_label: str
    remarks: str
    decision_reason: str
    figures: dict
    submitted_at: datetime | None
    decided_at: datetime | None
    history: list[dict]

    @staticmethod
    def resolve_period_label(obj) -> str:
        return str(obj.period_label)

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_history(obj) -> list[dict]:
        # A list prefetches the events with their users (one query for the page); one report reads its own.
        prefetched = "events" in getattr(obj, "_prefetched_objects_cache", {})
        events = obj.events.all() if prefetched else obj.events.select_related("by")
        return [
            {
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason,
                "by": e.by.get_username() if e.by_id else None,
                "at": e.at.isoformat(),
            }
            for e in events
        ]


class ReportIn(Schema):
    region: str = Field("", description="本地区代码；默认为本人监管的地区", max_length=16)
    period_type: str = Field(..., description="month（月报）、quarter（季报）、year（年报）", max_length=8)
    year: Year
    part: int = Field(0, ge=0, le=12, description="月份 1–12 或季度 1–4；年报为 0")
    remarks: str = Field("", max_length=5000)


class ReturnIn(Schema):
    reason: str = Field("", max_length=500)


def _report(request, id: Id) -> Report:
    return scoped_or_404(selectors.report_get, request, id)


@router.get("/stats/reports", response={200: list[StatsReportOut], **READ_ERRORS}, summary="Reports in scope")
def list_reports(request):
    return list(
        selectors.report_list(fetched_by=request.user).prefetch_related(
            Prefetch("events", queryset=ReportEvent.objects.select_related("by"))
        )[:200]
    )


@router.get("/stats/reports/{id}", response={200: StatsReportOut, **DETAIL_ERRORS}, summary="One report")
def get_report(request, id: Id):
    return _report(request, id)


@router.post(
    "/stats/reports", response={201: StatsReportOut, **WRITE_ERRORS}, summary="Create a report (draft)"
)
def create_report(request, payload: ReportIn):
    region = payload.region or selectors.home_region(request.user) or ""
    report = services.report_create(region=region, by=request.user, **payload.dict(exclude={"region"}))
    return Status(201, report)


@router.post(
    "/stats/reports/{id}/submit",
    response={200: StatsReportOut, **WRITE_ERRORS},
    summary="Submit to the level above",
)
def submit_report(request, id: Id):
    """Optional JSON body ``{"remarks": "…"}`` replaces the remarks."""
    remarks = None
    if request.content_type == "application/json" and request.body.strip():
        try:
            body = json.loads(request.body)
        except ValueError:
            raise ValidationFailed({"body": _("请求体不是有效的 JSON。")}) from None
        remarks = body.get("remarks") if isinstance(body, dict) else None
        if remarks is not None and not isinstance(remarks, str):
            raise ValidationFailed({"remarks": _("应为字符串。")})
    return services.report_submit(report=_report(request, id), remarks=remarks, by=request.user)


@router.post(
    "/stats/reports/{id}/approve",
    response={200: StatsReportOut, **WRITE_ERRORS},
    summary="Approve (level above)",
)
def approve_report(request, id: Id):
    return services.report_approve(report=_report(request, id), by=request.user)


@router.post(
    "/stats/reports/{id}/return",
    response={200: StatsReportOut, **WRITE_ERRORS},
    summary="Return with a reason (level above)",
)
def return_report(request, id: Id, payload: ReturnIn):
    return services.report_return(report=_report(request, id), reason=payload.reason, by=request.user)


# --- stations ranked by SLA kept, yearly targets ---------------------------------------------------------


class StatsSlaQuery(Schema):
    region: str = Field("", description="行政区划代码（6位）；默认为本人监管的地区", max_length=16)
    from_: str = Field("", alias="from", description="起始月份 YYYY-MM；默认为近12个月", max_length=16)
    to: str = Field("", description="截止月份 YYYY-MM；默认为本月", max_length=16)


@router.get(
    "/stats/station-sla",
    response={200: dict, **DETAIL_ERRORS},
    summary="Stations ranked by the share of requests resolved within the SLA",
)
def station_sla(request, q: Query[StatsSlaQuery]):
    """Requests resolved in the months, per station: ``handled``, ``kept`` (resolved by the working-day
    deadline and never overdue), ``late`` and ``kept_rate`` (0–1); ``total`` includes platform-handled ones."""
    try:
        region = selectors.region_for(request.user, q.region or None)
    except NotFound as exc:
        _not_found(exc)
    from_month, to_month = selectors.period(q.from_ or None, q.to or None)
    return {
        "region": region.code,
        "from": _month_text(from_month),
        "to": _month_text(to_month),
        **selectors.station_sla(region=region, from_month=from_month, to_month=to_month),
    }


class StatsTargetQuery(Schema):
    region: str = Field("", description="行政区划代码（6位）；默认为本人监管的地区", max_length=16)
    year: Year | None = Field(None, description="年度；默认为今年")


class StatsTargetIn(Schema):
    region: str = Field("", description="行政区划代码（6位）；默认为本人监管的地区", max_length=16)
    year: Year
    metric: str = Field(
        ...,
        description="enterprises_helped、resolved、problems_solved、sla_kept_rate（%）、satisfaction_rate（%）",
        max_length=24,
    )
    value: float | None = Field(
        ..., ge=0, le=services.TARGET_COUNT_MAX, description="目标值；百分比指标填 0–100；null 表示取消目标"
    )


def _target_region(request, code: str):
    try:
        return selectors.region_for(request.user, code or None)
    except NotFound as exc:
        _not_found(exc)


@router.get("/stats/targets", response={200: dict, **DETAIL_ERRORS}, summary="Yearly targets and progress")
def targets(request, q: Query[StatsTargetQuery]):
    """Each metric with its ``target`` (null: none set), the year-to-date ``actual`` and ``progress`` in %."""
    region = _target_region(request, q.region)
    year = q.year or timezone.localdate().year
    return selectors.target_progress(fetched_by=request.user, region=region, year=year)


@router.post("/stats/targets", response={200: dict, **WRITE_ERRORS}, summary="Set one yearly target")
def set_target(request, payload: StatsTargetIn):
    """Regulators of the region (or of a region above it) and admins; ``value`` null removes the target."""
    region = _target_region(request, payload.region)
    value = None if payload.value is None else repr(payload.value)
    services.targets_set(
        region=region.code, year=payload.year, values={payload.metric: value}, by=request.user
    )
    return selectors.target_progress(fetched_by=request.user, region=region, year=payload.year)
