"""The order's actions by name, as the order page and the API offer them: one place maps a name to its
service."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.notifications.services import notification_action_done

from ..models import TestOrder
from . import reports, workflow

#: The actions by name, in the order the API lists them.
ACTIONS = (
    "submit",
    "cancel",
    "receive",
    "reject",
    "start",
    "complete",
    "review",
    "approve",
    "return",
    "issue",
    "revise",
)


def order_act(
    action: str,
    *,
    order: TestOrder,
    by,
    reason: str = "",
    items: list | None = None,
    received_on: date | None = None,
    condition: str = "",
    base_url: str = "",
):
    """Run ``action`` on ``order``; what its service returns (the report for ``issue``, else the order).
    Each action takes the arguments it needs: ``reason`` (cancel, reject, return, revise), ``items``
    (return), ``received_on`` and ``condition`` (receive), ``base_url`` (issue)."""
    if action not in ACTIONS:
        raise ValidationFailed({"action": _("操作应为：%(v)s。") % {"v": "、".join(ACTIONS)}})
    if action == "submit":
        return workflow.order_submit(order=order, by=by)
    if action == "cancel":
        return workflow.order_cancel(order=order, by=by, reason=reason)
    if action == "receive":
        return workflow.order_receive(order=order, by=by, received_on=received_on, condition=condition)
    if action == "reject":
        return workflow.order_reject(order=order, by=by, reason=reason)
    if action == "start":
        return workflow.order_start(order=order, by=by)
    if action == "complete":
        return workflow.order_complete(order=order, by=by)
    if action in ("review", "approve", "return"):
        # A sign-off done answers the "please sign" notifications sent before it (not those it sends).
        started = timezone.now()
        if action == "review":
            done = workflow.order_review(order=order, by=by)
        elif action == "approve":
            done = workflow.order_approve(order=order, by=by)
        else:
            done = workflow.order_return(order=order, by=by, items=items, reason=reason)
        notification_action_done(obj=order, action="signoff", before=started)
        return done
    if action == "issue":
        return reports.report_issue(order=order, by=by, base_url=base_url)
    return reports.order_revise(order=order, by=by, reason=reason)
