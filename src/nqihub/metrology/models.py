"""Metrology (计量): the instrument ledger (计量器具台账), verification/calibration records, due-date
reminders and bookings with calibration bodies.

Rules (DOMAIN §C.6):

- An instrument falls under mandatory management (强制检定) when it is in the catalogue of instruments under
  mandatory verification (``MandatoryCatalogueEntry``, admin-maintained) *and* it is used for one of the four
  purposes 贸易结算、安全防护、医疗卫生、环境监测. ``Instrument.is_mandatory`` is stored, computed by
  ``services.compute_is_mandatory``.
- 检定 gives 合格/不合格 and a validity date set by the verification body (the user never chooses the
  interval); a failure produces a 检定结果通知书 and the instrument may not be used. 校准 gives data plus
  uncertainty and only a *suggested* next date; the enterprise may set its own internal interval.
- ``Instrument.next_due`` (indexed) is derived from the latest record (``services.recompute_next_due``);
  an instrument past due, or failed at its last verification, is shown "禁止使用".
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core import policy
from nqihub.core.files import RandomName
from nqihub.core.scoping import Scope


class Purpose(models.TextChoices):
    TRADE = "trade", _("贸易结算")
    SAFETY = "safety", _("安全防护")
    MEDICAL = "medical", _("医疗卫生")
    ENVIRONMENT = "environment", _("环境监测")
    INTERNAL = "internal", _("其他（内部使用）")


#: The four uses that, together with a catalogue entry, make an instrument subject to 强制检定.
MANDATORY_PURPOSES = frozenset({Purpose.TRADE, Purpose.SAFETY, Purpose.MEDICAL, Purpose.ENVIRONMENT})


class RecordKind(models.TextChoices):
    VERIFICATION = "verification", _("检定")
    CALIBRATION = "calibration", _("校准")


class MandatoryCatalogueEntry(models.Model):
    """One instrument of the catalogue of instruments under mandatory verification (强制检定目录).

    Admin-maintained. Seeded from the 1987 list (强制检定的工作计量器具明细目录), which the 2020 catalogue
    (实施强制管理的计量器具目录) replaced: every seeded row is ``needs_review`` with its source and year."""

    category = models.CharField(_("项目（类别）"), max_length=100)
    category_number = models.CharField(_("项目序号"), max_length=8, blank=True)
    name = models.CharField(_("器具名称"), max_length=100)
    note = models.CharField(_("备注"), max_length=255, blank=True)
    source = models.TextField(_("来源"), blank=True)
    source_year = models.PositiveSmallIntegerField(_("目录年份"), null=True, blank=True)
    needs_review = models.BooleanField(
        _("待核对"),
        default=True,
        help_text=_("来源于已被替代的旧目录或不完整的转载，需管理员按现行目录核对。"),
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["source_year", "id"]
        verbose_name = _("强制检定目录条目")
        verbose_name_plural = _("强制检定目录")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name", "source_year"], name="metrology_catalogue_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.category}）" if self.name != self.category else self.name


def _instrument_scope_extra(scope: Scope) -> Q:
    """Station staff see the instruments of the enterprises in their service areas; calibration-body staff
    see the instruments booked with them."""
    q = policy.station_area_q(scope, "region_id")
    institution_orgs = policy.institution_orgs(scope)
    if institution_orgs:
        q |= Q(
            pk__in=Booking.objects.filter(institution__organisation_id__in=institution_orgs).values(
                "instrument_id"
            )
        )
    return q


class Instrument(kit.DemoRecord):
    """A working measuring instrument in an enterprise's ledger (计量器具台账)."""

    enterprise = models.ForeignKey(
        "directory.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="instruments"
    )
    #: Copied from the enterprise: the scoping key (a regulator's subtree is a prefix of it).
    region = kit.copied_region_ref()
    name = models.CharField(_("器具名称"), max_length=100)
    model_number = models.CharField(_("型号规格"), max_length=100, blank=True)
    serial_number = models.CharField(_("出厂编号"), max_length=100)
    manufacturer = models.CharField(_("制造厂"), max_length=200, blank=True)
    measuring_range = models.CharField(_("测量范围"), max_length=100, blank=True)
    accuracy_class = models.CharField(_("准确度等级/最大允许误差"), max_length=100, blank=True)
    quantity = models.CharField(
        _("被测量"),
        max_length=50,
        blank=True,
        help_text=_("如 质量、压力、温度；用于匹配计量技术机构的能力范围。"),
    )
    location = models.CharField(_("使用地点"), max_length=200, blank=True)
    purpose = models.CharField(
        _("使用目的"), max_length=12, choices=Purpose.choices, default=Purpose.INTERNAL
    )
    catalogue_entry = models.ForeignKey(
        MandatoryCatalogueEntry,
        verbose_name=_("强制检定目录条目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instruments",
    )
    is_mandatory = models.BooleanField(_("强制检定"), default=False, editable=False)
    internal_interval_days = models.PositiveIntegerField(
        _("内部校准周期（天）"),
        null=True,
        blank=True,
        help_text=_("仅适用于非强检（校准）器具，由企业自行确定；强检器具的检定周期由检定机构确定。"),
    )
    next_due = models.DateField(_("下次检定/校准日期"), null=True, blank=True, db_index=True)
    #: The latest 检定 failed (检定结果通知书): 禁止使用 until it passes again.
    failed_verification = models.BooleanField(_("检定不合格"), default=False, editable=False)
    in_use = models.BooleanField(_("在用"), default=True)

    scope_org_field = "enterprise__organisation"
    scope_region_field = "region_id"
    scope_extra = staticmethod(_instrument_scope_extra)

    class Meta:
        ordering = ["next_due", "name", "id"]
        verbose_name = _("计量器具")
        verbose_name_plural = _("计量器具")
        indexes = [
            models.Index(fields=["region", "next_due"], name="metrology_region_due"),
            models.Index(fields=["enterprise", "next_due"], name="metrology_enterprise_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name", "serial_number"], name="metrology_instrument_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.serial_number}"

    @property
    def record_kind(self) -> str:
        """检定 for mandatory instruments, 校准 otherwise."""
        return RecordKind.VERIFICATION if self.is_mandatory else RecordKind.CALIBRATION

    def get_record_kind_display(self) -> str:
        return str(RecordKind(self.record_kind).label)

    def days_left(self, today: datetime.date | None = None) -> int | None:
        if self.next_due is None:
            return None
        return (self.next_due - (today or timezone.localdate())).days

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        days = self.days_left(today)
        return days is not None and days < 0

    def is_blocked(self, today: datetime.date | None = None) -> bool:
        """禁止使用: past due, or failed at its last verification, until verified again."""
        return self.in_use and (self.failed_verification or self.is_overdue(today))


class VerificationRecord(kit.DemoCreatedRecord):
    """One 检定 or 校准 of an instrument."""

    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("类型"), max_length=12, choices=RecordKind.choices)
    body = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("检定/校准机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    body_name = models.CharField(_("检定/校准机构名称"), max_length=200, blank=True)
    performed_on = models.DateField(_("检定/校准日期"))
    result = models.CharField(_("检定结论"), max_length=4, choices=Result.choices, blank=True)
    certificate_number = models.CharField(_("证书/通知书编号"), max_length=100, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    suggested_next = models.DateField(_("建议下次校准日期"), null=True, blank=True)
    uncertainty = models.CharField(_("测量不确定度"), max_length=200, blank=True)
    data = models.TextField(_("校准数据/结果说明"), blank=True)
    booking = models.OneToOneField(
        "Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="record"
    )
    #: The certificate / 检定结果通知书 / calibration data as a file (PDF or image), private storage; served
    #: only through the record's scoped download. ``file_name`` is the uploaded name (display, download).
    file = models.FileField(_("证书文件"), upload_to=RandomName("metrology"), max_length=255, blank=True)
    file_name = models.CharField(_("证书文件名"), max_length=200, blank=True)
    file_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    created_by = kit.user_ref()

    class Meta:
        ordering = ["-performed_on", "-id"]
        verbose_name = _("检定/校准记录")
        verbose_name_plural = _("检定/校准记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.performed_on:%Y-%m-%d} {self.certificate_number}"

    @property
    def body_display(self) -> str:
        return self.body.name if self.body_id else self.body_name

    @property
    def document_label(self) -> str:
        """检定证书 / 检定结果通知书 / 校准证书."""
        if self.kind == RecordKind.CALIBRATION:
            return str(_("校准证书"))
        return str(_("检定结果通知书")) if self.result == self.Result.FAIL else str(_("检定证书"))


class Booking(kit.DemoRecord):
    """A booking (送检/校准预约) of an instrument with a calibration body."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待确认")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已拒绝")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="bookings")
    institution = models.ForeignKey(
        "directory.Institution", verbose_name=_("计量技术机构"), on_delete=models.PROTECT, related_name="+"
    )
    #: The instrument's region (scoping).
    region = kit.copied_region_ref()
    kind = models.CharField(_("类型"), max_length=12, choices=RecordKind.choices)
    proposed_date = models.DateField(_("预约日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    response_note = models.CharField(_("机构回复"), max_length=500, blank=True)
    requested_by = kit.user_ref()

    scope_org_field = "instrument__enterprise__organisation"
    scope_region_field = "region_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("送检/校准预约")
        verbose_name_plural = _("送检/校准预约")

    def __str__(self) -> str:
        return f"{self.instrument} → {self.institution}"

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        q = policy.station_area_q(scope, "region_id")
        institution_orgs = policy.institution_orgs(scope)
        if institution_orgs:
            q |= Q(institution__organisation_id__in=institution_orgs)
        return q


class ReminderSent(models.Model):
    """One reminder sent for one due date of one instrument. The unique key makes the daily sweep
    idempotent: the row and the notification are written in the same transaction."""

    class Kind(models.TextChoices):
        DAYS_30 = "30", _("到期前30天")
        DAYS_7 = "7", _("到期前7天")
        DUE_DAY = "0", _("到期当天")
        OVERDUE = "overdue", _("已超期")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField(_("到期日"))
    kind = models.CharField(_("提醒类型"), max_length=8, choices=Kind.choices)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("到期提醒记录")
        verbose_name_plural = _("到期提醒记录")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "due_date", "kind"], name="metrology_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.due_date} {self.kind}"
