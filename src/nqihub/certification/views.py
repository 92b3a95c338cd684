"""HTML pages of certification: the certificate registry (all certificates in scope, and per enterprise),
detail with status history and surveillance audits, create/edit, status change with a reason, import, the
CCC catalogue and the guidance partial.

Thin: reads through ``selectors`` (outside the user's scope is a 404), writes through ``services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.errors import ValidationFailed
from nqihub.core.http import form_data, get_or_404, is_htmx
from nqihub.core.models import ImportJob
from nqihub.core.tabular import read_upload

from . import catalogue, imports, selectors, services, states
from .forms import (
    CertificateFilterForm,
    CertificateForm,
    GuidanceForm,
    ImportForm,
    StatusForm,
    SurveillanceForm,
    SurveillanceRecordForm,
)
from .models import CccCatalogueVersion, CertificateStatus

PAGE_SIZE = 25


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _list_context(request, enterprise=None):
    form = CertificateFilterForm(request.GET or None)
    qs = selectors.certificate_list(fetched_by=request.user, enterprise=enterprise, **form.filters())
    return {"form": form, "page_obj": _page(request, qs), "enterprise": enterprise}


def _render_list(request, context):
    if is_htmx(request) and request.headers.get("HX-Target") == "list-body":
        return render(request, "certification/_partials/list_body.html", context)
    return render(request, "certification/certificate_list.html", context)


@login_required
def certificate_list(request):
    return _render_list(request, _list_context(request))


@login_required
def enterprise_certificates(request, enterprise_id: int):
    enterprise = get_or_404(selectors.enterprise_get, fetched_by=request.user, pk=enterprise_id)
    context = _list_context(request, enterprise)
    context["can_register"] = services.can_register_for(request.user, enterprise)
    context["guidance_product"] = enterprise.products
    context["guidance_industry"] = enterprise.industry_id or ""
    return _render_list(request, context)


def _data(cleaned) -> services.CertificateData:
    body = cleaned.get("body")
    return services.CertificateData(
        type=cleaned.get("type") or "",
        number=cleaned.get("number") or "",
        body_id=body.pk if body is not None else None,
        body_name=cleaned.get("body_name") or "",
        scope=cleaned.get("scope") or "",
        product=cleaned.get("product") or "",
        issue_date=cleaned.get("issue_date"),
        expiry_date=cleaned.get("expiry_date"),
    )


def _save(request, form, save):
    """Run the service on a valid form; put its field errors on the form. Returns the object or None."""
    if request.method != "POST":
        return None
    if not form.is_valid():
        try:
            services.validate_certificate(_data(form.cleaned_data))
        except ValidationFailed as exc:
            form.add_service_errors({k: v for k, v in exc.errors.items() if k not in form.errors})
        return None
    try:
        return save(_data(form.cleaned_data))
    except ValidationFailed as exc:
        form.add_service_errors(exc.errors)
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    return None


def _form_page(request, form, *, title: str, subject, cancel_url: str, status: int = 200):
    context = {"form": form, "title": title, "subject": subject, "cancel_url": cancel_url}
    return render(request, "certification/form.html", context, status=status)


def _editable(request, pk: int, message: str):
    """The certificate (404 outside scope), once the user may edit it (else 403 with ``message``)."""
    certificate = get_or_404(selectors.certificate_get, fetched_by=request.user, pk=pk)
    if not services.can_edit(request.user, certificate):
        raise Forbidden(message)
    return certificate


@login_required
def certificate_create(request, enterprise_id: int):
    enterprise = get_or_404(selectors.enterprise_get, fetched_by=request.user, pk=enterprise_id)
    if not services.can_register_for(request.user, enterprise):
        raise Forbidden(_("您无权为该企业登记认证证书。"))
    form = CertificateForm(form_data(request))
    certificate = _save(
        request,
        form,
        lambda data: services.certificate_create(enterprise=enterprise, data=data, by=request.user),
    )
    if certificate is not None:
        messages.success(request, _("证书 %(number)s 已登记。") % {"number": certificate.number})
        return redirect("certification:certificate-detail", certificate.pk)
    cancel_url = reverse("certification:enterprise-certificates", args=[enterprise.pk])
    return _form_page(request, form, title=_("登记认证证书"), subject=enterprise, cancel_url=cancel_url)


@login_required
def certificate_detail(request, pk: int):
    certificate = get_or_404(selectors.certificate_get, fetched_by=request.user, pk=pk)
    can_edit = services.can_edit(request.user, certificate)
    can_change_status = services.can_change_status(request.user, certificate)
    return render(
        request,
        "certification/certificate_detail.html",
        {
            "certificate": certificate,
            "can_edit": can_edit,
            "history": certificate.status_changes.select_related("by"),
            "audits": certificate.surveillance_audits.all(),
            "reminders": certificate.reminders.all()[:20],
            "can_change_status": can_change_status,
            "status_form": StatusForm(current=certificate.status)
            if can_change_status and states.targets(certificate.status)
            else None,
            "surveillance_form": SurveillanceForm() if can_edit and certificate.is_active else None,
            "record_form": SurveillanceRecordForm() if can_edit else None,
        },
    )


@login_required
def certificate_edit(request, pk: int):
    certificate = _editable(request, pk, _("您无权修改该证书。"))
    initial = {
        "type": certificate.type,
        "number": certificate.number,
        "body": certificate.body_id,
        "body_name": certificate.body_name if certificate.body_id is None else "",
        "product": certificate.product,
        "issue_date": certificate.issue_date,
        "expiry_date": certificate.expiry_date,
        "scope": certificate.scope,
    }
    form = CertificateForm(form_data(request), initial=initial)
    saved = _save(
        request,
        form,
        lambda data: services.certificate_update(certificate=certificate, data=data, by=request.user),
    )
    if saved is not None:
        messages.success(request, _("证书已保存。"))
        return redirect("certification:certificate-detail", certificate.pk)
    cancel_url = reverse("certification:certificate-detail", args=[certificate.pk])
    return _form_page(
        request, form, title=_("修改认证证书"), subject=certificate.enterprise, cancel_url=cancel_url
    )


@login_required
def certificate_status(request, pk: int):
    certificate = get_or_404(selectors.certificate_get, fetched_by=request.user, pk=pk)
    if not services.can_change_status(request.user, certificate):
        raise Forbidden(_("证书状态只能由发证的认证机构或监管部门变更。"))
    form = StatusForm(form_data(request), current=certificate.status)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_change_status(
                certificate=certificate,
                to_status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc.errors)
        except services.IllegalTransition as exc:
            form.add_error("status", exc.message)
        else:
            messages.success(
                request,
                _("证书状态已改为“%(s)s”。") % {"s": CertificateStatus(form.cleaned_data["status"]).label},
            )
            return redirect("certification:certificate-detail", certificate.pk)
    return _form_page(
        request,
        form,
        title=_("变更证书状态"),
        subject=certificate,
        cancel_url=reverse("certification:certificate-detail", args=[certificate.pk]),
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def certificate_delete(request, pk: int):
    certificate = get_or_404(selectors.certificate_get, fetched_by=request.user, pk=pk)
    enterprise_id = certificate.enterprise_id
    try:
        services.certificate_delete(certificate=certificate, by=request.user)
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    messages.success(request, _("证书已删除。"))
    return redirect("certification:enterprise-certificates", enterprise_id)


def _post_to_detail(request, certificate, form, save, success: str):
    """Run ``save(cleaned_data)`` on a POSTed form; its errors and the service's are one message; back to
    the certificate either way (403 when the service refuses the user)."""
    try:
        if not form.is_valid():
            raise ValidationFailed({k: v[0] for k, v in form.errors.items()})
        save(form.cleaned_data)
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(m) for m in exc.errors.values()))
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    else:
        messages.success(request, success)
    return redirect("certification:certificate-detail", certificate.pk)


@login_required
@require_POST
def surveillance_add(request, pk: int):
    certificate = get_or_404(selectors.certificate_get, fetched_by=request.user, pk=pk)

    def add(cd):
        services.surveillance_add(
            certificate=certificate, due_date=cd["due_date"], notes=cd["notes"], by=request.user
        )

    return _post_to_detail(
        request, certificate, SurveillanceForm(request.POST), add, _("监督审核计划已添加。")
    )


@login_required
@require_POST
def surveillance_record(request, pk: int, audit_id: int):
    certificate = get_or_404(selectors.certificate_get, fetched_by=request.user, pk=pk)
    item = get_or_404(
        selectors.surveillance_get, fetched_by=request.user, certificate=certificate, pk=audit_id
    )

    def record(cd):
        services.surveillance_record(
            item=item, done_date=cd["done_date"], result=cd["result"], notes=cd["notes"], by=request.user
        )

    form = SurveillanceRecordForm(request.POST)
    return _post_to_detail(request, certificate, form, record, _("监督审核结果已登记。"))


@login_required
def certificate_import(request, enterprise_id: int):
    enterprise = get_or_404(selectors.enterprise_get, fetched_by=request.user, pk=enterprise_id)
    if not services.can_register_for(request.user, enterprise):
        raise Forbidden(_("您无权为该企业导入认证证书。"))
    form = ImportForm(form_data(request), request.FILES or None)
    row_errors = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = imports.import_job_start(
                    enterprise=enterprise, filename=upload.name, data=read_upload(upload), by=request.user
                )
            except imports.ImportRejected as exc:
                row_errors = exc.row_errors
                form.add_error(None, exc.message)
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            except services.PermissionDenied as exc:
                raise Forbidden(exc.message) from exc
            else:
                job.refresh_from_db()
                if job.status != ImportJob.Status.DONE:  # queued on a worker: its progress page
                    return redirect("import-status", job_id=job.pk.hex)
                messages.success(request, _("已导入 %(n)d 张证书。") % {"n": job.result.get("created", 0)})
                return redirect("certification:enterprise-certificates", enterprise.pk)
        status = 422
    return render(
        request,
        "certification/import.html",
        {"form": form, "enterprise": enterprise, "row_errors": row_errors},
        status=status,
    )


@login_required
def import_template(request):
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _("认证证书导入模板.csv"))
    return response


@login_required
def catalogue_browse(request):
    versions = list(selectors.catalogue_versions())
    version = None
    raw = request.GET.get("version", "")
    if raw:
        version = next((v for v in versions if str(v.pk) == raw), None)
        if version is None:
            raise Http404
    version = (
        version or next((v for v in versions if v.is_current), None) or (versions[0] if versions else None)
    )
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "").strip()[:100]
    products = selectors.catalogue_products(version=version, q=q, category=category) if version else []
    return render(
        request,
        "certification/catalogue.html",
        {
            "versions": versions,
            "version": version,
            "products": products,
            "categories": selectors.catalogue_categories(version=version) if version else [],
            "q": q,
            "category": category,
        },
    )


@login_required
def guidance(request):
    """The guidance partial (htmx): ``?product=…&industry=…``."""
    product = request.GET.get("product", "").strip()[:200]
    industry = request.GET.get("industry", "").strip()[:4]
    matches = catalogue.ccc_guidance(product, industry or None) if (product or industry) else []
    # Opened directly (a bookmark, a link, a new tab) it is a page with its own search form, not a bare
    # fragment; htmx asks for the fragment.
    template = (
        "certification/_partials/guidance.html"
        if request.headers.get("HX-Request")
        else "certification/guidance.html"
    )
    return render(
        request,
        template,
        {
            "product": product,
            "industry": industry,
            "matches": matches,
            "current": CccCatalogueVersion.objects.filter(is_current=True).first(),
            "asked": bool(product or industry),
            "form": GuidanceForm(initial={"product": product, "industry": industry}),
        },
    )
