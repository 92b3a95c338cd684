"""The cooperative's profile and its members: apply / invite / admit / reject / accept / decline /
leave, the quality officer and the commitment."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import IllegalTransition
from nqihub.core.policy import require
from nqihub.core.scoping import prefix_q, scope_of
from nqihub.directory.models import Enterprise
from nqihub.notifications.services import notify

from ..models import Cooperative, Member, MemberEvent, MemberStatus
from ._common import _clean, _lock, _raise, enterprise_users, is_staff_of, speaks_for, staff_users

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


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


def _reason(reason, label: str, *, required: bool = False) -> str:
    """The reason given for a step, cleaned (at most 500 characters)."""
    errors: dict[str, str] = {}
    reason = _clean(reason, 500, "reason", label, errors, required=required)
    _raise(errors)
    return reason


def _saved(member: Member, action: str, *, by, reason: str = "") -> Member:
    """Save the member after ``action``: its event, the audit entry and the notification."""
    member.save()
    _member_changed(member, _event(member, action, by=by, reason=reason), by=by)
    return member


def _lock_member(member: Member) -> Member:
    return _lock(member, "cooperative__organisation", "enterprise")


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
    return _saved(member, MemberEvent.Action.APPLIED, by=by)


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
    return _saved(member, MemberEvent.Action.INVITED, by=by, reason=note)


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
    return _saved(member, MemberEvent.Action.ADMITTED, by=by)


@transaction.atomic
def member_reject(*, member: Member, reason: str, by) -> Member:
    member = _lock_member(member)
    require(is_staff_of(by, member.cooperative), _("只有合作社管理员可以处理入社申请。"))
    reason = _reason(reason, _("不予通过的原因"), required=True)
    member.status = _transition(member, MemberEvent.Action.REJECTED)
    return _saved(member, MemberEvent.Action.REJECTED, by=by, reason=reason)


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
    return _saved(member, MemberEvent.Action.ACCEPTED, by=by)


@transaction.atomic
def member_decline(*, member: Member, reason: str, by) -> Member:
    member = _lock_member(member)
    require(speaks_for(by, member.enterprise), _("只有被邀请企业的用户可以谢绝邀请。"))
    reason = _reason(reason, _("原因"))
    member.status = _transition(member, MemberEvent.Action.DECLINED)
    return _saved(member, MemberEvent.Action.DECLINED, by=by, reason=reason)


@transaction.atomic
def member_leave(*, member: Member, reason: str, by, today: date | None = None) -> Member:
    """The enterprise leaves, or the cooperative's staff remove it; a reason is required either way."""
    member = _lock_member(member)
    own = speaks_for(by, member.enterprise)
    staff = is_staff_of(by, member.cooperative)
    require(own or staff, _("只有成员企业本身或合作社管理员可以办理退社。"))
    action = MemberEvent.Action.LEFT if own else MemberEvent.Action.REMOVED
    reason = _reason(reason, _("退社原因"), required=True)
    member.status = _transition(member, action)
    member.left_on = today or timezone.localdate()
    return _saved(member, action, by=by, reason=reason)


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


def pending_for_staff(cooperative: Cooperative):
    """Members waiting for the staff (applications)."""
    return Member.objects.filter(cooperative=cooperative, status=MemberStatus.APPLIED)
