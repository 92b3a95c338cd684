"""Quality-control plans: the list, one plan, its checkpoints and check items."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.http import scoped_or_404

from .. import selectors, services
from ..forms import CheckpointForm, ItemForm, PlanForm
from ._common import _act, _coop_context, _list_with_create, _run


@login_required
def plan_list(request, pk: int):
    coop = scoped_or_404(selectors.cooperative_get, request, pk)
    context = _coop_context(request, coop, "plans")
    return _list_with_create(
        request,
        context,
        PlanForm(request.POST or None) if context["is_staff"] else None,
        refused=_("只有合作社管理员可以制定质量控制计划。"),
        create=lambda **data: services.plan_create(cooperative=coop, by=request.user, **data),
        success=_("质量控制计划已创建，请添加检查点和检查项目。"),
        detail="cooperatives:plan-detail",
        template="cooperatives/plan_list.html",
        plans=selectors.plan_list(fetched_by=request.user, cooperative=coop).prefetch_related(
            "checkpoints__items"
        ),
    )


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


@login_required
def plan_detail(request, pk: int):
    return _plan_page(request, scoped_or_404(selectors.plan_get, request, pk))


@login_required
@require_POST
def plan_active(request, pk: int):
    plan = scoped_or_404(selectors.plan_get, request, pk)
    active = request.POST.get("active") == "1"
    return _act(
        request,
        lambda: services.plan_set_active(plan=plan, is_active=active, by=request.user),
        _("计划已启用。") if active else _("计划已停用。"),
        "cooperatives:plan-detail",
        plan.pk,
    )


@login_required
@require_POST
def checkpoint_add(request, pk: int):
    plan = scoped_or_404(selectors.plan_get, request, pk)
    form = CheckpointForm(request.POST)
    if form.is_valid() and _run(
        request,
        form,
        lambda: services.checkpoint_add(plan=plan, by=request.user, **form.cleaned_data),
        _("检查点已添加。"),
    ):
        return redirect("cooperatives:plan-detail", plan.pk)
    return _plan_page(request, plan, checkpoint_form=form, status=422)


@login_required
@require_POST
def item_add(request, pk: int):
    checkpoint = scoped_or_404(selectors.checkpoint_get, request, pk)
    form = ItemForm(request.POST)
    if form.is_valid() and _run(
        request,
        form,
        lambda: services.item_add(checkpoint=checkpoint, by=request.user, **form.cleaned_data),
        _("检查项目已添加。"),
    ):
        return redirect("cooperatives:plan-detail", checkpoint.plan_id)
    return _plan_page(request, checkpoint.plan, item_form=form, item_checkpoint=checkpoint.pk, status=422)


@login_required
@require_POST
def item_delete(request, pk: int):
    item = scoped_or_404(selectors.check_item_get, request, pk)
    return _act(
        request,
        lambda: services.item_delete(item=item, by=request.user),
        _("检查项目已删除。"),
        "cooperatives:plan-detail",
        item.checkpoint.plan_id,
    )
