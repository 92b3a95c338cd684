"""HTML pages of the testing app: the order list, the create form (enterprise, station from a service
request, cooperative), the order page (samples, items, results, sign-off, report, revision), the scoped
report PDF, the pass-rate page, the lab settings (sign-off roles) and the public verification page.

Thin: reads through ``selectors`` (outside the user's scope is a 404), writes through ``services``.
"""

from __future__ import annotations

import io
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.files import file_response
from nqihub.core.http import form_data, get_or_404, is_htmx
from nqihub.core.models import Membership
from nqihub.core.scoping import scope_of
from nqihub.core.xlsx import XLSX_TYPE

from . import selectors, services, states, throttle
from .forms import (
    ITEM_ROWS,
    ItemEditForm,
    ItemForm,
    OrderFilterForm,
    OrderForm,
    PassRateForm,
    PrefixForm,
    ReasonForm,
    ReceiveForm,
    SampleForm,
    UploadForm,
    VerifyForm,
    items_from_post,
)
from .models import LabRole, OrderStatus, Report, SignLevel
from .results_xlsx import results_template_xlsx

PAGE_SIZE = 25


def _order(request, pk):
    return get_or_404(selectors.order_get, fetched_by=request.user, pk=pk)


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return " ".join(str(m) for m in exc.errors.values())
    return str(exc.message)


def _run(request, call, success: str = ""):
    """Run a service call; a refusal becomes a message on the page (403 for no permission)."""
    try:
        result = call()
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def _form_errors(form) -> str:
    return " ".join(str(e[0]) for e in form.errors.values())


def _form_run(request, form, call, success: str) -> None:
    """A small form of the order page: its errors as a message, else ``call(**cleaned_data)`` run."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        _run(request, lambda: call(**form.cleaned_data), success)


def _detail_url(order, part: str) -> str:
    """The order page at one of its parts (``items``, ``samples``)."""
    return reverse("testing:order-detail", args=[order.pk]) + "#" + part


def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- list -----------------------------------------------------------------------------------------------------


@login_required
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    qs = selectors.order_list(fetched_by=request.user, **form.filters())
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page_obj, "can_create": _can_create(request.user)}
    if is_htmx(request) and request.headers.get("HX-Target") == "list-body":
        return render(request, "testing/_partials/list_body.html", context)
    return render(request, "testing/order_list.html", context)


def _can_create(user) -> bool:
    return can_create(user)


def can_create(user) -> bool:
    """Enterprise users, station staff, cooperative admins and regulators place orders."""
    scope = scope_of(user)
    client_roles = {
        Membership.Role.ENTERPRISE_USER,
        Membership.Role.STATION_STAFF,
        Membership.Role.COOPERATIVE_ADMIN,
    }
    return bool(scope.roles & client_roles) or scope.is_regulator


# --- create -----------------------------------------------------------------------------------------------------


@login_required
def order_create(request):
    service_request = None
    raw_request = request.GET.get("request") or request.POST.get("service_request")
    if raw_request:
        from nqihub.desk import selectors as desk_selectors

        service_request = get_or_404(desk_selectors.request_get, fetched_by=request.user, pk=raw_request)
    enterprises = list(selectors.enterprises_for(fetched_by=request.user))
    if service_request is not None:
        enterprises = [e for e in enterprises if e.pk == service_request.enterprise_id]
    cooperatives = list(selectors.cooperatives_of(request.user))
    if not enterprises and not cooperatives:
        raise Forbidden(_("您没有可以委托检测的企业。"))
    labs = list(selectors.testing_labs(fetched_by=request.user))
    initial = {"submit_now": True}
    if service_request is not None:
        initial.update({"enterprise": service_request.enterprise_id, "product_name": service_request.product})
    elif len(enterprises) == 1:
        initial["enterprise"] = enterprises[0].pk
        initial["product_name"] = enterprises[0].products
    form = OrderForm(
        form_data(request), initial=initial, enterprises=enterprises, cooperatives=cooperatives, labs=labs
    )
    if request.method == "POST":
        items = items_from_post(request.POST)
    else:  # opened from a request: the test items it names are there already
        items = services.request_items(service_request) if service_request is not None else []
    item_errors: dict = {}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            enterprise = next(e for e in enterprises if e.pk == data["enterprise"])
            lab = next(lab for lab in labs if lab.pk == data["lab"])
            cooperative = next((c for c in cooperatives if c.pk == data.get("cooperative")), None)
            try:
                order = services.order_create(
                    by=request.user,
                    lab=lab,
                    enterprise=enterprise,
                    product_name=data["product_name"],
                    items=items,
                    cooperative=cooperative,
                    service_request=service_request,
                    samples=[
                        {
                            "name": data["sample_name"] or data["product_name"],
                            "model_spec": data["model_spec"],
                            "batch": data["batch"],
                            "quantity": data["quantity"],
                        }
                    ],
                    product_standard=data["product_standard"],
                    test_kind=data["test_kind"],
                    remarks=data["remarks"],
                    submit=data["submit_now"],
                )
            except services.PermissionDenied as exc:
                raise Forbidden(exc.message) from exc
            except ValidationFailed as exc:
                for key, message in exc.errors.items():
                    if key.startswith("items."):
                        item_errors[key] = message
                    elif key == "items":
                        form.add_error(None, message)
                    else:
                        form.add_error(key if key in form.fields else None, message)
                form._mark_invalid()
            else:
                messages.success(request, _("委托单 %(n)s 已创建。") % {"n": order.number})
                return redirect("testing:order-detail", order.pk)
        status = 422
    rows = items + [{}] * max(0, ITEM_ROWS - len(items))
    item_rows = [
        {
            "n": n,
            "values": row,
            "errors": [m for k, m in item_errors.items() if k.startswith(f"items.{n}.") or k == f"items.{n}"],
        }
        for n, row in enumerate(rows)
    ]
    return render(
        request,
        "testing/order_form.html",
        {
            "form": form,
            "item_rows": item_rows,
            "service_request": service_request,
            "item_errors": item_errors,
        },
        status=status,
    )


@login_required
def suggest_labs(request):
    """htmx partial of the create form: labs whose scope covers the items typed so far."""
    items = items_from_post(request.GET)
    region = ""
    raw = request.GET.get("enterprise", "")
    if raw.isdigit():
        try:
            region = selectors.enterprise_get(fetched_by=request.user, pk=int(raw)).region_id
        except ObjectDoesNotExist:
            region = ""
    suggestions = selectors.suggest_labs(
        fetched_by=request.user, items=items, product=request.GET.get("product_name", "")[:200], region=region
    )
    return render(
        request, "testing/_partials/lab_suggestions.html", {"suggestions": suggestions, "asked": bool(items)}
    )


# --- detail -------------------------------------------------------------------------------------------------------

ACTION_STYLE = {
    "submit": "btn-primary",
    "receive": "btn-primary",
    "start": "btn-outline-primary",
    "complete": "btn-primary",
    "review": "btn-primary",
    "approve": "btn-primary",
    "issue": "btn-success",
    "return": "btn-outline-warning",
    "revise": "btn-outline-warning",
    "cancel": "btn-outline-danger",
    "reject": "btn-outline-danger",
}


def _actions(user, order) -> list[str]:
    """The actions the page offers ``user`` (the services check again)."""
    client = services.is_client(user, order)
    staff = services.is_lab_staff(user, order.lab)
    roles = services.lab_roles(user, order.lab) if staff else set()
    s = order.status
    out = []
    if s == states.DRAFT and client:
        out += ["submit", "cancel"]
    if s == states.SUBMITTED:
        if staff:
            out += ["receive", "reject"]
        if client or staff:
            out.append("cancel")
    if s == states.SAMPLE_RECEIVED and staff:
        if LabRole.Role.TESTER in roles:
            out.append("start")
        out.append("cancel")
    if s == states.TESTING and staff:
        if LabRole.Role.TESTER in roles:
            out.append("complete")
        out.append("cancel")
    if s == states.RESULTS_ENTERED and LabRole.Role.REVIEWER in roles:
        out += ["review", "return"]
    if s == states.REVIEWED and LabRole.Role.APPROVER in roles:
        out += ["approve", "return"]
    if s == states.APPROVED and roles & {LabRole.Role.APPROVER, LabRole.Role.MANAGER}:
        out.append("issue")
    if s == states.ISSUED and roles & {LabRole.Role.APPROVER, LabRole.Role.MANAGER}:
        out.append("revise")
    return out


@login_required
def order_detail(request, pk: int):
    order = _order(request, pk)
    user = request.user
    staff = services.is_lab_staff(user, order.lab)
    roles = services.lab_roles(user, order.lab) if staff else set()
    client = services.is_client(user, order)
    items = list(order.items.select_related("tested_by"))
    editable = order.status != states.ISSUED and (
        (order.status in states.CLIENT_EDITABLE and client) or (order.status in states.LAB_EDITABLE and staff)
    )
    signed = {s.level: s for s in order.signoffs.filter(round=order.round)}
    reports = selectors.reports_of(order)
    has_requirements = bool(order.product_standard_id) and order.product_standard.requirements.exists()
    return render(
        request,
        "testing/order_detail.html",
        {
            "order": order,
            "samples": list(order.samples.prefetch_related("photos")),
            "items": items,
            "actions": _actions(user, order),
            "action_labels": services.ACTION_LABELS,
            "action_style": ACTION_STYLE,
            "editable": editable,
            "can_enter_results": order.status in states.LAB_EDITABLE and LabRole.Role.TESTER in roles,
            "can_upload_photos": (client or staff) and order.status not in states.FINAL | {states.ISSUED},
            "has_requirements": has_requirements and editable,
            "signatures": [(level, label, signed.get(level)) for level, label in SignLevel.choices],
            "reports": reports,
            "current_report": next((r for r in reports if r.status == Report.Status.VALID), None),
            "events": order.events.select_related("actor"),
            "receive_form": ReceiveForm(initial={"received_on": timezone.localdate()}),
            "reason_form": ReasonForm(),
            "sample_form": SampleForm(),
            "item_form": ItemForm(),
            "is_staff": staff,
            "my_roles": roles,
        },
    )


@login_required
@require_POST
def order_action(request, pk: int, action: str):
    order = _order(request, pk)
    by = request.user
    reason = request.POST.get("reason", "")
    received_on, condition = None, ""
    if action == "receive":
        form = ReceiveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect("testing:order-detail", order.pk)
        received_on, condition = form.cleaned_data["received_on"], form.cleaned_data["condition"]
    if action not in services.ACTIONS:
        raise Http404
    done = _run(
        request,
        lambda: services.order_act(
            action,
            order=order,
            by=by,
            reason=reason,
            items=request.POST.getlist("items"),
            received_on=received_on,
            condition=condition,
            base_url=base_url(request),
        ),
    )
    if done:
        if action == "issue":
            messages.success(request, _("报告 %(n)s 已出具。") % {"n": done.number})
        else:
            order.refresh_from_db()
            messages.success(
                request,
                _("已%(action)s，委托单当前为“%(status)s”。")
                % {"action": services.ACTION_LABELS[action], "status": OrderStatus(order.status).label},
            )
            if action == "complete":
                _warn_unjudged(request, order)
    return redirect("testing:order-detail", order.pk)


@login_required
@require_POST
def sample_add(request, pk: int):
    order = _order(request, pk)
    _form_run(
        request,
        SampleForm(request.POST),
        partial(services.sample_add, order=order, by=request.user),
        _("样品已添加。"),
    )
    return redirect(_detail_url(order, "samples"))


@login_required
@require_POST
def photo_add(request, pk: int, sample_id: int):
    order = _order(request, pk)
    sample = get_or_404(order.samples.get, pk=sample_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择照片文件。"))
    else:
        _run(
            request,
            lambda: services.photo_add(sample=sample, upload=upload, by=request.user),
            _("照片已上传。"),
        )
    return redirect(_detail_url(order, "samples"))


@login_required
def photo_view(request, pk: int, photo_id: int):
    order = _order(request, pk)
    photo = get_or_404(selectors.photo_get, order=order, pk=photo_id)
    return file_response(
        photo.file, filename=photo.name, content_type=photo.content_type, as_attachment=False
    )


@login_required
@require_POST
def item_add(request, pk: int):
    order = _order(request, pk)
    _form_run(
        request,
        ItemForm(request.POST),
        partial(services.item_add, order=order, by=request.user),
        _("检测项目已添加。"),
    )
    return redirect(_detail_url(order, "items"))


@login_required
@require_POST
def item_edit(request, pk: int, item_id: int):
    order = _order(request, pk)
    item = get_or_404(order.items.get, pk=item_id)
    _form_run(
        request,
        ItemEditForm(request.POST),
        partial(services.item_update, item=item, by=request.user),
        _("检测项目已修改。"),
    )
    return redirect(_detail_url(order, "items"))


@login_required
@require_POST
def item_remove(request, pk: int, item_id: int):
    order = _order(request, pk)
    item = get_or_404(order.items.get, pk=item_id)
    _run(request, lambda: services.item_remove(item=item, by=request.user), _("检测项目已删除。"))
    return redirect(_detail_url(order, "items"))


@login_required
@require_POST
def items_from_standard(request, pk: int):
    order = _order(request, pk)
    result = _run(request, lambda: services.items_from_standard(order=order, by=request.user))
    if result and result is not True:
        added, skipped = result
        messages.success(request, _("已从产品标准带出 %(n)d 个项目。") % {"n": len(added)})
        if skipped:
            messages.warning(
                request, _("检测机构能力范围不包括：%(items)s，未添加。") % {"items": "、".join(skipped)}
            )
    return redirect(_detail_url(order, "items"))


@login_required
@require_POST
def results_save(request, pk: int):
    order = _order(request, pk)
    results = {
        key[len("result-") :]: value
        for key, value in request.POST.items()
        if key.startswith("result-") and key[len("result-") :].isdigit()
    }
    if _run(
        request,
        lambda: services.results_enter(order=order, by=request.user, results=results),
        _("检测结果已保存并自动判定。"),
    ):
        _warn_unjudged(request, order)
    return redirect(_detail_url(order, "items"))


def _warn_unjudged(request, order) -> None:
    unjudged = services.unjudged_items(order)
    if unjudged:
        messages.warning(
            request,
            _(
                "以下 %(n)d 个项目有结果但无法自动判定，报告结论将为“不判定”，请核对结果与要求的写法：%(items)s"
            )
            % {"n": len(unjudged), "items": "；".join(unjudged)},
        )


@login_required
def results_template(request, pk: int):
    order = _order(request, pk)
    if not services.is_lab_staff(request.user, order.lab):
        raise Forbidden(_("只有检测机构人员可以下载结果模板。"))

    data = results_template_xlsx(list(order.items.order_by("seq").values_list("seq", "parameter", "unit")))
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, _("%(number)s-结果录入模板.xlsx") % {"number": order.number}
    )
    return response


@login_required
@require_POST
def results_upload(request, pk: int):
    order = _order(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的 XLSX 文件。"))
    else:
        upload = form.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            messages.error(request, _("只接受 .xlsx 文件（请使用下载的结果模板）。"))
        elif upload.size > 5 * 1024 * 1024:
            messages.error(request, _("文件不能超过 5 MB。"))
        else:
            if _run(
                request,
                lambda: services.results_upload(
                    order=order, by=request.user, fileobj=io.BytesIO(upload.read())
                ),
                _("已从表格导入检测结果。"),
            ):
                _warn_unjudged(request, order)
    return redirect(_detail_url(order, "items"))


@login_required
def report_pdf(request, pk: int):
    report = get_or_404(selectors.report_get, fetched_by=request.user, pk=pk)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        request.GET.get("download") == "1", f"{report.number}.pdf"
    )
    return response


# --- pass rates -----------------------------------------------------------------------------------------------


@login_required
def pass_rates(request):
    form = PassRateForm(request.GET or None)
    rows, total = [], None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        rows = selectors.pass_rates(
            fetched_by=request.user,
            group_by=data.get("group_by") or "product",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            region_level=data.get("region_level") or "county",
            region=data.get("region") or "",
        )
        total = selectors.pass_rate_total(rows)
    return render(request, "testing/pass_rates.html", {"form": form, "rows": rows, "total": total})


# --- lab settings -----------------------------------------------------------------------------------------------


@login_required
def lab_list(request):
    labs = list(selectors.managed_labs(request.user))
    if len(labs) == 1:
        return redirect("testing:lab-settings", labs[0].pk)
    return render(request, "testing/lab_list.html", {"labs": labs})


@login_required
def lab_settings(request, lab_id: int):
    lab = get_or_404(selectors.managed_labs(request.user).get, pk=lab_id)
    prefix_form = PrefixForm(initial={"report_prefix": services.report_prefix(lab)})
    if request.method == "POST":
        if "report_prefix" in request.POST:
            prefix_form = PrefixForm(request.POST)
            if prefix_form.is_valid():
                _run(
                    request,
                    lambda: services.lab_prefix_set(
                        lab=lab, prefix=prefix_form.cleaned_data["report_prefix"], by=request.user
                    ),
                    _("报告编号前缀已保存。"),
                )
        else:
            user = next((u for u in selectors.lab_staff(lab) if str(u.pk) == request.POST.get("user")), None)
            if user is None:
                raise Http404
            _run(
                request,
                lambda: services.lab_role_set(
                    lab=lab,
                    user=user,
                    role=request.POST.get("role", ""),
                    granted=request.POST.get("granted") == "1",
                    by=request.user,
                ),
                _("签署角色已更新。"),
            )
        return redirect("testing:lab-settings", lab.pk)
    return render(
        request,
        "testing/lab_settings.html",
        {
            "lab": lab,
            "staff": selectors.lab_staff(lab),
            "roles": LabRole.Role.choices,
            "prefix_form": prefix_form,
        },
    )


# --- public verification ----------------------------------------------------------------------------------------


def verify(request):
    """报告真伪查询: public, no login. Rate-limited per client IP."""
    number = (request.GET.get("number") or "").strip()
    code = (request.GET.get("code") or "").strip()
    asked = bool(number or code)
    form = VerifyForm(request.GET if asked else None, initial={"number": number})
    result = None
    status = 200
    if asked:
        if not throttle.allow(request):
            return render(
                request, "testing/verify.html", {"form": form, "limited": throttle.message()}, status=429
            )
        result = services.verify(number, code)
    return render(
        request, "testing/verify.html", {"form": form, "result": result, "asked": asked}, status=status
    )
