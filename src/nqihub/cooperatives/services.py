"""Writes of the cooperatives app. Each business action runs in one transaction, checks who may do it,
writes the audit entry and notifies after commit.

Who does what (SPEC §2, §9):

* the cooperative's staff (members of its ``Organisation``, role cooperative_admin) and platform admins
  edit the profile, invite / admit / reject / remove members, manage plans, the testing plan, the shared
  standards and label templates, and may record inspections for members;
* an enterprise user applies to join (accepting the commitment and naming a quality officer), accepts or
  declines an invitation, leaves, changes its quality officer, records inspections and handles its
  non-conformities;
* regulators read (selectors) and write nothing here.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit, policy, workdays
from nqihub.core.errors import (
    IllegalTransition,
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.models import Membership
from nqihub.core.policy import require
from nqihub.core.scoping import prefix_q, scope_of
from nqihub.directory.models import Enterprise, Institution
from nqihub.notifications.services import notify
from nqihub.standards.requirements import FAIL, NOT_JUDGED, PASS, evaluate, parse_requirement

from .models import (
    CheckItem,
    Checkpoint,
    Cooperative,
    Inspection,
    InspectionResult,
    LabelTemplate,
    Member,
    MemberEvent,
    MemberStatus,
    NonConformity,
    QcPlan,
    SharedStandard,
    Stage,
    TestingPlan,
    TestingPlanLine,
)

#: Working days a member has to correct a non-conformity.
NC_DUE_WORKING_DAYS = 10
MAX_ITEMS_PER_LINE = 30
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


# --- who may do what -------------------------------------------------------------------------------------


def is_staff_of(user, cooperative: Cooperative) -> bool:
    """The cooperative's own staff, or a platform admin."""
    scope = scope_of(user)
    return scope.is_admin or policy.acts_for(user, cooperative.organisation_id)


def regulates(user, cooperative: Cooperative) -> bool:
    scope = scope_of(user)
    return scope.is_admin or any(cooperative.region_id.startswith(p) for p in scope.regulator_prefixes)


def speaks_for(user, enterprise: Enterprise) -> bool:
    """The user is a member of the enterprise's organisation."""
    return policy.acts_for(user, enterprise.organisation_id)


def staff_users(cooperative: Cooperative):
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation_id=cooperative.organisation_id,
            memberships__role=Membership.Role.COOPERATIVE_ADMIN,
        )
        .distinct()
    )


def enterprise_users(enterprise: Enterprise):
    return get_user_model().objects.filter(memberships__organisation_id=enterprise.organisation_id).distinct()


def _clean(text, max_length: int, field: str, label: str, errors: dict, *, required: bool = False) -> str:
    value = " ".join(str(text or "").split()) if max_length <= 500 else str(text or "").strip()
    if required and not value:
        errors[field] = _("请填写%(label)s。") % {"label": label}
    elif len(value) > max_length:
        errors[field] = _("%(label)s不能超过%(n)d个字符。") % {"label": label, "n": max_length}
    return value


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)


# --- the cooperative's profile ---------------------------------------------------------------------------


@transaction.atomic
def cooperative_update(
    *,
    cooperative: Cooperative,
    by,
    host_organisation: str = "",
    industry=None,
    charter: str = "",
    commitment_text: str = "",
    target_pass_rate=None,
) -> Cooperative:
    """Changing the commitment text raises its version: members then re-confirm it."""
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以修改合作社资料。"))
    errors: dict[str, str] = {}
    host = _clean(host_organisation, 200, "host_organisation", _("主办单位"), errors)
    charter = _clean(charter, 20000, "charter", _("章程"), errors)
    commitment = _clean(commitment_text, 20000, "commitment_text", _("入社承诺书"), errors, required=True)
    try:
        target = Decimal(str(target_pass_rate)) if target_pass_rate not in (None, "") else None
    except InvalidOperation:
        target = None
        errors["target_pass_rate"] = _("目标合格率应为 0 到 100 之间的数。")
    if target is None and "target_pass_rate" not in errors:
        errors["target_pass_rate"] = _("请填写目标合格率。")
    elif target is not None and not (Decimal(0) < target <= Decimal(100)):
        errors["target_pass_rate"] = _("目标合格率应大于 0 且不超过 100（%）。")
    _raise(errors)
    coop = Cooperative.objects.select_for_update(of=("self",)).get(pk=cooperative.pk)
    changed = {}
    if commitment != coop.commitment_text:
        coop.commitment_version += 1
        changed["commitment_version"] = coop.commitment_version
    for name, value in (
        ("host_organisation", host),
        ("industry", industry),
        ("charter", charter),
        ("commitment_text", commitment),
        ("target_pass_rate", target.quantize(Decimal("0.01"))),
    ):
        if getattr(coop, name) != value:
            setattr(coop, name, value)
            changed.setdefault(
                name, getattr(value, "pk", value) if name != "charter" and name != "commitment_text" else "…"
            )
    if changed:
        coop.save()
        audit.record(by, "cooperatives.cooperative.updated", coop, changed)
    return coop


# --- members ---------------------------------------------------------------------------------------------

#: (status before, action) → status after. "" is "no membership yet".
TRANSITIONS: dict[tuple[str, str], str] = {
    ("", MemberEvent.Action.APPLIED): MemberStatus.APPLIED,
    (MemberStatus.LEFT, MemberEvent.Action.APPLIED): MemberStatus.APPLIED,
    (MemberStatus.REJECTED, MemberEvent.Action.APPLIED): MemberStatus.APPLIED,
    ("", MemberEvent.Action.INVITED): MemberStatus.INVITED,
    (MemberStatus.LEFT, MemberEvent.Action.INVITED): MemberStatus.INVITED,
    (MemberStatus.REJECTED, MemberEvent.Action.INVITED): MemberStatus.INVITED,
    (MemberStatus.APPLIED, MemberEvent.Action.ADMITTED): MemberStatus.ACTIVE,
    (MemberStatus.APPLIED, MemberEvent.Action.REJECTED): MemberStatus.REJECTED,
    (MemberStatus.INVITED, MemberEvent.Action.ACCEPTED): MemberStatus.ACTIVE,
    (MemberStatus.INVITED, MemberEvent.Action.DECLINED): MemberStatus.REJECTED,
    (MemberStatus.ACTIVE, MemberEvent.Action.LEFT): MemberStatus.LEFT,
    (MemberStatus.ACTIVE, MemberEvent.Action.REMOVED): MemberStatus.LEFT,
}


def allowed_actions(status: str) -> set[str]:
    return {action for (before, action) in TRANSITIONS if before == (status or "")}


def _transition(member: Member, action: str) -> str:
    after = TRANSITIONS.get((member.status or "", action))
    if after is None:
        raise IllegalTransition(
            _("成员当前状态为“%(status)s”，不能“%(action)s”。")
            % {
                "status": MemberStatus(member.status).label if member.status else _("未入社"),
                "action": MemberEvent.Action(action).label,
            },
            field="status",
        )
    return after


def _validate_officer(name, phone, errors: dict) -> tuple[str, str]:
    name = _clean(name, 64, "officer_name", _("质量专员姓名"), errors, required=True)
    phone = "".join(str(phone or "").split())
    if not phone:
        errors["officer_phone"] = _("请填写质量专员的联系电话。")
    elif not PHONE_RE.match(phone):
        errors["officer_phone"] = _(
            "联系电话格式不正确：应为11位手机号或带区号的固定电话（如 0513-12345678）。"
        )
    return name, phone


def _validate_commitment(cooperative: Cooperative, accept: bool, version, errors: dict) -> None:
    if not accept:
        errors["accept_commitment"] = _("入社须阅读并接受合作社的入社承诺书。")
    elif version is not None and str(version) != str(cooperative.commitment_version):
        errors["accept_commitment"] = _("承诺书已更新为第%(v)d版，请阅读新版本后再确认。") % {
            "v": cooperative.commitment_version
        }


def _member_changed(member: Member, event: MemberEvent, *, by) -> None:
    coop = member.cooperative
    audit.record(
        by,
        f"cooperatives.member.{event.action}",
        member,
        {
            "cooperative": coop.pk,
            "enterprise": member.enterprise_id,
            "status": member.status,
            "reason": event.reason,
        },
    )
    title = _("%(enterprise)s：%(action)s（%(coop)s）") % {
        "enterprise": member.enterprise.name,
        "action": event.get_action_display(),
        "coop": coop.name,
    }
    notify(
        users=[*staff_users(coop), *enterprise_users(member.enterprise)],
        event="cooperatives.member.changed",
        title=title,
        body=event.reason,
        url=reverse("cooperatives:member-detail", args=[member.pk]),
        obj=member,
    )


def _event(member: Member, action: str, *, by, reason: str = "") -> MemberEvent:
    return MemberEvent.objects.create(
        member=member, action=action, reason=reason, by=by if getattr(by, "is_authenticated", False) else None
    )


def _lock_member(member: Member) -> Member:
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("cooperative__organisation", "enterprise")
        .get(pk=member.pk)
    )


@transaction.atomic
def member_apply(
    *,
    cooperative: Cooperative,
    enterprise: Enterprise,
    officer_name: str,
    officer_phone: str,
    accept_commitment: bool,
    commitment_version=None,
    by,
    is_demo: bool = False,
) -> Member:
    """An enterprise (or individual business) applies, accepting the commitment and naming its quality
    officer; the cooperative's staff then admit or reject it."""
    require(speaks_for(by, enterprise) or scope_of(by).is_admin, _("只有本企业的用户可以申请入社。"))
    errors: dict[str, str] = {}
    name, phone = _validate_officer(officer_name, officer_phone, errors)
    _validate_commitment(cooperative, accept_commitment, commitment_version, errors)
    _raise(errors)
    member, _created = Member.objects.get_or_create(
        cooperative=cooperative, enterprise=enterprise, defaults={"status": "", "is_demo": is_demo}
    )
    member = _lock_member(member)
    member.status = _transition(member, MemberEvent.Action.APPLIED)
    member.officer_name, member.officer_phone = name, phone
    member.commitment_version = cooperative.commitment_version
    member.commitment_accepted_at = timezone.now()
    member.commitment_accepted_by = by if getattr(by, "is_authenticated", False) else None
    member.left_on = None
    member.save()
    _member_changed(member, _event(member, MemberEvent.Action.APPLIED, by=by), by=by)
    return member


@transaction.atomic
def member_invite(*, cooperative: Cooperative, uscc: str, by, note: str = "") -> Member:
    """The cooperative's staff invite an enterprise (found by its 统一社会信用代码, in the cooperative's
    province); it joins when it accepts the commitment."""
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以邀请成员。"))
    errors: dict[str, str] = {}
    code = "".join(str(uscc or "").split()).upper()
    note = _clean(note, 500, "note", _("说明"), errors)
    enterprise = None
    if not code:
        errors["uscc"] = _("请填写被邀请企业的统一社会信用代码。")
    elif len(code) != 18:
        errors["uscc"] = _("统一社会信用代码应为18位。")
    else:
        enterprise = Enterprise.objects.filter(
            prefix_q("region_id", cooperative.region_id[:2]), uscc=code
        ).first()
        if enterprise is None:
            errors["uscc"] = _("本省没有统一社会信用代码为 %(code)s 的已登记企业。") % {"code": code}
    _raise(errors)
    member, _created = Member.objects.get_or_create(
        cooperative=cooperative, enterprise=enterprise, defaults={"status": ""}
    )
    member = _lock_member(member)
    member.status = _transition(member, MemberEvent.Action.INVITED)
    member.left_on = None
    member.save()
    _member_changed(member, _event(member, MemberEvent.Action.INVITED, by=by, reason=note), by=by)
    return member


@transaction.atomic
def member_admit(*, member: Member, by, today: date | None = None) -> Member:
    member = _lock_member(member)
    coop = member.cooperative
    require(is_staff_of(by, coop), _("只有合作社管理员可以批准入社。"))
    after = _transition(member, MemberEvent.Action.ADMITTED)
    if member.commitment_version != coop.commitment_version:
        raise IllegalTransition(
            _("该企业确认的是第%(old)s版承诺书，现行为第%(new)d版：请企业确认新版承诺书后再批准。")
            % {"old": member.commitment_version or "—", "new": coop.commitment_version},
            field="commitment",
        )
    if not member.officer_name:
        raise IllegalTransition(_("该企业尚未指定质量专员，不能批准入社。"), field="officer_name")
    member.status = after
    member.joined_on = today or timezone.localdate()
    member.save()
    _member_changed(member, _event(member, MemberEvent.Action.ADMITTED, by=by), by=by)
    return member


@transaction.atomic
def member_reject(*, member: Member, reason: str, by) -> Member:
    member = _lock_member(member)
    require(is_staff_of(by, member.cooperative), _("只有合作社管理员可以处理入社申请。"))
    errors: dict[str, str] = {}
    reason = _clean(reason, 500, "reason", _("不予通过的原因"), errors, required=True)
    _raise(errors)
    member.status = _transition(member, MemberEvent.Action.REJECTED)
    member.save()
    _member_changed(member, _event(member, MemberEvent.Action.REJECTED, by=by, reason=reason), by=by)
    return member


@transaction.atomic
def member_accept_invitation(
    *,
    member: Member,
    officer_name: str,
    officer_phone: str,
    accept_commitment: bool,
    commitment_version=None,
    by,
    today: date | None = None,
) -> Member:
    member = _lock_member(member)
    require(speaks_for(by, member.enterprise), _("只有被邀请企业的用户可以接受邀请。"))
    after = _transition(member, MemberEvent.Action.ACCEPTED)
    errors: dict[str, str] = {}
    name, phone = _validate_officer(officer_name, officer_phone, errors)
    _validate_commitment(member.cooperative, accept_commitment, commitment_version, errors)
    _raise(errors)
    member.status = after
    member.officer_name, member.officer_phone = name, phone
    member.commitment_version = member.cooperative.commitment_version
    member.commitment_accepted_at = timezone.now()
    member.commitment_accepted_by = by
    member.joined_on = today or timezone.localdate()
    member.save()
    _member_changed(member, _event(member, MemberEvent.Action.ACCEPTED, by=by), by=by)
    return member


@transaction.atomic
def member_decline(*, member: Member, reason: str, by) -> Member:
    member = _lock_member(member)
    require(speaks_for(by, member.enterprise), _("只有被邀请企业的用户可以谢绝邀请。"))
    errors: dict[str, str] = {}
    reason = _clean(reason, 500, "reason", _("原因"), errors)
    _raise(errors)
    member.status = _transition(member, MemberEvent.Action.DECLINED)
    member.save()
    _member_changed(member, _event(member, MemberEvent.Action.DECLINED, by=by, reason=reason), by=by)
    return member


@transaction.atomic
def member_leave(*, member: Member, reason: str, by, today: date | None = None) -> Member:
    """The enterprise leaves, or the cooperative's staff remove it; a reason is required either way."""
    member = _lock_member(member)
    own = speaks_for(by, member.enterprise)
    staff = is_staff_of(by, member.cooperative)
    require(own or staff, _("只有成员企业本身或合作社管理员可以办理退社。"))
    action = MemberEvent.Action.LEFT if own else MemberEvent.Action.REMOVED
    errors: dict[str, str] = {}
    reason = _clean(reason, 500, "reason", _("退社原因"), errors, required=True)
    _raise(errors)
    member.status = _transition(member, action)
    member.left_on = today or timezone.localdate()
    member.save()
    _member_changed(member, _event(member, action, by=by, reason=reason), by=by)
    return member


@transaction.atomic
def member_set_officer(*, member: Member, officer_name: str, officer_phone: str, by) -> Member:
    member = _lock_member(member)
    require(
        speaks_for(by, member.enterprise) or is_staff_of(by, member.cooperative),
        _("只有成员企业或合作社管理员可以变更质量专员。"),
    )
    if member.status in (MemberStatus.LEFT, MemberStatus.REJECTED):
        raise IllegalTransition(_("该企业已不在合作社，不能变更质量专员。"), field="status")
    errors: dict[str, str] = {}
    name, phone = _validate_officer(officer_name, officer_phone, errors)
    _raise(errors)
    if (name, phone) != (member.officer_name, member.officer_phone):
        member.officer_name, member.officer_phone = name, phone
        member.save(update_fields=["officer_name", "officer_phone", "updated_at"])
        event = _event(member, MemberEvent.Action.OFFICER, by=by)
        # Personal data stays out of the audit log and the notification.
        audit.record(by, "cooperatives.member.officer", member, {"cooperative": member.cooperative_id})
        del event
    return member


@transaction.atomic
def member_confirm_commitment(
    *, member: Member, accept_commitment: bool, commitment_version=None, by
) -> Member:
    """A member confirms the current version of the commitment (after the cooperative changed it)."""
    member = _lock_member(member)
    require(speaks_for(by, member.enterprise), _("只有成员企业的用户可以确认承诺书。"))
    if member.status in (MemberStatus.LEFT, MemberStatus.REJECTED):
        raise IllegalTransition(_("该企业已不在合作社。"), field="status")
    errors: dict[str, str] = {}
    _validate_commitment(member.cooperative, accept_commitment, commitment_version, errors)
    _raise(errors)
    member.commitment_version = member.cooperative.commitment_version
    member.commitment_accepted_at = timezone.now()
    member.commitment_accepted_by = by
    member.save()
    _event(
        member, MemberEvent.Action.COMMITMENT, by=by, reason=_("第%(v)d版") % {"v": member.commitment_version}
    )
    audit.record(by, "cooperatives.member.commitment", member, {"version": member.commitment_version})
    return member


# --- quality-control plans -------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, cooperative: Cooperative, name: str, product: str = "", by, is_demo: bool = False
) -> QcPlan:
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以制定质量控制计划。"))
    errors: dict[str, str] = {}
    name = _clean(name, 200, "name", _("计划名称"), errors, required=True)
    product = _clean(product, 200, "product", _("适用产品"), errors)
    _raise(errors)
    plan = QcPlan.objects.create(cooperative=cooperative, name=name, product=product, is_demo=is_demo)
    audit.record(by, "cooperatives.plan.created", plan, {"cooperative": cooperative.pk})
    return plan


@transaction.atomic
def plan_set_active(*, plan: QcPlan, is_active: bool, by) -> QcPlan:
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    QcPlan.objects.filter(pk=plan.pk).update(is_active=bool(is_active))
    plan.is_active = bool(is_active)
    audit.record(by, "cooperatives.plan.activated" if is_active else "cooperatives.plan.deactivated", plan)
    return plan


@transaction.atomic
def checkpoint_add(*, plan: QcPlan, stage: str, name: str, by) -> Checkpoint:
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    errors: dict[str, str] = {}
    if stage not in Stage.values:
        errors["stage"] = _("请选择环节：进货验收、过程控制或出货检验。")
    name = _clean(name, 200, "name", _("检查点名称"), errors, required=True)
    _raise(errors)
    position = plan.checkpoints.count()
    checkpoint = Checkpoint.objects.create(plan=plan, stage=stage, name=name, position=position)
    audit.record(by, "cooperatives.checkpoint.created", checkpoint, {"plan": plan.pk, "stage": stage})
    return checkpoint


def validate_item(*, name: str, kind: str, requirement: str = "", unit: str = "", basis: str = "") -> dict:
    errors: dict[str, str] = {}
    cleaned = {
        "name": _clean(name, 200, "name", _("检查项目名称"), errors, required=True),
        "kind": kind,
        "requirement": _clean(requirement, 200, "requirement", _("要求"), errors),
        "unit": _clean(unit, 32, "unit", _("单位"), errors),
        "basis": _clean(basis, 200, "basis", _("依据"), errors),
    }
    if kind not in CheckItem.Kind.values:
        errors["kind"] = _("请选择判定方式：合格/不合格，或实测值对照要求。")
    elif kind == CheckItem.Kind.MEASURED and "requirement" not in errors:
        if not cleaned["requirement"]:
            errors["requirement"] = _("实测项目须填写要求，如 ≤75、4.0~8.5、≥3-4级。")
        else:
            try:
                parse_requirement(cleaned["requirement"], cleaned["unit"] or None)
            except ValueError as exc:
                errors["requirement"] = _("无法识别的要求“%(r)s”：%(reason)s") % {
                    "r": cleaned["requirement"],
                    "reason": exc,
                }
    _raise(errors)
    return cleaned


@transaction.atomic
def item_add(*, checkpoint: Checkpoint, by, **data) -> CheckItem:
    require(is_staff_of(by, checkpoint.plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    cleaned = validate_item(**data)
    item = CheckItem.objects.create(checkpoint=checkpoint, position=checkpoint.items.count(), **cleaned)
    audit.record(by, "cooperatives.check_item.created", item, {"checkpoint": checkpoint.pk, **cleaned})
    return item


@transaction.atomic
def item_delete(*, item: CheckItem, by) -> None:
    require(is_staff_of(by, item.checkpoint.plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    if InspectionResult.objects.filter(item=item).exists():
        raise IllegalTransition(_("该检查项目已有检验记录，不能删除；可停用整个计划后另建新计划。"))
    audit.record(by, "cooperatives.check_item.deleted", item, {"checkpoint": item.checkpoint_id})
    item.delete()


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
    return (
        NonConformity.objects.select_for_update(of=("self",))
        .select_related("member__cooperative__organisation", "member__enterprise")
        .get(pk=nc.pk)
    )


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
    return nc


# --- the yearly free testing plan ------------------------------------------------------------------------


@transaction.atomic
def testing_plan_create(
    *, cooperative: Cooperative, year, name: str, by, is_demo: bool = False
) -> TestingPlan:
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以制定免费检测计划。"))
    errors: dict[str, str] = {}
    name = _clean(name, 200, "name", _("计划名称"), errors, required=True)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    this_year = timezone.localdate().year
    if year is None or not (2000 <= year <= this_year + 1):
        errors["year"] = _("年度应在 2000 到 %(y)d 之间。") % {"y": this_year + 1}
    _raise(errors)
    plan = TestingPlan.objects.create(cooperative=cooperative, year=year, name=name, is_demo=is_demo)
    audit.record(by, "cooperatives.testing_plan.created", plan, {"year": year})
    return plan


def _lock_plan(plan: TestingPlan) -> TestingPlan:
    return (
        TestingPlan.objects.select_for_update(of=("self",))
        .select_related("cooperative__organisation", "lab")
        .get(pk=plan.pk)
    )


def _require_draft(plan: TestingPlan) -> None:
    if plan.status != TestingPlan.Status.DRAFT:
        raise IllegalTransition(_("该计划已下达委托，不能再修改。"), field="status")


def clean_items(items) -> list[dict]:
    errors: dict[str, str] = {}
    cleaned: list[dict] = []
    seen: set[str] = set()
    for index, raw in enumerate(items or [], start=1):
        if not isinstance(raw, dict):
            errors[f"items.{index}"] = _("第%(n)d个检测项目格式不正确。") % {"n": index}
            continue
        parameter = " ".join(str(raw.get("parameter") or "").split())
        requirement = " ".join(str(raw.get("requirement") or "").split())
        unit = " ".join(str(raw.get("unit") or "").split())
        method = " ".join(str(raw.get("method_standard") or "").split())
        if not parameter:
            continue
        if parameter in seen:
            errors[f"items.{index}"] = _("检测项目“%(p)s”重复。") % {"p": parameter}
            continue
        seen.add(parameter)
        if len(parameter) > 100 or len(requirement) > 200 or len(unit) > 32 or len(method) > 200:
            errors[f"items.{index}"] = _("第%(n)d个检测项目的内容过长。") % {"n": index}
            continue
        if requirement:
            try:
                parse_requirement(requirement, unit or None)
            except ValueError as exc:
                errors[f"items.{index}"] = _("“%(p)s”的要求“%(r)s”无法识别：%(reason)s") % {
                    "p": parameter,
                    "r": requirement,
                    "reason": exc,
                }
                continue
        cleaned.append(
            {"parameter": parameter, "method_standard": method, "requirement": requirement, "unit": unit}
        )
    if not cleaned and not errors:
        errors["items"] = _("请至少选择一个检测项目。")
    elif len(cleaned) > MAX_ITEMS_PER_LINE:
        errors["items"] = _("每个样品最多 %(n)d 个检测项目。") % {"n": MAX_ITEMS_PER_LINE}
    _raise(errors)
    return cleaned


@transaction.atomic
def testing_plan_add_line(
    *, plan: TestingPlan, member: Member, sample_kind: str, product_name: str, items, by
) -> TestingPlanLine:
    plan = _lock_plan(plan)
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改免费检测计划。"))
    _require_draft(plan)
    errors: dict[str, str] = {}
    if member.cooperative_id != plan.cooperative_id or member.status != MemberStatus.ACTIVE:
        errors["member"] = _("请选择本合作社的在社成员。")
    if sample_kind not in TestingPlanLine.SampleKind.values:
        errors["sample_kind"] = _("请选择样品类别：原辅材料或成品。")
    product_name = _clean(product_name, 200, "product_name", _("样品名称"), errors, required=True)
    try:
        items = clean_items(items)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    _raise(errors)
    line = TestingPlanLine.objects.create(
        plan=plan, member=member, sample_kind=sample_kind, product_name=product_name, items=items
    )
    if plan.lab_id:  # the lab must still cover every item
        plan.lab = None
        plan.save(update_fields=["lab"])
    audit.record(by, "cooperatives.testing_plan.line_added", plan, {"line": line.pk, "member": member.pk})
    return line


@transaction.atomic
def testing_plan_remove_line(*, line: TestingPlanLine, by) -> None:
    plan = _lock_plan(line.plan)
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改免费检测计划。"))
    _require_draft(plan)
    audit.record(by, "cooperatives.testing_plan.line_removed", plan, {"line": line.pk})
    line.delete()


def plan_parameters(plan: TestingPlan) -> list[str]:
    seen: dict[str, None] = {}
    for line in plan.lines.all():
        for p in line.parameters():
            seen.setdefault(p, None)
    return list(seen)


def lab_lines(lab: Institution, parameters: list[str]) -> dict[str, object]:
    """For each parameter, the lab's scope line that covers it, or None — the directory's one lab-coverage
    rule (``directory.matching.coverage_q``), the same a test order is checked with."""
    from nqihub.directory.matching import lab_lines as matching_lab_lines

    return matching_lab_lines(lab, parameters)


def uncovered(lab: Institution, parameters: list[str]) -> list[str]:
    return [p for p, line in lab_lines(lab, parameters).items() if line is None]


@transaction.atomic
def testing_plan_set_lab(*, plan: TestingPlan, lab: Institution, by) -> TestingPlan:
    plan = _lock_plan(plan)
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改免费检测计划。"))
    _require_draft(plan)
    if lab.kind != Institution.Kind.TESTING:
        raise ValidationFailed({"lab": _("请选择检验检测机构。")})
    missing = uncovered(lab, plan_parameters(plan))
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。")
                % {"lab": lab.name, "items": "、".join(missing)}
            }
        )
    plan.lab = lab
    plan.save(update_fields=["lab"])
    audit.record(by, "cooperatives.testing_plan.lab_chosen", plan, {"lab": lab.pk})
    return plan


def order_service():
    """``testing.services.order_create`` once the testing app provides it, else None."""
    try:
        from nqihub.testing import services as testing_services
    except ImportError:
        return None
    return getattr(testing_services, "order_create", None)


@transaction.atomic
def testing_plan_order(*, plan: TestingPlan, by) -> list:
    """Create one test order per line at the plan's lab, all in one step: any error and none is made."""
    plan = _lock_plan(plan)
    coop = plan.cooperative
    require(is_staff_of(by, coop), _("只有合作社管理员可以下达检测委托。"))
    _require_draft(plan)
    create = order_service()
    if create is None:
        raise IllegalTransition(_("检验检测模块尚未提供委托单功能，暂不能下达委托。"), field="status")
    lines = list(plan.lines.select_related("member__enterprise"))
    if not lines:
        raise ValidationFailed({"lines": _("计划中还没有样品。")})
    if plan.lab is None:
        raise ValidationFailed({"lab": _("请先选择检测机构。")})
    scope = lab_lines(plan.lab, plan_parameters(plan))
    missing = [p for p, line in scope.items() if line is None]
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。")
                % {"lab": plan.lab.name, "items": "、".join(missing)}
            }
        )
    orders = []
    for index, line in enumerate(lines, start=1):
        if line.member.status != MemberStatus.ACTIVE:
            raise ValidationFailed(
                {
                    "lines": _("第%(n)d行的 %(e)s 已不在合作社。")
                    % {"n": index, "e": line.member.enterprise.name}
                }
            )
        items = [
            {
                **item,
                "method_standard": item.get("method_standard")
                or getattr(scope[item["parameter"]], "method_standard", ""),
            }
            for item in line.items
        ]
        try:
            order = create(
                by=by,
                lab=plan.lab,
                enterprise=line.member.enterprise,
                product_name=line.product_name,
                items=items,
                cooperative=coop.organisation,
            )
        except ValidationFailed as exc:
            detail = "；".join(str(m) for m in exc.errors.values())
            raise ValidationFailed(
                {
                    "lines": _("第%(n)d行（%(e)s %(p)s）：%(detail)s")
                    % {"n": index, "e": line.member.enterprise.name, "p": line.product_name, "detail": detail}
                }
            ) from exc
        line.order_id = order.pk
        line.order_number = str(getattr(order, "number", "") or "")
        line.save(update_fields=["order_id", "order_number"])
        orders.append(order)
    plan.status = TestingPlan.Status.ORDERED
    plan.ordered_at = timezone.now()
    plan.ordered_by = by
    plan.save(update_fields=["status", "ordered_at", "ordered_by"])
    audit.record(
        by, "cooperatives.testing_plan.ordered", plan, {"lab": plan.lab_id, "orders": [o.pk for o in orders]}
    )
    by_member: dict[int, list[TestingPlanLine]] = {}
    for line in lines:
        by_member.setdefault(line.member_id, []).append(line)
    for member_lines in by_member.values():
        enterprise = member_lines[0].member.enterprise
        notify(
            users=enterprise_users(enterprise),
            event="cooperatives.testing_plan",
            title=_("%(coop)s 已为您安排免费检测（%(n)d个样品，%(lab)s）")
            % {"coop": coop.name, "n": len(member_lines), "lab": plan.lab.name},
            body="、".join(line.product_name for line in member_lines),
            url=reverse("cooperatives:testing-plan", args=[plan.pk]),
            obj=plan,
        )
    return orders


# --- shared standards and label templates ----------------------------------------------------------------


@transaction.atomic
def shared_standard_add(*, cooperative: Cooperative, number: str, note: str = "", by) -> SharedStandard:
    from nqihub.standards.selectors import standard_lookup

    require(is_staff_of(by, cooperative), _("只有合作社管理员可以发布统一标准。"))
    errors: dict[str, str] = {}
    note = _clean(note, 200, "note", _("用途说明"), errors)
    number = " ".join(str(number or "").split())
    standard = None
    if not number:
        errors["number"] = _("请填写标准号，如 GB/T 22796-2021。")
    else:
        try:
            found = standard_lookup(fetched_by=by, number=number)
        except ValueError as exc:
            errors["number"] = str(exc)
        else:
            standard = found.standard
            if standard is None:
                errors["number"] = _("标准目录中没有 %(n)s。") % {"n": found.number}
            elif standard.status == standard.Status.ABOLISHED:
                errors["number"] = _("%(n)s 已废止，请发布现行标准。") % {"n": standard.canonical}
    _raise(errors)
    if SharedStandard.objects.filter(cooperative=cooperative, standard=standard).exists():
        raise ValidationFailed({"number": _("%(n)s 已在本合作社的统一标准中。") % {"n": standard.canonical}})
    shared = SharedStandard.objects.create(cooperative=cooperative, standard=standard, note=note)
    audit.record(by, "cooperatives.standard.published", shared, {"standard": standard.canonical})
    return shared


@transaction.atomic
def shared_standard_remove(*, shared: SharedStandard, by) -> None:
    require(is_staff_of(by, shared.cooperative), _("只有合作社管理员可以修改统一标准。"))
    audit.record(by, "cooperatives.standard.withdrawn", shared, {"standard": shared.standard_id})
    shared.delete()


def parse_label_fields(text: str) -> dict:
    """``key: value`` (or ``key=value``) per line → dict; ``true``/``false``/是/否 → bool."""
    fields: dict = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in (":", "：", "="):
            if sep in line:
                key, value = line.split(sep, 1)
                break
        else:
            raise ValueError(_("无法识别的一行“%(line)s”：每行应为“字段: 值”。") % {"line": line[:60]})
        key, value = key.strip(), value.strip()
        if value.lower() in ("true", "是", "yes"):
            value = True
        elif value.lower() in ("false", "否", "no"):
            value = False
        fields[key] = value
    return fields


def label_category_choices() -> list[tuple[str, str]]:
    """``[(key, title)]`` of the label checker's rule packs (``nqihub.labels.categories``)."""
    try:
        from nqihub.labels import categories
    except ImportError:
        return [("textile", _("纺织品")), ("prepackaged_food", _("预包装食品"))]
    return [(str(key), str(title)) for key, title in categories()]


def label_categories() -> list[str]:
    return [key for key, _title in label_category_choices()]


@transaction.atomic
def label_template_save(
    *,
    cooperative: Cooperative,
    name: str,
    category: str,
    fields,
    by,
    template: LabelTemplate | None = None,
    is_demo: bool = False,
) -> LabelTemplate:
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以发布标签模板。"))
    errors: dict[str, str] = {}
    name = _clean(name, 200, "name", _("模板名称"), errors, required=True)
    if category not in label_categories():
        errors["category"] = _("标签类别应为：%(c)s。") % {"c": "、".join(label_categories())}
    if isinstance(fields, str):
        try:
            fields = parse_label_fields(fields)
        except ValueError as exc:
            errors["fields"] = str(exc)
            fields = {}
    if not isinstance(fields, dict) or (not fields and "fields" not in errors):
        errors["fields"] = _("请填写标签内容（每行“字段: 值”）。")
    _raise(errors)
    if template is None:
        template = LabelTemplate.objects.create(
            cooperative=cooperative, name=name, category=category, fields=fields, is_demo=is_demo
        )
        audit.record(by, "cooperatives.label_template.created", template, {"category": category})
    else:
        template = LabelTemplate.objects.select_for_update(of=("self",)).get(
            pk=template.pk, cooperative=cooperative
        )
        template.name, template.category, template.fields = name, category, fields
        template.version += 1
        template.save()
        audit.record(by, "cooperatives.label_template.updated", template, {"version": template.version})
    return template


def pending_for_staff(cooperative: Cooperative):
    """Members waiting for the staff (applications)."""
    return Member.objects.filter(cooperative=cooperative, status=MemberStatus.APPLIED)
