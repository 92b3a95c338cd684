"""HTML pages of the service-resource directory (服务资源库).

Thin: reads through ``selectors`` (a record outside the user's scope is a 404), writes through
``services`` / ``services_resources`` (their ``ValidationFailed`` errors are shown field by field on the
form, their ``PermissionDenied`` is a 403 page). Lists are paginated and filterable, and each can be
exported to XLSX with the same filters, personal data masked.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import is_htmx, scoped_or_404
from nqihub.core.models import Organisation
from nqihub.core.scoping import scope_of
from nqihub.core.xlsx import xlsx_response
from nqihub.web import selectors as web_selectors
from nqihub.web.forms import split_codes

from . import selectors, services
from . import services_resources as resources
from .forms import (
    CapabilitySearchForm,
    ContactForm,
    EnterpriseFilterForm,
    EnterpriseForm,
    ExpertFilterForm,
    ExpertForm,
    InstitutionFilterForm,
    InstitutionForm,
    QualificationForm,
    StationFilterForm,
    StationForm,
)

PAGE_SIZE = 25
SCOPE_LINES_PAGE_SIZE = 25
EXPORT_MAX_ROWS = 50_000
ORGANISATION_CHOICES_LIMIT = 500
CAPABILITY_PAGE_SIZE = 20


# --- helpers -------------------------------------------------------------------------------------------------


def _forbid(exc: DomainError):
    raise Forbidden(exc.message) from exc


def _page(request, qs, size=PAGE_SIZE, param="page"):
    return Paginator(qs, size).get_page(request.GET.get(param))


def _render_list(request, template: str, partial: str, context: dict):
    if is_htmx(request) and request.headers.get("HX-Target") == "list-body":
        return render(request, partial, context)
    return render(request, template, context)


def _filter_form(form_class, request, **kwargs):
    selected = request.GET.get("region", "")
    form = form_class(
        request.GET if request.GET else None,
        region_choices=web_selectors.region_filter_choices(request.user, selected),
        **kwargs,
    )
    if selected and selected not in dict(form.fields["region"].widget.choices):
        label = web_selectors.region_label_for(selected)
        if label:
            form.fields["region"].widget.choices.append((selected, label))
    if "industry" in form.fields:
        form.set_industry_choices(
            web_selectors.industry_division_choices(), request.GET.get("industry", "").upper()
        )
    return form


def _export_note(total: int) -> str:
    if total > EXPORT_MAX_ROWS:
        return _("共 %(total)d 条，仅导出前 %(max)d 条；请缩小筛选范围后分批导出。") % {
            "total": total,
            "max": EXPORT_MAX_ROWS,
        }
    return _("导出时间：%(at)s；共 %(total)d 条。") % {
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "total": total,
    }


def _export(request, *, what: str, qs, filters: dict, headers, row, title: str):
    total = qs.count()
    rows = (row(obj) for obj in qs[:EXPORT_MAX_ROWS].iterator(chunk_size=2000))
    filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
    response = xlsx_response(filename, title, headers, rows, note=_export_note(total))
    resources.record_export(by=request.user, what=what, filters=filters, rows=min(total, EXPORT_MAX_ROWS))
    return response


def _yes(flag: bool) -> str:
    return _("是") if flag else _("否")


def _merged(form) -> dict:
    """The form's cleaned values, with an empty value in place of each field that failed its own
    checks, so that the service's validator can report on every other field at the same time."""
    values = {}
    for name, field in form.fields.items():
        if name in form.cleaned_data:
            values[name] = form.cleaned_data[name]
        elif isinstance(field, forms.MultipleChoiceField):
            values[name] = []
        elif isinstance(field, forms.DateField | forms.TypedChoiceField):
            values[name] = None
        else:
            values[name] = ""
    return values


def _save_form(request, form, save, *, success_message: str, validate=None):
    """Run a service on a valid form; on ``ValidationFailed`` put the errors on the form (nothing is
    saved: the service runs in one transaction). When the form itself is invalid, the service's
    validator still runs on the other fields so that every error shows at once. Returns the saved
    object or None."""
    if request.method != "POST":
        return None
    if not form.is_valid():
        if validate is not None:
            try:
                validate(_merged(form))
            except ValidationFailed as exc:
                form.add_service_errors({k: v for k, v in exc.errors.items() if k not in form.errors})
        return None
    try:
        obj = save(form.cleaned_data)
    except ValidationFailed as exc:
        form.add_service_errors(exc.errors)
        return None
    except services.PermissionDenied as exc:
        _forbid(exc)
    messages.success(request, success_message)
    return obj


# --- enterprises -------------------------------------------------------------------------------------------
def _can_create_enterprise(user) -> bool:
    scope = scope_of(user)
    return scope.is_regulator or bool(scope.org_ids_of_kind(Organisation.Kind.STATION))


def _enterprise_queryset(request):
    form = _filter_form(EnterpriseFilterForm, request)
    filters = form.filters()
    qs = selectors.enterprise_list(fetched_by=request.user, **filters)
    return form, filters, qs.select_related("region__parent__parent").prefetch_related("contacts")


@login_required
def enterprise_list(request):
    form, _filters, qs = _enterprise_queryset(request)
    context = {
        "form": form,
        "page_obj": _page(request, qs),
        "can_create": _can_create_enterprise(request.user),
    }
    return _render_list(
        request, "directory/enterprise_list.html", "directory/_partials/enterprise_list_body.html", context
    )


def _enterprise_data(cleaned) -> services.EnterpriseData:
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


@login_required
def enterprise_detail(request, pk):
    enterprise = scoped_or_404(selectors.enterprise_get, request, pk)
    can_edit = services.can_edit(request.user, enterprise)
    stations = selectors.station_list(fetched_by=request.user).filter(areas__region_id=enterprise.region_id)[
        :10
    ]
    return render(
        request,
        "directory/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "can_edit": can_edit,
            "contacts": list(enterprise.contacts.all()),
            "contact_form": ContactForm() if can_edit else None,
            "stations": stations,
        },
    )


@login_required
def enterprise_create(request):
    if not _can_create_enterprise(request.user):
        raise Forbidden(_("只有市场监管部门、平台管理员和质量服务站可以登记企业。"))
    form = EnterpriseForm(request.POST or None)
    enterprise = _save_form(
        request,
        form,
        lambda c: services.enterprise_create(data=_enterprise_data(c), by=request.user),
        success_message=_("企业已登记。"),
        validate=lambda c: services.validate_enterprise(_enterprise_data(c)),
    )
    if enterprise is not None:
        return redirect("directory:enterprise-detail", enterprise.pk)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("登记企业"),
            "cancel_url": reverse("directory:enterprise-list"),
            "kind": "enterprise",
        },
    )


@login_required
def enterprise_edit(request, pk):
    enterprise = scoped_or_404(selectors.enterprise_get, request, pk)
    if not services.can_edit(request.user, enterprise):
        raise Forbidden(_("您无权修改该企业信息。"))
    initial = {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "kind": enterprise.kind,
        "region": enterprise.region_id,
        "industry": enterprise.industry_id or "",
        "scale": enterprise.scale,
        "address": enterprise.address,
        "products": enterprise.products,
    }
    form = EnterpriseForm(request.POST or None, initial=initial)
    saved = _save_form(
        request,
        form,
        lambda c: services.enterprise_update(
            enterprise=enterprise, data=_enterprise_data(c), by=request.user
        ),
        success_message=_("企业信息已保存。"),
        validate=lambda c: services.validate_enterprise(_enterprise_data(c), instance=enterprise),
    )
    if saved is not None:
        return redirect("directory:enterprise-detail", saved.pk)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("修改企业信息"),
            "subject": enterprise,
            "cancel_url": reverse("directory:enterprise-detail", args=[enterprise.pk]),
            "kind": "enterprise",
        },
    )


@login_required
@require_POST
def enterprise_contact_add(request, pk):
    enterprise = scoped_or_404(selectors.enterprise_get, request, pk)
    if not services.can_edit(request.user, enterprise):
        raise Forbidden(_("您无权修改该企业信息。"))
    form = ContactForm(request.POST)
    contact = _save_form(
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
    stations = selectors.station_list(fetched_by=request.user).filter(areas__region_id=enterprise.region_id)[
        :10
    ]
    return render(
        request,
        "directory/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "can_edit": True,
            "contacts": list(enterprise.contacts.all()),
            "contact_form": form,
            "stations": stations,
        },
    )


@login_required
def enterprise_export(request):
    _form, filters, qs = _enterprise_queryset(request)
    headers = [
        _("企业名称"),
        _("统一社会信用代码"),
        _("主体类型"),
        _("所在地区"),
        _("行政区划代码"),
        _("所属行业"),
        _("规模"),
        _("地址"),
        _("主要产品"),
        _("联系人（脱敏）"),
        _("联系电话（脱敏）"),
        _("示例数据"),
    ]

    def row(e):
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
            _yes(e.is_demo),
        ]

    return _export(
        request, what="enterprise", qs=qs, filters=filters, headers=headers, row=row, title=_("企业名录")
    )


# --- institutions -----------------------------------------------------------------------------------------
def _institution_queryset(request):
    form = _filter_form(InstitutionFilterForm, request)
    filters = form.filters()
    qs = selectors.institution_list(fetched_by=request.user, **filters)
    return form, filters, qs.select_related("region__parent__parent").prefetch_related("qualifications")


@login_required
def institution_list(request):
    form, _filters, qs = _institution_queryset(request)
    context = {
        "form": form,
        "page_obj": _page(request, qs),
        "can_create": resources.can_create_institution(request.user),
    }
    return _render_list(
        request, "directory/institution_list.html", "directory/_partials/institution_list_body.html", context
    )


def _scope_lines(request, institution):
    lq = request.GET.get("lq", "")[:100].strip()
    qs = selectors.scope_lines_of(fetched_by=request.user, institution=institution)
    if lq:
        from django.db.models import Q

        qs = qs.filter(
            Q(parameter_text__icontains=lq) | Q(product_text__icontains=lq) | Q(method_standard__icontains=lq)
        )
    return lq, _page(request, qs, SCOPE_LINES_PAGE_SIZE, "lines_page")


def _qualification_forms(institution, *, bound_id=None, bound_form=None):
    """(qualification, form) for each row, the bound one in place of its row; editable rows only."""
    rows = []
    for qualification in institution.qualifications.all():
        if bound_id == qualification.pk and bound_form is not None:
            rows.append((qualification, bound_form))
            continue
        rows.append(
            (
                qualification,
                QualificationForm(
                    prefix=f"q{qualification.pk}",
                    initial={
                        "kind": qualification.kind,
                        "number": qualification.number,
                        "valid_from": qualification.valid_from,
                        "valid_until": qualification.valid_until,
                    },
                ),
            )
        )
    return rows


def _institution_context(request, institution, *, bound_id=None, bound_form=None, add_form=None):
    can_edit = services.can_edit(request.user, institution)
    lq, lines_page = _scope_lines(request, institution)
    try:
        import_url = reverse("directory:scope-import", kwargs={"institution_id": institution.pk})
    except NoReverseMatch:
        import_url = None
    return {
        "institution": institution,
        "can_edit": can_edit,
        "qualifications": list(institution.qualifications.all()),
        "qualification_rows": _qualification_forms(institution, bound_id=bound_id, bound_form=bound_form)
        if can_edit
        else [],
        "add_form": add_form or (QualificationForm(prefix="qnew") if can_edit else None),
        "lines_page": lines_page,
        "lq": lq,
        "import_url": import_url if can_edit else None,
        "experts": selectors.expert_list(fetched_by=request.user).filter(
            organisation_id=institution.organisation_id
        )[:20],
        "today": timezone.localdate(),
    }


@login_required
def institution_detail(request, pk):
    institution = scoped_or_404(selectors.institution_get, request, pk)
    return render(request, "directory/institution_detail.html", _institution_context(request, institution))


@login_required
def institution_scope_lines(request, pk):
    institution = scoped_or_404(selectors.institution_get, request, pk)
    lq, lines_page = _scope_lines(request, institution)
    context = {"institution": institution, "lines_page": lines_page, "lq": lq}
    if is_htmx(request):
        return render(request, "directory/_partials/scope_lines.html", context)
    return render(request, "directory/scope_lines.html", context)


def _institution_data(c) -> resources.InstitutionData:
    return resources.InstitutionData(
        name=c["name"],
        kind=c["kind"],
        region=c["region"],
        address=c.get("address", ""),
        contact_phone=c.get("contact_phone", ""),
        description=c.get("description", ""),
    )


@login_required
def institution_create(request):
    if not resources.can_create_institution(request.user):
        raise Forbidden(_("只有市场监管部门和平台管理员可以登记技术机构。"))
    form = InstitutionForm(request.POST or None)
    institution = _save_form(
        request,
        form,
        lambda c: resources.institution_create(data=_institution_data(c), by=request.user),
        success_message=_("技术机构已登记。"),
        validate=lambda c: resources.validate_institution(_institution_data(c)),
    )
    if institution is not None:
        return redirect("directory:institution-detail", institution.pk)
    return render(
        request,
        "directory/form.html",
        {"form": form, "title": _("登记技术机构"), "cancel_url": reverse("directory:institution-list")},
    )


@login_required
def institution_edit(request, pk):
    institution = scoped_or_404(selectors.institution_get, request, pk)
    if not services.can_edit(request.user, institution):
        raise Forbidden(_("您无权修改该机构信息。"))
    initial = {
        "name": institution.name,
        "kind": institution.kind,
        "region": institution.region_id,
        "address": institution.address,
        "contact_phone": institution.contact_phone,
        "description": institution.description,
    }
    form = InstitutionForm(request.POST or None, initial=initial)
    saved = _save_form(
        request,
        form,
        lambda c: resources.institution_update(
            institution=institution, data=_institution_data(c), by=request.user
        ),
        success_message=_("机构信息已保存。"),
        validate=lambda c: resources.validate_institution(_institution_data(c)),
    )
    if saved is not None:
        return redirect("directory:institution-detail", saved.pk)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("修改机构信息"),
            "subject": institution,
            "cancel_url": reverse("directory:institution-detail", args=[institution.pk]),
        },
    )


def _qualification_data(c) -> resources.QualificationData:
    return resources.QualificationData(
        kind=c["kind"], number=c["number"], valid_from=c.get("valid_from"), valid_until=c.get("valid_until")
    )


def _editable_institution(request, pk):
    institution = scoped_or_404(selectors.institution_get, request, pk)
    if not services.can_edit(request.user, institution):
        raise Forbidden(_("您无权修改该机构的资质。"))
    return institution


def _qualification_response(request, institution, *, bound_id=None, bound_form=None, add_form=None):
    context = _institution_context(
        request, institution, bound_id=bound_id, bound_form=bound_form, add_form=add_form
    )
    if is_htmx(request):
        context["show_messages"] = True
        return render(request, "directory/_partials/qualifications.html", context)
    return render(request, "directory/institution_detail.html", context)


def _after_qualification_change(request, institution):
    if is_htmx(request):
        return _qualification_response(request, institution)
    return redirect(reverse("directory:institution-detail", args=[institution.pk]) + "#qualifications")


@login_required
@require_POST
def institution_qualification_add(request, pk):
    institution = _editable_institution(request, pk)
    form = QualificationForm(request.POST, prefix="qnew")
    saved = _save_form(
        request,
        form,
        lambda c: resources.qualification_add(
            institution=institution, data=_qualification_data(c), by=request.user
        ),
        success_message=_("资质已添加。"),
        validate=lambda c: resources.validate_qualification(_qualification_data(c), institution=institution),
    )
    if saved is None:
        return _qualification_response(request, institution, add_form=form)
    return _after_qualification_change(request, institution)


def _qualification_of(institution, qualification_id):
    qualification = institution.qualifications.filter(pk=qualification_id).first()
    if qualification is None:
        raise Http404
    return qualification


@login_required
@require_POST
def institution_qualification_edit(request, pk, qualification_id):
    institution = _editable_institution(request, pk)
    qualification = _qualification_of(institution, qualification_id)
    form = QualificationForm(request.POST, prefix=f"q{qualification.pk}")
    saved = _save_form(
        request,
        form,
        lambda c: resources.qualification_update(
            qualification=qualification, data=_qualification_data(c), by=request.user
        ),
        success_message=_("资质已保存。"),
        validate=lambda c: resources.validate_qualification(
            _qualification_data(c), institution=institution, instance=qualification
        ),
    )
    if saved is None:
        return _qualification_response(request, institution, bound_id=qualification.pk, bound_form=form)
    return _after_qualification_change(request, institution)


@login_required
@require_POST
def institution_qualification_delete(request, pk, qualification_id):
    institution = _editable_institution(request, pk)
    qualification = _qualification_of(institution, qualification_id)
    try:
        resources.qualification_delete(qualification=qualification, by=request.user)
    except services.PermissionDenied as exc:
        _forbid(exc)
    messages.success(request, _("资质已删除。"))
    return _after_qualification_change(request, institution)


@login_required
def institution_export(request):
    _form, filters, qs = _institution_queryset(request)
    headers = [
        _("机构名称"),
        _("类型"),
        _("所在地区"),
        _("行政区划代码"),
        _("地址"),
        _("联系电话"),
        _("资质"),
        _("示例数据"),
    ]

    def row(i):
        quals = "；".join(
            f"{q.get_kind_display()} {q.number}"
            + (f"（{_('有效期至')} {q.valid_until:%Y-%m-%d}）" if q.valid_until else "")
            for q in i.qualifications.all()
        )
        return [
            i.name,
            i.get_kind_display(),
            i.region.full_name(),
            i.region_id,
            i.address,
            i.contact_phone,
            quals,
            _yes(i.is_demo),
        ]

    return _export(
        request, what="institution", qs=qs, filters=filters, headers=headers, row=row, title=_("技术机构名录")
    )


# --- stations ------------------------------------------------------------------------------------------------
def _station_queryset(request):
    form = _filter_form(StationFilterForm, request)
    filters = form.filters()
    qs = selectors.station_list(fetched_by=request.user, **filters)
    return (
        form,
        filters,
        qs.select_related("region__parent__parent").prefetch_related("industries", "areas__region"),
    )


@login_required
def station_list(request):
    form, _filters, qs = _station_queryset(request)
    context = {
        "form": form,
        "page_obj": _page(request, qs),
        "can_create": scope_of(request.user).is_regulator,
    }
    return _render_list(
        request, "directory/station_list.html", "directory/_partials/station_list_body.html", context
    )


@login_required
def station_detail(request, pk):
    station = scoped_or_404(selectors.station_get, request, pk)
    return render(
        request,
        "directory/station_detail.html",
        {
            "station": station,
            "can_edit": services.can_edit(request.user, station),
            "areas": [
                a.region for a in station.areas.select_related("region__parent__parent").order_by("region_id")
            ],
            "industries": list(station.industries.all()),
            "experts": selectors.expert_list(fetched_by=request.user).filter(
                organisation_id=station.organisation_id
            )[:50],
        },
    )


def _station_data(c) -> resources.StationData:
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


@login_required
def station_create(request):
    if not scope_of(request.user).is_regulator:
        raise Forbidden(_("只有市场监管部门和平台管理员可以设立服务站。"))
    form = StationForm(request.POST or None)
    station = _save_form(
        request,
        form,
        lambda c: resources.station_create(data=_station_data(c), by=request.user),
        success_message=_("服务站已设立。"),
        validate=lambda c: resources.validate_station(_station_data(c)),
    )
    if station is not None:
        return redirect("directory:station-detail", station.pk)
    return render(
        request,
        "directory/form.html",
        {"form": form, "title": _("设立服务站"), "cancel_url": reverse("directory:station-list")},
    )


@login_required
def station_edit(request, pk):
    station = scoped_or_404(selectors.station_get, request, pk)
    if not services.can_edit(request.user, station):
        raise Forbidden(_("您无权修改该服务站信息。"))
    areas = [a.region for a in station.areas.select_related("region__parent__parent").order_by("region_id")]
    initial = {
        "name": station.name,
        "host_organisation": station.host_organisation,
        "region": station.region_id,
        "service_area": ", ".join(r.code for r in areas),
        "industries": ", ".join(station.industries.values_list("code", flat=True)),
        "specialty": station.specialty,
        "address": station.address,
        "latitude": station.latitude if station.latitude is not None else "",
        "longitude": station.longitude if station.longitude is not None else "",
        "opening_hours": station.opening_hours,
        "contact_phone": station.contact_phone,
    }
    form = StationForm(request.POST or None, initial=initial)
    saved = _save_form(
        request,
        form,
        lambda c: resources.station_update(station=station, data=_station_data(c), by=request.user),
        success_message=_("服务站信息已保存。"),
        validate=lambda c: resources.validate_station(_station_data(c)),
    )
    if saved is not None:
        return redirect("directory:station-detail", saved.pk)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("修改服务站信息"),
            "subject": station,
            "cancel_url": reverse("directory:station-detail", args=[station.pk]),
            "areas": areas,
        },
    )


@login_required
def station_export(request):
    _form, filters, qs = _station_queryset(request)
    headers = [
        _("服务站名称"),
        _("依托单位"),
        _("所在地区"),
        _("行政区划代码"),
        _("服务区域"),
        _("服务行业"),
        _("特色产业"),
        _("地址"),
        _("服务时间"),
        _("联系电话"),
        _("示例数据"),
    ]

    def row(s):
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
            _yes(s.is_demo),
        ]

    return _export(
        request, what="station", qs=qs, filters=filters, headers=headers, row=row, title=_("质量服务站名录")
    )


# --- experts ------------------------------------------------------------------------------------------------
def _expert_queryset(request):
    form = _filter_form(ExpertFilterForm, request)
    filters = form.filters()
    qs = selectors.expert_list(fetched_by=request.user, **filters)
    return form, filters, qs.select_related("region__parent__parent").prefetch_related("industries")


@login_required
def expert_list(request):
    form, _filters, qs = _expert_queryset(request)
    context = {
        "form": form,
        "page_obj": _page(request, qs),
        "can_create": resources.can_create_expert(request.user),
    }
    return _render_list(
        request, "directory/expert_list.html", "directory/_partials/expert_list_body.html", context
    )


@login_required
def expert_detail(request, pk):
    expert = scoped_or_404(selectors.expert_get, request, pk)
    return render(
        request,
        "directory/expert_detail.html",
        {
            "expert": expert,
            "can_edit": resources.can_edit_expert(request.user, expert),
            "industries": list(expert.industries.all()),
            "station": selectors.station_list(fetched_by=request.user)
            .filter(organisation_id=expert.organisation_id)
            .first(),
            "institution": selectors.institution_list(fetched_by=request.user)
            .filter(organisation_id=expert.organisation_id)
            .first(),
        },
    )


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


def _expert_data(c) -> resources.ExpertData:
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


@login_required
def expert_create(request):
    if not resources.can_create_expert(request.user):
        raise Forbidden(_("只有市场监管部门、服务站和技术机构工作人员可以登记专家。"))
    form = ExpertForm(request.POST or None, organisations=_organisation_choices(request.user))
    expert = _save_form(
        request,
        form,
        lambda c: resources.expert_create(data=_expert_data(c), by=request.user),
        success_message=_("专家已登记。"),
        validate=lambda c: resources.validate_expert(_expert_data(c)),
    )
    if expert is not None:
        return redirect("directory:expert-detail", expert.pk)
    return render(
        request,
        "directory/form.html",
        {"form": form, "title": _("登记专家"), "cancel_url": reverse("directory:expert-list")},
    )


@login_required
def expert_edit(request, pk):
    expert = scoped_or_404(selectors.expert_get, request, pk)
    if not resources.can_edit_expert(request.user, expert):
        raise Forbidden(_("您无权修改该专家信息。"))
    initial = {
        "name": expert.name,
        "title": expert.title,
        "organisation": expert.organisation_id,
        "region": expert.region_id,
        "elements": expert.elements,
        "industries": ", ".join(expert.industries.values_list("code", flat=True)),
        "keywords": expert.keywords,
        "bio": expert.bio,
        "availability": expert.availability,
    }
    choices = _organisation_choices(request.user, current=expert.organisation_id)
    if not any(expert.organisation_id == org_id for _label, options in choices for org_id, _name in options):
        choices.append((_("当前单位"), [(expert.organisation_id, expert.organisation.name)]))
    form = ExpertForm(request.POST or None, initial=initial, organisations=choices)
    saved = _save_form(
        request,
        form,
        lambda c: resources.expert_update(expert=expert, data=_expert_data(c), by=request.user),
        success_message=_("专家信息已保存。"),
        validate=lambda c: resources.validate_expert(_expert_data(c)),
    )
    if saved is not None:
        return redirect("directory:expert-detail", saved.pk)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("修改专家信息"),
            "subject": expert,
            "cancel_url": reverse("directory:expert-detail", args=[expert.pk]),
        },
    )


@login_required
def expert_export(request):
    _form, filters, qs = _expert_queryset(request)
    headers = [
        _("姓名"),
        _("职称"),
        _("所属服务站/机构"),
        _("所在地区"),
        _("行政区划代码"),
        _("服务领域"),
        _("擅长行业"),
        _("专长关键词"),
        _("状态"),
        _("在办工单"),
        _("示例数据"),
    ]

    def row(e):
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
            _yes(e.is_demo),
        ]

    return _export(
        request, what="expert", qs=qs, filters=filters, headers=headers, row=row, title=_("专家名录")
    )


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
