"""Request and response shapes of the directory API. Codes are GB/T 2260 (regions) and GB/T 4754-2017
(industries); personal data (contact names and phones) only ever leaves masked."""

from datetime import date

from ninja import Field, Schema

from nqihub.core.api import PAGE_SIZE
from nqihub.core.choices import choices_text

from .models import Enterprise, Expert, Institution, NqiElement
from .selectors import scope_lines_of, service_rating

# --- input -------------------------------------------------------------------------------------------


class EnterpriseIn(Schema):
    uscc: str = Field(
        ...,
        description="统一社会信用代码（GB 32100，18位，含校验码）",
        examples=["91450204000000001A"],
        max_length=32,
    )
    name: str = Field(..., description="企业名称", max_length=200)
    region: str = Field(
        ..., description="所在县级行政区划代码（GB/T 2260，6位）", examples=["450204"], max_length=16
    )
    industry: str | None = Field(
        None, description="国民经济行业代码（GB/T 4754-2017）", examples=["1431"], max_length=16
    )
    scale: str = Field(
        Enterprise.Scale.SMALL, description=f"规模：{choices_text(Enterprise.Scale.choices)}", max_length=16
    )
    address: str = Field("", description="地址", max_length=255)
    kind: str = Field(
        Enterprise.Kind.COMPANY,
        description=f"主体类型：{choices_text(Enterprise.Kind.choices)}",
        max_length=16,
    )
    products: str = Field("", description="主要产品", max_length=255)


class _ListFilter(Schema):
    """Keywords and region of every directory list; an entity's filter adds its own (and may reword these)."""

    q: str = Field("", description="中文关键词", max_length=100)
    region: str | None = Field(None, description="行政区划代码：含其下级", max_length=16)


class EnterpriseFilter(_ListFilter):
    q: str = Field(
        "", description="中文关键词（名称、地址、产品、行业），或完整的统一社会信用代码", max_length=100
    )
    industry: str | None = Field(None, description="行业代码：含其下级", max_length=16)
    scale: str | None = Field(
        None, description=f"规模：{choices_text(Enterprise.Scale.choices)}", max_length=32
    )


class InstitutionFilter(_ListFilter):
    kind: str | None = Field(
        None, description=f"机构类型：{choices_text(Institution.Kind.choices)}", max_length=32
    )


class StationFilter(_ListFilter):
    region: str | None = Field(None, description="服务站所在行政区划代码：含其下级", max_length=16)
    industry: str | None = Field(None, description="服务行业代码：含其下级", max_length=16)


class ExpertFilter(_ListFilter):
    q: str = Field("", description="中文关键词（姓名、职称、专长、简介）", max_length=100)
    element: str | None = Field(
        None, description=f"服务领域（NQI 要素）：{choices_text(NqiElement.choices)}", max_length=32
    )


class MatchQuery(Schema):
    parameter: str = Field(
        "", description="检测项目/参数，如 甲醛含量；可不填，只按产品查找（须填产品）", max_length=100
    )
    product: str = Field("", description="检测对象/产品，如 纺织品", max_length=100)
    standard: str = Field("", description="方法标准号，如 GB/T 2912.1-2009", max_length=120)
    region: str | None = Field(None, description="委托方所在行政区划代码：由近及远排序", max_length=16)


# --- output ------------------------------------------------------------------------------------------


class _Placed(Schema):
    """Resolvers of ``region_code`` / ``region_name`` for a record with a region (declares no field)."""

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name


class _KindLabelled(Schema):
    """Resolver of ``kind_label``, the display of ``kind`` (declares no field)."""

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class CodeName(Schema):
    code: str
    name: str


class EnterpriseOut(_Placed):
    id: int
    uscc: str
    name: str
    kind: str
    region_code: str
    region_name: str
    industry_code: str | None
    industry_name: str | None
    scale: str
    address: str

    @staticmethod
    def resolve_industry_code(obj: Enterprise) -> str | None:
        return obj.industry_id

    @staticmethod
    def resolve_industry_name(obj: Enterprise) -> str | None:
        return obj.industry.name if obj.industry_id else None


class ContactOut(Schema):
    name: str = Field(..., description="已脱敏")
    phone: str = Field(..., description="已脱敏")
    position: str


class EnterpriseDetailOut(EnterpriseOut):
    products: str
    region_full_name: str
    contacts: list[ContactOut]
    created_at: str

    @staticmethod
    def resolve_region_full_name(obj: Enterprise) -> str:
        return obj.region.full_name()

    @staticmethod
    def resolve_contacts(obj: Enterprise) -> list[dict]:
        return [
            {"name": c.masked_name, "phone": c.masked_phone, "position": c.position}
            for c in obj.contacts.all()
        ]

    @staticmethod
    def resolve_created_at(obj: Enterprise) -> str:
        return obj.created_at.isoformat()


class InstitutionOut(_Placed, _KindLabelled):
    id: int
    name: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    address: str


class QualificationOut(_KindLabelled):
    kind: str
    kind_label: str
    number: str
    valid_from: date | None
    valid_until: date | None


class ScopeLineOut(Schema):
    id: int
    product: str = Field(..., alias="product_text")
    parameter: str = Field(..., alias="parameter_text")
    method_standard: str
    limitation: str
    quantity: str
    measuring_range: str
    uncertainty: str


class ScopeLinePage(Schema):
    items: list[ScopeLineOut]
    count: int


class ServiceRatingOut(Schema):
    average: float | None = Field(..., description="平均评价（1–5），无评价为空")
    count: int


class _Rated(Schema):
    service_rating: ServiceRatingOut | None = Field(
        None, description="企业对其承办工单的评价；仅服务站工作人员和监管人员可见，其他人为空"
    )

    @staticmethod
    def resolve_service_rating(obj, context) -> dict | None:
        rating = service_rating(fetched_by=context["request"].user, obj=obj)
        return None if rating is None else {"average": rating[0], "count": rating[1]}


class InstitutionDetailOut(InstitutionOut, _Rated):
    contact_phone: str
    description: str
    qualifications: list[QualificationOut]
    scope_lines: ScopeLinePage = Field(
        ...,
        description="能力范围第一页（按调用者可见范围）；其余用 /institutions/{id}/scope-lines?page= 翻页",
    )

    @staticmethod
    def resolve_qualifications(obj: Institution) -> list:
        return list(obj.qualifications.all())

    @staticmethod
    def resolve_scope_lines(obj: Institution, context) -> dict:
        lines = scope_lines_of(fetched_by=context["request"].user, institution=obj)
        return {"items": list(lines[:PAGE_SIZE]), "count": lines.count()}


class StationOut(_Placed):
    id: int
    name: str
    host_organisation: str
    region_code: str
    region_name: str
    specialty: str
    address: str


class StationDetailOut(StationOut):
    service_area: list[str] = Field(..., description="服务区域：县级行政区划代码")
    industries: list[CodeName]
    opening_hours: str
    contact_phone: str
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_service_area(obj) -> list[str]:
        return sorted(a.region_id for a in obj.areas.all())

    @staticmethod
    def resolve_industries(obj) -> list[dict]:
        return [{"code": i.code, "name": i.name} for i in obj.industries.all()]

    @staticmethod
    def resolve_latitude(obj) -> float | None:
        return float(obj.latitude) if obj.latitude is not None else None

    @staticmethod
    def resolve_longitude(obj) -> float | None:
        return float(obj.longitude) if obj.longitude is not None else None


class ExpertOut(_Placed):
    id: int
    name: str
    title: str
    region_code: str
    region_name: str
    organisation_id: int
    organisation_name: str
    nqi_elements: list[str]
    availability: str

    @staticmethod
    def resolve_organisation_name(obj: Expert) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_nqi_elements(obj: Expert) -> list[str]:
        return obj.elements


class ExpertDetailOut(ExpertOut, _Rated):
    keywords: str
    bio: str
    open_workload: int
    industries: list[CodeName]

    @staticmethod
    def resolve_industries(obj: Expert) -> list[dict]:
        return [{"code": i.code, "name": i.name} for i in obj.industries.all()]


class MatchLineOut(Schema):
    product: str
    parameter: str
    method_standard: str
    limitation: str


class MatchOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    region_name: str
    closeness: str = Field(..., description="同县、同市、同省、其他地区；未给 region 时为空")
    lines: list[MatchLineOut]


class MatchPage(Schema):
    items: list[MatchOut]
    page: int
    page_size: int
    has_more: bool = Field(..., description="是否还有下一页")
