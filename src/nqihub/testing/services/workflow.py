"""The order's way through the lab: submit, cancel, receive, reject, start, and the three sign-offs
(检测, 审核, 批准) with returns for retest."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from nqihub.core.policy import require

from .. import states
from ..models import LabRole, SignLevel, SignOff, TestOrder
from .access import _lab_staff_required, _role_required, is_client, is_lab_staff, lab_users, order_url
from .base import SIGN_ROLE, TEXT_MAX, Immutable
from .capability import uncovered
from .events import _apply, _lock, _notify, _reason, states_check
from .judging import _judge_order


@transaction.atomic
def order_submit(*, order: TestOrder, by) -> TestOrder:
    order = _lock(order)
    require(is_client(by, order), _("您无权提交该委托单。"))
    if not order.items.exists():
        raise ValidationFailed({"items": _("请至少添加一个检测项目。")})
    if not order.samples.exists():
        raise ValidationFailed({"samples": _("请至少添加一个样品。")})
    missing = uncovered(
        order.lab, list(order.items.values("parameter", "method_standard")), order.product_name
    )
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。")
                % {"lab": order.lab.name, "items": "、".join(missing)}
            }
        )
    order.submitted_at = timezone.now()
    _apply(order, "submit", by)
    return order


@transaction.atomic
def order_cancel(*, order: TestOrder, by, reason: str) -> TestOrder:
    order = _lock(order)
    reason = _reason(reason)
    client_may = order.status in (states.DRAFT, states.SUBMITTED) and is_client(by, order)
    lab_may = order.status not in (states.DRAFT,) and is_lab_staff(by, order.lab)
    if not (client_may or lab_may):
        if order.status in (states.DRAFT, states.SUBMITTED) or not (
            is_client(by, order) or is_lab_staff(by, order.lab)
        ):
            raise PermissionDenied(_("您无权取消该委托单。"))
        if order.status == states.ISSUED:
            raise Immutable(_("报告已出具，不能取消委托单。"))
        raise IllegalTransition(_("实验室已收样，取消须由实验室办理。"), field="status")
    _apply(order, "cancel", by, reason=reason)
    return order


@transaction.atomic
def order_receive(*, order: TestOrder, by, received_on: date | None = None, condition: str = "") -> TestOrder:
    """The lab accepts the samples (收样): the date and the condition they arrived in."""
    order = _lock(order)
    _lab_staff_required(order, by, _("收样"))
    received_on = received_on or timezone.localdate()
    condition = " ".join((condition or "").split())
    errors = {}
    if received_on > timezone.localdate():
        errors["received_on"] = _("收样日期不能晚于今天。")
    if not condition:
        errors["condition"] = _("请填写样品状态（如：包装完好、冷藏）。")
    elif len(condition) > TEXT_MAX:
        errors["condition"] = _("样品状态不能超过%(n)d个字符。") % {"n": TEXT_MAX}
    if errors:
        raise ValidationFailed(errors)
    order.received_at = timezone.now()
    _apply(order, "receive", by, data={"received_on": received_on, "condition": condition})
    order.samples.update(received_on=received_on, condition=condition)
    return order


@transaction.atomic
def order_reject(*, order: TestOrder, by, reason: str) -> TestOrder:
    """The lab refuses the samples (拒收)."""
    order = _lock(order)
    _lab_staff_required(order, by, _("拒收样品"))
    _apply(order, "reject", by, reason=_reason(reason))
    return order


@transaction.atomic
def order_start(*, order: TestOrder, by) -> TestOrder:
    order = _lock(order)
    _lab_staff_required(order, by, _("开始检测"))
    _role_required(order, by, LabRole.Role.TESTER)
    _apply(order, "start", by)
    return order


def _signoffs(order: TestOrder) -> dict[str, object]:
    return {s.level: s for s in order.signoffs.filter(round=order.round).select_related("user")}


def _sign(order: TestOrder, by, level: str) -> None:
    _role_required(order, by, SIGN_ROLE[level])
    signed = _signoffs(order)
    for other in signed.values():
        if other.user_id == by.pk:
            raise DomainError(
                _("您已在本报告签署“%(level)s”，检测、审核、批准须由三位不同人员签署。")
                % {"level": SignLevel(other.level).label},
                field="signoff",
            )
    SignOff.objects.create(
        order=order,
        round=order.round,
        level=level,
        user_id=by.pk,
        name=str(by)[:150],
        signed_at=timezone.now(),
    )


def order_complete(*, order: TestOrder, by) -> TestOrder:
    """The tester signs (检测): every item has a result."""
    order = _lock(order)
    _lab_staff_required(order, by, _("签署检测"))
    missing = [f"{s}. {p}" for s, p in order.items.filter(result="").values_list("seq", "parameter")]
    if order.status == states.TESTING and missing:
        raise ValidationFailed(
            {"results": _("以下项目还没有结果：%(items)s。") % {"items": "、".join(missing)}}
        )
    if order.status != states.TESTING:
        states_check(order, "complete")
    _sign(order, by, SignLevel.TEST)
    _apply(order, "complete", by)
    return order


def _sign_step(order: TestOrder, by, action: str, level: str, what: str) -> TestOrder:
    """One sign-off after the tester's (审核, 批准): the lab's staff, the state allows it, the level's
    role and a person who has not signed this round yet."""
    order = _lock(order)
    _lab_staff_required(order, by, what)
    states_check(order, action)
    _sign(order, by, level)
    _apply(order, action, by)
    return order


@transaction.atomic
def order_review(*, order: TestOrder, by) -> TestOrder:
    return _sign_step(order, by, "review", SignLevel.REVIEW, _("审核"))


@transaction.atomic
def order_approve(*, order: TestOrder, by) -> TestOrder:
    return _sign_step(order, by, "approve", SignLevel.APPROVE, _("批准"))


@transaction.atomic
def order_return(*, order: TestOrder, by, items: list, reason: str) -> TestOrder:
    """The reviewer (or the approver) returns items for retest: their results are cleared, the
    sign-offs of this round are void, the tester enters results again."""
    order = _lock(order)
    _lab_staff_required(order, by, _("退回复检"))
    states_check(order, "return")
    role = LabRole.Role.REVIEWER if order.status == states.RESULTS_ENTERED else LabRole.Role.APPROVER
    _role_required(order, by, role)
    reason = _reason(reason)
    ids = []
    for value in items or []:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationFailed({"items": _("检测项目编号无效：%(v)s。") % {"v": value}}) from None
    chosen = list(order.items.filter(pk__in=ids))
    if not chosen or len(chosen) != len(set(ids)):
        raise ValidationFailed({"items": _("请选择本委托单中需要复检的项目。")})
    for item in chosen:
        item.result = ""
        item.verdict = ""
        item.verdict_reason = ""
        item.tested_by = None
        item.tested_at = None
        item.retest_reason = reason[:TEXT_MAX]
        item.retest_count += 1
        item.save()
    order.round += 1
    _judge_order(order)
    _apply(order, "return", by, reason=reason, data={"items": [f"{i.seq}. {i.parameter}" for i in chosen]})
    _notify(
        lab_users(order, LabRole.Role.TESTER),
        "testing.order.status_changed",
        _("检验委托单 %(number)s 有项目退回复检") % {"number": order.number},
        reason,
        obj=order,
        url=order_url(order),
    )
    return order
