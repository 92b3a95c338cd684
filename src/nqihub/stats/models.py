"""Statistics: pre-aggregated rollups of the service desk, kept up to date incrementally, and the periodic
reports regulators submit up the hierarchy.

- ``Fact``: what one service request currently adds to the rollups (one row per request). When the request
  changes, the difference between its old and its new contribution is applied (``rollups.apply_request``).
- ``Rollup``: additive measures per (dimension, value, scope, month), a scope being the region-code prefix
  of the nation, a province, a city or a county: every request adds to the four scopes above its county,
  so any region's figures are read from its own rows. Cubes: ``""`` (base), ``station``, ``category``
  (once per category a request names), ``industry`` (GB/T 4754 division, the first two digits).
- ``DurationBucket``: histograms of the time to accept / resolve (the base cube down to the county, the
  filtered cubes down to the province or the nation; below that read from ``Fact`` rows), so that medians
  are exact at the bucket resolution.
- ``Helped``: (county, month, station, enterprise) presence with a reference count, and
  ``DistinctHelped``: per (scope, month, previous month helped) counts from which the number of distinct
  enterprises over any range of months is a sum.

Money is stored in fen (integer cents): sums stay exact on SQLite and PostgreSQL alike. Months are ``yyyymm``
integers. See docs/decisions/0003-statistics.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core.models import Region
from nqihub.core.scoping import NOTHING, Scope, region_q


class Fact(models.Model):
    request_id = models.BigIntegerField(primary_key=True)
    region_code = models.CharField(max_length=6)
    enterprise_id = models.BigIntegerField()
    station_id = models.BigIntegerField(null=True)
    categories = models.CharField(max_length=120)
    industry = models.CharField(max_length=2, default="")
    received_month = models.IntegerField()
    overdue = models.BooleanField(default=False)
    accepted_month = models.IntegerField(null=True)
    accept_hours = models.IntegerField(null=True)
    resolved_month = models.IntegerField(null=True)
    resolve_hours = models.IntegerField(null=True)
    outcome = models.CharField(max_length=14, default="")
    technical_problem = models.BooleanField(default=False)
    cost_saved_fen = models.BigIntegerField(default=0)
    loss_avoided_fen = models.BigIntegerField(default=0)
    rated_month = models.IntegerField(null=True)
    rating = models.SmallIntegerField(null=True)

    class Meta:
        verbose_name = _("统计事实")
        verbose_name_plural = _("统计事实")
        indexes = [
            # Covering: a county's duration histograms are read from these two.
            models.Index(
                fields=["region_code", "resolved_month", "resolve_hours"], name="stats_fact_resolved"
            ),
            models.Index(
                fields=["region_code", "accepted_month", "accept_hours"], name="stats_fact_accepted"
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.request_id}"


class CubeCell(models.Model):
    """One cube cell: (dimension, value, scope, month). ``scope`` is a region-code prefix: "" (the
    nation), 2 (province), 4 (city) or 6 digits (county), so that a region's figures are read from its own
    rows (one per month) and never summed over its subtree; ``parent`` is the scope above (for the
    child-region breakdown). ``dim`` "" is the base cube (value ""); ``station``, ``category``,
    ``industry`` are the cubes read only when that filter or breakdown is asked."""

    dim = models.CharField(max_length=8)
    value = models.CharField(max_length=24)
    scope = models.CharField(max_length=6)
    parent = models.CharField(max_length=4, null=True)
    month = models.IntegerField()

    class Meta:
        abstract = True


class Rollup(CubeCell):
    """Additive measures of one cube cell."""

    received = models.BigIntegerField(default=0)
    overdue = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    resolved = models.BigIntegerField(default=0)
    solved = models.BigIntegerField(default=0)
    cost_saved_fen = models.BigIntegerField(default=0)
    loss_avoided_fen = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)
    rating_high = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["dim", "scope", "month", "value"], name="stats_rollup_key")
        ]
        indexes = [models.Index(fields=["dim", "parent", "month"], name="stats_rollup_parent")]

    def __str__(self) -> str:
        return f"{self.dim}={self.value} {self.scope or '*'} {self.month}"


class DurationBucket(CubeCell):
    """Histogram of the times to accept / resolve per cube cell: the base cube down to the county (scopes of
    0, 2, 4 and 6 digits), the other cubes down to the province (``facts.BUCKET_SCOPE_MAX``). Rows per cell
    are at most the number of buckets, whatever the number of requests; the filtered cubes of a city or a
    county are read from its ``Fact`` rows (covering indexes)."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", _("受理用时")
        RESOLVE = "resolve", _("办结用时")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    bucket = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("用时分布")
        verbose_name_plural = _("用时分布")
        constraints = [
            models.UniqueConstraint(
                fields=["dim", "scope", "month", "value", "kind", "bucket"], name="stats_bucket_key"
            )
        ]
        indexes = [models.Index(fields=["dim", "parent", "month"], name="stats_bucket_parent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.bucket}: {self.n}"


class Helped(models.Model):
    """Presence: enterprise helped in (county, month, station), with a reference count. Only read when an
    enterprise's requests change (to maintain ``DistinctHelped``) and by the rebuild."""

    region_code = models.CharField(max_length=6)
    month = models.IntegerField()
    station = models.CharField(max_length=24, default="")
    enterprise_id = models.BigIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("受助企业")
        verbose_name_plural = _("受助企业")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_id", "region_code", "station", "month"], name="stats_helped_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month} {self.enterprise_id}"


class DistinctHelped(CubeCell):
    """Distinct enterprises helped, additive over any range of months: ``n`` enterprises were helped in
    ``month`` in the scope and, before that, last in ``prev`` (0: never). The distinct count over
    months a..b is ``SUM(n) WHERE a <= month <= b AND prev < a`` (each enterprise counted at its first
    month in the range). Rows per scope are at most months²/2, whatever the number of enterprises."""

    prev = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("受助企业数")
        verbose_name_plural = _("受助企业数")
        constraints = [
            models.UniqueConstraint(
                fields=["dim", "scope", "month", "value", "prev"], name="stats_distinct_key"
            )
        ]
        indexes = [models.Index(fields=["dim", "parent", "month"], name="stats_distinct_parent")]

    def __str__(self) -> str:
        return f"{self.scope or '*'} {self.month}<-{self.prev}: {self.n}"


class Report(models.Model):
    """A frozen snapshot of a region's figures for a period, submitted to the regulator of the region above."""

    class Period(models.TextChoices):
        MONTH = "month", _("月报")
        QUARTER = "quarter", _("季报")
        YEAR = "year", _("年报")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已上报")
        APPROVED = "approved", _("已审核通过")
        RETURNED = "returned", _("已退回")

    region = kit.region_ref(_("地区"))
    #: The region the report goes to (the level above); NULL for a national report.
    parent_region = kit.region_ref(_("上报至"), db_column="parent_region_code", null=True, blank=True)
    period_type = models.CharField(_("报表类型"), max_length=8, choices=Period.choices)
    year = models.PositiveIntegerField(_("年度"))
    #: Month 1–12 (月报), quarter 1–4 (季报), 0 for a 年报.
    part = models.PositiveSmallIntegerField(_("月份/季度"), default=0)
    from_month = models.IntegerField(_("起始月份"))
    to_month = models.IntegerField(_("截止月份"))
    figures = models.JSONField(_("统计数据"), default=dict)
    remarks = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    decision_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    created_by = kit.user_ref(blank=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    #: The author's regulator sees its region's reports; the regulator above sees what was sent to it.
    scope_region_field = "region_id"

    class Meta:
        ordering = ["-year", "-from_month", "-id"]
        verbose_name = _("统计报表")
        verbose_name_plural = _("统计报表")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period_type", "year", "part"], name="stats_report_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_type == self.Period.MONTH:
            return _("%(y)s年%(m)s月 月报") % {"y": self.year, "m": self.part}
        if self.period_type == self.Period.QUARTER:
            return _("%(y)s年第%(q)s季度 季报") % {"y": self.year, "q": self.part}
        return _("%(y)s年 年报") % {"y": self.year}

    @property
    def period_unfinished(self) -> bool:
        """The period has not ended yet (its last month is this month or later): its figures will still
        change, and whoever reads or submits it must be told."""
        today = timezone.localdate()
        return self.to_month >= today.year * 100 + today.month

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        # The regulator of the parent region sees the reports sent to it (not drafts: see selectors).
        if not scope.regulator_prefixes:
            return NOTHING
        return region_q("parent_region_id", scope.regulator_prefixes) & ~Q(status="draft")


class ReportEvent(models.Model):
    """History of a report: created, submitted, approved, returned (with the reason)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    by = kit.user_ref(blank=False)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("报表记录")
        verbose_name_plural = _("报表记录")

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"

    @property
    def action_label(self) -> str:
        from .services import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def to_status_label(self) -> str:
        return str(Report.Status(self.to_status).label)


class Target(models.Model):
    """A yearly target a regulator sets for a region (its own or one below it): one value per metric and
    year. The dashboard and the API set the year-to-date actual beside it (``selectors.targets``)."""

    class Metric(models.TextChoices):
        ENTERPRISES_HELPED = "enterprises_helped", _("服务企业数（家）")
        RESOLVED = "resolved", _("办结需求数（件）")
        PROBLEMS_SOLVED = "problems_solved", _("解决技术难题（项）")
        SLA_KEPT_RATE = "sla_kept_rate", _("按时办结率（%）")
        SATISFACTION_RATE = "satisfaction_rate", _("满意率（%）")

    #: Metrics given in percent (0–100); the others are whole counts.
    PERCENT = ("sla_kept_rate", "satisfaction_rate")

    region = models.ForeignKey(
        Region, verbose_name=_("地区"), on_delete=models.PROTECT, db_column="region_code", related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    metric = models.CharField(_("指标"), max_length=24, choices=Metric.choices)
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    #: Regulators see (and, through ``core.policy.regulates``, set) the targets of their region subtree.
    scope_region_field = "region_id"

    class Meta:
        ordering = ["region_id", "-year", "metric"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "metric"], name="stats_target_one_per_metric")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.metric}={self.value}"
