"""Enterprise standards drafted on the platform (企业标准起草): the draft with its indicator table, the
versions kept at every save, the expert's comments per clause.

Scoping (``core.scoping.visible``): the enterprise's own users (``scope_org_field``), regulators of the
enterprise's region subtree (``scope_region_field``), station staff of the stations whose service area
covers the enterprise (``scope_extra``). The expert assigned through the service request reads it too
(added by ``selectors``: experts are people, not organisations).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core import policy
from nqihub.core.scoping import Scope
from nqihub.desk.models import request_ref
from nqihub.standards.models import IndicatorLine

from . import states


class EnterpriseStandard(kit.DemoRecord):
    """One enterprise standard being drafted, reviewed and self-declared."""

    enterprise = models.ForeignKey(
        "directory.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="drafted_standards",
    )
    number = models.CharField(_("企业标准编号"), max_length=120)
    title = models.CharField(_("标准名称"), max_length=200)
    product = models.CharField(_("产品名称"), max_length=200)
    #: The product's grade / category under a graded product standard (GB 18401: A, B, C); an indicator's own
    #: grade overrides it.
    grade = models.CharField(_("产品等级/类别"), max_length=32, blank=True)
    scope = models.TextField(_("范围"), blank=True)
    #: The normative references as typed and normalised (canonical numbers), in the order given.
    references = models.JSONField(_("规范性引用文件"), default=list, blank=True)
    #: ``[{"term", "english", "definition"}]``.
    terms = models.JSONField(_("术语和定义"), default=list, blank=True)
    #: 6 检验规则: 组批 and 抽样 (blank: the document's default wording).
    batch_rule = models.TextField(_("组批规则"), blank=True)
    sampling = models.TextField(_("抽样方案"), blank=True)
    #: 7 标志、包装、运输和贮存 (blank: the document's default wording).
    marking = models.TextField(_("标志"), blank=True)
    packaging = models.TextField(_("包装"), blank=True)
    transport = models.TextField(_("运输"), blank=True)
    storage = models.TextField(_("贮存"), blank=True)
    #: ``[{"title", "normative": bool, "content"}]``.
    annexes = models.JSONField(_("附录"), default=list, blank=True)
    drafters = models.CharField(_("主要起草人"), max_length=200, blank=True)
    publish_date = models.DateField(_("发布日期"), null=True, blank=True)
    implement_date = models.DateField(_("实施日期"), null=True, blank=True)
    #: Why indicators are below a recommended standard's (2024 企业标准化促进办法: disclosed explicitly).
    weaker_statement = models.TextField(_("低于推荐性标准的说明"), blank=True)

    status = models.CharField(
        _("状态"), max_length=20, choices=states.STATUS_CHOICES, default=states.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    service_request = request_ref(_("审查服务需求"), "drafted_standards")
    declaration = models.OneToOneField(
        "standards.Declaration",
        verbose_name=_("自我声明"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafted_standard",
    )
    created_by = kit.user_ref()

    scope_org_field = "enterprise__organisation"
    scope_region_field = "enterprise__region_id"

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("企业标准草案")
        verbose_name_plural = _("企业标准草案")
        indexes = [models.Index(fields=["enterprise", "status"], name="drafting_ent_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        # Station staff see the drafts of enterprises in their stations' service areas (as for enterprises).
        return policy.station_area_q(scope, "enterprise__region_id")

    def get_status_display_text(self) -> str:
        return str(states.STATUS_LABELS.get(self.status, self.status))


class Indicator(IndicatorLine):
    """One line of the indicator table (4 技术要求): item, requirement as written, unit, test method."""

    draft = models.ForeignKey(EnterpriseStandard, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    method = models.CharField(_("试验方法"), max_length=120, blank=True)
    grade = models.CharField(_("等级/类别"), max_length=32, blank=True)
    #: 出厂检验项目 (every item is a 型式检验 item).
    factory = models.BooleanField(_("出厂检验"), default=True)

    class Meta:
        ordering = ["draft", "position", "id"]
        verbose_name = _("技术指标")
        verbose_name_plural = _("技术指标")


class Version(kit.CreatedRecord):
    """The draft's content as saved: one row per save, never changed."""

    draft = models.ForeignKey(EnterpriseStandard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = kit.user_ref()

    class Meta:
        ordering = ["draft", "number"]
        verbose_name = _("草案版本")
        verbose_name_plural = _("草案版本")
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="drafting_version_unique")]

    def __str__(self) -> str:
        return f"{self.draft_id} v{self.number}"


class Comment(kit.CreatedRecord):
    """The reviewing expert's comment on one clause of one version (or a review decision)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("意见")
        CHANGES_REQUESTED = "changes_requested", _("退回修改")
        APPROVED = "approved", _("审查通过")

    draft = models.ForeignKey(EnterpriseStandard, on_delete=models.CASCADE, related_name="comments")
    version = models.PositiveIntegerField(_("版本"))
    #: A clause number of the document (``4``, ``4.1``, ``5.2``), ``cover``, ``foreword``, ``A`` … or "".
    clause = models.CharField(_("条款"), max_length=20, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("内容"))
    author = kit.user_ref(blank=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("审查意见")
        verbose_name_plural = _("审查意见")

    def __str__(self) -> str:
        return f"{self.clause} {self.text[:40]}"
