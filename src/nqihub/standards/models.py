"""The standards catalog (标准目录), its classifications (ICS, CCS), follows, the requirement tables of
mandatory standards and enterprise standard self-declarations (企业标准自我声明公开).

Standards are public reference data: readable by every logged-in user. Follows and declarations belong to
an enterprise and are scoped through ``core.scoping.visible`` (the enterprise's organisation ∪ the
regulators of its region subtree).

Numbers: ``canonical`` is the parsed, normalised number (``GB/T 2912.1-2009``, see ``standards.numbers``);
``code_without_year`` (``GB/T 2912.1``) ties the versions of one standard together. Search: ``search_text``
holds the jieba segmentation of title and code (``core.search.segment``); the database-specific full-text
index over it is kept in sync by ``standards.search`` (SQLite FTS5 table / PostgreSQL GIN expression index).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core.codes import split_codes


class IcsCode(kit.CodeTree):
    """International Classification for Standards (field / group / subgroup)."""

    class Level(models.TextChoices):
        FIELD = "field", _("大类")
        GROUP = "group", _("中类")
        SUBGROUP = "subgroup", _("小类")

    code = models.CharField(_("ICS 分类号"), max_length=16, primary_key=True)
    name_zh = models.CharField(_("中文名称"), max_length=255, blank=True)
    name_en = models.CharField(_("英文名称"), max_length=255)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices, db_index=True)

    class Meta(kit.CodeTree.Meta):
        verbose_name = _("ICS 分类")
        verbose_name_plural = _("ICS 分类")

    @property
    def name(self) -> str:
        return self.name_zh or self.name_en


class CcsCode(kit.CodeTree):
    """中国标准文献分类法 (CCS): category (A–Z) / group (A00/09) / subject (A01)."""

    class Level(models.TextChoices):
        CATEGORY = "category", _("一级类目")
        GROUP = "group", _("二级类目")
        SUBJECT = "subject", _("三级类目")

    code = models.CharField(_("CCS 分类号"), max_length=16, primary_key=True)
    name = models.CharField(_("名称"), max_length=255)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices, db_index=True)
    notes = models.TextField(_("注释"), blank=True)

    class Meta(kit.CodeTree.Meta):
        verbose_name = _("CCS 分类")
        verbose_name_plural = _("CCS 分类")


class Standard(kit.SearchableRecord):
    class Level(models.TextChoices):
        NATIONAL = "national", _("国家标准")
        INDUSTRY = "industry", _("行业标准")
        LOCAL = "local", _("地方标准")
        GROUP = "group", _("团体标准")
        ENTERPRISE = "enterprise", _("企业标准")

    class Nature(models.TextChoices):
        MANDATORY = "mandatory", _("强制性")
        RECOMMENDED = "recommended", _("推荐性")
        GUIDANCE = "guidance", _("指导性技术文件")

    class Status(models.TextChoices):
        CURRENT = "current", _("现行")
        UPCOMING = "upcoming", _("即将实施")
        ABOLISHED = "abolished", _("废止")

    canonical = models.CharField(_("标准号"), max_length=120, unique=True)
    code_without_year = models.CharField(_("标准号（不含年代号）"), max_length=120, db_index=True)
    prefix = models.CharField(_("标准代号"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("年代号"), null=True, blank=True)
    title = models.CharField(_("标准名称"), max_length=500)
    title_en = models.CharField(_("英文名称"), max_length=500, blank=True)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    nature = models.CharField(_("性质"), max_length=12, choices=Nature.choices, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, db_index=True)
    publish_date = models.DateField(_("发布日期"), null=True, blank=True)
    implement_date = models.DateField(_("实施日期"), null=True, blank=True)
    abolish_date = models.DateField(_("废止日期"), null=True, blank=True)
    #: Canonical numbers, as given by the source (the standard may not be in the catalog).
    replaces = models.CharField(_("代替标准"), max_length=500, blank=True)
    replaced_by = models.CharField(_("被代替标准"), max_length=500, blank=True)
    ics = models.CharField(_("ICS 分类号"), max_length=100, blank=True, db_index=True)
    ccs = models.CharField(_("CCS 分类号"), max_length=100, blank=True, db_index=True)
    issued_by = models.CharField(_("发布机构"), max_length=255, blank=True)
    source = models.CharField(_("数据来源"), max_length=255, blank=True)

    class Meta:
        ordering = ["code_without_year", "-year"]
        verbose_name = _("标准")
        verbose_name_plural = _("标准")

    def __str__(self) -> str:
        return f"{self.canonical} {self.title}"

    def replaces_list(self) -> list[str]:
        return split_codes(self.replaces)

    def replaced_by_list(self) -> list[str]:
        return split_codes(self.replaced_by)


class StandardFollow(kit.CreatedRecord):
    """An enterprise follows a standard: it is told when the standard's status changes."""

    enterprise = models.ForeignKey(
        "directory.Enterprise", on_delete=models.CASCADE, related_name="standard_follows"
    )
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="follows")
    created_by = kit.user_ref()

    scope_org_field = "enterprise__organisation"
    scope_region_field = "enterprise__region_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("关注的标准")
        verbose_name_plural = _("关注的标准")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "standard"], name="uniq_standard_follow")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.standard.canonical}"


class IndicatorLine(models.Model):
    """One line of a table of technical requirements: the item, the requirement as written, its unit
    (a standard's requirement table, a declared or a drafted enterprise standard's indicators)."""

    item = models.CharField(_("项目"), max_length=100)
    requirement = models.CharField(_("要求"), max_length=100)
    unit = models.CharField(_("单位"), max_length=32, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.item} {self.requirement}{self.unit}"


class Requirement(IndicatorLine):
    """One line of a standard's requirement table (admin-maintained; seeded with GB 18401-2010).

    ``category`` is the standard's own grading where it has one (GB 18401: safety categories A, B, C);
    blank when the requirement holds for every product."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="requirements")
    category = models.CharField(_("类别"), max_length=32, blank=True)
    method = models.CharField(_("检验方法"), max_length=200, blank=True)

    class Meta:
        ordering = ["standard", "category", "id"]
        verbose_name = _("标准技术要求")
        verbose_name_plural = _("标准技术要求")
        constraints = [
            models.UniqueConstraint(fields=["standard", "category", "item"], name="uniq_requirement_item")
        ]

    def __str__(self) -> str:
        return f"{self.standard.canonical} {self.category} {self.item} {self.requirement}{self.unit}"


class Declaration(kit.DemoCreatedRecord):
    """企业标准自我声明: the standard an enterprise's product is made to."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("执行公开标准")
        OWN = "own", _("执行企业标准")

    enterprise = models.ForeignKey(
        "directory.Enterprise", on_delete=models.PROTECT, related_name="standard_declarations"
    )
    product = models.CharField(_("产品名称"), max_length=200)
    product_model = models.CharField(_("型号规格"), max_length=200, blank=True)
    kind = models.CharField(_("声明类型"), max_length=8, choices=Kind.choices)
    #: A public standard (kind = public).
    standard = models.ForeignKey(
        Standard,
        verbose_name=_("执行标准"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    #: A well-formed public standard number that is not in the catalogue (kind = public): accepted, with the
    #: note "未收录，请核实" (the catalogue is never complete).
    standard_text = models.CharField(_("执行标准（未收录）"), max_length=120, blank=True)
    #: The enterprise's own standard (kind = own).
    own_code = models.CharField(_("企业标准编号"), max_length=120, blank=True)
    own_title = models.CharField(_("企业标准名称"), max_length=300, blank=True)
    category = models.CharField(_("产品类别（如安全技术类别）"), max_length=32, blank=True)
    #: The mandatory (and other) standards the own standard names; its indicators are compared to theirs.
    references = models.ManyToManyField(
        Standard, verbose_name=_("引用标准"), blank=True, related_name="referenced_by"
    )
    #: Items weaker than a recommended standard, declared explicitly by the enterprise.
    weaker_declared = models.JSONField(_("低于推荐性标准的指标（已声明）"), default=list, blank=True)
    #: Referenced standard numbers that are well formed but not in the catalogue (未收录，请核实).
    unlisted_references = models.JSONField(_("引用标准（未收录）"), default=list, blank=True)
    weaker_statement = models.TextField(_("低于推荐性标准的说明"), blank=True)
    created_by = kit.user_ref()

    scope_org_field = "enterprise__organisation"
    scope_region_field = "enterprise__region_id"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("企业标准自我声明")
        verbose_name_plural = _("企业标准自我声明")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.product} {self.standard_code}"

    @property
    def standard_code(self) -> str:
        return self.standard.canonical if self.standard_id else (self.standard_text or self.own_code)

    @property
    def unlisted(self) -> list[str]:
        """The numbers of this declaration that the catalogue does not hold (each shown as 未收录，请核实)."""
        return ([self.standard_text] if self.standard_text else []) + list(self.unlisted_references or [])


class DeclarationIndicator(IndicatorLine):
    """One indicator of a declared own standard: item, requirement, unit, test method."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    method = models.CharField(_("检验方法"), max_length=200, blank=True)

    class Meta:
        ordering = ["declaration", "position", "id"]
        verbose_name = _("企业标准指标")
        verbose_name_plural = _("企业标准指标")


class StandardProposal(kit.CreatedRecord):
    """A standard someone found missing from the catalogue, proposed for it (issue 16 item 7). Anyone signed
    in may propose; a platform admin or a regulator confirms it into the catalogue or rejects it. Until then
    the number is accepted everywhere with the note 未收录，请核实."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        CONFIRMED = "confirmed", _("已收录")
        REJECTED = "rejected", _("未采纳")

    canonical = models.CharField(_("标准号"), max_length=120, db_index=True)
    title = models.CharField(_("标准名称"), max_length=300)
    status = models.CharField(
        _("标准状态"), max_length=12, choices=Standard.Status.choices, default=Standard.Status.CURRENT
    )
    nature = models.CharField(_("性质"), max_length=12, choices=Standard.Nature.choices, blank=True)
    implement_date = models.DateField(_("实施日期"), null=True, blank=True)
    source = models.CharField(_("依据（网址或出处）"), max_length=500)
    note = models.TextField(_("说明"), blank=True)
    state = models.CharField(_("审核状态"), max_length=12, choices=State.choices, default=State.PENDING)
    proposed_by = kit.user_ref(blank=False)
    decided_by = kit.user_ref()
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    standard = models.ForeignKey(
        Standard, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("标准收录提议")
        verbose_name_plural = _("标准收录提议")

    def __str__(self) -> str:
        return f"{self.canonical} {self.title}"
