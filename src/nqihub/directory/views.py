"""HTML pages of the service-resource directory (服务资源库).

Enterprises, stations and experts here, institutions in ``views_institution``: each is one ``Entity``
of ``views_generic`` (list, detail, create, edit, XLSX export), configured by its selectors, services,
forms, messages and export columns. Plus an enterprise's contacts and the capability search.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.forms import split_codes
from nqihub.core.http import is_htmx
from nqihub.core.models import Organisation
from nqihub.core.scoping import scope_of

from . import selectors, services
from . import services_resources as resources
from .forms import (
    CapabilitySearchForm,
    ContactForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    ExpertFilterForm,
    ExpertForm,
    StationFilterForm,
    StationForm,
)
from .views_generic import Entity, save_form, yes
from .views_institution import (  # noqa: F401 - served from here (urls.py)
    institution_create,
    institution_detail,
    institution_edit,
    institution_export,
    institution_list,
    institution_qualification_add,
    institution_qualification_delete,
    institution_qualification_edit,
    institution_scope_lines,
)

ORGANISATION_CHOICES_LIMIT = 500
CAPABILITY_PAGE_SIZE = 20


# --- enterprises -------------------------------------------------------------------------------------------
class Enterprises(Entity):
    name = "enterprise"
    service = services
    filter_form = EnterpriseFilterForm
    form = EnterpriseForm
    prefetch = ("contacts",)
    create_denied = gettext_lazy("只有市场监管部门、平台管理员和质量服务站可以登记企业。")
    edit_denied = gettext_lazy("您无权修改该企业信息。")
    created = gettext_lazy("企业已登记。")
    saved = gettext_lazy("企业信息已保存。")
    create_title = gettext_lazy("登记企业")
    edit_title = gettext_lazy("修改企业信息")
    export_title = gettext_lazy("企业名录")
    export_headers = (
        gettext_lazy("企业名称"),
        gettext_lazy("统一社会信用代码"),
        gettext_lazy("主体类型"),
        gettext_lazy("所在地区"),
        gettext_lazy("行政区划代码"),
        gettext_lazy("所属行业"),
        gettext_lazy("规模"),
        gettext_lazy("地址"),
        gettext_lazy("主要产品"),
        gettext_lazy("联系人（脱敏）"),
        gettext_lazy("联系电话（脱敏）"),
        gettext_lazy("示例数据"),
    )

    def can_create(self, user) -> bool:
        scope = scope_of(user)
        return scope.is_regulator or bool(scope.org_ids_of_kind(Organisation.Kind.STATION))

    def data(self, cleaned) -> services.EnterpriseData:
        return services.EnterpriseData(
            uscc=cleaned["uscc"],
            name=cleaned["name"],
            region=cleaned["region"],
            industry=cleaned.get("industry") or None,
            scale=cleaned["scale"],
            address=cleaned.get("address", ""),
            kind=cleaned["kind"],
            products=cleaned.get("products", ""),
        )

    def validate(self, data, instance=None):
        return services.validate_enterprise(data, instance=instance)

    def detail_context(self, request, enterprise, can_edit):
        return {
            "contacts": list(enterprise.contacts.all()),
            "contact_form": ContactForm() if can_edit else None,
            "stations": selectors.station_list(fetched_by=request.user).filter(
                areas__region_id=enterprise.region_id
            )[:10],
        }

    def edit_state(self, request, enterprise):
        fields = ("uscc", "name", "kind", "scale", "address", "products")
        initial = {f: getattr(enterprise, f) for f in fields}
        initial.update(region=enterprise.region_id, industry=enterprise.industry_id or "")
        return initial, {}

    def form_context(self):
        return {"kind": "enterprise"}

    def row(self, e) -> list:
        contacts = list(e.contacts.all())
        return [
            e.name,
            e.uscc,
            e.get_kind_display(),
            e.region.full_name(),
            e.region_id,
            str(e.industry) if e.industry_id else "",
            e.get_scale_display(),
            e.address,
            e.products,
            "；".join(c.masked_name for c in contacts),
            "；".join(c.masked_phone for c in contacts),
            yes(e.is_demo),
        ]


ENTERPRISES = Enterprises()
enterprise_list, enterprise_detail, enterprise_create, enterprise_edit, enterprise_export = (
    ENTERPRISES.views()
)


@login_required
@require_POST
def enterprise_contact_add(request, pk):
    enterprise = ENTERPRISES.get(request, pk)
    if not services.can_edit(request.user, enterprise):
        raise Forbidden(_("您无权修改该企业信息。"))
    form = ContactForm(request.POST)
    contact = save_form(
        request,
        form,
        lambda c: services.enterprise_add_contact(
            enterprise=enterprise,
            name=c["name"],
            phone=c["phone"],
            position=c.get("position", ""),
            by=request.user,
        ),
        success_message=_("联系人已添加。"),
    )
    if contact is not None:
        return redirect(reverse("directory:enterprise-detail", args=[enterprise.pk]) + "#contacts")
    return ENTERPRISES.detail_page(request, enterprise, can_edit=True, contact_form=form)


# --- stations ------------------------------------------------------------------------------------------------
def _areas(station) -> list:
    return [a.region for a in station.areas.select_related("region__parent__parent").order_by("region_id")]


class Stations(Entity):
    name = "station"
    filter_form = StationFilterForm
    form = StationForm
    prefetch = ("industries", "areas__region")
    create_denied = gettext_lazy("只有市场监管部门和平台管理员可以设立服务站。")
    edit_denied = gettext_lazy("您无权修改该服务站信息。")
    created = gettext_lazy("服务站已设立。")
    saved = gettext_lazy("服务站信息已保存。")
    create_title = gettext_lazy("设立服务站")
    edit_title = gettext_lazy("修改服务站信息")
    export_title = gettext_lazy("质量服务站名录")
    export_headers = (
        gettext_lazy("服务站名称"),
        gettext_lazy("依托单位"),
        gettext_lazy("所在地区"),
        gettext_lazy("行政区划代码"),
        gettext_lazy("服务区域"),
        gettext_lazy("服务行业"),
        gettext_lazy("特色产业"),
        gettext_lazy("地址"),
        gettext_lazy("服务时间"),
        gettext_lazy("联系电话"),
        gettext_lazy("示例数据"),
    )

    def can_create(self, user) -> bool:
        return scope_of(user).is_regulator

    def data(self, c) -> resources.StationData:
        return resources.StationData(
            name=c["name"],
            region=c["region"],
            service_area=split_codes(c.get("service_area", "")),
            industries=split_codes(c.get("industries", "")),
            host_organisation=c.get("host_organisation", ""),
            specialty=c.get("specialty", ""),
            address=c.get("address", ""),
            latitude=c.get("latitude") or None,
            longitude=c.get("longitude") or None,
            opening_hours=c.get("opening_hours", ""),
            contact_phone=c.get("contact_phone", ""),
        )

    def detail_context(self, request, station, can_edit):
        return {
            "areas": _areas(station),
            "industries": list(station.industries.all()),
            "experts": selectors.expert_list(fetched_by=request.user).filter(
                organisation_id=station.organisation_id
            )[:50],
        }

    def edit_state(self, request, station):
        areas = _areas(station)
        fields = ("name", "host_organisation", "specialty", "address", "opening_hours", "contact_phone")
        initial = {f: getattr(station, f) for f in fields}
        initial.update(
            region=station.region_id,
            service_area=", ".join(r.code for r in areas),
            industries=", ".join(station.industries.values_list("code", flat=True)),
            latitude=station.latitude if station.latitude is not None else "",
            longitude=station.longitude if station.longitude is not None else "",
        )
        return initial, {"areas": areas}

    def row(self, s) -> list:
        return [
            s.name,
            s.host_organisation,
            s.region.full_name(),
            s.region_id,
            "、".join(a.region.name for a in s.areas.all()),
            "、".join(str(i) for i in s.industries.all()),
            s.specialty,
            s.address,
            s.opening_hours,
            s.contact_phone,
            yes(s.is_demo),
        ]


station_list, station_detail, station_create, station_edit, station_export = Stations().views()


# --- experts ------------------------------------------------------------------------------------------------
def _organisation_choices(user, current=None):
    """Stations and institutions the user may attach experts to, grouped, for the expert form."""
    groups = []
    for label, rows in (
        (_("质量服务站"), selectors.station_list(fetched_by=user)),
        (_("技术机构"), selectors.institution_list(fetched_by=user)),
    ):
        options = [
            (org_id, name)
            for org_id, name, region in rows.values_list("organisation_id", "name", "region_id")[
                :ORGANISATION_CHOICES_LIMIT
            ]
            if services.can_manage_directory(user, region)
            or resources.is_staff_of(user, org_id)
            or org_id == current
        ]
        if options:
            groups.append((label, options))
    return groups


class Experts(Entity):
    name = "expert"
    filter_form = ExpertFilterForm
    form = ExpertForm
    prefetch = ("industries",)
    create_denied = gettext_lazy("只有市场监管部门、服务站和技术机构工作人员可以登记专家。")
    edit_denied = gettext_lazy("您无权修改该专家信息。")
    created = gettext_lazy("专家已登记。")
    saved = gettext_lazy("专家信息已保存。")
    create_title = gettext_lazy("登记专家")
    edit_title = gettext_lazy("修改专家信息")
    export_title = gettext_lazy("专家名录")
    export_headers = (
        gettext_lazy("姓名"),
        gettext_lazy("职称"),
        gettext_lazy("所属服务站/机构"),
        gettext_lazy("所在地区"),
        gettext_lazy("行政区划代码"),
        gettext_lazy("服务领域"),
        gettext_lazy("擅长行业"),
        gettext_lazy("专长关键词"),
        gettext_lazy("状态"),
        gettext_lazy("在办工单"),
        gettext_lazy("示例数据"),
    )

    def can_create(self, user) -> bool:
        return resources.can_create_expert(user)

    def can_edit(self, user, expert) -> bool:
        return resources.can_edit_expert(user, expert)

    def data(self, c) -> resources.ExpertData:
        return resources.ExpertData(
            name=c["name"],
            organisation=c["organisation"],
            region=c["region"],
            title=c.get("title", ""),
            elements=c.get("elements", []),
            industries=split_codes(c.get("industries", "")),
            keywords=c.get("keywords", ""),
            bio=c.get("bio", ""),
            availability=c["availability"],
        )

    def detail_context(self, request, expert, can_edit):
        same_org = {"organisation_id": expert.organisation_id}
        return {
            "industries": list(expert.industries.all()),
            "station": selectors.station_list(fetched_by=request.user).filter(**same_org).first(),
            "institution": selectors.institution_list(fetched_by=request.user).filter(**same_org).first(),
            "service_rating": selectors.service_rating(fetched_by=request.user, obj=expert),
        }

    def edit_state(self, request, expert):
        fields = ("name", "title", "elements", "keywords", "bio", "availability")
        initial = {f: getattr(expert, f) for f in fields}
        initial.update(
            organisation=expert.organisation_id,
            region=expert.region_id,
            industries=", ".join(expert.industries.values_list("code", flat=True)),
        )
        return initial, {}

    def form_kwargs(self, request, expert=None):
        if expert is None:
            return {"organisations": _organisation_choices(request.user)}
        choices = _organisation_choices(request.user, current=expert.organisation_id)
        if not any(
            expert.organisation_id == org_id for _label, options in choices for org_id, _name in options
        ):
            choices.append((_("当前单位"), [(expert.organisation_id, expert.organisation.name)]))
        return {"organisations": choices}

    def row(self, e) -> list:
        return [
            e.name,
            e.title,
            e.organisation.name,
            e.region.full_name(),
            e.region_id,
            "、".join(e.nqi_element_labels()),
            "、".join(str(i) for i in e.industries.all()),
            e.keywords,
            e.get_availability_display(),
            e.open_workload,
            yes(e.is_demo),
        ]


expert_list, expert_detail, expert_create, expert_edit, expert_export = Experts().views()


# --- capability search ------------------------------------------------------------------------------------
def _home_region(user) -> str:
    """Where "near me" is: the user's first non-regulator organisation, else its regulator region."""
    scope = scope_of(user)
    for _id, kind, region in sorted(scope.orgs):
        if kind != Organisation.Kind.REGULATOR and region != "000000":
            return region
    for _id, _kind, region in sorted(scope.orgs):
        if region != "000000":
            return region
    return ""


@login_required
def capability_search(request):
    data = (
        request.GET if any(k in request.GET for k in ("parameter", "product", "standard", "region")) else None
    )
    form = CapabilitySearchForm(data, initial={"region": _home_region(request.user)})
    results = None
    unavailable = False
    page = 1
    if form.is_bound and form.is_valid():
        try:
            from .matching import capability_match
        except ImportError:
            unavailable = True
        else:
            c = form.cleaned_data
            try:
                page = max(1, min(int(request.GET.get("page", 1)), 1000))
            except ValueError:
                page = 1
            try:
                results = list(
                    capability_match(
                        fetched_by=request.user,
                        parameter=c["parameter"],
                        product=c["product"],
                        standard=c["standard"],
                        region=c["region"],
                        limit=CAPABILITY_PAGE_SIZE,
                        offset=(page - 1) * CAPABILITY_PAGE_SIZE,
                    )
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            except DomainError as exc:
                form.add_error(None, exc.message)
    context = {
        "form": form,
        "results": results,
        "unavailable": unavailable,
        "page": page,
        "has_next": results is not None and len(results) == CAPABILITY_PAGE_SIZE,
    }
    if is_htmx(request):
        context["partial"] = True
        return render(request, "directory/_partials/capability_results.html", context)
    return render(request, "directory/capability_search.html", context)
