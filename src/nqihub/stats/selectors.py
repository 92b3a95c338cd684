"""Scoped reads of statistics. A region's figures are for platform admins and the regulators whose
region contains it; anyone else, or a region outside the user's subtree, gets ``NotFound`` (404).
The public page reads national headline figures only (no login, nothing personal)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import NotFound, ValidationFailed
from nqihub.core.models import Membership, Region
from nqihub.core.regions import NATIONAL, is_code
from nqihub.core.regions import prefix as region_prefix
from nqihub.core.scoping import scope_of, visible

from . import figures as figs
from .models import Fact, Report


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


def module_figures(user, region: Region, today: datetime.date | None = None) -> dict:
    """Figures of the other modules now (scoped through their own selectors): instruments overdue,
    certificates expiring within 90 days, test pass rate of reports issued in the last 12 months."""
    from nqihub.certification import selectors as cert
    from nqihub.core.scoping import prefix_q
    from nqihub.metrology import selectors as metro

    today = today or timezone.localdate()
    p = region_prefix(region.code)
    out = {
        "instruments_overdue": metro.overdue_list(fetched_by=user, region=region.code, today=today).count(),
        "certificates_expiring": cert.certificate_list(fetched_by=user, expiring_within_days=90, today=today)
        .filter(prefix_q("region_id", p))
        .count(),
        "test_pass_rate": None,
    }
    out["test_pass_rate"] = test_pass_rate(user, region, today)
    return out


def test_pass_rate(user, region: Region, today: datetime.date) -> float | None:
    """Share of test orders with a pass conclusion among those issued (pass or fail) in the last year;
    ``None`` while the testing module has no orders table."""
    try:
        from nqihub.testing.models import TestOrder
    except ImportError:  # pragma: no cover
        return None
    from django.db import connection

    if TestOrder._meta.db_table not in connection.introspection.table_names():
        return None
    from django.db.models import Count

    from nqihub.core.scoping import prefix_q

    since = timezone.now() - datetime.timedelta(days=365)
    counts = (
        TestOrder.objects.filter(visible(user, TestOrder))
        .filter(
            prefix_q("region_id", region_prefix(region.code)),
            issued_at__gte=since,
            conclusion__in=["pass", "fail"],
        )
        .aggregate(n=Count("pk"), passed=Count("pk", filter=Q(conclusion="pass")))
    )
    return round(counts["passed"] / counts["n"], 4) if counts["n"] else None


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
):
    """The service requests behind one figure of ``region`` (the user may see the region: ``region_for``).
    A regulator sees the requests counted in its region, including those re-routed to it from elsewhere
    (number, title, enterprise and outcome; no contact data)."""
    from nqihub.core.scoping import prefix_q
    from nqihub.desk.models import ServiceRequest

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
    return (
        ServiceRequest.objects.filter(pk__in=facts.values("request_id"))
        .select_related("enterprise", "station", "region")
        .order_by("-created_at", "-pk")
    )


def summary(
    user, *, region: Region, from_month: int, to_month: int, dim: str = "station", value=None
) -> dict:
    out = figs.figures(region=region.code, from_month=from_month, to_month=to_month, dim=dim, value=value)
    out.update(module_figures(user, region))
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
