"""Writes of the stats app: the periodic reports (月报/季报/年报).

    draft → submitted → approved
              ↑    ↓
              returned (with a reason)

A regulator creates a report for its own region and a period; submitting freezes the region's figures
(``figures`` + the breakdown by child region) and sends it to the regulator of the nearest region above
that has one; only that regulator approves or returns it. Every step is audited and kept in the
report's history (``ReportEvent``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core import audit, policy
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.models import Membership, Organisation, Region
from nqihub.core.regions import NATIONAL, parent
from nqihub.core.scoping import scope_of
from nqihub.notifications.services import notify

from . import figures as figs
from .models import Report, ReportEvent, Target

TRANSITIONS = {
    (Report.Status.DRAFT, "submit"): Report.Status.SUBMITTED,
    (Report.Status.RETURNED, "submit"): Report.Status.SUBMITTED,
    (Report.Status.SUBMITTED, "approve"): Report.Status.APPROVED,
    (Report.Status.SUBMITTED, "return"): Report.Status.RETURNED,
}

ACTION_LABELS = {
    "create": gettext_lazy("创建"),
    "submit": gettext_lazy("上报"),
    "approve": gettext_lazy("审核通过"),
    "return": gettext_lazy("退回"),
}


def next_status(current: str, action: str) -> str:
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise DomainError(
            _("报表当前状态为“%(s)s”，不能%(a)s。")
            % {"s": Report.Status(current).label, "a": ACTION_LABELS.get(action, action)}
        ) from None


def regulator_regions(user) -> set[str]:
    return set(
        Membership.objects.filter(user=user, role=Membership.Role.REGULATOR).values_list(
            "organisation__region_id", flat=True
        )
    )


def parent_regulator_region(code: str) -> str | None:
    """The nearest region above ``code`` that has a regulator organisation (the nation at the top)."""
    if code == NATIONAL:
        return None
    node = parent(code)
    chain = []
    while node:
        chain.append(node)
        node = parent(node)
    chain.append(NATIONAL)
    have = set(
        Organisation.objects.filter(kind=Organisation.Kind.REGULATOR, region_id__in=chain).values_list(
            "region_id", flat=True
        )
    )
    for candidate in chain:
        if candidate in have:
            return candidate
    return chain[0]


def period_months(period_type: str, year: int, part: int) -> tuple[int, int]:
    if period_type == Report.Period.MONTH:
        if not 1 <= part <= 12:
            raise ValidationFailed({"part": _("月报的月份应为 1–12。")})
        return year * 100 + part, year * 100 + part
    if period_type == Report.Period.QUARTER:
        if not 1 <= part <= 4:
            raise ValidationFailed({"part": _("季报的季度应为 1–4。")})
        return year * 100 + part * 3 - 2, year * 100 + part * 3
    if period_type == Report.Period.YEAR:
        return year * 100 + 1, year * 100 + 12
    raise ValidationFailed({"period_type": _("报表类型应为 month（月报）、quarter（季报）或 year（年报）。")})


def snapshot(region_code: str, from_month: int, to_month: int) -> dict:
    return {
        "totals": figs.figures(region=region_code, from_month=from_month, to_month=to_month),
        "children": figs.breakdown(
            region=region_code, from_month=from_month, to_month=to_month, by="child_region"
        ),
        "frozen_at": timezone.now().isoformat(),
    }


def _notify(users, event: str, title: str, report: Report, body: str = "") -> None:
    notify(
        users=users,
        event=event,
        title=title,
        body=body,
        url=reverse("stats:report-detail", args=[report.pk]),
        obj=report,
    )


def _regulators_of(code: str | None) -> list:
    if code is None:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            role=Membership.Role.REGULATOR,
            organisation__kind=Organisation.Kind.REGULATOR,
            organisation__region_id=code,
        ).select_related("user")
    ]


def _event(report: Report, action: str, old: str, by, reason: str = "") -> None:
    ReportEvent.objects.create(
        report=report, action=action, from_status=old, to_status=report.status, reason=reason, by=by
    )
    audit.record(by, f"stats.report.{action}", report, {"from": old, "to": report.status, "reason": reason})


@transaction.atomic
def report_create(
    *, region: str, period_type: str, year: int, part: int = 0, remarks: str = "", by
) -> Report:
    if region not in regulator_regions(by):
        raise DomainError(_("只有本地区的监管部门可以编制本地区的统计报表。"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed({"year": _("年度应在 2000–2100 之间。")})
    if period_type == Report.Period.YEAR:
        part = 0
    from_month, to_month = period_months(period_type, year, part)
    today = timezone.localdate()
    if from_month > today.year * 100 + today.month:
        raise ValidationFailed({"year": _("报表期间尚未开始。")})
    remarks = (remarks or "").strip()
    if len(remarks) > 5000:
        raise ValidationFailed({"remarks": _("说明不能超过5000个字符。")})
    try:
        with transaction.atomic():
            report = Report.objects.create(
                region_id=region,
                parent_region_id=parent_regulator_region(region),
                period_type=period_type,
                year=year,
                part=part,
                from_month=from_month,
                to_month=to_month,
                figures=snapshot(region, from_month, to_month),
                remarks=remarks,
                created_by=by,
            )
    except IntegrityError:
        raise DomainError(_("本地区该期间的报表已存在。"), field="period_type") from None
    _event(report, "create", "", by)
    return report


def _lock(report: Report | int) -> Report:
    pk = report.pk if isinstance(report, Report) else report
    return Report.objects.select_for_update(of=("self",)).get(pk=pk)


@transaction.atomic
def report_submit(*, report: Report, remarks: str | None = None, by) -> Report:
    report = _lock(report)
    if report.region_id not in regulator_regions(by):
        raise DomainError(_("只有本地区的监管部门可以上报该报表。"))
    if report.parent_region_id is None:
        raise DomainError(_("全国报表没有上级，无需上报。"))
    old = report.status
    report.status = next_status(old, "submit")
    if remarks is not None:
        remarks = remarks.strip()
        if len(remarks) > 5000:
            raise ValidationFailed({"remarks": _("说明不能超过5000个字符。")})
        report.remarks = remarks
    # Submitting freezes the figures as they are now.
    report.figures = snapshot(report.region_id, report.from_month, report.to_month)
    report.submitted_at = timezone.now()
    report.decision_reason = ""
    report.save()
    _event(report, "submit", old, by)
    _notify(
        _regulators_of(report.parent_region_id),
        "stats.report.submitted",
        _("%(region)s %(period)s 已上报，待审核")
        % {"region": report.region.name, "period": report.period_label},
        report,
        report.remarks,
    )
    return report


def _decide(report: Report, action: str, by, reason: str = "") -> Report:
    report = _lock(report)
    if report.parent_region_id is None or report.parent_region_id not in regulator_regions(by):
        raise DomainError(_("只有上级监管部门可以审核该报表。"))
    old = report.status
    report.status = next_status(old, action)
    report.decided_at = timezone.now()
    report.decision_reason = reason
    report.save()
    _event(report, action, old, by, reason)
    _notify(
        _regulators_of(report.region_id),
        "stats.report.decided",
        _("%(region)s %(period)s：%(status)s")
        % {
            "region": report.region.name,
            "period": report.period_label,
            "status": report.get_status_display(),
        },
        report,
        reason,
    )
    return report


@transaction.atomic
def report_approve(*, report: Report, by) -> Report:
    return _decide(report, "approve", by)


@transaction.atomic
def report_return(*, report: Report, reason: str, by) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("请填写退回理由。")})
    if len(reason) > 500:
        raise ValidationFailed({"reason": _("退回理由不能超过500个字符。")})
    return _decide(report, "return", by, reason)


def may_decide(user, report: Report) -> bool:
    return report.parent_region_id is not None and report.parent_region_id in regulator_regions(user)


def may_submit(user, report: Report) -> bool:
    return report.region_id in regulator_regions(user) and report.parent_region_id is not None


def may_set_targets(user, region: str) -> bool:
    return policy.regulates(user, region)


def is_stats_user(user) -> bool:
    return scope_of(user).is_regulator


# --- yearly targets -----------------------------------------------------------------------------------

#: Largest count a target takes (a whole number of enterprises, requests, problems).
TARGET_COUNT_MAX = 10**9


def clean_target(metric: str, raw) -> Decimal | None:
    """A target value as typed (text or number): ``None`` for blank (no target); a percentage 0–100 with
    at most two decimals, or a whole count 0–10⁹. ``ValidationFailed`` naming the metric otherwise."""
    if metric not in Target.Metric.values:
        raise ValidationFailed({"metric": _("指标应为：%(v)s。") % {"v": "、".join(Target.Metric.values)}})
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().rstrip("%"))
    except InvalidOperation:
        raise ValidationFailed({metric: _("应为数字。")}) from None
    if not value.is_finite():
        raise ValidationFailed({metric: _("应为数字。")})
    if metric in Target.PERCENT:
        if not 0 <= value <= 100:
            raise ValidationFailed({metric: _("百分比应在 0–100 之间。")})
        if value != value.quantize(Decimal("0.01")):
            raise ValidationFailed({metric: _("百分比最多保留两位小数。")})
        return value.quantize(Decimal("0.01"))
    if value != value.to_integral_value():
        raise ValidationFailed({metric: _("应为整数。")})
    if not 0 <= value <= TARGET_COUNT_MAX:
        raise ValidationFailed({metric: _("应在 0–%(max)s 之间。") % {"max": f"{TARGET_COUNT_MAX:,}"}})
    return value


@transaction.atomic
def targets_set(*, region: str, year: int, values: dict, by) -> dict[str, Decimal | None]:
    """Set (or, with a blank value, remove) the yearly targets of ``region``: ``values`` maps metrics to
    values as typed. Only a regulator of the region (or of one above it) or an admin. Every value is
    checked before anything is written; each change is audited. Returns the targets now set."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed({"year": _("年度应在 2000–2100 之间。")})
    if not Region.objects.filter(code=region).exists():
        raise ValidationFailed({"region": _("地区应为6位行政区划代码，如 450200。")})
    policy.require(
        may_set_targets(by, region),
        _("只有本地区（或上级）的监管部门可以设置本地区的年度目标。"),
    )
    cleaned, errors = {}, {}
    for metric, raw in values.items():
        try:
            cleaned[metric] = clean_target(metric, raw)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    rows = {
        t.metric: t
        for t in Target.objects.select_for_update().filter(region_id=region, year=year, metric__in=cleaned)
    }
    for metric, value in cleaned.items():
        row = rows.get(metric)
        old = None if row is None else row.value
        if old == value:
            continue
        if value is None:
            audit.record(by, "stats.target.clear", row, {"metric": metric, "from": str(old)})
            row.delete()
            continue
        if row is None:
            try:
                with transaction.atomic():
                    row = Target.objects.create(
                        region_id=region, year=year, metric=metric, value=value, set_by=by
                    )
            except IntegrityError:  # set concurrently: take the row and update it
                row = Target.objects.select_for_update().get(region_id=region, year=year, metric=metric)
                old = row.value
        if row.value != value or row.set_by_id != by.pk:
            row.value, row.set_by = value, by
            row.save(update_fields=["value", "set_by", "updated_at"])
        audit.record(
            by,
            "stats.target.set",
            row,
            {"metric": metric, "from": None if old is None else str(old), "to": str(value)},
        )
    return {t.metric: t.value for t in Target.objects.filter(region_id=region, year=year).order_by("metric")}
