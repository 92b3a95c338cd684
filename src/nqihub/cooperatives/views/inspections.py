"""Inspections (recorded on a phone against a checkpoint) and the non-conformities they open."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nqihub.core.errors import DomainError, ValidationFailed

from .. import selectors, services
from ..forms import NcCloseForm, NcPlanForm
from ..models import Inspection, MemberStatus, NonConformity, Stage
from ._common import _active_members, _coop_context, _page_of, _period, _run, on_record


def _recording_members(request, coop, context) -> list:
    """The active members the user may record for: every one for the staff, else the user's own."""
    if context["is_staff"]:
        members = list(_active_members(request, coop))
    else:
        members = [m for m in context["own_members"] if m.status == MemberStatus.ACTIVE]
    if not members:
        raise Forbidden(_("只有在社成员（或合作社管理员）可以登记检验记录。"))
    return members


@on_record(selectors.cooperative_get)
def inspect_start(request, coop):
    """Pick the checkpoint (and the member, for staff) to record an inspection against: a phone page."""
    context = _coop_context(request, coop, "inspections")
    members = _recording_members(request, coop, context)
    checkpoints = list(selectors.checkpoints_for(fetched_by=request.user, cooperative=coop))
    stages = [(value, label, [c for c in checkpoints if c.stage == value]) for value, label in Stage.choices]
    context.update({"members": members, "stages": stages})
    return render(request, "cooperatives/inspect_start.html", context)


@on_record(selectors.checkpoint_get)
def inspection_record(request, checkpoint):
    coop = checkpoint.plan.cooperative
    context = _coop_context(request, coop, "inspections")
    members = _recording_members(request, coop, context)
    items = list(checkpoint.items.all())
    errors: dict[str, str] = {}
    values = {}
    posted = {}
    if request.method == "POST":
        posted = request.POST
        values = {str(item.pk): request.POST.get(f"item_{item.pk}", "") for item in items}
        member = next(
            (
                m
                for m in members
                if str(m.pk) == request.POST.get("member", str(members[0].pk) if len(members) == 1 else "")
            ),
            None,
        )
        raw_date = request.POST.get("inspected_on", "")
        try:
            inspected_on = date.fromisoformat(raw_date) if raw_date else None
        except ValueError:
            inspected_on = None
            errors["inspected_on"] = _("检验日期格式不正确（应为 年-月-日）。")
        if member is None:
            errors["member"] = _("请选择成员企业。")
        if not errors:
            try:
                inspection = services.inspection_record(
                    member=member,
                    checkpoint=checkpoint,
                    values=values,
                    inspected_on=inspected_on,
                    batch=request.POST.get("batch", ""),
                    inspector=request.POST.get("inspector", ""),
                    notes=request.POST.get("notes", ""),
                    by=request.user,
                )
            except ValidationFailed as exc:
                errors.update(exc.errors)
            except services.PermissionDenied as exc:
                raise Forbidden(exc.message) from exc
            except DomainError as exc:
                errors[exc.field or "checkpoint"] = exc.message
            else:
                if inspection.result == Inspection.Result.PASS:
                    messages.success(request, _("检验记录已保存：合格。"))
                else:
                    messages.warning(
                        request,
                        _("检验记录已保存：不合格，已生成 %(n)d 个不合格项，请填写纠正措施。")
                        % {"n": inspection.nonconformities.count()},
                    )
                return redirect("cooperatives:inspection-detail", inspection.pk)
    rows = [(item, values.get(str(item.pk), ""), errors.get(f"item_{item.pk}")) for item in items]
    context.update(
        {
            "checkpoint": checkpoint,
            "members": members,
            "rows": rows,
            "errors": errors,
            "posted": posted,
            "date_value": (posted.get("inspected_on") if posted else "") or context["today"].isoformat(),
            "other_errors": {k: v for k, v in errors.items() if not k.startswith("item_")},
        }
    )
    return render(request, "cooperatives/inspection_form.html", context, status=422 if errors else 200)


@on_record(selectors.cooperative_get)
def inspection_list(request, coop):
    context = _coop_context(request, coop, "inspections")
    form, date_from, date_to = _period(request)
    result = request.GET.get("result", "")
    qs = selectors.inspection_list(
        fetched_by=request.user,
        cooperative=coop,
        result=result if result in Inspection.Result.values else None,
        date_from=date_from if request.GET.get("date_from") else None,
        date_to=date_to if request.GET.get("date_to") else None,
    )
    context.update({"page_obj": _page_of(request, qs), "period_form": form, "result": result})
    return render(request, "cooperatives/inspection_list.html", context)


@on_record(selectors.inspection_get)
def inspection_detail(request, inspection):
    context = _coop_context(request, inspection.member.cooperative, "inspections")
    context.update(
        {
            "inspection": inspection,
            "results": inspection.results.select_related("item"),
            "ncs": inspection.nonconformities.all(),
        }
    )
    return render(request, "cooperatives/inspection_detail.html", context)


@on_record(selectors.cooperative_get)
def nc_list(request, coop):
    context = _coop_context(request, coop, "ncs")
    status = request.GET.get("status", "open")
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.nonconformity_list(
        fetched_by=request.user,
        cooperative=coop,
        status=status if status in NonConformity.Status.values else None,
        overdue_on=context["today"] if overdue else None,
    )
    context.update({"page_obj": _page_of(request, qs), "status": status, "overdue": overdue})
    return render(request, "cooperatives/nc_list.html", context)


@on_record(selectors.nonconformity_get)
def nc_detail(request, nc):
    member = nc.member
    context = _coop_context(request, member.cooperative, "ncs")
    can_act = nc.status == NonConformity.Status.OPEN and (
        context["is_staff"] or services.speaks_for(request.user, member.enterprise)
    )
    plan_form = (
        NcPlanForm(initial={"corrective_action": nc.corrective_action, "due_date": nc.due_date})
        if can_act
        else None
    )
    close_form = NcCloseForm() if can_act else None
    status = 200
    if request.method == "POST":
        if not can_act:
            if nc.status != NonConformity.Status.OPEN:
                messages.error(request, _("该不合格项已关闭。"))
                return redirect("cooperatives:nc-detail", nc.pk)
            raise Forbidden(_("只有成员企业或合作社管理员可以处理不合格项。"))
        closing = request.POST.get("step") == "close"
        form = NcCloseForm(request.POST) if closing else NcPlanForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        if closing:
            close_form, action, ok = form, services.nonconformity_close, _("不合格项已关闭。")
            extra = {"evidence": data.get("evidence", "")}
        else:
            plan_form, action, ok = form, services.nonconformity_plan, _("纠正措施已保存。")
            extra = {"due_date": data.get("due_date") if context["is_staff"] else None}
        corrective_action = data.get("corrective_action", "")
        done = _run(
            request,
            form,
            lambda: action(nc=nc, corrective_action=corrective_action, by=request.user, **extra),
            ok,
        )
        if done:
            return redirect("cooperatives:nc-detail", nc.pk)
        status = 422
    if plan_form is not None and not context["is_staff"]:
        plan_form.fields.pop("due_date", None)
    context.update(
        {
            "nc": nc,
            "plan_form": plan_form,
            "close_form": close_form,
            "overdue": nc.is_overdue(context["today"]),
        }
    )
    return render(request, "cooperatives/nc_detail.html", context, status=status)
