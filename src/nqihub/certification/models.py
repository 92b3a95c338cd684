"""Certification (认证认可): the certificate registry per enterprise, its status history and surveillance
audits, the reminders the daily sweep sent, and the CCC catalogue (强制性产品认证目录) in versions.

A certificate stores its enterprise's region code (``region_id``) so that a regulator's subtree is a prefix
range; scoping rules sit on the model (``scope_*``) and are applied by ``core.scoping.visible``.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core import policy
from nqihub.core.scoping import Scope
from nqihub.directory.models import Enterprise, Institution


class CertificateType(models.TextChoices):
    QMS = "qms", _("质量管理体系认证（ISO 9001）")
    EMS = "ems", _("环境管理体系认证（ISO 14001）")
    OHSMS = "ohsms", _("职业健康安全管理体系认证（ISO 45001）")
    CCC = "ccc", _("强制性产品认证（CCC）")
    PRODUCT = "product", _("自愿性产品认证")
    SERVICE = "service", _("服务认证")
    OTHER = "other", _("其他认证")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("撤销")
    CANCELLED = "cancelled", _("注销")
    EXPIRED = "expired", _("过期")


#: Statuses in which a certificate still counts (reminders are sent, expiry is checked).
ACTIVE_STATUSES = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)


def _certificate_scope_extra(scope: Scope) -> Q:
    """Staff of a certification body see the certificates it issued; station staff the certificates of
    enterprises in their stations' service areas (as they see those enterprises)."""
    q = policy.station_area_q(scope, "region_id")
    institution_orgs = policy.institution_orgs(scope)
    if institution_orgs:
        q |= Q(body__organisation_id__in=institution_orgs)
    return q


class Certificate(kit.DemoRecord):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="certificates"
    )
    #: The enterprise's region, copied on write (scoping by prefix range).
    region = kit.copied_region_ref()
    number = models.CharField(_("证书编号"), max_length=64)
    type = models.CharField(_("认证类型"), max_length=8, choices=CertificateType.choices)
    body = models.ForeignKey(
        Institution,
        verbose_name=_("认证机构（平台登记）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_certificates",
    )
    #: The body's name as printed on the certificate; copied from ``body`` when that is set. The number is
    #: unique per body name.
    body_name = models.CharField(_("认证机构"), max_length=200)
    scope = models.TextField(_("认证范围"), blank=True)
    product = models.CharField(_("产品名称/型号"), max_length=200, blank=True)
    issue_date = models.DateField(_("发证日期"))
    expiry_date = models.DateField(_("有效期至"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    #: Entered by the enterprise itself (自主申报), not by a regulator or the platform: shown as such; its
    #: status is changed only by the certification body or a regulator (``services.can_change_status``).
    self_declared = models.BooleanField(_("企业自主申报"), default=False)

    scope_org_field = "enterprise__organisation"
    scope_region_field = "region_id"
    scope_extra = staticmethod(_certificate_scope_extra)

    class Meta:
        ordering = ["expiry_date", "id"]
        verbose_name = _("认证证书")
        verbose_name_plural = _("认证证书")
        constraints = [
            models.UniqueConstraint(fields=["body_name", "number"], name="uniq_certificate_body_number"),
            models.CheckConstraint(
                condition=Q(expiry_date__gt=models.F("issue_date")), name="certificate_expiry_after_issue"
            ),
        ]
        indexes = [
            models.Index(fields=["region", "expiry_date"], name="cert_region_expiry"),
            models.Index(fields=["status", "expiry_date"], name="cert_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class CertificateStatusChange(models.Model):
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=10, choices=CertificateStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=CertificateStatus.choices)
    reason = models.TextField(_("原因"), blank=True)
    #: Null when the daily sweep made the change (expiry).
    by = kit.user_ref()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("证书状态变更")
        verbose_name_plural = _("证书状态变更")

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_status} → {self.to_status}"


class SurveillanceAudit(models.Model):
    class Result(models.TextChoices):
        PENDING = "", _("未进行")
        PASSED = "passed", _("通过")
        PASSED_WITH_FINDINGS = "findings", _("通过（有不符合项需整改）")
        FAILED = "failed", _("未通过")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="surveillance_audits")
    due_date = models.DateField(_("计划日期"), db_index=True)
    done_date = models.DateField(_("完成日期"), null=True, blank=True)
    result = models.CharField(_("结论"), max_length=10, choices=Result.choices, blank=True, default="")
    notes = models.CharField(_("备注"), max_length=255, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("监督审核")
        verbose_name_plural = _("监督审核")

    def __str__(self) -> str:
        return f"{self.certificate_id} @ {self.due_date}"


class CertificateReminder(kit.CreatedRecord):
    """One reminder the daily sweep sent. ``due_date`` is the date the reminder is about (the expiry date,
    or the surveillance audit's planned date), so a changed date is reminded of again, an unchanged one never
    twice. The row is written in the same transaction that queues the notification."""

    class Kind(models.TextChoices):
        EXPIRY_90 = "expiry_90", _("到期前90天")
        EXPIRY_30 = "expiry_30", _("到期前30天")
        EXPIRY_0 = "expiry_0", _("到期")
        SURVEILLANCE_30 = "surveillance_30", _("监督审核前30天")
        SURVEILLANCE_0 = "surveillance_0", _("监督审核到期")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("提醒类型"), max_length=16, choices=Kind.choices)
    due_date = models.DateField(_("所涉日期"))
    sent_on = models.DateField(_("发送日期"))
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("证书提醒")
        verbose_name_plural = _("证书提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind", "due_date"], name="uniq_certificate_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.due_date}"


# --- CCC catalogue ----------------------------------------------------------------------------------------


class CccCatalogueVersion(kit.CreatedRecord):
    """One edition of the CCC catalogue. Exactly one is current (the guidance reads it first); the seeded
    editions carry their provenance, and admins add or correct entries and switch the current edition."""

    key = models.SlugField(_("标识"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    source = models.TextField(_("来源"), blank=True)
    notes = models.TextField(_("说明"), blank=True)
    is_current = models.BooleanField(_("现行版本"), default=False)
    is_complete = models.BooleanField(
        _("完整"), default=True, help_text=_("不完整的版本：指引同时参考其他版本，并注明出处。")
    )

    class Meta:
        ordering = ["-is_current", "-year", "name"]
        verbose_name = _("CCC目录版本")
        verbose_name_plural = _("CCC目录版本")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_ccc_version"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CccProduct(models.Model):
    version = models.ForeignKey(CccCatalogueVersion, on_delete=models.CASCADE, related_name="products")
    seq = models.PositiveIntegerField(_("序号"), default=0)
    code = models.CharField(_("产品代码"), max_length=120, blank=True)
    category = models.CharField(_("产品大类"), max_length=100)
    name = models.CharField(_("产品名称"), max_length=200)
    marker = models.CharField(_("标记"), max_length=4, blank=True)
    notes = models.TextField(_("说明/标准"), blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["version_id", "seq", "id"]
        verbose_name = _("CCC目录产品")
        verbose_name_plural = _("CCC目录产品")
        constraints = [
            models.UniqueConstraint(fields=["version", "category", "name"], name="uniq_ccc_product")
        ]

    def __str__(self) -> str:
        return self.name
