"""Quality-control plans: the list, one plan, its checkpoints and check items."""

from functools import partial

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nqihub.core.http import form_data

from .. import selectors, services
from ..forms import CheckpointForm, ItemForm, PlanForm
from ._common import _act, _coop_context, _list_with_create, _run, on_record


@on_record(selectors.cooperative_get)
def plan_list(request, coop):
    context = _coop_context(request, coop, "plans")
    return _list_with_create(
        request,
        context,
        PlanForm(form_data(request)) if context["is_staff"] else None,
        refused=_("只有合作社管理员可以制定质量控制计划。"),
        create=lambda **data: services.plan_create(cooperative=coop, by=request.user, **data),
        success=_("质量控制计划已创建，请添加检查点和检查项目。"),
        detail="cooperatives:plan-detail",
        template="cooperatives/plan_list.html",
        plans=selectors.plan_list(fetched_by=request.user, cooperative=coop).prefetch_related(
            "checkpoints__items"
        ),
    )


def _plan_url(plan_id) -> str:
    return reverse("cooperatives:plan-detail", args=[plan_id])


def _plan_page(request, plan, checkpoint_form=None, item_form=None, item_checkpoint=None, status=200):
    context = _coop_context(request, plan.cooperative, "plans")
    staff = context["is_staff"]
    context.update(
        {
            "plan": plan,
            "checkpoints": plan.checkpoints.prefetch_related("items"),
            "checkpoint_form": checkpoint_form or (CheckpointForm() if staff else None),
            "item_form": item_form or (ItemForm() if staff else None),
            "item_checkpoint": item_checkpoint,
        }
    )
    return render(request, "cooperatives/plan_detail.html", context, status=status)


@on_record(selectors.plan_get)
def plan_detail(request, plan):
    return _plan_page(request, plan)


@on_record(selectors.plan_get, post=True)
def plan_active(request, plan):
    active = request.POST.get("active") == "1"
    ok = _("计划已启用。") if active else _("计划已停用。")
    return _act(request, _plan_url(plan.pk), ok, services.plan_set_active, plan=plan, is_active=active)


def _plan_form(request, plan, form, action, success: str, **page):
    """A staff form on the plan page (``page`` names it): done, back to the plan; else the page again
    with the form's errors."""
    if form.is_valid() and _run(request, form, lambda: action(by=request.user, **form.cleaned_data), success):
        return redirect("cooperatives:plan-detail", plan.pk)
    return _plan_page(request, plan, status=422, **page)


@on_record(selectors.plan_get, post=True)
def checkpoint_add(request, plan):
    form = CheckpointForm(request.POST)
    action = partial(services.checkpoint_add, plan=plan)
    return _plan_form(request, plan, form, action, _("检查点已添加。"), checkpoint_form=form)


@on_record(selectors.checkpoint_get, post=True)
def item_add(request, checkpoint):
    form = ItemForm(request.POST)
    action = partial(services.item_add, checkpoint=checkpoint)
    page = {"item_form": form, "item_checkpoint": checkpoint.pk}
    return _plan_form(request, checkpoint.plan, form, action, _("检查项目已添加。"), **page)


@on_record(selectors.check_item_get, post=True)
def item_delete(request, item):
    ok = _("检查项目已删除。")
    return _act(request, _plan_url(item.checkpoint.plan_id), ok, services.item_delete, item=item)
