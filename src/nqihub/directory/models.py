"""The service-resource directory (服务资源库): enterprises, institutions and their capability scopes,
service stations, experts.

Every record stores its region as the GB/T 2260 code (``region_id`` is the code itself) so that a
regulator's subtree is a prefix range. Scoping rules live next to each model (``scope_*``) and are
applied by ``core.scoping.visible``.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nqihub.core import model_kit as kit
from nqihub.core import policy
from nqihub.core.codes import code_labels, split_codes
from nqihub.core.crypto import EncryptedCharField, mask_name, mask_phone
from nqihub.core.models import Industry, Organisation, Region
from nqihub.core.scoping import NOTHING, Scope, region_q


class NqiElement(models.TextChoices):
    METROLOGY = "metrology", _("计量")
    STANDARDS = "standards", _("标准")
    CERTIFICATION = "certification", _("认证认可")
    TESTING = "testing", _("检验检测")
    QUALITY = "quality", _("质量管理")


def _resources_scope_extra(scope: Scope) -> Q:
    """Service resources (institutions, stations, experts, scope lines) are visible to members of
    enterprises, stations, institutions and cooperatives within their own province, so that they can
    find and dispatch to them; regulators see their subtree (decision 0002)."""
    return region_q("region_id", sorted(scope.home_provinces())) if scope.home_provinces() else NOTHING


class DirectoryEntry(kit.SearchableRecord):
    """An entry of the directory (enterprise, institution, station, expert): belongs to an organisation,
    is in a region, is listed by name."""

    region = kit.region_ref()

    scope_org_field = "organisation"
    scope_region_field = "region_id"

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ServiceResource(DirectoryEntry):
    """A service resource (institution, station, expert): members of the organisations of its province see
    it too (``_resources_scope_extra``)."""

    scope_extra = staticmethod(_resources_scope_extra)

    class Meta(DirectoryEntry.Meta):
        abstract = True


class Enterprise(DirectoryEntry):
    class Scale(models.TextChoices):
        MICRO = "micro", _("微型")
        SMALL = "small", _("小型")
        MEDIUM = "medium", _("中型")
        LARGE = "large", _("大型")

    class Kind(models.TextChoices):
        COMPANY = "company", _("企业")
        INDIVIDUAL = "individual", _("个体工商户")

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="enterprise")
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("主体类型"), max_length=16, choices=Kind.choices, default=Kind.COMPANY)
    industry = kit.industry_ref()
    scale = models.CharField(_("规模"), max_length=8, choices=Scale.choices, default=Scale.SMALL)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    products = models.CharField(_("主要产品"), max_length=255, blank=True)

    class Meta(DirectoryEntry.Meta):
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [models.Index(fields=["region", "industry"])]

    @staticmethod
    def scope_extra(scope: Scope) -> Q:
        # Station staff see the enterprises in their stations' service areas; an expert the enterprises
        # of the requests assigned to them.
        return policy.station_area_q(scope, "region_id") | policy.assigned_enterprises_q(scope)


class EnterpriseContact(models.Model):
    """A contact person. Name and phone are personal data: encrypted at rest, masked in lists."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = EncryptedCharField(_("联系人"), max_length=64)
    phone = EncryptedCharField(_("电话"), max_length=32, blind_index="phone_index", normalise="phone")
    #: HMAC-SM3 of the normalised phone (core.crypto.blind_filter): exact look-up without decrypting.
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    position = models.CharField(_("职务"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Institution(ServiceResource):
    class Kind(models.TextChoices):
        TESTING = "testing", _("检验检测机构")
        CALIBRATION = "calibration", _("计量技术机构")
        CERTIFICATION = "certification", _("认证机构")
        STANDARDISATION = "standardisation", _("标准化研究机构")
        CONSULTANCY = "consultancy", _("咨询服务机构")

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="institution")
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    description = models.TextField(_("简介"), blank=True)

    class Meta(ServiceResource.Meta):
        verbose_name = _("技术机构")
        verbose_name_plural = _("技术机构")


class Qualification(kit.DemoFlag):
    class Kind(models.TextChoices):
        CMA = "cma", _("检验检测机构资质认定（CMA）")
        CNAS = "cnas", _("CNAS 实验室认可")
        CAL = "cal", _("计量授权 / 计量标准考核")
        CB = "cb", _("认证机构批准（CNCA）")
        OTHER = "other", _("其他")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(_("资质类型"), max_length=8, choices=Kind.choices)
    number = models.CharField(_("证书编号"), max_length=64)
    valid_from = models.DateField(_("发证日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("资质")
        verbose_name_plural = _("资质")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Vocabulary(models.Model):
    """A normalised term with its synonyms (one per line or separated by 、,;)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    synonyms = models.TextField(_("同义词"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def all_names(self) -> list[str]:
        from .vocabulary import split_synonyms

        return [self.name, *split_synonyms(self.synonyms)]


class Parameter(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("检测参数")
        verbose_name_plural = _("检测参数")


class ProductCategory(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("产品类别")
        verbose_name_plural = _("产品类别")


class ScopeLine(models.Model):
    """One line of an institution's capability scope (能力范围): object/product, parameter, method
    standard, limitation; for calibration bodies the quantity, range and uncertainty.

    ``parameter`` and ``product`` are the normalised vocabulary ids the match reads by index; the free
    text stays for display and for lines not yet mapped (``parameter_id`` null: flagged for an admin).
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="scope_lines")
    region = kit.copied_region_ref()
    product_text = models.CharField(_("检测对象/产品"), max_length=200)
    parameter_text = models.CharField(_("检测项目/参数"), max_length=200)
    method_standard = models.CharField(_("检测方法标准"), max_length=200, blank=True)
    limitation = models.CharField(_("限制范围/说明"), max_length=255, blank=True)
    quantity = models.CharField(_("被测量（校准）"), max_length=100, blank=True)
    measuring_range = models.CharField(_("测量范围"), max_length=100, blank=True)
    uncertainty = models.CharField(_("不确定度/准确度等级"), max_length=100, blank=True)
    product = models.ForeignKey(
        ProductCategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="scope_lines"
    )
    parameter = models.ForeignKey(
        Parameter, on_delete=models.SET_NULL, null=True, blank=True, related_name="scope_lines"
    )
    method_code = models.CharField(_("方法标准号（规范化）"), max_length=64, blank=True, db_index=True)

    scope_org_field = "institution__organisation"
    scope_region_field = "region_id"
    scope_extra = staticmethod(_resources_scope_extra)

    class Meta:
        ordering = ["institution_id", "id"]
        verbose_name = _("能力范围")
        verbose_name_plural = _("能力范围")
        indexes = [
            models.Index(fields=["parameter", "product", "region"], name="scope_param_product_region"),
            models.Index(fields=["parameter", "region"], name="scope_param_region"),
        ]

    def __str__(self) -> str:
        return f"{self.product_text} / {self.parameter_text}"


class Station(ServiceResource):
    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="station")
    name = models.CharField(_("名称"), max_length=200)
    host_organisation = models.CharField(_("依托单位"), max_length=200, blank=True)
    service_area = models.ManyToManyField(
        Region, verbose_name=_("服务区域"), through="StationArea", related_name="stations", blank=True
    )
    industries = models.ManyToManyField(
        Industry, verbose_name=_("服务行业"), related_name="stations", blank=True
    )
    specialty = models.CharField(_("特色产业"), max_length=200, blank=True, help_text=_("如：螺蛳粉"))
    address = models.CharField(_("地址"), max_length=255, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField(_("服务时间"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)

    class Meta(ServiceResource.Meta):
        verbose_name = _("质量服务站")
        verbose_name_plural = _("质量服务站")


class StationArea(models.Model):
    """A county in a station's service area."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="areas")
    region = kit.region_ref(None)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "region"], name="uniq_station_area")]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.region_id}"


class Expert(ServiceResource):
    class Availability(models.TextChoices):
        AVAILABLE = "available", _("可接单")
        BUSY = "busy", _("繁忙")
        AWAY = "away", _("暂停服务")

    user = models.OneToOneField(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="expert_profile"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属服务站/机构"),
        on_delete=models.PROTECT,
        related_name="experts",
    )
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职称"), max_length=64, blank=True)
    #: NQI element codes (``NqiElement``), stored comma-delimited with a leading and trailing comma
    #: (",metrology,testing,") so that one element is found with ``nqi_elements__contains=",testing,"``
    #: on SQLite and PostgreSQL alike. Use ``elements`` / ``set_elements``.
    nqi_elements = models.CharField(_("服务领域（NQI 要素）"), max_length=120, blank=True, default="")
    industries = models.ManyToManyField(
        Industry, verbose_name=_("擅长行业"), related_name="experts", blank=True
    )
    keywords = models.CharField(_("专长关键词"), max_length=255, blank=True)
    bio = models.TextField(_("简介"), blank=True)
    availability = models.CharField(
        _("状态"), max_length=10, choices=Availability.choices, default=Availability.AVAILABLE
    )
    open_workload = models.PositiveIntegerField(_("在办工单"), default=0)

    class Meta(ServiceResource.Meta):
        verbose_name = _("专家")
        verbose_name_plural = _("专家")

    @property
    def elements(self) -> list[str]:
        return split_codes(self.nqi_elements)

    def set_elements(self, elements) -> None:
        unknown = [e for e in elements if e not in NqiElement.values]
        if unknown:
            raise ValueError(f"unknown NQI elements: {unknown}")
        self.nqi_elements = (
            "," + ",".join(e for e in NqiElement.values if e in set(elements)) + "," if elements else ""
        )

    def nqi_element_labels(self) -> list[str]:
        return code_labels(self.elements, NqiElement.choices)
