"""Inspection and testing (检验检测, SPEC §6): a small LIMS.

A test order (委托单) is placed by an enterprise, by station staff from a service request, or by a
cooperative for a member, at a testing lab (a ``directory.Institution`` whose capability scope covers every
item). It carries samples (with photos) and test items; the lab receives the samples, enters results,
which are judged against each item's requirement, and three people of the lab sign off (检测 → 审核 →
批准) before a report is issued. An issued report (``Report``) is frozen: its facts and its PDF are stored
with it; a correction issues a new revision that names the report it replaces.

Every order stores its enterprise's county code (``region_id``) so that a regulator's subtree is a prefix
range; who sees what is declared here (``scope_*``) and applied by ``core.scoping.visible``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core import policy
from nqihub.core.files import RandomName
from nqihub.core.models import Organisation
from nqihub.core.scoping import Scope
from nqihub.desk.models import request_ref
from nqihub.directory.models import Enterprise, Institution


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    SAMPLE_RECEIVED = "sample_received", _("已收样")
    TESTING = "testing", _("检测中")
    RESULTS_ENTERED = "results_entered", _("结果已录入")
    REVIEWED = "reviewed", _("已审核")
    APPROVED = "approved", _("已批准")
    ISSUED = "issued", _("已出具报告")
    CANCELLED = "cancelled", _("已取消")
    REJECTED = "rejected", _("已拒收")


class Conclusion(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    UNDETERMINED = "undetermined", _("不判定")


class Verdict(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NOT_JUDGED = "not_judged", _("不判定")


class Origin(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业委托")
    STATION = "station", _("服务站代为委托")
    COOPERATIVE = "cooperative", _("合作社委托")
    REGULATOR = "regulator", _("监管部门委托")


class TestKind(models.TextChoices):
    COMMISSIONED = "commissioned", _("委托检验")
    SUPERVISION = "supervision", _("监督检验")


class SignLevel(models.TextChoices):
    TEST = "test", _("检测")
    REVIEW = "review", _("审核")
    APPROVE = "approve", _("批准")


def _order_scope_extra(scope: Scope) -> Q:
    """Besides the client enterprise's own users and the regulators of its region: the lab's staff (once
    the order is submitted), the cooperative that placed it, and station staff for the enterprises in
    their stations' service areas (as they see those enterprises)."""
    q = policy.station_area_q(scope, "region_id") | policy.assigned_q(scope, "service_request_id")
    institution_orgs = policy.institution_orgs(scope)
    if institution_orgs:
        q |= Q(lab__organisation_id__in=institution_orgs) & ~Q(status=OrderStatus.DRAFT)
    coop_orgs = policy.cooperative_orgs(scope)
    if coop_orgs:
        q |= Q(cooperative_id__in=coop_orgs)
    return q


class TestOrder(kit.DemoRecord):
    __test__ = False  # not a pytest test class

    number = models.CharField(_("委托单号"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("委托企业"), on_delete=models.PROTECT, related_name="test_orders"
    )
    #: The enterprise's county, copied on write (scoping and statistics by prefix range).
    region = kit.copied_region_ref()
    lab = models.ForeignKey(
        Institution, verbose_name=_("检测机构"), on_delete=models.PROTECT, related_name="test_orders"
    )
    cooperative = models.ForeignKey(
        Organisation,
        verbose_name=_("质量合作社"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperative_test_orders",
    )
    service_request = request_ref(_("服务需求"), "test_orders")
    origin = models.CharField(_("委托来源"), max_length=12, choices=Origin.choices, default=Origin.ENTERPRISE)
    test_kind = models.CharField(
        _("检验类别"), max_length=12, choices=TestKind.choices, default=TestKind.COMMISSIONED
    )
    product_name = models.CharField(_("样品/产品名称"), max_length=200)
    product_standard = models.ForeignKey(
        "standards.Standard",
        verbose_name=_("产品标准（判定依据）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The product standard as written (kept when it is not in the catalogue).
    product_standard_text = models.CharField(_("产品标准（判定依据）"), max_length=200, blank=True)
    client_address = models.CharField(_("委托方地址"), max_length=255, blank=True)
    remarks = models.TextField(_("备注"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True
    )
    #: Why the order was cancelled or rejected, or why it was returned / reopened last.
    status_reason = models.TextField(_("状态说明"), blank=True)
    conclusion = models.CharField(
        _("结论"), max_length=12, choices=Conclusion.choices, blank=True, default=""
    )
    #: Sign-off round: a return for retest starts a new one and voids the sign-offs of the last.
    round = models.PositiveIntegerField(default=1, editable=False)
    created_by = kit.user_ref(_("创建人"), blank=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("收样时间"), null=True, blank=True)
    #: When the current report was issued (the latest revision); null until issued.
    issued_at = models.DateTimeField(_("出具时间"), null=True, blank=True, db_index=True)

    scope_org_field = "enterprise__organisation"
    scope_region_field = "region_id"
    scope_extra = staticmethod(_order_scope_extra)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("检验委托单")
        verbose_name_plural = _("检验委托单")
        indexes = [
            models.Index(fields=["region", "issued_at"], name="testorder_region_issued"),
            models.Index(fields=["lab", "status"], name="testorder_lab_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.product_name}"

    @property
    def product_standard_label(self) -> str:
        if self.product_standard_id:
            return self.product_standard.canonical
        return self.product_standard_text

    @property
    def product_standard_unlisted(self) -> bool:
        """A product standard written as a number the catalogue does not hold (accepted: 未收录，请核实)."""
        return bool(self.product_standard_text) and not self.product_standard_id


def photo_path(instance, filename: str) -> str:
    """The public-era location (before private storage); only migration 0001 still names it."""
    return f"testing/samples/{instance.sample_id}/{filename}"


class Sample(kit.CreatedRecord):
    order = models.ForeignKey(TestOrder, on_delete=models.CASCADE, related_name="samples")
    name = models.CharField(_("样品名称"), max_length=200)
    model_spec = models.CharField(_("规格型号"), max_length=200, blank=True)
    batch = models.CharField(_("生产日期/批号"), max_length=100, blank=True)
    quantity = models.CharField(_("样品数量"), max_length=100, blank=True)
    received_on = models.DateField(_("收样日期"), null=True, blank=True)
    condition = models.CharField(_("样品状态"), max_length=255, blank=True)

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("样品")
        verbose_name_plural = _("样品")

    def __str__(self) -> str:
        return self.name


class SamplePhoto(kit.UploadedFile):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=RandomName("testing"), max_length=255)

    class Meta(kit.UploadedFile.Meta):
        verbose_name = _("样品照片")
        verbose_name_plural = _("样品照片")


class TestItem(models.Model):
    __test__ = False

    order = models.ForeignKey(TestOrder, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField(_("序号"))
    parameter = models.CharField(_("检测项目"), max_length=100)
    method_standard = models.CharField(_("检测方法标准"), max_length=200, blank=True)
    #: Set when the method standard is not a current standard of the catalogue (the lab is warned).
    method_warning = models.CharField(_("方法标准提示"), max_length=255, blank=True)
    requirement = models.CharField(_("技术要求"), max_length=100, blank=True)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    #: The product-standard row the requirement was taken from (None: typed in).
    requirement_source = models.CharField(_("要求来源"), max_length=200, blank=True)
    result = models.CharField(_("检测结果"), max_length=100, blank=True)
    verdict = models.CharField(_("单项判定"), max_length=12, choices=Verdict.choices, blank=True, default="")
    verdict_reason = models.CharField(_("判定说明"), max_length=255, blank=True)
    tested_by = kit.user_ref()
    tested_at = models.DateTimeField(null=True, blank=True)
    #: Why the reviewer returned this item for retest (last time), and how often.
    retest_reason = models.CharField(_("复检原因"), max_length=255, blank=True)
    retest_count = models.PositiveIntegerField(_("复检次数"), default=0)

    class Meta:
        ordering = ["order_id", "seq", "id"]
        verbose_name = _("检测项目")
        verbose_name_plural = _("检测项目")
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="uniq_testitem_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.parameter}"


class SignOff(models.Model):
    """One signature of the three-level sign-off, in one round. Each person signs one level only."""

    order = models.ForeignKey(TestOrder, on_delete=models.CASCADE, related_name="signoffs")
    round = models.PositiveIntegerField()
    level = models.CharField(_("签署环节"), max_length=8, choices=SignLevel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("签署人"), max_length=150)
    signed_at = models.DateTimeField(_("签署时间"))

    class Meta:
        ordering = ["order_id", "round", "signed_at", "id"]
        verbose_name = _("签署")
        verbose_name_plural = _("签署")
        constraints = [
            models.UniqueConstraint(fields=["order", "round", "level"], name="uniq_signoff_level"),
            models.UniqueConstraint(fields=["order", "round", "user"], name="uniq_signoff_person"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.level} {self.name}"


class OrderEvent(models.Model):
    """The order's history as the detail page shows it (the audit log holds the same, for regulators)."""

    order = models.ForeignKey(TestOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    message = models.TextField(_("说明"), blank=True)
    actor = kit.user_ref(blank=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("委托单记录")
        verbose_name_plural = _("委托单记录")

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class Report(kit.DemoFlag):
    """An issued report: frozen. ``data`` holds the facts printed on it and ``pdf`` the PDF as issued;
    only ``status`` changes afterwards (valid → superseded when a revision is issued)."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        SUPERSEDED = "superseded", _("已被替代")

    order = models.ForeignKey(TestOrder, on_delete=models.PROTECT, related_name="reports")
    lab = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("报告编号"), max_length=64, unique=True)
    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    revision = models.PositiveSmallIntegerField(_("版次"), default=1)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("替代报告"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    check_code = models.CharField(_("防伪校验码"), max_length=16)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VALID)
    conclusion = models.CharField(_("结论"), max_length=12, choices=Conclusion.choices)
    reason = models.TextField(_("修订原因"), blank=True)
    data = models.JSONField(_("报告内容"), default=dict)
    pdf = models.BinaryField(_("PDF"), editable=False)
    pdf_sha256 = models.CharField(max_length=64, editable=False)
    issued_at = models.DateTimeField(_("出具时间"))
    issued_by = kit.user_ref(blank=False)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("检验检测报告")
        verbose_name_plural = _("检验检测报告")
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "year", "seq", "revision"], name="uniq_report_lab_year_seq"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class LabProfile(models.Model):
    """A testing lab's settings on the platform: the prefix of its report numbers."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="lab_profile")
    report_prefix = models.CharField(
        _("报告编号前缀"), max_length=16, help_text=_("如 LZSP；报告编号为 前缀-年份-流水号。")
    )

    class Meta:
        verbose_name = _("实验室设置")
        verbose_name_plural = _("实验室设置")

    def __str__(self) -> str:
        return f"{self.institution} {self.report_prefix}"


class LabRole(kit.CreatedRecord):
    """A lab staff member's sign-off role (检测 / 审核 / 批准), or lab manager (who assigns the roles)."""

    class Role(models.TextChoices):
        TESTER = "tester", _("检测")
        REVIEWER = "reviewer", _("审核")
        APPROVER = "approver", _("批准")
        MANAGER = "manager", _("实验室管理员")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_roles")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="lab_roles")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["institution_id", "user_id", "role"]
        verbose_name = _("实验室签署角色")
        verbose_name_plural = _("实验室签署角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "role"], name="uniq_lab_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"
