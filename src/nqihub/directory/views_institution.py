"""Technical institutions' pages: the generic entity pages plus the capability scope lines and the
qualifications (added, edited and deleted in place, htmx or not)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nqihub.core.errors import PermissionDenied
from nqihub.core.http import is_htmx

from . import selectors, services
from . import services_resources as resources
from .forms import InstitutionFilterForm, InstitutionForm, QualificationForm
from .views_generic import Entity, forbid, page_of, save_form, yes

SCOPE_LINES_PAGE_SIZE = 25


def _scope_lines(request, institution):
    lq = request.GET.get("lq", "")[:100].strip()
    qs = selectors.scope_lines_of(fetched_by=request.user, institution=institution)
    if lq:
        qs = qs.filter(
            Q(parameter_text__icontains=lq) | Q(product_text__icontains=lq) | Q(method_standard__icontains=lq)
        )
    return lq, page_of(request, qs, SCOPE_LINES_PAGE_SIZE, "lines_page")


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


def _institution_context(
    request, institution, *, bound_id=None, bound_form=None, add_form=None, can_edit=None
):
    if can_edit is None:
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
        "service_rating": selectors.service_rating(fetched_by=request.user, obj=institution),
    }


class Institutions(Entity):
    name = "institution"
    filter_form = InstitutionFilterForm
    form = InstitutionForm
    prefetch = ("qualifications",)
    create_denied = gettext_lazy("只有市场监管部门和平台管理员可以登记技术机构。")
    edit_denied = gettext_lazy("您无权修改该机构信息。")
    created = gettext_lazy("技术机构已登记。")
    saved = gettext_lazy("机构信息已保存。")
    create_title = gettext_lazy("登记技术机构")
    edit_title = gettext_lazy("修改机构信息")
    export_title = gettext_lazy("技术机构名录")
    export_headers = (
        gettext_lazy("机构名称"),
        gettext_lazy("类型"),
        gettext_lazy("所在地区"),
        gettext_lazy("行政区划代码"),
        gettext_lazy("地址"),
        gettext_lazy("联系电话"),
        gettext_lazy("资质"),
        gettext_lazy("示例数据"),
    )

    def can_create(self, user) -> bool:
        return resources.can_create_institution(user)

    def data(self, c) -> resources.InstitutionData:
        return resources.InstitutionData(
            name=c["name"],
            kind=c["kind"],
            region=c["region"],
            address=c.get("address", ""),
            contact_phone=c.get("contact_phone", ""),
            description=c.get("description", ""),
        )

    def detail_context(self, request, obj, can_edit):
        return _institution_context(request, obj, can_edit=can_edit)

    def edit_state(self, request, institution):
        fields = ("name", "kind", "address", "contact_phone", "description")
        initial = {f: getattr(institution, f) for f in fields}
        initial["region"] = institution.region_id
        return initial, {}

    def row(self, i) -> list:
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
            yes(i.is_demo),
        ]


INSTITUTIONS = Institutions()
institution_list, institution_detail, institution_create, institution_edit, institution_export = (
    INSTITUTIONS.views()
)


@login_required
def institution_scope_lines(request, pk):
    institution = INSTITUTIONS.get(request, pk)
    lq, lines_page = _scope_lines(request, institution)
    context = {"institution": institution, "lines_page": lines_page, "lq": lq}
    if is_htmx(request):
        return render(request, "directory/_partials/scope_lines.html", context)
    return render(request, "directory/scope_lines.html", context)


# --- qualifications -----------------------------------------------------------------------------------------
def _qualification_data(c) -> resources.QualificationData:
    return resources.QualificationData(
        kind=c["kind"], number=c["number"], valid_from=c.get("valid_from"), valid_until=c.get("valid_until")
    )


def _editable_institution(request, pk):
    institution = INSTITUTIONS.get(request, pk)
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


def _save_qualification(request, institution, form, save, *, message, instance=None):
    return save_form(
        request,
        form,
        lambda c: save(data=_qualification_data(c), by=request.user),
        success_message=message,
        validate=lambda c: resources.validate_qualification(
            _qualification_data(c), institution=institution, instance=instance
        ),
    )


@login_required
@require_POST
def institution_qualification_add(request, pk):
    institution = _editable_institution(request, pk)
    form = QualificationForm(request.POST, prefix="qnew")
    add = partial(resources.qualification_add, institution=institution)
    if _save_qualification(request, institution, form, add, message=_("资质已添加。")) is None:
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
    update = partial(resources.qualification_update, qualification=qualification)
    saved = _save_qualification(
        request, institution, form, update, message=_("资质已保存。"), instance=qualification
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
    except PermissionDenied as exc:
        forbid(exc)
    messages.success(request, _("资质已删除。"))
    return _after_qualification_change(request, institution)
