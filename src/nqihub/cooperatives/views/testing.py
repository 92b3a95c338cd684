"""The yearly free testing plan (lines, the lab, the orders) and the members' pass rates."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from nqihub.core.http import form_data, get_or_404
from nqihub.core.xlsx import xlsx_response
from nqihub.directory.models import Institution

from .. import selectors, services
from ..forms import TestingLineForm, TestingPlanForm
from ..models import TestingPlan, TestingPlanLine
from ._common import _act, _active_members, _coop_context, _list_with_create, _period, _run, on_record


@on_record(selectors.cooperative_get)
def testing_plans(request, coop):
    context = _coop_context(request, coop, "testing")
    return _list_with_create(
        request,
        context,
        TestingPlanForm(form_data(request), initial={"year": context["today"].year})
        if context["is_staff"]
        else None,
        refused=_("只有合作社管理员可以制定免费检测计划。"),
        create=lambda **data: services.testing_plan_create(cooperative=coop, by=request.user, **data),
        success=_("免费检测计划已创建，请添加样品。"),
        detail="cooperatives:testing-plan",
        template="cooperatives/testing_list.html",
        plans=selectors.testing_plan_list(fetched_by=request.user, cooperative=coop),
    )


def _plan_url(plan) -> str:
    return reverse("cooperatives:testing-plan", args=[plan.pk])


def _order_url(order_id) -> str:
    if not order_id:
        return ""
    try:
        return reverse("testing:order-detail", args=[order_id])
    except NoReverseMatch:
        return ""


def _line_form(request, coop, data=None, members=None) -> TestingLineForm:
    """The add-a-sample form; a new one comes with the cooperative's own limits for the sample kind chosen
    (``?sample_kind=``, finished goods unless said otherwise) in its item rows."""
    kind = request.GET.get("sample_kind")
    if kind not in TestingPlanLine.SampleKind.values:
        kind = TestingPlanLine.SampleKind.PRODUCT
    return TestingLineForm(
        data,
        members=_active_members(request, coop) if members is None else members,
        parameters=selectors.available_parameters(fetched_by=request.user, cooperative=coop),
        own_limits=services.own_limits(coop, kind) if data is None else (),
        initial={"sample_kind": kind},
    )


def _testing_page(request, plan, line_form=None, status=200):
    coop = plan.cooperative
    context = _coop_context(request, coop, "testing")
    staff = context["is_staff"]
    draft = plan.status == TestingPlan.Status.DRAFT
    if staff and draft and line_form is None:
        line_form = _line_form(request, coop)
    lines = list(selectors.testing_plan_lines(fetched_by=request.user, plan=plan))
    for line in lines:
        line.order_url = _order_url(line.order_id)
    context.update(
        {
            "plan": plan,
            "lines": lines,
            "line_form": line_form if staff and draft else None,
            "labs": selectors.labs_for_plan(fetched_by=request.user, plan=plan) if staff and draft else [],
            "ordering_ready": services.order_service() is not None,
            "draft": draft,
        }
    )
    return render(request, "cooperatives/testing_detail.html", context, status=status)


@on_record(selectors.testing_plan_get)
def testing_plan(request, plan):
    return _testing_page(request, plan)


@on_record(selectors.testing_plan_get, post=True)
def testing_line_add(request, plan):
    coop = plan.cooperative
    if not services.is_staff_of(request.user, coop):
        raise Forbidden(_("只有合作社管理员可以修改免费检测计划。"))
    members = list(_active_members(request, coop))
    form = _line_form(request, coop, request.POST, members)
    if form.is_valid():
        member = next((m for m in members if m.pk == form.cleaned_data.get("member")), None)
        if member is None:
            form.add_service_errors({"member": _("请选择本合作社的在社成员。")})
        elif line := _run(
            request,
            form,
            lambda: services.testing_plan_add_line(
                plan=plan,
                member=member,
                sample_kind=form.cleaned_data["sample_kind"],
                product_name=form.cleaned_data["product_name"],
                items=form.items(),
                by=request.user,
            ),
            _("样品已加入计划。"),
        ):
            if getattr(line, "lab_released", ""):
                messages.warning(
                    request,
                    _("%(lab)s 的能力范围不包括新样品的检测项目，请重新选择检测机构。")
                    % {"lab": line.lab_released},
                )
            return redirect("cooperatives:testing-plan", plan.pk)
    return _testing_page(request, plan, line_form=form, status=422)


@on_record(selectors.testing_plan_get, post=True)
def testing_line_delete(request, plan, line_id: int):
    line = get_or_404(plan.lines.get, pk=line_id)
    return _act(request, _plan_url(plan), _("样品已移出计划。"), services.testing_plan_remove_line, line=line)


@on_record(selectors.testing_plan_get, post=True)
def testing_lab(request, plan):
    try:
        lab = Institution.objects.filter(
            pk__in=[o.institution.pk for o in selectors.labs_for_plan(fetched_by=request.user, plan=plan)]
        ).get(pk=request.POST.get("lab") or 0)
    except (ObjectDoesNotExist, ValueError):
        messages.error(request, _("请选择能力范围覆盖全部检测项目的检测机构。"))
        return redirect(_plan_url(plan))
    ok = _("已选定检测机构：%(lab)s。") % {"lab": lab.name}
    return _act(request, _plan_url(plan), ok, services.testing_plan_set_lab, plan=plan, lab=lab)


@on_record(selectors.testing_plan_get, post=True)
def testing_order(request, plan):
    ok = _("已为计划中的全部样品创建检测委托单。")
    return _act(request, _plan_url(plan), ok, services.testing_plan_order, plan=plan)


# --- pass rates ------------------------------------------------------------------------------------------


def _pct(rate):
    return "" if rate.percent is None else float(rate.percent)


def _rate_row(name: str, status: str, rates) -> tuple:
    """One row of the pass-rate workbook: a member's rates, or the cooperative's totals."""
    return (
        name,
        status,
        rates.inspections.passed,
        rates.inspections.total,
        _pct(rates.inspections),
        rates.tests.passed,
        rates.tests.total,
        _pct(rates.tests),
        _pct(rates.combined),
        _("低于目标") if rates.below_target else "",
    )


@on_record(selectors.cooperative_get)
def pass_rates(request, coop):
    context = _coop_context(request, coop, "rates")
    form, date_from, date_to = _period(request)
    rates = selectors.pass_rates(
        fetched_by=request.user, cooperative=coop, date_from=date_from, date_to=date_to
    )
    if request.GET.get("format") == "xlsx":
        rows = [_rate_row(r.member.enterprise.name, r.member.get_status_display(), r) for r in rates.members]
        rows.append(_rate_row(_("合作社合计"), "", rates))
        return xlsx_response(
            _("合格率-%(start)s-%(end)s.xlsx") % {"start": f"{date_from:%Y%m%d}", "end": f"{date_to:%Y%m%d}"},
            _("合格率"),
            [
                _("成员企业"),
                _("状态"),
                _("检验合格"),
                _("检验次数"),
                _("检验合格率%"),
                _("检测合格"),
                _("检测判定数"),
                _("检测合格率%"),
                _("综合合格率%"),
                _("对照目标"),
            ],
            rows,
        )
    query = urlencode({"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "format": "xlsx"})
    context.update(
        {"rates": rates, "period_form": form, "date_from": date_from, "date_to": date_to, "xlsx_query": query}
    )
    return render(request, "cooperatives/pass_rates.html", context)
