"""Reference data (regions, industries), organisations and memberships, the audit log.

Regions: the GB/T 2260 code is the primary key and the tree. Every scoped record stores the code of
its county (or the most precise level known) and a regulator's subtree is a code prefix
(see ``regions.prefix``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .files import RandomName
from .model_kit import CodeTree, CreatedRecord, DemoCreatedRecord, region_ref


class Region(CodeTree):
    class Level(models.TextChoices):
        NATIONAL = "national", _("全国")
        PROVINCE = "province", _("省级")
        CITY = "city", _("地级")
        COUNTY = "county", _("县级")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices, db_index=True)
    kind = models.CharField(
        _("类型"), max_length=16, blank=True, help_text=_("如 地级市、市辖区、县、自治县")
    )
    source = models.CharField(_("数据来源"), max_length=64, blank=True)

    class Meta(CodeTree.Meta):
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        from .regions import prefix

        return prefix(self.code)

    @property
    def parent_code(self) -> str | None:
        return self.parent_id

    def full_name(self) -> str:
        names = []
        node: Region | None = self
        while node is not None:
            if node.name != "市辖区":
                names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Industry(CodeTree):
    """GB/T 4754-2017 (with amendment No. 1): section letter, division, group, class."""

    class Level(models.TextChoices):
        SECTION = "section", _("门类")
        DIVISION = "division", _("大类")
        GROUP = "group", _("中类")
        CLASS = "class", _("小类")

    code = models.CharField(_("行业代码"), max_length=4, primary_key=True)
    name = models.CharField(_("名称"), max_length=128)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices, db_index=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta(CodeTree.Meta):
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")


class ReferenceDataVersion(models.Model):
    """Which source and version each reference data set was loaded from."""

    dataset = models.CharField(_("数据集"), max_length=64, unique=True)
    source = models.CharField(_("来源"), max_length=255)
    version = models.CharField(_("版本"), max_length=64)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("参考数据版本")
        verbose_name_plural = _("参考数据版本")

    def __str__(self) -> str:
        return f"{self.dataset} {self.version}"


class Organisation(DemoCreatedRecord):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        STATION = "station", _("质量服务站")
        INSTITUTION = "institution", _("技术机构")
        COOPERATIVE = "cooperative", _("质量合作社")
        REGULATOR = "regulator", _("市场监管部门")
        PLATFORM = "platform", _("平台运营")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=200)
    region = region_ref()

    class Meta:
        ordering = ["name"]
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name


class Membership(CreatedRecord):
    class Role(models.TextChoices):
        ENTERPRISE_USER = "enterprise_user", _("企业用户")
        STATION_STAFF = "station_staff", _("服务站工作人员")
        EXPERT = "expert", _("专家")
        INSTITUTION_STAFF = "institution_staff", _("技术机构人员")
        COOPERATIVE_ADMIN = "cooperative_admin", _("合作社管理员")
        REGULATOR = "regulator", _("监管人员")
        PLATFORM_ADMIN = "platform_admin", _("平台管理员")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="uniq_membership_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class AuditEntry(models.Model):
    """Who did what to which object, when and from where. Append-only and tamper-evident: ``hash`` is the
    SM3 of the entry's content and ``prev_hash``, the hash of the entry before it (``core.audit``), so a
    changed, inserted, deleted or reordered entry breaks the chain (``manage.py verify_audit``)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_username = models.CharField(_("用户名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条的哈希"), max_length=64, blank=True, default="")
    hash = models.CharField(_("哈希（SM3）"), max_length=64, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_username", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"


class AuditAnchor(models.Model):
    """Where the chain continues after old entries were archived and deleted (``manage.py archive_audit``):
    the first entry kept has ``prev_hash == last_hash``."""

    created_at = models.DateTimeField(_("归档时间"), auto_now_add=True)
    first_id = models.BigIntegerField(_("首条编号"))
    last_id = models.BigIntegerField(_("末条编号"))
    last_hash = models.CharField(_("末条哈希"), max_length=64)
    count = models.PositiveIntegerField(_("条数"))
    archive = models.CharField(_("归档文件"), max_length=300)
    signature = models.CharField(_("签名（HMAC-SM3）"), max_length=64)

    class Meta:
        ordering = ["-last_id"]
        verbose_name = _("审计日志归档")
        verbose_name_plural = _("审计日志归档")

    def __str__(self) -> str:
        return f"#{self.first_id}–#{self.last_id} → {self.archive}"


class WorkdayOverride(models.Model):
    """One date of the working-day calendar entered by an admin: a public holiday or a 调休 make-up working
    day. Overrides chinese_calendar and extends it to years it has no data for (see ``core.workdays``).
    Written through ``workcalendar.workday_override_set`` / the admin, which refresh the cached calendar."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("安排"), choices=[(False, _("放假")), (True, _("上班（调休补班）"))], default=False
    )
    name = models.CharField(_("节日名称"), max_length=64, blank=True, help_text=_("如 春节、国庆节"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class PeriodicJob(models.Model):
    """The state of one periodic job (``core.periodic.JOBS``), shared by every process: when it last ran
    and how it ended, and a lease while it runs, so that Celery beat, ``manage.py run_periodic`` (cron) and a
    job's own command never run the same job twice at once and a cron-only site knows what is due."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        OK = "ok", _("成功")
        FAILED = "failed", _("失败")

    name = models.CharField(_("任务"), max_length=64, primary_key=True)
    last_started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    last_status = models.CharField(_("状态"), max_length=8, choices=Status.choices, blank=True)
    last_trigger = models.CharField(_("触发方式"), max_length=16, blank=True)
    last_result = models.JSONField(_("结果"), default=dict, blank=True)
    last_error = models.TextField(_("错误"), blank=True)
    lease_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One upload of a table (directory scope, standards catalog, instruments, certificates, test results)
    and its import: the state lives here only, so any process may run it and any process may show its
    progress. The uploaded file is private (random name) and deleted when the job finishes; the row is
    swept after ``IMPORT_JOB_RETENTION_DAYS`` (``core.imports.sweep``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, editable=False)
    kind = models.CharField(_("导入类型"), max_length=40, db_index=True)
    file = models.FileField(_("上传文件"), upload_to=RandomName("imports"), max_length=200, blank=True)
    filename = models.CharField(_("原文件名"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    #: What the import writes to, e.g. ``{"institution": 12, "replace": false}``.
    scope = models.JSONField(_("导入范围"), default=dict, blank=True)
    scope_label = models.CharField(_("导入对象"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    #: "checking" (rows read and validated) or "writing" (rows written).
    phase = models.CharField(_("阶段"), max_length=10, blank=True)
    done = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    message = models.CharField(_("结果说明"), max_length=500, blank=True)
    #: At most ``core.tabular.MAX_ISSUES`` row issues: ``{"row", "field", "message", "level"}``.
    errors = models.JSONField(_("错误行"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    result = models.JSONField(_("结果摘要"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="core_importjob_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Sequence(models.Model):
    """A named counter (request numbers per year, test order numbers per year, report numbers per lab and
    year): ``core.numbering.next_value`` increments it under the row's lock."""

    key = models.CharField(_("名称"), max_length=64, unique=True)
    value = models.PositiveIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
