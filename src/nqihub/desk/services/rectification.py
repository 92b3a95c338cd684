"""Rectification after a poor rating: the station answers, then the station or regulator calls back."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.core.policy import require

from .. import states
from ..models import Rectification, ServiceRequest
from ._common import _action, _event, _lock, can_triage, is_regulator_of


@_action
def rectification_respond(*, request: ServiceRequest, response: str, by) -> Rectification:
    response = (response or "").strip()
    if not response:
        raise ValidationFailed({"response": _("请填写整改情况。")})
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以填写整改情况。"))
    rect = Rectification.objects.select_for_update().filter(request=req).first()
    if rect is None:
        raise states.IllegalTransition(_("该需求没有差评整改。"))
    if rect.status != Rectification.Status.OPEN:
        raise states.IllegalTransition(
            _("整改当前状态为“%(s)s”，不能再填写整改情况。") % {"s": rect.get_status_display()}
        )
    rect.status, rect.response, rect.responded_by, rect.responded_at = (
        Rectification.Status.ANSWERED,
        response,
        by,
        timezone.now(),
    )
    rect.save()
    _event(
        req,
        by,
        "rectification_answered",
        _("整改情况：%(r)s") % {"r": response[:200]},
        {"late": rect.is_overdue},
    )
    return rect


@_action
def rectification_callback(
    *, request: ServiceRequest, note: str, by, satisfied: bool | None = None
) -> Rectification:
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": _("请填写回访记录。")})
    req = _lock(request)
    require(can_triage(by, req) or is_regulator_of(by, req), _("只有服务站或监管部门可以记录回访。"))
    rect = Rectification.objects.select_for_update().filter(request=req).first()
    if rect is None:
        raise states.IllegalTransition(_("该需求没有差评整改。"))
    if rect.status != Rectification.Status.ANSWERED:
        raise states.IllegalTransition(
            _("整改当前状态为“%(s)s”，须先填写整改情况再回访。") % {"s": rect.get_status_display()}
            if rect.status == Rectification.Status.OPEN
            else _("整改已回访办结。")
        )
    rect.status, rect.callback_note, rect.callback_satisfied = Rectification.Status.CLOSED, note, satisfied
    rect.callback_by, rect.callback_at = by, timezone.now()
    rect.save()
    _event(req, by, "rectification_callback", _("回访：%(n)s") % {"n": note[:200]}, {"satisfied": satisfied})
    return rect
