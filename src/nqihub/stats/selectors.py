"""Scoped reads of statistics. A region's figures are for platform admins and the regulators whose
region contains it; anyone else, or a region outside the user's subtree, gets ``NotFound`` (404).
The public page reads national headline figures only (no login, nothing personal)."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.certification import selectors as cert
from nqihub.cooperatives import selectors as coop
from nqihub.cooperatives.models import Cooperative
from nqihub.core.errors import NotFound, ValidationFailed
from nqihub.core.models import Membership, Region
from nqihub.core.regions import NATIONAL, is_code
from nqihub.core.regions import prefix as region_prefix
from nqihub.core.scoping import prefix_q, scope_of, visible
from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import Station
from nqihub.metrology import selectors as metro
from nqihub.testing.models import TestOrder

from . import compare, labels, membership
from . import figures as figs
from .models import Fact, Report, Target


def home_region(user) -> str | None:
    """The region a user's statistics open on: its regulator organisation's, the nation for admins."""
    scope = scope_of(user)
    if not scope.is_regulator:
        return None
    if scope.is_admin or "" in scope.regulator_prefixes:
        return NATIONAL
    codes = sorted(
        Membership.objects.filter(user=user, role=Membership.Role.REGULATOR).values_list(
            "organisation__region_id", flat=True
        ),
        key=len,
    )
    return sorted(codes, key=lambda c: len(region_prefix(c)))[0] if codes else None


def may_see_region(user, code: str) -> bool:
    scope = scope_of(user)
    if scope.is_admin or "" in scope.regulator_prefixes:
        return True
    p = region_prefix(code)
    return any(p.startswith(q) for q in scope.regulator_prefixes)


def region_for(user, code: str | None) -> Region:
    """The region ``code`` (default: the user's home region) if the user may see its figures."""
    if code in (None, ""):
        code = home_region(user)
        if code is None:
            raise NotFound(_("未找到，或不在您的可见范围内。"))
    code = str(code).strip()
    if not is_code(code):
        raise ValidationFailed({"region": _("地区应为6位行政区划代码，如 450200。")})
    region = Region.objects.filter(code=code).first()
    if region is None or not may_see_region(user, code):
        raise NotFound(_("未找到，或不在您的可见范围内。"))
    return region


def parse_month(text: str | None, field: str) -> int | None:
    if text in (None, ""):
        return None
    text = str(text).strip()
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m")  # noqa: DTZ007 - only year and month are read
    except ValueError:
        raise ValidationFailed({field: _("月份格式应为 YYYY-MM，如 2026-01。")}) from None
    if not 2000 <= moment.year <= 2100:
        raise ValidationFailed({field: _("年份应在 2000–2100 之间。")})
    return moment.year * 100 + moment.month


def period(from_text: str | None, to_text: str | None, today: datetime.date | None = None) -> tuple[int, int]:
    """``(from, to)`` months; default: the last twelve months up to the current one."""
    today = today or timezone.localdate()
    to_month = parse_month(to_text, "to") or today.year * 100 + today.month
    from_month = parse_month(from_text, "from")
    if from_month is None:
        y, m = divmod(to_month // 100 * 12 + to_month % 100 - 1 - 11, 12)
        from_month = y * 100 + m + 1
    if from_month > to_month:
        raise ValidationFailed({"from": _("起始月份不能晚于截止月份。")})
    if (to_month // 100 - from_month // 100) * 12 + to_month % 100 - from_month % 100 >= 120:
        raise ValidationFailed({"from": _("统计区间不能超过10年。")})
    return from_month, to_month


def months_between(from_month: int, to_month: int) -> list[int]:
    out, m = [], from_month
    while m <= to_month:
        out.append(m)
        m = m + 1 if m % 100 < 12 else (m // 100 + 1) * 100 + 1
    return out


def module_figures(
    user, region: Region, from_month: int, to_month: int, today: datetime.date | None = None
) -> dict:
    """Figures of the other modules (scoped through their own selectors): instruments overdue and
    certificates expiring within 90 days (now), and the test orders issued in the period (count and pass
    rate)."""
    today = today or timezone.localdate()
    p = region_prefix(region.code)
    out = {
        "instruments_overdue": metro.overdue_list(fetched_by=user, region=region.code, today=today).count(),
        "certificates_expiring": cert.certificate_list(fetched_by=user, expiring_within_days=90, today=today)
        .filter(prefix_q("region_id", p))
        .count(),
    }
    out.update(test_figures(user, region, from_month, to_month))
    return out


def test_figures(user, region: Region, from_month: int, to_month: int) -> dict:
    """Test orders of the region's enterprises (``TestOrder.region``) whose report was issued in the months:
    ``tests_issued`` (every conclusion) and ``test_pass_rate`` = 合格 / (合格 + 不合格) (``None`` when
    none was judged). Scoped with ``visible(user, TestOrder)``."""
    from django.db.models import Count

    start, end = figs.month_bounds(from_month, to_month)
    counts = (
        TestOrder.objects.filter(visible(user, TestOrder))
        .filter(prefix_q("region_id", region_prefix(region.code)), issued_at__gte=start, issued_at__lt=end)
        .aggregate(
            n=Count("pk"),
            judged=Count("pk", filter=Q(conclusion__in=["pass", "fail"])),
            passed=Count("pk", filter=Q(conclusion="pass")),
        )
    )
    return {
        "tests_issued": counts["n"],
        "tests_judged": counts["judged"],
        "test_pass_rate": round(counts["passed"] / counts["judged"], 4) if counts["judged"] else None,
    }


def test_pass_rate_url(region: Region, from_month: int, to_month: int) -> str:
    """The testing module's pass-rate page limited to the region, grouped by regions of its level, for the
    months: the row of the region is the figure's records."""
    from django.urls import reverse
    from django.utils.http import urlencode

    start, end = figs.month_bounds(from_month, to_month)
    level = {0: "province", 2: "province", 4: "city", 6: "county"}[len(region_prefix(region.code))]
    return (
        reverse("testing:pass-rates")
        + "?"
        + urlencode(
            {
                "group_by": "region",
                "region_level": level,
                "date_from": start.date().isoformat(),
                "date_to": (end - datetime.timedelta(days=1)).date().isoformat(),
                "region": region.code if len(region_prefix(region.code)) else "",
            }
        )
    )


# --- cooperatives --------------------------------------------------------------------------------------


def cooperatives_in(user, region: Region):
    """The quality cooperatives of the region's subtree the user may see."""
    return (
        Cooperative.objects.filter(visible(user, Cooperative))
        .filter(prefix_q("region_id", region_prefix(region.code)))
        .select_related("organisation")
        .order_by("region_id", "pk")
    )


def cooperative_for(user, region: Region, text):
    """The cooperative ``text`` (its organisation id, as ``TestOrder.cooperative`` and the testing pages
    use) for a figure filter: not a number → 422; a cooperative the user cannot see → 404 (as a region
    outside its subtree); one it sees outside the asked region → 422."""
    text = str(text).strip()
    if not text.isdigit() or len(text) > 12:
        raise ValidationFailed({"cooperative": _("合作社应为数字 id（机构 id）。")})
    cooperative = (
        Cooperative.objects.filter(visible(user, Cooperative))
        .select_related("organisation")
        .filter(organisation_id=int(text))
        .first()
    )
    if cooperative is None:
        raise NotFound(_("未找到，或不在您的可见范围内。"))
    if not cooperative.region_id.startswith(region_prefix(region.code)):
        raise ValidationFailed(
            {"cooperative": _("该合作社不在所选地区（%(region)s）内。") % {"region": region.name}}
        )
    return cooperative


def cooperative_figures(user, *, region: Region, cooperatives, from_month: int, to_month: int) -> dict:
    """``{cooperative pk: figure set}`` for the requests counted in the region of each cooperative's members
    at the time they were submitted (see ``membership``)."""
    return membership.figures_by_cooperative(
        region=region.code,
        from_month=from_month,
        to_month=to_month,
        stints_=membership.stints([c.pk for c in cooperatives]),
    )


def cooperative_pass_rates(user, cooperative, from_month: int, to_month: int) -> dict:
    """The cooperative's inspection, test and combined pass rates over the months (shares 0–1), from
    ``cooperatives.selectors.pass_rates``."""
    start, end = figs.month_bounds(from_month, to_month)
    rates = coop.pass_rates(
        fetched_by=user,
        cooperative=cooperative,
        date_from=start.date(),
        date_to=(end - datetime.timedelta(days=1)).date(),
    )

    def share(rate):
        return round(rate.passed / rate.total, 4) if rate.total else None

    return {
        "inspections_recorded": rates.inspections.total,
        "inspection_pass_rate": share(rates.inspections),
        "cooperative_tests_judged": rates.tests.total,
        "cooperative_test_pass_rate": share(rates.tests),
        "combined_pass_rate": share(rates.combined),
        "target_pass_rate": round(float(rates.target) / 100, 4),
    }


def cooperative_breakdown(user, *, region: Region, from_month: int, to_month: int) -> list[dict]:
    """One row per cooperative of the region the user sees: ``key`` (organisation id), ``label``, the
    figures of its members' requests counted in the region and its pass rates."""
    cooperatives = list(cooperatives_in(user, region))
    if not cooperatives:
        return []
    by_pk = cooperative_figures(
        user, region=region, cooperatives=cooperatives, from_month=from_month, to_month=to_month
    )
    rows = []
    for c in cooperatives:
        row = {"key": str(c.organisation_id), "label": c.name, "region_code": c.region_id, **by_pk[c.pk]}
        row.update(cooperative_pass_rates(user, c, from_month, to_month))
        rows.append(row)
    return rows


BREAKDOWNS = figs.BREAKDOWNS + ("cooperative",)


def breakdown(
    user, *, region: Region, from_month: int, to_month: int, by: str, dim="station", value=None, medians=True
) -> list[dict]:
    """Labelled breakdown rows (``by`` in ``BREAKDOWNS``); ``cooperative`` ignores the filter, as the
    other dimension breakdowns do."""
    if by == "cooperative":
        return cooperative_breakdown(user, region=region, from_month=from_month, to_month=to_month)
    rows = figs.breakdown(
        region=region.code,
        from_month=from_month,
        to_month=to_month,
        by=by,
        dim=dim,
        value=value,
        medians=medians,
    )
    return labels.label_rows(rows, by, region.code)


#: What a drill-down list shows for each figure: the fact rows behind it.
DRILL_FIGURES = {
    "services": ("received_month", Q()),
    "overdue": ("received_month", Q(overdue=True)),
    "accepted": ("accepted_month", Q()),
    "resolved": ("resolved_month", Q()),
    "problems_solved": ("resolved_month", Q(outcome="solved", technical_problem=True)),
    "cost_saved": ("resolved_month", Q(cost_saved_fen__gt=0)),
    "loss_avoided": ("resolved_month", Q(loss_avoided_fen__gt=0)),
    "enterprises_helped": ("resolved_month", Q(outcome__in=["solved", "partly_solved"])),
    "rated": ("rated_month", Q(rating__isnull=False)),
}


def drill_down(
    user,
    *,
    region: Region,
    figure: str,
    from_month: int,
    to_month: int,
    dim: str = "",
    value: str | None = None,
    cooperative=None,
):
    """The service requests behind one figure of ``region`` (the user may see the region: ``region_for``).
    A regulator sees the requests counted in its region, including those re-routed to it from elsewhere
    (number, title, enterprise and outcome; no contact data). ``cooperative`` (checked by
    ``cooperative_for``): only its members' requests submitted while they were members."""
    if figure not in DRILL_FIGURES:
        raise ValidationFailed({"figure": _("不支持的指标。")})
    month_field, extra = DRILL_FIGURES[figure]
    facts = (
        Fact.objects.filter(prefix_q("region_code", region_prefix(region.code)))
        .filter(**{f"{month_field}__gte": from_month, f"{month_field}__lte": to_month})
        .filter(extra)
    )
    if value is not None:
        if dim == "station":
            facts = facts.filter(station_id=int(value)) if value else facts.filter(station_id__isnull=True)
        elif dim == "category":
            facts = facts.filter(categories__contains=f",{value},")
        elif dim == "industry":
            facts = facts.filter(industry=value)
    if cooperative is not None:
        from . import membership

        spans = membership.stints([cooperative.pk])[cooperative.pk]
        facts = facts.filter(request_id__in=membership.member_requests(spans).values("pk"))
    return (
        ServiceRequest.objects.filter(pk__in=facts.values("request_id"))
        .select_related("enterprise", "station", "region")
        .order_by("-created_at", "-pk")
    )


def summary(
    user,
    *,
    region: Region,
    from_month: int,
    to_month: int,
    dim: str = "station",
    value=None,
    cooperative=None,
) -> dict:
    """The figure set of the region (or, with ``cooperative``, of that cooperative's members' requests
    counted in the region, with its pass rates) and the other modules' figures of the region."""
    if cooperative is not None:
        if value is not None:
            raise ValidationFailed({"cooperative": _("合作社不能与NQI要素、行业或服务站筛选同时使用。")})
        out = cooperative_figures(
            user, region=region, cooperatives=[cooperative], from_month=from_month, to_month=to_month
        )[cooperative.pk]
        out["cooperative"] = str(cooperative.organisation_id)
        out["cooperative_name"] = cooperative.name
        out.update(cooperative_pass_rates(user, cooperative, from_month, to_month))
    else:
        out = figs.figures(region=region.code, from_month=from_month, to_month=to_month, dim=dim, value=value)
    out.update(module_figures(user, region, from_month, to_month))
    return out


# --- reports -----------------------------------------------------------------------------------------


def report_list(*, fetched_by, region: str | None = None):
    scope = scope_of(fetched_by)
    if not scope.is_regulator:
        return Report.objects.none()
    own = set(
        Membership.objects.filter(user=fetched_by, role=Membership.Role.REGULATOR).values_list(
            "organisation__region_id", flat=True
        )
    )
    qs = Report.objects.filter(visible(fetched_by, Report))
    if not scope.is_admin:
        # Drafts are the author region's own business.
        qs = qs.filter(~Q(status=Report.Status.DRAFT) | Q(region_id__in=own))
    if region:
        qs = qs.filter(region_id=region)
    return qs.select_related("region", "parent_region", "created_by")


def report_get(*, fetched_by, pk) -> Report:
    return report_list(fetched_by=fetched_by).get(pk=pk)


# --- 环比 / 同比 ---------------------------------------------------------------------------------------

#: The dashboard's headline figures that are compared (the keys of its cards): the map's and the median.
COMPARED = (*labels.MAP_FIGURES, "median_resolve_hours")


def _month_range(period: tuple[int, int] | None) -> dict | None:
    if period is None:
        return None
    return {"from": compare.month_text(period[0]), "to": compare.month_text(period[1])}


def comparison(
    *,
    region: Region,
    from_month: int,
    to_month: int,
    dim: str = "station",
    value=None,
    today: datetime.date | None = None,
) -> dict:
    """环比 and 同比 of the headline figures (``compare.periods``: complete months only). ``figures``:
    ``{key: {now, previous, year_ago, mom, yoy}}`` (raw values and the changes as text: in % for counts,
    amounts, means and hours, in percentage points for rates); empty when the period has no complete
    month. Nine small queries (three figure sets)."""
    c = compare.periods(from_month, to_month, today or timezone.localdate())
    out = {
        "unfinished": c.unfinished,
        "compared": _month_range(c.compared),
        "previous": _month_range(c.previous),
        "year_ago": _month_range(c.year_ago),
        "figures": {},
    }
    if c.compared is None:
        return out
    sets = [
        figs.figures(region=region.code, from_month=a, to_month=b, dim=dim, value=value)
        for a, b in (c.compared, c.previous, c.year_ago)
    ]
    kinds = {k: kind for k, _label, kind in labels.FIGURES}
    for key in COMPARED:
        now, previous, year_ago = (s[key] for s in sets)
        diff = compare.points if kinds[key] == "rate" else compare.change
        out["figures"][key] = {
            "now": now,
            "previous": previous,
            "year_ago": year_ago,
            "mom": diff(now, previous),
            "yoy": diff(now, year_ago),
        }
    return out


# --- stations ranked by SLA kept ----------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def station_sla(*, region: Region, from_month: int, to_month: int) -> dict:
    """The service stations of the region ranked by the share of their requests resolved in the months
    within the SLA: resolved on or before the working-day deadline (``resolve_by``) and never flagged
    overdue (acceptance and first response included). Requests are those counted in the region (the
    stored ``Fact`` rows, re-routed ones included); platform-handled ones count in ``total`` only. Two
    queries whatever the number of requests or stations. Rank: equal shares share a rank."""
    p = region_prefix(region.code)
    resolved = Fact.objects.filter(
        Q(region_code=p) if len(p) == 6 else prefix_q("region_code", p),
        resolved_month__gte=from_month,
        resolved_month__lte=to_month,
    )
    counts = (
        ServiceRequest.objects.filter(pk__in=resolved.values("request_id"))
        .values("station_id")
        .annotate(
            handled=Count("pk"),
            kept=Count("pk", filter=Q(is_overdue=False, resolved_at__date__lte=F("resolve_by"))),
        )
        .order_by()
    )
    by_station = {r["station_id"]: r for r in counts}
    names = dict(
        Station.objects.filter(pk__in=[k for k in by_station if k is not None]).values_list("pk", "name")
    )
    rows = [
        {
            "station": pk,
            "label": names.get(pk, str(pk)),
            "handled": r["handled"],
            "kept": r["kept"],
            "late": r["handled"] - r["kept"],
            "kept_rate": _share(r["kept"], r["handled"]),
            "kept_rate_text": labels.format_value(_share(r["kept"], r["handled"]), "rate"),
        }
        for pk, r in by_station.items()
        if pk is not None
    ]
    rows.sort(key=lambda r: (-(r["kept_rate"] or 0), -r["handled"], r["label"]))
    for i, row in enumerate(rows):
        same = i and rows[i - 1]["kept_rate"] == row["kept_rate"]
        row["rank"] = rows[i - 1]["rank"] if same else i + 1
    handled = sum(r["handled"] for r in by_station.values())
    kept = sum(r["kept"] for r in by_station.values())
    total = {"handled": handled, "kept": kept, "late": handled - kept, "kept_rate": _share(kept, handled)}
    total["kept_rate_text"] = labels.format_value(total["kept_rate"], "rate")
    return {"rows": rows, "total": total}


# --- yearly targets -----------------------------------------------------------------------------------


def target_list(*, fetched_by, region: str, year: int):
    return Target.objects.filter(visible(fetched_by, Target)).filter(region_id=region, year=year)


def target_progress(*, fetched_by, region: Region, year: int, today: datetime.date | None = None) -> dict:
    """Each metric of ``year`` with its target (``None`` when none is set), the year-to-date actual (from
    the rollups; the SLA share as in ``station_sla``) and the progress towards the target in %.
    Rates are in percent (0–100)."""
    today = today or timezone.localdate()
    first, last = year * 100 + 1, min(year * 100 + 12, today.year * 100 + today.month)
    targets = {t.metric: t.value for t in target_list(fetched_by=fetched_by, region=region.code, year=year)}
    rows = []
    if first <= last:
        f = figs.figures(region=region.code, from_month=first, to_month=last)
        sla = station_sla(region=region, from_month=first, to_month=last)["total"]["kept_rate"]
        high = f["satisfaction_high_share"]
        actual = {
            "enterprises_helped": f["enterprises_helped"],
            "resolved": f["resolved"],
            "problems_solved": f["problems_solved"],
            "sla_kept_rate": None if sla is None else round(sla * 100, 1),
            "satisfaction_rate": None if high is None else round(high * 100, 1),
        }
    else:
        actual = {}
    for metric, label in Target.Metric.choices:
        target = targets.get(metric)
        now = actual.get(metric)
        progress = round(float(now) * 100 / float(target), 1) if target and now is not None else None
        rows.append(
            {
                "metric": metric,
                "label": str(label),
                "percent": metric in Target.PERCENT,
                "target": None if target is None else float(target),
                "actual": now,
                "progress": progress,
                "bar": None if progress is None else min(progress, 100.0),
            }
        )
    return {
        "region": region.code,
        "region_name": region.name,
        "year": year,
        "from": compare.month_text(first),
        "to": compare.month_text(max(first, last)),
        "started": first <= last,
        "rows": rows,
    }
