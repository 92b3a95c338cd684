"""HTML pages of the cooperatives app. Thin: reads through ``selectors`` (outside the user's scope is a
404), writes through ``services`` (not allowed is a 403, a refused transition a message)."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import get_or_404
from nqihub.core.models import Industry
from nqihub.core.xlsx import workbook_bytes
from nqihub.directory.models import Institution

from . import selectors, services
from .forms import (
    AcceptForm,
    ApplyForm,
    CheckpointForm,
    CooperativeForm,
    InviteForm,
    ItemForm,
    LabelTemplateForm,
    NcCloseForm,
    NcPlanForm,
    OfficerForm,
    PeriodForm,
    PlanForm,
    ReasonForm,
    SharedStandardForm,
    TestingLineForm,
    TestingPlanForm,
)
from .models import Inspection, MemberStatus, NonConformity, Stage, TestingPlan

PAGE_SIZE = 25


def _run(request, form, action, success: str):
    """Run a service; put its errors on the form. Returns the result or None."""
    try:
        result = action()
    except ValidationFailed as exc:
        if form is not None:
            form.add_service_errors(exc.errors)
        else:
            messages.error(request, " ".join(str(m) for m in exc.errors.values()))
        return None
    except services.PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        if form is not None:
            form.add_error(None, exc.message)
        else:
            messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result if result is not None else True


def _coop_context(request, coop, tab: str) -> dict:
    return {
        "coop": coop,
        "tab": tab,
        "is_staff": services.is_staff_of(request.user, coop),
        "sees_members": selectors.sees_members(request.user, coop),
        "own_members": list(selectors.own_members(request.user, coop)),
        "today": timezone.localdate(),
    }


def _period(request) -> tuple[PeriodForm, date, date]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    date_from, date_to = date(today.year, 1, 1), today
    if form.is_valid():
        date_from = form.cleaned_data.get("date_from") or date_from
        date_to = form.cleaned_data.get("date_to") or date_to
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    return form, date_from, date_to


# --- cooperatives ----------------------------------------------------------------------------------------


@login_required
def cooperative_list(request):
    coops = list(selectors.cooperative_list(fetched_by=request.user))
    mine = selectors.my_cooperative_ids(request.user)
    if len(mine) == 1 and not request.GET.get("all"):
        return redirect("cooperatives:detail", mine[0])
    return render(request, "cooperatives/list.html", {"coops": coops, "mine": mine})


@login_required
def cooperative_detail(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    context = _coop_context(request, coop, "overview")
    today = context["today"]
    members = []
    pending = []
    if context["sees_members"]:
        members = list(selectors.member_list(fetched_by=request.user, cooperative=coop))
        pending = [m for m in members if m.status in (MemberStatus.APPLIED, MemberStatus.INVITED)]
    rates = selectors.pass_rates(
        fetched_by=request.user, cooperative=coop, date_from=date(today.year, 1, 1), date_to=today
    )
    templates = []
    for template in selectors.label_templates(fetched_by=request.user, cooperative=coop):
        findings = selectors.label_findings(template)
        template.errors_count = (
            None if findings is None else sum(1 for f in findings if selectors.finding_severity(f) == "error")
        )
        template.findings_count = None if findings is None else len(findings)
        templates.append(template)
    context.update(
        {
            "members": members,
            "pending": pending,
            "member_names": selectors.member_names(fetched_by=request.user, cooperative=coop),
            "can_apply": bool(selectors.enterprises_to_apply(request.user, coop)),
            "rates": rates,
            "overdue": selectors.nonconformity_list(
                fetched_by=request.user, cooperative=coop, overdue_on=today
            ).count(),
            "open_ncs": selectors.nonconformity_list(
                fetched_by=request.user, cooperative=coop, status=NonConformity.Status.OPEN
            ).count(),
            "standards": selectors.shared_standards(fetched_by=request.user, cooperative=coop),
            "templates": templates,
            "standard_form": SharedStandardForm() if context["is_staff"] else None,
        }
    )
    return render(request, "cooperatives/detail.html", context)


@login_required
def cooperative_edit(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    if not services.is_staff_of(request.user, coop):
        raise Forbidden(_("只有合作社管理员可以修改合作社资料。"))
    initial = {
        "host_organisation": coop.host_organisation,
        "industry": coop.industry_id or "",
        "target_pass_rate": coop.target_pass_rate,
        "charter": coop.charter,
        "commitment_text": coop.commitment_text,
    }
    form = CooperativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        industry = None
        if data["industry"]:
            industry = Industry.objects.filter(pk=data["industry"].strip()).first()
            if industry is None:
                form.add_service_errors(
                    {"industry": _("行业代码“%(c)s”不存在（GB/T 4754-2017）。") % {"c": data["industry"]}}
                )
        if not form.errors:
            done = _run(
                request,
                form,
                lambda: services.cooperative_update(
                    cooperative=coop,
                    by=request.user,
                    host_organisation=data["host_organisation"],
                    industry=industry,
                    charter=data["charter"],
                    commitment_text=data["commitment_text"],
                    target_pass_rate=data["target_pass_rate"],
                ),
                _("合作社资料已保存。"),
            )
            if done:
                return redirect("cooperatives:detail", coop.pk)
    return render(
        request,
        "cooperatives/form.html",
        {**_coop_context(request, coop, "overview"), "form": form, "title": _("修改合作社资料")},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def member_apply(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    enterprises = selectors.enterprises_to_apply(request.user, coop)
    if not enterprises:
        raise Forbidden(_("您所在的企业已是本合作社成员或已提交申请，或您不是企业用户。"))
    form = ApplyForm(
        request.POST or None, enterprises=enterprises, initial={"commitment_version": coop.commitment_version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = next(
            (e for e in enterprises if e.pk == data.get("enterprise")),
            enterprises[0] if len(enterprises) == 1 else None,
        )
        if enterprise is None:
            form.add_service_errors({"enterprise": _("请选择申请入社的企业。")})
        else:
            member = _run(
                request,
                form,
                lambda: services.member_apply(
                    cooperative=coop,
                    enterprise=enterprise,
                    officer_name=data["officer_name"],
                    officer_phone=data["officer_phone"],
                    accept_commitment=data["accept_commitment"],
                    commitment_version=data.get("commitment_version"),
                    by=request.user,
                ),
                _("入社申请已提交，等待合作社审核。"),
            )
            if member:
                return redirect("cooperatives:member-detail", member.pk)
    return render(
        request,
        "cooperatives/apply.html",
        {**_coop_context(request, coop, "overview"), "form": form, "title": _("申请加入合作社")},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def member_invite(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    if not services.is_staff_of(request.user, coop):
        raise Forbidden(_("只有合作社管理员可以邀请成员。"))
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = _run(
            request,
            form,
            lambda: services.member_invite(
                cooperative=coop,
                uscc=form.cleaned_data["uscc"],
                note=form.cleaned_data["note"],
                by=request.user,
            ),
            _("邀请已发出，企业接受承诺书后即入社。"),
        )
        if member:
            return redirect("cooperatives:member-detail", member.pk)
    return render(
        request,
        "cooperatives/form.html",
        {**_coop_context(request, coop, "overview"), "form": form, "title": _("邀请企业入社")},
        status=422 if request.method == "POST" else 200,
    )


def _member_page(request, member, **extra):
    coop = member.cooperative
    context = _coop_context(request, coop, "overview")
    own = services.speaks_for(request.user, member.enterprise)
    show_personal = own or context["is_staff"]
    context.update(
        {
            "member": member,
            "own": own,
            "show_personal": show_personal,
            "events": member.events.select_related("by")[:50],
            "actions": services.allowed_actions(member.status),
            "inspections": selectors.inspection_list(fetched_by=request.user, member=member)[:10],
            "ncs": selectors.nonconformity_list(
                fetched_by=request.user, member=member, status=NonConformity.Status.OPEN
            ),
            "officer_form": extra.pop("officer_form", None)
            or (
                OfficerForm()
                if (own or context["is_staff"])
                and member.status in (MemberStatus.ACTIVE, MemberStatus.APPLIED)
                else None
            ),
            "accept_form": extra.pop("accept_form", None)
            or (
                AcceptForm(initial={"commitment_version": coop.commitment_version})
                if own and member.status == MemberStatus.INVITED
                else None
            ),
            "reason_form": ReasonForm(),
            **extra,
        }
    )
    return context


@login_required
def member_detail(request, pk: int):
    member = get_or_404(selectors.member_get, fetched_by=request.user, pk=pk)
    return render(request, "cooperatives/member_detail.html", _member_page(request, member))


MEMBER_ACTIONS = {"admit", "reject", "accept", "decline", "leave", "officer", "commitment"}


@login_required
@require_POST
def member_action(request, pk: int, action: str):
    member = get_or_404(selectors.member_get, fetched_by=request.user, pk=pk)
    if action not in MEMBER_ACTIONS:
        raise Http404
    by = request.user
    reason = request.POST.get("reason", "")
    form = None
    if action == "admit":
        call, ok = (lambda: services.member_admit(member=member, by=by)), _("已批准入社。")
    elif action == "reject":
        call, ok = (
            (lambda: services.member_reject(member=member, reason=reason, by=by)),
            _("已退回入社申请。"),
        )
    elif action == "decline":
        call, ok = (lambda: services.member_decline(member=member, reason=reason, by=by)), _("已谢绝邀请。")
    elif action == "leave":
        call, ok = (lambda: services.member_leave(member=member, reason=reason, by=by)), _("已办理退社。")
    elif action == "commitment":
        call, ok = (
            lambda: services.member_confirm_commitment(
                member=member,
                accept_commitment=bool(request.POST.get("accept_commitment")),
                commitment_version=request.POST.get("commitment_version"),
                by=by,
            ),
            _("已确认现行承诺书。"),
        )
    elif action == "officer":
        form = OfficerForm(request.POST)
        form.is_valid()
        call, ok = (
            lambda: services.member_set_officer(
                member=member,
                officer_name=form.cleaned_data.get("officer_name", ""),
                officer_phone=form.cleaned_data.get("officer_phone", ""),
                by=by,
            ),
            _("质量专员已更新。"),
        )
    else:  # accept
        form = AcceptForm(request.POST)
        form.is_valid()
        call, ok = (
            lambda: services.member_accept_invitation(
                member=member,
                officer_name=form.cleaned_data.get("officer_name", ""),
                officer_phone=form.cleaned_data.get("officer_phone", ""),
                accept_commitment=form.cleaned_data.get("accept_commitment", False),
                commitment_version=form.cleaned_data.get("commitment_version"),
                by=by,
            ),
            _("已接受邀请，欢迎加入合作社。"),
        )
    done = _run(request, form, call, ok)
    if done or form is None:
        return redirect("cooperatives:member-detail", member.pk)
    key = "officer_form" if action == "officer" else "accept_form"
    member.refresh_from_db()
    return render(
        request, "cooperatives/member_detail.html", _member_page(request, member, **{key: form}), status=422
    )


# --- quality-control plans -------------------------------------------------------------------------------


@login_required
def plan_list(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    context = _coop_context(request, coop, "plans")
    form = PlanForm(request.POST or None) if context["is_staff"] else None
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("只有合作社管理员可以制定质量控制计划。"))
        if form.is_valid():
            plan = _run(
                request,
                form,
                lambda: services.plan_create(cooperative=coop, by=request.user, **form.cleaned_data),
                _("质量控制计划已创建，请添加检查点和检查项目。"),
            )
            if plan:
                return redirect("cooperatives:plan-detail", plan.pk)
    context.update(
        {
            "plans": selectors.plan_list(fetched_by=request.user, cooperative=coop).prefetch_related(
                "checkpoints__items"
            ),
            "form": form,
        }
    )
    return render(
        request, "cooperatives/plan_list.html", context, status=422 if request.method == "POST" else 200
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
    plan = get_or_404(selectors.plan_get, fetched_by=request.user, pk=pk)
    return _plan_page(request, plan)


@login_required
@require_POST
def plan_active(request, pk: int):
    plan = get_or_404(selectors.plan_get, fetched_by=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    _run(
        request,
        None,
        lambda: services.plan_set_active(plan=plan, is_active=active, by=request.user),
        _("计划已启用。") if active else _("计划已停用。"),
    )
    return redirect("cooperatives:plan-detail", plan.pk)


@login_required
@require_POST
def checkpoint_add(request, pk: int):
    plan = get_or_404(selectors.plan_get, fetched_by=request.user, pk=pk)
    form = CheckpointForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, checkpoint_form=form, status=422)
    done = _run(
        request,
        form,
        lambda: services.checkpoint_add(plan=plan, by=request.user, **form.cleaned_data),
        _("检查点已添加。"),
    )
    if done:
        return redirect("cooperatives:plan-detail", plan.pk)
    return _plan_page(request, plan, checkpoint_form=form, status=422)


@login_required
@require_POST
def item_add(request, pk: int):
    checkpoint = get_or_404(selectors.checkpoint_get, fetched_by=request.user, pk=pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        done = _run(
            request,
            form,
            lambda: services.item_add(checkpoint=checkpoint, by=request.user, **form.cleaned_data),
            _("检查项目已添加。"),
        )
        if done:
            return redirect("cooperatives:plan-detail", checkpoint.plan_id)
    return _plan_page(request, checkpoint.plan, item_form=form, item_checkpoint=checkpoint.pk, status=422)


@login_required
@require_POST
def item_delete(request, pk: int):
    item = get_or_404(selectors.check_item_get, fetched_by=request.user, pk=pk)
    _run(request, None, lambda: services.item_delete(item=item, by=request.user), _("检查项目已删除。"))
    return redirect("cooperatives:plan-detail", item.checkpoint.plan_id)


# --- inspections -----------------------------------------------------------------------------------------


@login_required
def inspect_start(request, pk: int):
    """Pick the checkpoint (and the member, for staff) to record an inspection against: a phone page."""
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    context = _coop_context(request, coop, "inspections")
    members = [m for m in context["own_members"] if m.status == MemberStatus.ACTIVE]
    if context["is_staff"]:
        members = list(
            selectors.member_list(fetched_by=request.user, cooperative=coop, status=MemberStatus.ACTIVE)
        )
    if not members:
        raise Forbidden(_("只有在社成员（或合作社管理员）可以登记检验记录。"))
    checkpoints = list(selectors.checkpoints_for(fetched_by=request.user, cooperative=coop))
    stages = [(value, label, [c for c in checkpoints if c.stage == value]) for value, label in Stage.choices]
    context.update({"members": members, "stages": stages})
    return render(request, "cooperatives/inspect_start.html", context)


@login_required
def inspection_record(request, pk: int):
    checkpoint = get_or_404(selectors.checkpoint_get, fetched_by=request.user, pk=pk)
    coop = checkpoint.plan.cooperative
    context = _coop_context(request, coop, "inspections")
    if context["is_staff"]:
        members = list(
            selectors.member_list(fetched_by=request.user, cooperative=coop, status=MemberStatus.ACTIVE)
        )
    else:
        members = [m for m in context["own_members"] if m.status == MemberStatus.ACTIVE]
    if not members:
        raise Forbidden(_("只有在社成员（或合作社管理员）可以登记检验记录。"))
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


@login_required
def inspection_list(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
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
    context.update(
        {
            "page_obj": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "period_form": form,
            "result": result,
        }
    )
    return render(request, "cooperatives/inspection_list.html", context)


@login_required
def inspection_detail(request, pk: int):
    inspection = get_or_404(selectors.inspection_get, fetched_by=request.user, pk=pk)
    context = _coop_context(request, inspection.member.cooperative, "inspections")
    context.update(
        {
            "inspection": inspection,
            "results": inspection.results.select_related("item"),
            "ncs": inspection.nonconformities.all(),
        }
    )
    return render(request, "cooperatives/inspection_detail.html", context)


@login_required
def nc_list(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    context = _coop_context(request, coop, "ncs")
    status = request.GET.get("status", "open")
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.nonconformity_list(
        fetched_by=request.user,
        cooperative=coop,
        status=status if status in NonConformity.Status.values else None,
        overdue_on=context["today"] if overdue else None,
    )
    context.update(
        {
            "page_obj": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "overdue": overdue,
        }
    )
    return render(request, "cooperatives/nc_list.html", context)


@login_required
def nc_detail(request, pk: int):
    nc = get_or_404(selectors.nonconformity_get, fetched_by=request.user, pk=pk)
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
        if request.POST.get("step") == "close":
            close_form = NcCloseForm(request.POST)
            close_form.is_valid()
            data = close_form.cleaned_data
            done = _run(
                request,
                close_form,
                lambda: services.nonconformity_close(
                    nc=nc,
                    evidence=data.get("evidence", ""),
                    corrective_action=data.get("corrective_action", ""),
                    by=request.user,
                ),
                _("不合格项已关闭。"),
            )
        else:
            plan_form = NcPlanForm(request.POST)
            plan_form.is_valid()
            data = plan_form.cleaned_data
            done = _run(
                request,
                plan_form,
                lambda: services.nonconformity_plan(
                    nc=nc,
                    corrective_action=data.get("corrective_action", ""),
                    due_date=data.get("due_date") if context["is_staff"] else None,
                    by=request.user,
                ),
                _("纠正措施已保存。"),
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


# --- the free testing plan -------------------------------------------------------------------------------


@login_required
def testing_plans(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    context = _coop_context(request, coop, "testing")
    form = (
        TestingPlanForm(request.POST or None, initial={"year": context["today"].year})
        if context["is_staff"]
        else None
    )
    if request.method == "POST":
        if form is None:
            raise Forbidden(_("只有合作社管理员可以制定免费检测计划。"))
        if form.is_valid():
            plan = _run(
                request,
                form,
                lambda: services.testing_plan_create(cooperative=coop, by=request.user, **form.cleaned_data),
                _("免费检测计划已创建，请添加样品。"),
            )
            if plan:
                return redirect("cooperatives:testing-plan", plan.pk)
    context.update(
        {"plans": selectors.testing_plan_list(fetched_by=request.user, cooperative=coop), "form": form}
    )
    return render(
        request, "cooperatives/testing_list.html", context, status=422 if request.method == "POST" else 200
    )


def _order_url(order_id) -> str:
    if not order_id:
        return ""
    try:
        return reverse("testing:order-detail", args=[order_id])
    except NoReverseMatch:
        return ""


def _testing_page(request, plan, line_form=None, status=200):
    coop = plan.cooperative
    context = _coop_context(request, coop, "testing")
    staff = context["is_staff"]
    draft = plan.status == TestingPlan.Status.DRAFT
    if staff and draft and line_form is None:
        line_form = TestingLineForm(
            members=selectors.member_list(
                fetched_by=request.user, cooperative=coop, status=MemberStatus.ACTIVE
            ),
            parameters=selectors.available_parameters(fetched_by=request.user, cooperative=coop),
        )
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


@login_required
def testing_plan(request, pk: int):
    plan = get_or_404(selectors.testing_plan_get, fetched_by=request.user, pk=pk)
    return _testing_page(request, plan)


@login_required
@require_POST
def testing_line_add(request, pk: int):
    plan = get_or_404(selectors.testing_plan_get, fetched_by=request.user, pk=pk)
    coop = plan.cooperative
    if not services.is_staff_of(request.user, coop):
        raise Forbidden(_("只有合作社管理员可以修改免费检测计划。"))
    members = list(
        selectors.member_list(fetched_by=request.user, cooperative=coop, status=MemberStatus.ACTIVE)
    )
    form = TestingLineForm(
        request.POST,
        members=members,
        parameters=selectors.available_parameters(fetched_by=request.user, cooperative=coop),
    )
    if form.is_valid():
        member = next((m for m in members if m.pk == form.cleaned_data.get("member")), None)
        if member is None:
            form.add_service_errors({"member": _("请选择本合作社的在社成员。")})
        else:
            done = _run(
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
            )
            if done:
                return redirect("cooperatives:testing-plan", plan.pk)
    return _testing_page(request, plan, line_form=form, status=422)


@login_required
@require_POST
def testing_line_delete(request, pk: int, line_id: int):
    plan = get_or_404(selectors.testing_plan_get, fetched_by=request.user, pk=pk)
    line = get_or_404(plan.lines.get, pk=line_id)
    _run(
        request,
        None,
        lambda: services.testing_plan_remove_line(line=line, by=request.user),
        _("样品已移出计划。"),
    )
    return redirect("cooperatives:testing-plan", plan.pk)


@login_required
@require_POST
def testing_lab(request, pk: int):
    plan = get_or_404(selectors.testing_plan_get, fetched_by=request.user, pk=pk)
    try:
        lab = Institution.objects.filter(
            pk__in=[o.institution.pk for o in selectors.labs_for_plan(fetched_by=request.user, plan=plan)]
        ).get(pk=request.POST.get("lab") or 0)
    except (ObjectDoesNotExist, ValueError):
        messages.error(request, _("请选择能力范围覆盖全部检测项目的检测机构。"))
        return redirect("cooperatives:testing-plan", plan.pk)
    _run(
        request,
        None,
        lambda: services.testing_plan_set_lab(plan=plan, lab=lab, by=request.user),
        _("已选定检测机构：%(lab)s。") % {"lab": lab.name},
    )
    return redirect("cooperatives:testing-plan", plan.pk)


@login_required
@require_POST
def testing_order(request, pk: int):
    plan = get_or_404(selectors.testing_plan_get, fetched_by=request.user, pk=pk)
    _run(
        request,
        None,
        lambda: services.testing_plan_order(plan=plan, by=request.user),
        _("已为计划中的全部样品创建检测委托单。"),
    )
    return redirect("cooperatives:testing-plan", plan.pk)


# --- pass rates ------------------------------------------------------------------------------------------


@login_required
def pass_rates(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    context = _coop_context(request, coop, "rates")
    form, date_from, date_to = _period(request)
    rates = selectors.pass_rates(
        fetched_by=request.user, cooperative=coop, date_from=date_from, date_to=date_to
    )
    if request.GET.get("format") == "xlsx":

        def pct(rate):
            return "" if rate.percent is None else float(rate.percent)

        rows = [
            (
                r.member.enterprise.name,
                r.member.get_status_display(),
                r.inspections.passed,
                r.inspections.total,
                pct(r.inspections),
                r.tests.passed,
                r.tests.total,
                pct(r.tests),
                pct(r.combined),
                _("低于目标") if r.below_target else "",
            )
            for r in rates.members
        ]
        rows.append(
            (
                _("合作社合计"),
                "",
                rates.inspections.passed,
                rates.inspections.total,
                pct(rates.inspections),
                rates.tests.passed,
                rates.tests.total,
                pct(rates.tests),
                pct(rates.combined),
                _("低于目标") if rates.below_target else "",
            )
        )
        content = workbook_bytes(
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
        from django.http import HttpResponse
        from django.utils.http import content_disposition_header

        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"pass-rates-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
        )
        return response
    query = urlencode({"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "format": "xlsx"})
    context.update(
        {"rates": rates, "period_form": form, "date_from": date_from, "date_to": date_to, "xlsx_query": query}
    )
    return render(request, "cooperatives/pass_rates.html", context)


# --- shared standards and label templates ----------------------------------------------------------------


@login_required
@require_POST
def standard_add(request, pk: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    form = SharedStandardForm(request.POST)
    form.is_valid()
    _run(
        request,
        None,
        lambda: services.shared_standard_add(
            cooperative=coop,
            number=form.cleaned_data.get("number", ""),
            note=form.cleaned_data.get("note", ""),
            by=request.user,
        ),
        _("统一标准已发布。"),
    )
    return redirect(reverse("cooperatives:detail", args=[coop.pk]) + "#standards")


@login_required
@require_POST
def standard_remove(request, pk: int, standard_id: int):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    shared = get_or_404(
        selectors.shared_standards(fetched_by=request.user, cooperative=coop).get, pk=standard_id
    )
    _run(
        request,
        None,
        lambda: services.shared_standard_remove(shared=shared, by=request.user),
        _("已撤下该标准。"),
    )
    return redirect(reverse("cooperatives:detail", args=[coop.pk]) + "#standards")


def _checker_url(template) -> str:
    params = {"category": template.category}
    for key, value in (template.fields or {}).items():
        if isinstance(value, bool):
            params[key] = "true" if value else "false"
        elif isinstance(value, list):
            params[key] = " ".join(
                f"{v.get('fibre', '')} {v.get('percent', '')}%" if isinstance(v, dict) else str(v)
                for v in value
            )
        else:
            params[key] = str(value)
    return "/labels/?" + urlencode(params)


def _fields_text(fields: dict) -> str:
    lines = []
    for key, value in (fields or {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = " ".join(
                f"{v.get('fibre', '')} {v.get('percent', '')}%" if isinstance(v, dict) else str(v)
                for v in value
            )
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


@login_required
def label_template(request, pk: int, template_id: int | None = None):
    coop = get_or_404(selectors.cooperative_get, fetched_by=request.user, pk=pk)
    template = None
    if template_id is not None:
        template = get_or_404(
            selectors.label_template_get, fetched_by=request.user, cooperative=coop, pk=template_id
        )
    context = _coop_context(request, coop, "overview")
    staff = context["is_staff"]
    if template is None and not staff:
        raise Forbidden(_("只有合作社管理员可以发布标签模板。"))
    form = None
    if staff:
        initial = (
            {
                "name": template.name,
                "category": template.category,
                "fields_text": _fields_text(template.fields),
            }
            if template
            else {"category": "textile"}
        )
        form = LabelTemplateForm(
            request.POST or None, initial=initial, categories=services.label_category_choices()
        )
        if request.method == "POST" and form.is_valid():
            saved = _run(
                request,
                form,
                lambda: services.label_template_save(
                    cooperative=coop,
                    template=template,
                    name=form.cleaned_data["name"],
                    category=form.cleaned_data["category"],
                    fields=form.cleaned_data["fields_text"],
                    by=request.user,
                ),
                _("标签模板已保存。"),
            )
            if saved:
                return redirect("cooperatives:label-template", coop.pk, saved.pk)
    elif request.method == "POST":
        raise Forbidden(_("只有合作社管理员可以修改标签模板。"))
    findings = selectors.label_findings(template) if template else None
    context.update(
        {
            "template": template,
            "form": form,
            "findings": findings,
            "checker_url": _checker_url(template) if template else "",
            "fields_text": _fields_text(template.fields) if template else "",
        }
    )
    return render(
        request, "cooperatives/label_template.html", context, status=422 if request.method == "POST" else 200
    )
