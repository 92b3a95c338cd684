"""Directory routes: enterprises, institutions (with qualifications and capability scopes), service
stations, experts and the capability match. Thin: every read goes through ``selectors`` (scoped to the
caller; a record outside scope is 404), every write through ``services``."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from nqihub.core.api import (
    DETAIL_ERRORS,
    MAX_PAGE_SIZE,
    READ_ERRORS,
    ErrorOut,
    Pages,
    ValidationErrorOut,
    clean_industry_code,
    industry_code_error,
    is_industry_code,
    region_code_error,
)
from nqihub.core.bounds import Id
from nqihub.core.choices import choice_param
from nqihub.core.errors import ValidationFailed
from nqihub.core.http import get_or_404
from nqihub.core.models import Industry, Region
from nqihub.core.regions import is_code

from . import matching, selectors, services
from .models import Enterprise, Institution, NqiElement
from .schemas import (
    EnterpriseDetailOut,
    EnterpriseFilter,
    EnterpriseIn,
    EnterpriseOut,
    ExpertDetailOut,
    ExpertFilter,
    ExpertOut,
    InstitutionDetailOut,
    InstitutionFilter,
    InstitutionOut,
    MatchPage,
    MatchQuery,
    ScopeLineOut,
    StationDetailOut,
    StationFilter,
    StationOut,
)

router = Router(tags=["directory"])


# --- filter checks: a malformed or unknown code is a 422 naming the parameter, never an empty list ------


def _region_param(code: str | None, field: str = "region") -> str | None:
    if code is None or not code.strip():
        return None
    code = code.strip()
    if not is_code(code):
        raise ValidationFailed({field: region_code_error(code)})
    if not Region.objects.filter(code=code).exists():
        raise ValidationFailed({field: _("行政区划代码“%(code)s”不存在。") % {"code": code}})
    return code


def _industry_param(code: str | None, field: str = "industry") -> str | None:
    if code is None or not code.strip():
        return None
    code = clean_industry_code(code)
    if not is_industry_code(code):
        raise ValidationFailed({field: industry_code_error(code)})
    if not Industry.objects.filter(code=code).exists():
        raise ValidationFailed({field: _("行业代码“%(code)s”不在 GB/T 4754-2017 中。") % {"code": code}})
    return code


# --- the four entities: a filtered, paginated list and one record each ------------------------------------


def _entity_routes(name: str, plural: str, *, out, detail_out, filter_schema, summaries, extra):
    """GET /<plural> (the caller's scope, filtered by keywords, region and ``extra(filters)``, paginated)
    and GET /<plural>/{id}, through ``selectors.<name>_list`` / ``<name>_get``."""
    list_selector = getattr(selectors, f"{name}_list")
    get_selector = getattr(selectors, f"{name}_get")

    def list_view(request, filters: Query[filter_schema]):
        region = _region_param(filters.region)
        return list_selector(fetched_by=request.user, q=filters.q.strip(), region=region, **extra(filters))

    def get_view(request, id: Id):
        return get_or_404(get_selector, fetched_by=request.user, pk=id)

    list_view.__name__, get_view.__name__ = f"list_{plural}", f"get_{name}"
    list_summary, detail_summary = summaries
    router.get(f"/{plural}", response={200: list[out], **READ_ERRORS}, summary=list_summary)(
        paginate(Pages)(list_view)
    )
    router.get(f"/{plural}/{{id}}", response={200: detail_out, **DETAIL_ERRORS}, summary=detail_summary)(
        get_view
    )
    return list_view, get_view


list_enterprises, get_enterprise = _entity_routes(
    "enterprise",
    "enterprises",
    out=EnterpriseOut,
    detail_out=EnterpriseDetailOut,
    filter_schema=EnterpriseFilter,
    summaries=("Enterprises in scope", "One enterprise"),
    extra=lambda f: {
        "industry": _industry_param(f.industry),
        "scale": choice_param(f.scale, Enterprise.Scale.choices, "scale"),
    },
)


@router.post(
    "/enterprises",
    response={201: EnterpriseDetailOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Register an enterprise",
)
def create_enterprise(request, payload: EnterpriseIn):
    enterprise = services.enterprise_create(
        data=services.EnterpriseData(**payload.dict()),
        by=request.user,
    )
    return Status(201, selectors.enterprise_get(fetched_by=request.user, pk=enterprise.pk))


list_institutions, get_institution = _entity_routes(
    "institution",
    "institutions",
    out=InstitutionOut,
    detail_out=InstitutionDetailOut,
    filter_schema=InstitutionFilter,
    summaries=(
        "Institutions in scope",
        "One institution with its qualifications and the first page of its capability scope",
    ),
    extra=lambda f: {"kind": choice_param(f.kind, Institution.Kind.choices, "kind")},
)


@router.get(
    "/institutions/{id}/scope-lines",
    response={200: list[ScopeLineOut], **DETAIL_ERRORS},
    summary="An institution's capability scope, page by page",
)
@paginate(Pages)
def list_scope_lines(request, id: Id):
    institution = get_or_404(selectors.institution_get, fetched_by=request.user, pk=id)
    return selectors.scope_lines_of(fetched_by=request.user, institution=institution)


list_stations, get_station = _entity_routes(
    "station",
    "stations",
    out=StationOut,
    detail_out=StationDetailOut,
    filter_schema=StationFilter,
    summaries=(
        "Service stations in scope",
        "One station with its service area (county codes) and industries",
    ),
    extra=lambda f: {"industry": _industry_param(f.industry)},
)
list_experts, get_expert = _entity_routes(
    "expert",
    "experts",
    out=ExpertOut,
    detail_out=ExpertDetailOut,
    filter_schema=ExpertFilter,
    summaries=("Experts in scope", "One expert"),
    extra=lambda f: {"element": choice_param(f.element, NqiElement.choices, "element")},
)


# --- capability match --------------------------------------------------------------------------------


@router.get(
    "/capabilities/match",
    response={200: MatchPage, **READ_ERRORS},
    summary="Who can test parameter P (or anything) on product X by standard S, nearest first",
    description=(
        "由近及远（同县、同市、同省、其他地区；同一层内按名称）列出能做该检测的机构及其匹配的能力范围条目。"
        "分页参数与其他列表相同（page、page_size）；为保持按层读取的速度不计总数，以 has_more 表示是否还有下一页。"
    ),
)
def match_capabilities(request, query: Query[MatchQuery], pages: Query[Pages.Input]):
    parameter = query.parameter.strip()
    if not parameter and not query.product.strip():
        raise ValidationFailed({"parameter": _("请填写检测项目/参数或产品。")})
    region = _region_param(query.region) or ""
    offset = (pages.page - 1) * pages.page_size

    def run(limit: int, offset: int):
        return matching.capability_match(
            fetched_by=request.user,
            parameter=parameter,
            product=query.product.strip(),
            standard=query.standard.strip(),
            region=region,
            limit=limit,
            offset=offset,
        )

    # One more than the page tells whether there is a next page (the matcher reads at most 100 at once).
    if pages.page_size < MAX_PAGE_SIZE:
        results = run(pages.page_size + 1, offset)
        has_more = len(results) > pages.page_size
        results = results[: pages.page_size]
    else:
        results = run(pages.page_size, offset)
        has_more = len(results) == pages.page_size and bool(run(1, offset + pages.page_size))
    return {
        "items": [_match_item(r) for r in results],
        "page": pages.page,
        "page_size": pages.page_size,
        "has_more": has_more,
    }


def _match_item(result) -> dict:
    inst = result.institution
    return {
        "id": inst.pk,
        "name": inst.name,
        "kind": inst.kind,
        "region_code": inst.region_id,
        "region_name": inst.region.name,
        "closeness": result.closeness,
        "lines": [
            {
                "product": line.product_text,
                "parameter": line.parameter_text,
                "method_standard": line.method_standard,
                "limitation": line.limitation,
            }
            for line in result.lines
        ],
    }


__all__ = ["router"]
