"""One change of an order: the row locked, moved along the state table, recorded on the order's timeline,
audited and, after the commit, told to the people concerned (unless ``quiet``)."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core import audit
from nqihub.core.errors import IllegalTransition, ValidationFailed

from .. import states
from ..models import LabRole, OrderEvent, OrderStatus, TestOrder
from .access import client_users, lab_users, order_url
from .base import REASON_MAX

#: Set while the demo data is seeded: the demo's history tells nobody (inboxes start empty).
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("testing_quiet", default=False)


@contextmanager
def quiet():
    """Within this block, actions are recorded and audited but nobody is notified (demo seeding)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _notify(users, event: str, title: str, body: str = "", *, obj=None, url: str = "") -> None:
    users = [u for u in users if u is not None]
    if not users or _quiet.get():
        return

    def send():
        from nqihub.notifications.services import notify

        notify(users=users, event=event, title=title, body=body, url=url, obj=obj)

    transaction.on_commit(send, robust=True)


def _record(
    order: TestOrder, by, action: str, message: str = "", data: dict | None = None, *, old: str = ""
) -> None:
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=old,
        to_status=order.status if old else "",
        message=message[:2000],
        actor=by if getattr(by, "is_authenticated", False) else None,
    )
    audit.record(by, f"testing.order.{action}", order, {"number": order.number, **(data or {})})


def _apply(order: TestOrder, action: str, by, *, reason: str = "", data: dict | None = None) -> None:
    """Move a *locked* order along the table; record, audit and notify the change."""
    old = order.status
    try:
        new = states.next_state(old, action)
    except states.IllegalTransition:
        raise IllegalTransition(
            _("委托单当前状态为“%(status)s”，不能%(action)s。")
            % {"status": OrderStatus(old).label, "action": ACTION_LABELS.get(action, action)},
            field="status",
        ) from None
    order.status = new
    if reason:
        order.status_reason = reason
    order.save()
    _record(order, by, action, reason, {"from": old, "to": new, "reason": reason, **(data or {})}, old=old)
    label = OrderStatus(new).label
    title = _("检验委托单 %(number)s：%(status)s") % {"number": order.number, "status": label}
    if new == states.SUBMITTED:
        _notify(
            lab_users(order),
            "testing.order.status_changed",
            title,
            order.product_name,
            obj=order,
            url=order_url(order),
        )
    if new in (states.RESULTS_ENTERED, states.REVIEWED):
        role = LabRole.Role.REVIEWER if new == states.RESULTS_ENTERED else LabRole.Role.APPROVER
        step = _("审核") if new == states.RESULTS_ENTERED else _("批准")
        _notify(
            lab_users(order, role),
            "testing.signoff.needed",
            _("检验委托单 %(number)s 待%(step)s") % {"number": order.number, "step": step},
            order.product_name,
            obj=order,
            url=order_url(order),
        )
    if new != states.ISSUED:
        _notify(
            client_users(order),
            "testing.order.status_changed",
            title,
            reason,
            obj=order,
            url=order_url(order),
        )


ACTION_LABELS = {
    "submit": gettext_lazy("提交"),
    "cancel": gettext_lazy("取消"),
    "receive": gettext_lazy("收样"),
    "reject": gettext_lazy("拒收"),
    "start": gettext_lazy("开始检测"),
    "complete": gettext_lazy("提交检测结果"),
    "review": gettext_lazy("审核"),
    "return": gettext_lazy("退回复检"),
    "approve": gettext_lazy("批准"),
    "issue": gettext_lazy("出具报告"),
    "revise": gettext_lazy("修订报告"),
}


def _lock(order: TestOrder | int) -> TestOrder:
    pk = order.pk if isinstance(order, TestOrder) else order
    return (
        TestOrder.objects.select_for_update(of=("self",))
        .select_related("enterprise", "lab", "cooperative", "service_request__station", "created_by")
        .get(pk=pk)
    )


def _reason(reason: str | None, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({field: _("请填写原因。")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({field: _("原因不能超过%(n)d个字符。") % {"n": REASON_MAX}})
    return reason


def states_check(order: TestOrder, action: str) -> None:
    try:
        states.next_state(order.status, action)
    except states.IllegalTransition:
        raise IllegalTransition(
            _("委托单当前状态为“%(status)s”，不能%(action)s。")
            % {"status": OrderStatus(order.status).label, "action": ACTION_LABELS.get(action, action)},
            field="status",
        ) from None
