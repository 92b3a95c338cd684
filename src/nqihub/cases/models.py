"""Cases (典型案例) and the knowledge base (知识库).

A ``Case`` is drafted by station staff from a resolved service request, consented to (or refused, then
anonymised) by the enterprise, and published by a regulator of the case's region. Published cases are
public; unpublished ones are scoped by ``core.scoping.visible``: the enterprise's users
(``scope_org_field``), regulators of the region subtree (``scope_region_field``) and the station's staff
(``scope_extra``).

``CaseTerm`` is the inverted index (term → case, term frequency) the suggestion engine reads in SQL:
candidate generation and document frequencies are index lookups on ``term`` on SQLite and PostgreSQL alike.

Articles (guidance, policy documents) have categories, optional attachments and a version row per edit;
editors are regulators and platform admins; unpublished articles are seen by editors only.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core import policy
from nqihub.core.codes import code_labels, split_codes
from nqihub.core.files import RandomName
from nqihub.core.scoping import NOTHING, Scope
from nqihub.desk.models import request_ref


class Case(kit.SearchableRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        AWAITING_CONSENT = "awaiting_consent", _("待企业确认")
        CONSENTED = "consented", _("企业已同意")
        ANONYMISED = "anonymised", _("已匿名处理")
        PUBLISHED = "published", _("已发布")

    class Consent(models.TextChoices):
        PENDING = "pending", _("待确认")
        GRANTED = "granted", _("同意公开企业名称")
        REFUSED = "refused", _("不同意（匿名发布）")
        NOT_NEEDED = "not_needed", _("无需确认")

    request = request_ref(_("来源服务需求"), "cases")
    enterprise = models.ForeignKey(
        "directory.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    title = models.CharField(_("标题"), max_length=200)
    problem = models.TextField(_("问题"))
    solution = models.TextField(_("解决措施"))
    result = models.TextField(_("成效"))
    cost_saved = models.DecimalField(
        _("节约成本（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    loss_avoided = models.DecimalField(
        _("避免损失（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    industry = kit.industry_ref()
    #: NQI element codes comma-delimited with leading/trailing commas (",standards,testing,").
    nqi_elements = models.CharField(_("NQI 要素"), max_length=120, blank=True, default="")
    standards = models.TextField(_("涉及标准"), blank=True, help_text=_("规范化标准号，每行一个"))
    region = kit.region_ref()
    station = models.ForeignKey(
        "directory.Station",
        verbose_name=_("服务站"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    enterprise_consent = models.CharField(
        _("企业意见"), max_length=12, choices=Consent.choices, default=Consent.PENDING
    )
    consent_by = kit.user_ref()
    consent_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    drafted_by = kit.user_ref()
    published_by = kit.user_ref()
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    #: Number of terms in ``search_text`` (BM25 document length).
    term_count = models.PositiveIntegerField(editable=False, default=0)
    #: Whether the case's terms are counted in ``CorpusStat`` / ``TermStat`` (the published corpus).
    in_stats = models.BooleanField(editable=False, default=False)

    scope_org_field = "enterprise__organisation"
    scope_region_field = "region_id"

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        indexes = [models.Index(fields=["status", "region"], name="cases_case_status_region")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_saved__gte=0) | Q(cost_saved__isnull=True), name="cases_cost_saved_ge_0"
            ),
            models.CheckConstraint(
                condition=Q(loss_avoided__gte=0) | Q(loss_avoided__isnull=True),
                name="cases_loss_avoided_ge_0",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        station_orgs = policy.station_orgs(scope)
        return Q(station__organisation_id__in=station_orgs) if station_orgs else NOTHING

    @property
    def element_list(self) -> list[str]:
        return split_codes(self.nqi_elements)

    def element_labels(self) -> list[str]:
        from nqihub.directory.models import NqiElement

        return code_labels(self.element_list, NqiElement.choices)

    @property
    def standard_list(self) -> list[str]:
        return [s.strip() for s in self.standards.splitlines() if s.strip()]

    @property
    def is_anonymised(self) -> bool:
        return self.enterprise_consent != self.Consent.GRANTED

    @property
    def public_enterprise_name(self) -> str:
        """The enterprise's name where it consented, otherwise a neutral description."""
        if self.enterprise is not None and not self.is_anonymised:
            return self.enterprise.name
        return str(_("某企业（匿名）"))


class CaseTerm(models.Model):
    """One term of a case's ``search_text`` with its frequency: the inverted index of the suggestions."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=64)
    tf = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "case"], name="cases_term_case_unique")]

    def __str__(self) -> str:
        return f"{self.term}:{self.case_id}"


class CorpusStat(models.Model):
    """The published corpus in one row (pk 1): number of cases and total terms (BM25 N and average length).

    Kept in step with ``TermStat`` by ``services.stats_sync`` in the transaction that publishes, unpublishes,
    re-indexes or deletes a case, so a suggestion reads its BM25 statistics in two index lookups instead of
    aggregating the corpus. ``services.stats_rebuild`` recomputes both from scratch."""

    n_docs = models.PositiveIntegerField(default=0)
    total_terms = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.n_docs} / {self.total_terms}"


class TermStat(models.Model):
    """Document frequency of a term among the published cases."""

    term = models.CharField(max_length=64, primary_key=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}:{self.df}"


class ArticleCategory(models.Model):
    name = models.CharField(_("名称"), max_length=64, unique=True)
    slug = models.SlugField(_("标识"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("知识分类")
        verbose_name_plural = _("知识分类")

    def __str__(self) -> str:
        return self.name


class Article(kit.SearchableRecord):
    class Kind(models.TextChoices):
        GUIDANCE = "guidance", _("办事指南")
        POLICY = "policy", _("政策文件")

    category = models.ForeignKey(
        ArticleCategory, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="articles"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.GUIDANCE)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    body = models.TextField(_("正文"))
    source = models.CharField(_("来源"), max_length=255, blank=True)
    is_published = models.BooleanField(_("已发布"), default=False, db_index=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = kit.user_ref()
    updated_by = kit.user_ref()

    class Meta:
        ordering = ["category__order", "-published_at", "-id"]
        verbose_name = _("知识文章")
        verbose_name_plural = _("知识文章")

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """The article as it was after each save (version 1 = as created)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    body = models.TextField(_("正文"))
    edited_by = kit.user_ref()
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "-version"]
        verbose_name = _("文章版本")
        verbose_name_plural = _("文章版本")
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="cases_article_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"


def article_attachment_path(instance, filename: str) -> str:
    """The public-era location (before private storage); only migration 0001 still names it."""
    return f"articles/{instance.article_id}/{filename}"


class ArticleAttachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=RandomName("articles"), max_length=255)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = kit.user_ref()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name
