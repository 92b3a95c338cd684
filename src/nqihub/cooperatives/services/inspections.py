"""Inspections recorded against a checkpoint, and the non-conformities they open."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit, workdays
from nqihub.core.errors import IllegalTransition, ValidationFailed
from nqihub.core.policy import require
from nqihub.notifications.services import notify
from nqihub.standards.requirements import FAIL, NOT_JUDGED, PASS, evaluate

from ..models import CheckItem, Checkpoint, Inspection, InspectionResult, Member, MemberStatus, NonConformity
from ._common import _clean, _lock, _raise, enterprise_users, is_staff_of, speaks_for, staff_users

#: Working days a member has to correct a non-conformity.
NC_DUE_WORKING_DAYS = 10


# --- inspections and non-conformities --------------------------------------------------------------------


def can_record_for(user, member: Member) -> bool:
    return speaks_for(user, member.enterprise) or is_staff_of(user, member.cooperative)


def judge(item: CheckItem, raw) -> tuple[str, str, str]:
    """(value, verdict, reason) of one check, or ``ValueError`` with the Chinese reason."""
    value = " ".join(str(raw or "").split())
    if item.kind == CheckItem.Kind.PASS_FAIL:
        if value not in (PASS, FAIL):
            raise ValueError(_("请选择“合格”或“不合格”。"))
        return "", value, ""
    if not value:
        raise ValueError(_("请填写实测值。"))
    if len(value) > 100:
        raise ValueError(_("实测值不能超过100个字符。"))
    verdict = evaluate(item.requirement, value, item.unit or None)
    if verdict.verdict == NOT_JUDGED:
        raise ValueError(_("无法判定：%(reason)s") % {"reason": verdict.reason})
    return value, verdict.verdict, verdict.reason[:300]


@transaction.atomic
def inspection_record(
    *,
    member: Member,
    checkpoint: Checkpoint,
    values: dict,
    inspected_on: date | None,
    by,
    batch: str = "",
    inspector: str = "",
    notes: str = "",
    today: date | None = None,
    is_demo: bool = False,
    notify_members: bool = True,
) -> Inspection:
    """Record one inspection. ``values`` maps each check item's id (int or str) to ``"pass"``/``"fail"``
    (pass/fail items) or the measured value (judged with ``standards.requirements.evaluate``). Every item
    must be answered; errors are reported per item (``item_<id>``). Each failed item opens a
    non-conformity due in ``NC_DUE_WORKING_DAYS`` working days."""
    require(can_record_for(by, member), _("只有成员企业或合作社管理员可以登记检验记录。"))
    today = today or timezone.localdate()
    plan = checkpoint.plan
    if plan.cooperative_id != member.cooperative_id:
        raise ValidationFailed({"checkpoint": _("该检查点不属于本合作社的质量控制计划。")})
    if not plan.is_active:
        raise IllegalTransition(_("该质量控制计划已停用，不能再登记检验。"), field="checkpoint")
    if member.status != MemberStatus.ACTIVE:
        raise IllegalTransition(_("只有在社成员可以登记检验记录。"), field="member")
    errors: dict[str, str] = {}
    if inspected_on is None:
        errors["inspected_on"] = _("请填写检验日期。")
    elif inspected_on > today:
        errors["inspected_on"] = _("检验日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}
    batch = _clean(batch, 100, "batch", _("批次/货号"), errors)
    inspector = _clean(inspector, 64, "inspector", _("检验人"), errors)
    notes = _clean(notes, 500, "notes", _("备注"), errors)
    items = list(checkpoint.items.all())
    if not items:
        errors["checkpoint"] = _("该检查点还没有检查项目。")
    values = {str(k): v for k, v in (values or {}).items()}
    judged = []
    for item in items:
        try:
            judged.append((item, *judge(item, values.get(str(item.pk)))))
        except ValueError as exc:
            errors[f"item_{item.pk}"] = f"{item.name}：{exc}"
    _raise(errors)
    failed = [row for row in judged if row[2] == FAIL]
    inspection = Inspection.objects.create(
        member=member,
        checkpoint=checkpoint,
        inspected_on=inspected_on,
        batch=batch,
        inspector=inspector,
        notes=notes,
        result=Inspection.Result.FAIL if failed else Inspection.Result.PASS,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        is_demo=is_demo,
    )
    InspectionResult.objects.bulk_create(
        InspectionResult(inspection=inspection, item=item, value=value, verdict=verdict, reason=reason)
        for item, value, verdict, reason in judged
    )
    due = workdays.deadline(inspected_on, NC_DUE_WORKING_DAYS)
    ncs = [
        NonConformity.objects.create(
            inspection=inspection,
            member=member,
            item=item,
            description=(
                f"{checkpoint.get_stage_display()} · {checkpoint.name} · {item.name}："
                + (
                    _("实测 %(v)s，要求 %(r)s。") % {"v": value, "r": item.requirement}
                    if value
                    else _("判定不合格。")
                )
            )[:500],
            due_date=due,
            is_demo=is_demo,
        )
        for item, value, verdict, _reason in failed
    ]
    audit.record(
        by,
        "cooperatives.inspection.recorded",
        inspection,
        {
            "member": member.pk,
            "checkpoint": checkpoint.pk,
            "result": inspection.result,
            "nonconformities": len(ncs),
        },
    )
    if ncs and notify_members:
        notify(
            users=[*staff_users(member.cooperative), *enterprise_users(member.enterprise)],
            event="cooperatives.nonconformity",
            title=_("%(enterprise)s 检验发现%(n)d项不合格，须在 %(due)s 前整改")
            % {"enterprise": member.enterprise.name, "n": len(ncs), "due": due.isoformat()},
            body="\n".join(nc.description for nc in ncs),
            url=reverse("cooperatives:inspection-detail", args=[inspection.pk]),
            obj=inspection,
        )
    return inspection


def _lock_nc(nc: NonConformity) -> NonConformity:
    return _lock(nc, "member__cooperative__organisation", "member__enterprise")


@transaction.atomic
def nonconformity_plan(
    *, nc: NonConformity, corrective_action: str, by, due_date: date | None = None
) -> NonConformity:
    """Set the corrective action; the cooperative's staff may also move the due date."""
    nc = _lock_nc(nc)
    member = nc.member
    staff = is_staff_of(by, member.cooperative)
    require(staff or speaks_for(by, member.enterprise), _("只有成员企业或合作社管理员可以填写纠正措施。"))
    if nc.status != NonConformity.Status.OPEN:
        raise IllegalTransition(_("该不合格项已关闭。"), field="status")
    errors: dict[str, str] = {}
    action = _clean(corrective_action, 2000, "corrective_action", _("纠正措施"), errors, required=True)
    if due_date is not None and due_date != nc.due_date:
        if not staff:
            errors["due_date"] = _("整改期限只能由合作社管理员调整。")
        elif due_date < nc.inspection.inspected_on:
            errors["due_date"] = _("整改期限不能早于检验日期。")
    _raise(errors)
    nc.corrective_action = action
    if due_date is not None and staff:
        nc.due_date = due_date
    nc.save(update_fields=["corrective_action", "due_date"])
    audit.record(by, "cooperatives.nonconformity.planned", nc, {"due_date": nc.due_date})
    return nc


@transaction.atomic
def nonconformity_close(
    *, nc: NonConformity, evidence: str, by, corrective_action: str = "", today: date | None = None
) -> NonConformity:
    nc = _lock_nc(nc)
    member = nc.member
    require(
        is_staff_of(by, member.cooperative) or speaks_for(by, member.enterprise),
        _("只有成员企业或合作社管理员可以关闭不合格项。"),
    )
    if nc.status != NonConformity.Status.OPEN:
        raise IllegalTransition(_("该不合格项已关闭。"), field="status")
    errors: dict[str, str] = {}
    action = (
        _clean(corrective_action, 2000, "corrective_action", _("纠正措施"), errors) or nc.corrective_action
    )
    if not action and "corrective_action" not in errors:
        errors["corrective_action"] = _("关闭前须填写采取的纠正措施。")
    evidence = _clean(evidence, 2000, "evidence", _("整改证据"), errors, required=True)
    _raise(errors)
    nc.corrective_action = action
    nc.evidence = evidence
    nc.status = NonConformity.Status.CLOSED
    nc.closed_on = today or timezone.localdate()
    nc.closed_by = by
    nc.save()
    audit.record(by, "cooperatives.nonconformity.closed", nc, {"closed_on": nc.closed_on})
    notify(
        users=staff_users(member.cooperative),
        event="cooperatives.nonconformity",
        title=_("%(enterprise)s 已完成不合格项整改") % {"enterprise": member.enterprise.name},
        body=nc.description,
        url=reverse("cooperatives:nc-detail", args=[nc.pk]),
        obj=nc,
    )
