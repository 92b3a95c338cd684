"""The cooperative's pages: the list, the overview, its profile, and its members (apply, invite, act)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nqihub.core.http import form_data
from nqihub.core.models import Industry

from .. import selectors, services
from ..forms import (
    AcceptForm,
    ApplyForm,
    CooperativeForm,
    InviteForm,
    OfficerForm,
    ReasonForm,
    SharedStandardForm,
)
from ..models import MemberStatus, NonConformity
from ._common import _coop_context, _form_page, _run, on_record


@login_required
def cooperative_list(request):
    coops = list(selectors.cooperative_list(fetched_by=request.user))
    mine = selectors.my_cooperative_ids(request.user)
    if len(mine) == 1 and not request.GET.get("all"):
        return redirect("cooperatives:detail", mine[0])
    return render(request, "cooperatives/list.html", {"coops": coops, "mine": mine})


@on_record(selectors.cooperative_get)
def cooperative_detail(request, coop):
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


@on_record(selectors.cooperative_get)
def cooperative_edit(request, coop):
    if not services.is_staff_of(request.user, coop):
        raise Forbidden(_("只有合作社管理员可以修改合作社资料。"))
    initial = {
        "host_organisation": coop.host_organisation,
        "industry": coop.industry_id or "",
        "target_pass_rate": coop.target_pass_rate,
        "charter": coop.charter,
        "commitment_text": coop.commitment_text,
    }
    form = CooperativeForm(form_data(request), initial=initial)
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
    return _form_page(request, coop, form, _("修改合作社资料"))


@on_record(selectors.cooperative_get)
def member_apply(request, coop):
    enterprises = selectors.enterprises_to_apply(request.user, coop)
    if not enterprises:
        raise Forbidden(_("您所在的企业已是本合作社成员或已提交申请，或您不是企业用户。"))
    form = ApplyForm(
        form_data(request), enterprises=enterprises, initial={"commitment_version": coop.commitment_version}
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
    return _form_page(request, coop, form, _("申请加入合作社"), "cooperatives/apply.html")


@on_record(selectors.cooperative_get)
def member_invite(request, coop):
    if not services.is_staff_of(request.user, coop):
        raise Forbidden(_("只有合作社管理员可以邀请成员。"))
    form = InviteForm(form_data(request))
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
    return _form_page(request, coop, form, _("邀请企业入社"))


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


@on_record(selectors.member_get)
def member_detail(request, member):
    return render(request, "cooperatives/member_detail.html", _member_page(request, member))


MEMBER_ACTIONS = {"admit", "reject", "accept", "decline", "leave", "officer", "commitment"}


@on_record(selectors.member_get, post=True)
def member_action(request, member, action: str):
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
    else:  # officer, accept: a form with the quality officer
        form = OfficerForm(request.POST) if action == "officer" else AcceptForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        officer = {
            "officer_name": data.get("officer_name", ""),
            "officer_phone": data.get("officer_phone", ""),
        }
        if action == "officer":
            call, ok = (
                (lambda: services.member_set_officer(member=member, by=by, **officer)),
                _("质量专员已更新。"),
            )
        else:
            call, ok = (
                lambda: services.member_accept_invitation(
                    member=member,
                    accept_commitment=data.get("accept_commitment", False),
                    commitment_version=data.get("commitment_version"),
                    by=by,
                    **officer,
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
