"""Quality cooperatives (质量合作社, SPEC §9): the cooperative's profile, its members with their quality
officers and accepted commitment, quality-control plans (checkpoints and check items), the inspections
members record against them and the non-conformities failed checks open, the yearly free testing plan,
and the product standards and label templates the cooperative publishes.

The cooperative's account is a ``core.Organisation`` of kind ``cooperative``; ``Cooperative`` is its
profile (one-to-one). Scoping (decision 0002): the cooperative's own staff and the regulators of its
region see everything of it; a member enterprise sees its own membership, inspections and
non-conformities; enterprises of the cooperative's province see the profile (so that they can apply).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core.crypto import EncryptedCharField, mask_name, mask_phone
from nqihub.core.models import Organisation
from nqihub.core.scoping import NOTHING, Scope, region_q

DEFAULT_TARGET_PASS_RATE = 95


def _enterprise_orgs(scope: Scope) -> list[int]:
    return sorted(scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE))


class OfCooperative(models.Model):
    """A record of one cooperative: its staff and the regulators of its region see it."""

    scope_org_field = "cooperative__organisation"
    scope_region_field = "cooperative__region_id"

    class Meta:
        abstract = True


class SharedWithMembers(OfCooperative):
    """A record of one cooperative its active members read too (quality-control and testing plans)."""

    class Meta:
        abstract = True

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        ent_orgs = _enterprise_orgs(scope)
        if not ent_orgs:
            return NOTHING
        return Q(
            cooperative_id__in=Member.objects.filter(
                enterprise__organisation_id__in=ent_orgs, status=MemberStatus.ACTIVE
            ).values("cooperative_id")
        )


class OfMember(models.Model):
    """A record of one member (inspections, non-conformities): the cooperative's staff, the regulators of
    its region and the member enterprise see it."""

    scope_org_field = "member__cooperative__organisation"
    scope_region_field = "member__cooperative__region_id"

    class Meta:
        abstract = True

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        ent_orgs = _enterprise_orgs(scope)
        return Q(member__enterprise__organisation_id__in=ent_orgs) if ent_orgs else NOTHING


class Cooperative(kit.DemoRecord):
    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="cooperative")
    host_organisation = models.CharField(_("主办单位"), max_length=200, blank=True)
    region = kit.region_ref()
    industry = kit.industry_ref()
    charter = models.TextField(_("章程"), blank=True)
    commitment_text = models.TextField(_("入社承诺书（公约）"), blank=True)
    #: Raised by one each time the commitment text changes; members accept a version.
    commitment_version = models.PositiveIntegerField(_("承诺书版本"), default=1)
    target_pass_rate = models.DecimalField(
        _("目标合格率（%）"), max_digits=5, decimal_places=2, default=DEFAULT_TARGET_PASS_RATE
    )

    scope_org_field = "organisation"
    scope_region_field = "region_id"

    class Meta:
        ordering = ["region_id", "id"]
        verbose_name = _("质量合作社")
        verbose_name_plural = _("质量合作社")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        """Enterprises see the cooperatives of their province (to apply) and those they belong to."""
        ent_orgs = _enterprise_orgs(scope)
        if not ent_orgs:
            return NOTHING
        provinces = sorted(
            code[:2] for org_id, kind, code in scope.orgs if kind == Organisation.Kind.ENTERPRISE
        )
        return region_q("region_id", provinces) | Q(
            pk__in=Member.objects.filter(enterprise__organisation_id__in=ent_orgs).values("cooperative_id")
        )


class MemberStatus(models.TextChoices):
    APPLIED = "applied", _("申请入社")
    INVITED = "invited", _("已邀请")
    ACTIVE = "active", _("在社")
    REJECTED = "rejected", _("未通过/已谢绝")
    LEFT = "left", _("已退社")


class Member(kit.DemoRecord, OfCooperative):
    """An enterprise or individual business (``Enterprise.kind``) in a cooperative. One row per pair: a
    re-application reuses it; the history holds every step."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="members")
    enterprise = models.ForeignKey(
        "directory.Enterprise",
        verbose_name=_("成员企业"),
        on_delete=models.PROTECT,
        related_name="cooperative_memberships",
    )
    status = models.CharField(_("状态"), max_length=10, choices=MemberStatus.choices, db_index=True)
    officer_name = EncryptedCharField(_("质量专员"), max_length=64, blank=True, default="")
    officer_phone = EncryptedCharField(
        _("质量专员电话"),
        max_length=32,
        blank=True,
        default="",
        blind_index="officer_phone_index",
        normalise="phone",
    )
    #: HMAC-SM3 of the normalised phone (core.crypto.blind_filter): exact look-up without decrypting.
    officer_phone_index = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    commitment_version = models.PositiveIntegerField(_("已接受的承诺书版本"), null=True, blank=True)
    commitment_accepted_at = models.DateTimeField(_("接受承诺书时间"), null=True, blank=True)
    commitment_accepted_by = kit.user_ref(_("确认人"))
    joined_on = models.DateField(_("入社日期"), null=True, blank=True)
    left_on = models.DateField(_("退社日期"), null=True, blank=True)

    class Meta:
        ordering = ["cooperative_id", "enterprise__name", "id"]
        verbose_name = _("合作社成员")
        verbose_name_plural = _("合作社成员")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "enterprise"], name="uniq_cooperative_member")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.cooperative}"

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        ent_orgs = _enterprise_orgs(scope)
        return Q(enterprise__organisation_id__in=ent_orgs) if ent_orgs else NOTHING

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def masked_officer_name(self) -> str:
        return mask_name(self.officer_name)

    @property
    def masked_officer_phone(self) -> str:
        return mask_phone(self.officer_phone)

    @property
    def commitment_current(self) -> bool:
        return self.commitment_version == self.cooperative.commitment_version


class MemberEvent(models.Model):
    """The joining and leaving history (and officer changes), with reasons."""

    class Action(models.TextChoices):
        APPLIED = "applied", _("申请入社")
        INVITED = "invited", _("邀请入社")
        ADMITTED = "admitted", _("批准入社")
        ACCEPTED = "accepted", _("接受邀请入社")
        REJECTED = "rejected", _("未通过申请")
        DECLINED = "declined", _("谢绝邀请")
        LEFT = "left", _("退社")
        REMOVED = "removed", _("被移出合作社")
        OFFICER = "officer", _("变更质量专员")
        COMMITMENT = "commitment", _("确认承诺书")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("事项"), max_length=12, choices=Action.choices)
    reason = models.CharField(_("原因/说明"), max_length=500, blank=True)
    by = kit.user_ref()
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("成员变动记录")
        verbose_name_plural = _("成员变动记录")

    def __str__(self) -> str:
        return f"{self.member_id} {self.action}"


# --- quality-control plans -------------------------------------------------------------------------------


class Stage(models.TextChoices):
    INCOMING = "incoming", _("进货验收")
    PROCESS = "process", _("过程控制")
    OUTGOING = "outgoing", _("出货检验")


class QcPlan(kit.DemoCreatedRecord, SharedWithMembers):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(_("计划名称"), max_length=200)
    product = models.CharField(_("适用产品"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["cooperative_id", "-is_active", "name", "id"]
        verbose_name = _("质量控制计划")
        verbose_name_plural = _("质量控制计划")

    def __str__(self) -> str:
        return self.name


class Checkpoint(models.Model):
    """A checkpoint template (进货验收 / 过程控制 / 出货检验) with its check items."""

    plan = models.ForeignKey(QcPlan, on_delete=models.CASCADE, related_name="checkpoints")
    stage = models.CharField(_("环节"), max_length=10, choices=Stage.choices)
    name = models.CharField(_("检查点"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "position", "id"]
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.name}"


class CheckItem(models.Model):
    class Kind(models.TextChoices):
        PASS_FAIL = "pass_fail", _("合格/不合格")
        MEASURED = "measured", _("实测值对照要求")

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("检查项目"), max_length=200)
    kind = models.CharField(_("判定方式"), max_length=10, choices=Kind.choices, default=Kind.PASS_FAIL)
    requirement = models.CharField(
        _("要求"), max_length=200, blank=True, help_text=_("如 ≤75、4.0~8.5、≥3-4级")
    )
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如 GB 18401-2010 B类"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["checkpoint_id", "position", "id"]
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")

    def __str__(self) -> str:
        return self.name


class Inspection(kit.DemoCreatedRecord, OfMember):
    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="inspections")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(_("检验日期"), db_index=True)
    batch = models.CharField(_("批次/货号"), max_length=100, blank=True)
    inspector = models.CharField(_("检验人"), max_length=64, blank=True)
    notes = models.CharField(_("备注"), max_length=500, blank=True)
    result = models.CharField(_("结论"), max_length=4, choices=Result.choices)
    recorded_by = kit.user_ref()

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("检验记录")
        verbose_name_plural = _("检验记录")
        indexes = [models.Index(fields=["member", "inspected_on"])]

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.inspected_on:%Y-%m-%d}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("实测值"), max_length=100, blank=True)
    verdict = models.CharField(_("判定"), max_length=4, choices=Inspection.Result.choices)
    reason = models.CharField(_("判定说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["inspection_id", "item__position", "item_id"]
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")

    def __str__(self) -> str:
        return f"{self.item} {self.verdict}"


class NonConformity(kit.DemoCreatedRecord, OfMember):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        CLOSED = "closed", _("已关闭")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="nonconformities")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="nonconformities")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("不合格描述"), max_length=500)
    corrective_action = models.TextField(_("纠正措施"), blank=True)
    due_date = models.DateField(_("整改期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=6, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    evidence = models.TextField(_("整改证据"), blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    closed_by = kit.user_ref()

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = _("不合格项")
        verbose_name_plural = _("不合格项")

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.OPEN and self.due_date < today


# --- the yearly free testing plan -----------------------------------------------------------------------


class TestingPlan(kit.DemoCreatedRecord, SharedWithMembers):
    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        ORDERED = "ordered", _("已下达委托")

    __test__ = False  # not a pytest test class

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="testing_plans")
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("计划名称"), max_length=200)
    lab = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("检测机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    ordered_at = models.DateTimeField(_("下达时间"), null=True, blank=True)
    ordered_by = kit.user_ref()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("免费检测计划")
        verbose_name_plural = _("免费检测计划")

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class TestingPlanLine(models.Model):
    class SampleKind(models.TextChoices):
        MATERIAL = "material", _("原辅材料")
        PRODUCT = "product", _("成品")

    __test__ = False

    plan = models.ForeignKey(TestingPlan, on_delete=models.CASCADE, related_name="lines")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    sample_kind = models.CharField(_("样品类别"), max_length=8, choices=SampleKind.choices)
    product_name = models.CharField(_("样品名称"), max_length=200)
    #: ``[{"parameter", "method_standard", "requirement", "unit"}]`` as ``testing.services.order_create`` takes.
    items = models.JSONField(_("检测项目"), default=list)
    #: The ``testing.TestOrder`` made for this line. Should an order ever be deleted the line keeps its
    #: ``order_number`` and loses only the link (cooperatives depends on testing, never the reverse).
    order = models.ForeignKey(
        "testing.TestOrder",
        verbose_name=_("委托单"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    order_number = models.CharField(_("委托单号"), max_length=64, blank=True)

    class Meta:
        ordering = ["plan_id", "id"]
        verbose_name = _("检测计划明细")
        verbose_name_plural = _("检测计划明细")

    def __str__(self) -> str:
        return f"{self.member.enterprise} · {self.product_name}"

    def parameters(self) -> list[str]:
        return [str(i.get("parameter", "")) for i in self.items or []]


# --- shared standards and label templates ---------------------------------------------------------------


class SharedStandard(kit.CreatedRecord):
    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="shared_standards")
    standard = models.ForeignKey(
        "standards.Standard", verbose_name=_("标准"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("用途说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["cooperative_id", "standard__canonical"]
        verbose_name = _("合作社统一标准")
        verbose_name_plural = _("合作社统一标准")
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "standard"], name="uniq_cooperative_standard")
        ]

    def __str__(self) -> str:
        return str(self.standard)


class LabelTemplate(kit.DemoFlag):
    """A label the cooperative designed for members: the ``nqihub.labels`` category and field values."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="label_templates")
    name = models.CharField(_("模板名称"), max_length=200)
    category = models.CharField(_("标签类别"), max_length=32)
    fields = models.JSONField(_("标签内容"), default=dict)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cooperative_id", "name", "id"]
        verbose_name = _("标签模板")
        verbose_name_plural = _("标签模板")

    def __str__(self) -> str:
        return self.name
