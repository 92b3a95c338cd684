"""HTML pages of statistics: the public figures (/stats/), the regulator's dashboard with its JSON, the big
screen (数据大屏), the records behind a figure, XLSX exports, the map outlines and the periodic reports.

Thin: regions are checked by ``selectors.region_for`` (outside the user's subtree → 404), figures come from
the rollups (``figures``), writes go through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from nqihub.core.docx import docx_response
from nqihub.core.errors import DomainError, NotFound, ValidationFailed
from nqihub.core.http import scoped_or_404
from nqihub.core.models import Region
from nqihub.core.regions import NATIONAL, parent
from nqihub.core.regions import level as region_level
from nqihub.core.regions import prefix as region_prefix
from nqihub.core.scoping import scope_of
from nqihub.core.xlsx import xlsx_response
from nqihub.desk.models import Category
from nqihub.directory.models import Station

from . import figures as figs
from . import geo, labels, report_docx, selectors, services, views_plan
from .models import Report


def _regulator_only(request):
    if not services.is_stats_user(request.user):
        raise Http404


def _context(request):
    """(region, from, to, dim, value) from the query string; 404 outside scope, errors → messages."""
    try:
        region = selectors.region_for(request.user, request.GET.get("region") or None)
    except NotFound as exc:
        raise Http404 from exc
    except ValidationFailed as exc:
        raise Http404 from exc
    try:
        from_month, to_month = selectors.period(request.GET.get("from"), request.GET.get("to"))
        dim, value = labels.dimension_filter(category=request.GET.get("category", ""))
        error = None
    except ValidationFailed as exc:
        from_month, to_month = selectors.period(None, None)
        dim, value, error = "station", None, exc.message
    return region, from_month, to_month, dim, value, error


def _month_text(m: int) -> str:
    return f"{m // 100:04d}-{m % 100:02d}"


def _region_nav(user, region: Region) -> dict:
    up = None
    if region.code != NATIONAL:
        p = parent(region.code) or NATIONAL
        if selectors.may_see_region(user, p):
            up = p
    return {"code": region.code, "name": region.name, "level": region_level(region.code), "parent": up}


def payload(user, region: Region, from_month: int, to_month: int, dim: str, value) -> dict:
    """Everything the dashboard and the big screen draw (a fixed number of queries)."""
    summary = selectors.summary(
        user, region=region, from_month=from_month, to_month=to_month, dim=dim, value=value
    )
    out = {
        "region": _region_nav(user, region),
        "from": _month_text(from_month),
        "to": _month_text(to_month),
        "summary": summary,
    }
    for by in ("month", "category", "industry", "station", "child_region"):
        d, v = (dim, value) if by in ("month", "child_region") else ("station", None)
        rows = figs.breakdown(
            region=region.code, from_month=from_month, to_month=to_month, by=by, dim=d, value=v, medians=False
        )
        out[by] = labels.label_rows(rows, by, region.code)
    if out["month"]:
        have = {r["key"] for r in out["month"]}
        empty = figs.compose({}, {}, 0)
        for m in selectors.months_between(from_month, to_month):
            if str(m) not in have:
                out["month"].append({"key": str(m), "label": _month_text(m), **empty})
        out["month"].sort(key=lambda r: r["key"])
    out["station"].sort(key=lambda r: -r["services"])
    out["station"] = out["station"][:10]
    out["figures"] = [{"key": k, "label": str(labels.FIGURE_LABELS[k])} for k in labels.MAP_FIGURES]
    out["cooperative"] = selectors.cooperative_breakdown(
        user, region=region, from_month=from_month, to_month=to_month
    )
    out["links"] = {"test_pass_rate": selectors.test_pass_rate_url(region, from_month, to_month)}
    return out


def public(request):
    """National headline figures for the last twelve months, without login (nothing personal)."""
    from_month, to_month = selectors.period(None, None)
    totals = figs.figures(region=NATIONAL, from_month=from_month, to_month=to_month)
    year = timezone.localdate().year
    this_year = figs.figures(region=NATIONAL, from_month=year * 100 + 1, to_month=year * 100 + 12)
    months = figs.breakdown(
        region=NATIONAL, from_month=from_month, to_month=to_month, by="month", medians=False
    )
    by_month = {int(row["key"]): row for row in months}
    trend = [
        {
            "month": _month_text(m),
            "services": (by_month.get(m) or {}).get("services") or 0,
            "problems_solved": (by_month.get(m) or {}).get("problems_solved") or 0,
        }
        for m in selectors.months_between(from_month, to_month)
    ]
    names = dict(Category.choices)
    by_category = [
        {"name": str(names.get(row["key"], row["key"])), "services": row.get("services") or 0}
        for row in figs.breakdown(
            region=NATIONAL, from_month=from_month, to_month=to_month, by="category", medians=False
        )
        if row.get("services")
    ]
    by_category.sort(key=lambda row: -row["services"])
    return render(
        request,
        "stats/public.html",
        {
            "trend": trend,
            "by_category": by_category,
            "charts": {
                "trend": trend,
                "by_category": by_category,
                "labels": {"services": _("服务需求"), "problems_solved": _("解决技术难题")},
            },
            "totals": totals,
            "this_year": this_year,
            "year": year,
            "from": _month_text(from_month),
            "to": _month_text(to_month),
            "stations": Station.objects.count(),
        },
    )


@login_required
def dashboard(request):
    _regulator_only(request)
    region, from_month, to_month, dim, value, error = _context(request)
    if error:
        messages.error(request, error)

    comparison = selectors.comparison(
        region=region, from_month=from_month, to_month=to_month, dim=dim, value=value
    )
    return render(
        request,
        "stats/dashboard.html",
        {
            "region": region,
            "nav_region": _region_nav(request.user, region),
            "from": _month_text(from_month),
            "to": _month_text(to_month),
            "category": value if dim == "category" else "",
            "categories": Category.choices,
            "data_url": reverse("stats:dashboard-data") + "?" + request.GET.urlencode(),
            "map_figures": [(k, labels.FIGURE_LABELS[k]) for k in labels.MAP_FIGURES],
            "figure_cards": [(*card, views_plan.compared_texts(comparison, card[0])) for card in _cards()],
            "comparison": comparison,
            "targets": selectors.target_progress(
                fetched_by=request.user, region=region, year=to_month // 100
            ),
            "may_set_targets": services.may_set_targets(request.user, region.code),
            "sla": selectors.station_sla(region=region, from_month=from_month, to_month=to_month),
            "test_pass_rate_url": selectors.test_pass_rate_url(region, from_month, to_month),
            "has_cooperatives": selectors.cooperatives_in(request.user, region).exists(),
            "cooperative_columns": COOPERATIVE_COLUMNS,
        },
    )


#: Columns of the dashboard's cooperative table: (figure key, label).
COOPERATIVE_COLUMNS = [
    ("services", _lazy("服务需求数")),
    ("enterprises_helped", _lazy("服务企业数")),
    ("problems_solved", _lazy("解决技术难题")),
    ("cost_saved", _lazy("节约成本（元）")),
    ("loss_avoided", _lazy("避免损失（元）")),
    ("satisfaction_mean", _lazy("平均满意度（1–5）")),
    ("inspection_pass_rate", _lazy("巡检合格率")),
    ("cooperative_test_pass_rate", _lazy("送检合格率")),
    ("combined_pass_rate", _lazy("综合合格率")),
]


def _cards():
    return [
        ("services", _("服务需求"), "bi-chat-square-text", "services"),
        ("enterprises_helped", _("服务企业"), "bi-building-check", "enterprises_helped"),
        ("problems_solved", _("解决技术难题"), "bi-lightbulb", "problems_solved"),
        ("cost_saved", _("节约成本（元）"), "bi-piggy-bank", "cost_saved"),
        ("loss_avoided", _("避免损失（元）"), "bi-shield-check", "loss_avoided"),
        ("satisfaction_mean", _("平均满意度"), "bi-star", "rated"),
        ("median_resolve_hours", _("办结用时中位数（小时）"), "bi-hourglass-split", "resolved"),
        ("overdue_rate", _("超期率"), "bi-alarm", "overdue"),
    ]


@login_required
def dashboard_data(request):
    _regulator_only(request)
    region, from_month, to_month, dim, value, _error = _context(request)
    return JsonResponse(
        payload(request.user, region, from_month, to_month, dim, value),
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
def screen(request):
    _regulator_only(request)
    region, from_month, to_month, dim, value, _error = _context(request)
    params = request.GET.copy()
    return render(
        request,
        "stats/screen.html",
        {
            "region": region,
            "data_url": reverse("stats:dashboard-data") + "?" + params.urlencode(),
            "refresh_seconds": 30,
        },
    )


@login_required
@cache_control(private=True, max_age=86400)
def geojson(request, code: str):
    _regulator_only(request)
    try:
        region = selectors.region_for(request.user, code)
    except (NotFound, ValidationFailed) as exc:
        raise Http404 from exc
    body = geo.children_geojson(region.code)
    if body is None:
        raise Http404
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")


@login_required
def records(request):
    """The service requests behind one figure (scoped: the region must be the user's)."""
    _regulator_only(request)
    region, from_month, to_month, dim, value, error = _context(request)
    figure = request.GET.get("figure", "services")
    station = request.GET.get("station")
    if station is not None:
        dim, value = "station", station if station.isdigit() or station == "" else None
    cooperative = None
    if request.GET.get("cooperative"):
        try:
            cooperative = selectors.cooperative_for(request.user, region, request.GET["cooperative"])
        except (NotFound, ValidationFailed) as exc:
            raise Http404 from exc
        dim, value = "station", None
    try:
        qs = selectors.drill_down(
            request.user,
            region=region,
            figure=figure,
            from_month=from_month,
            to_month=to_month,
            dim=dim,
            value=value,
            cooperative=cooperative,
        )
    except ValidationFailed as exc:
        raise Http404 from exc
    if request.GET.get("format") == "xlsx":
        rows = (
            (
                r.number,
                r.title,
                r.enterprise.name,
                r.region.name,
                r.station.name if r.station else _("市/省级平台"),
                ",".join(str(c) for c in r.category_labels()),
                r.get_status_display(),
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(r.resolved_at).strftime("%Y-%m-%d %H:%M") if r.resolved_at else "",
                r.get_outcome_display() if r.outcome else "",
                r.cost_saved or "",
                r.loss_avoided or "",
                r.rating_score or "",
            )
            for r in qs.iterator(chunk_size=2000)
        )
        headers = [
            _("需求编号"),
            _("标题"),
            _("企业"),
            _("企业所在县区"),
            _("受理服务站"),
            _("需求类别"),
            _("状态"),
            _("提交时间"),
            _("办结时间"),
            _("办理结果"),
            _("节约成本（元）"),
            _("避免损失（元）"),
            _("评价等级"),
        ]
        return xlsx_response(
            _("%(region)s指标明细.xlsx") % {"region": region.name}, str(_("指标明细")), headers, rows
        )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    prefixes = scope_of(request.user).regulator_prefixes
    admin = scope_of(request.user).is_admin
    for r in page:
        # The desk shows a request to regulators of the enterprise's county; link only those.
        r.stats_linkable = admin or any(r.region_id.startswith(p) for p in prefixes)
    return render(
        request,
        "stats/records.html",
        {
            "region": region,
            "page_obj": page,
            "figure": figure,
            "figure_label": labels.FIGURE_LABELS.get(figure, dict(_cards_labels()).get(figure, figure)),
            "from": _month_text(from_month),
            "to": _month_text(to_month),
            "query": request.GET.urlencode(),
            "region_prefix": region_prefix(region.code),
            "cooperative": cooperative,
        },
    )


def _cards_labels():
    return [("accepted", _("受理数")), ("rated", _("评价数")), ("overdue", _("超期需求"))]


@login_required
def export(request):
    """A figure table (breakdown ``by``) as XLSX with Chinese headers."""
    _regulator_only(request)
    region, from_month, to_month, dim, value, _error = _context(request)
    by = request.GET.get("by", "child_region")
    if by not in selectors.BREAKDOWNS:
        raise Http404
    rows = selectors.breakdown(
        request.user, region=region, from_month=from_month, to_month=to_month, by=by, dim=dim, value=value
    )
    by_label = {
        "child_region": _("地区"),
        "category": _("NQI要素"),
        "industry": _("行业"),
        "station": _("服务站"),
        "month": _("月份"),
        "cooperative": _("质量合作社"),
    }[by]
    columns = list(labels.FIGURES) + (labels.COOPERATIVE_FIGURES if by == "cooperative" else [])
    headers = [by_label] + [str(label) for _k, label, _kind in columns]
    data = [[r["label"]] + [r[k] for k, _l, _kind in columns] for r in rows]
    note = _("%(region)s %(a)s 至 %(b)s；数据来源：NQI Hub 统计汇总") % {
        "region": region.name,
        "a": _month_text(from_month),
        "b": _month_text(to_month),
    }
    return xlsx_response(
        _("%(region)s统计表（按%(by)s）.xlsx") % {"region": region.name, "by": by_label},
        str(_("统计表")),
        headers,
        data,
        note=note,
    )


# --- reports -----------------------------------------------------------------------------------------


@login_required
def report_list(request):
    _regulator_only(request)
    reports = selectors.report_list(fetched_by=request.user)
    own = sorted(services.regulator_regions(request.user))
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", "0") or 0)
            part = int(request.POST.get("part", "0") or 0)
        except ValueError:
            messages.error(request, _("年度和月份/季度应为数字。"))
            return redirect("stats:report-list")
        try:
            report = services.report_create(
                region=request.POST.get("region") or (own[0] if own else ""),
                period_type=request.POST.get("period_type", ""),
                year=year,
                part=part,
                remarks=request.POST.get("remarks", ""),
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("stats:report-list")
        messages.success(request, _("报表已生成（草稿），请核对后上报。"))
        if report.period_unfinished:
            messages.warning(request, _("注意：报表期间尚未结束，数据仍会变化。"))
        return redirect("stats:report-detail", pk=report.pk)
    today = timezone.localdate()
    return render(
        request,
        "stats/report_list.html",
        {
            "reports": reports[:200],
            "own_regions": Region.objects.filter(code__in=own),
            "periods": Report.Period.choices,
            "year": today.year,
            "month": today.month,
        },
    )


def _report(request, pk) -> Report:
    return scoped_or_404(selectors.report_get, request, pk)


@login_required
def report_detail(request, pk: int):
    _regulator_only(request)
    report = _report(request, pk)
    totals = report.figures.get("totals", {})
    rows = [(label, labels.format_value(totals.get(k), kind)) for k, label, kind in labels.FIGURES]
    children = labels.label_rows(
        [dict(c) for c in report.figures.get("children", [])], "child_region", report.region_id
    )
    child_rows = [
        (c["label"], [labels.format_value(c.get(k), kind) for k, _l, kind in labels.FIGURES])
        for c in children
    ]
    return render(
        request,
        "stats/report_detail.html",
        {
            "report": report,
            "rows": rows,
            "child_rows": child_rows,
            "headers": [label for _k, label, _kind in labels.FIGURES],
            "events": report.events.select_related("by"),
            "may_submit": services.may_submit(request.user, report)
            and report.status in ("draft", "returned"),
            "may_decide": services.may_decide(request.user, report) and report.status == "submitted",
        },
    )


@login_required
@require_POST
def report_action(request, pk: int, action: str):
    _regulator_only(request)
    report = _report(request, pk)
    try:
        if action == "submit":
            services.report_submit(report=report, remarks=request.POST.get("remarks"), by=request.user)
            messages.success(request, _("报表已上报。"))
        elif action == "approve":
            services.report_approve(report=report, by=request.user)
            messages.success(request, _("报表已审核通过。"))
        elif action == "return":
            services.report_return(report=report, reason=request.POST.get("reason", ""), by=request.user)
            messages.success(request, _("报表已退回。"))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("stats:report-detail", pk=report.pk)


@login_required
def report_word(request, pk: int):
    """The report as a Word document in the layout of official documents (GB/T 9704-2012)."""
    _regulator_only(request)
    report = _report(request, pk)
    return docx_response(
        _("%(region)s%(period)s统计报表.docx")
        % {"region": report.region.name, "period": report.period_label},
        report_docx.render(report),
        ascii_name=f"statistics-report-{report.pk}.docx",
    )


@login_required
def report_export(request, pk: int):
    _regulator_only(request)
    report = _report(request, pk)
    headers = [str(_("地区"))] + [str(label) for _k, label, _kind in labels.FIGURES]
    totals = report.figures.get("totals", {})
    children = labels.label_rows(
        [dict(c) for c in report.figures.get("children", [])], "child_region", report.region_id
    )
    data = [
        [_("%(name)s（合计）") % {"name": report.region.name}]
        + [totals.get(k) for k, _l, _kind in labels.FIGURES]
    ]
    data += [[c["label"]] + [c.get(k) for k, _l, _kind in labels.FIGURES] for c in children]
    note = _("%(region)s %(period)s；状态：%(status)s；说明：%(remarks)s") % {
        "region": report.region.name,
        "period": report.period_label,
        "status": report.get_status_display(),
        "remarks": report.remarks or "—",
    }
    return xlsx_response(
        _("%(region)s%(period)s统计报表.xlsx")
        % {"region": report.region.name, "period": report.period_label},
        str(report.period_label),
        headers,
        data,
        note=note,
    )
