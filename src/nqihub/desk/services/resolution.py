"""Resolution, rating, withdrawing and closing a request."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.choices import choices_text
from nqihub.core.errors import ValidationFailed
from nqihub.core.policy import require

from .. import deadlines, routing, states
from ..models import Assignment, Rectification, ServiceRequest
from ._common import (
    _action,
    _apply,
    _event,
    _lock,
    _reason,
    _tell,
    can_triage,
    enterprise_users,
    is_enterprise_user,
    is_regulator_of,
    regulator_users,
    station_users,
)
from .assignees import clean_rating, rate_assignees
from .assignments import _cancel_open_assignments

# --- resolution, rating, closing ---------------------------------------------------------------------


def _money(value, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field_name: _("金额应为数字（元）。")}) from None
    if not amount.is_finite():
        raise ValidationFailed({field_name: _("金额应为数字（元）。")})
    if amount < 0:
        raise ValidationFailed({field_name: _("金额不能为负数。")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed({field_name: _("金额最多保留两位小数（元）。")})
    if amount >= Decimal("1000000000000"):
        raise ValidationFailed({field_name: _("金额过大。")})
    return amount.quantize(Decimal("0.01"))


@dataclass
class Resolution:
    outcome: str
    summary: str
    technical_problem: bool | None = None
    cost_saved: Decimal | float | int | str | None = None
    loss_avoided: Decimal | float | int | str | None = None
    standards_drafted: int = 0
    certifications_obtained: int = 0


@_action
def request_resolve(*, request: ServiceRequest, resolution: Resolution, by) -> ServiceRequest:
    errors = {}
    if resolution.outcome not in ServiceRequest.Outcome.values:
        errors["outcome"] = _("办理结果应为：%(v)s。") % {"v": choices_text(ServiceRequest.Outcome.choices)}
    summary = (resolution.summary or "").strip()
    if not summary:
        errors["summary"] = _("请填写办理情况。")
    elif len(summary) > 5000:
        errors["summary"] = _("办理情况不能超过5000个字符。")
    for name in ("standards_drafted", "certifications_obtained"):
        if int(getattr(resolution, name) or 0) < 0:
            errors[name] = _("不能为负数。")
    amounts = {}
    for name in ("cost_saved", "loss_avoided"):
        try:
            amounts[name] = _money(getattr(resolution, name), name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    req = _lock(request)
    require(can_triage(by, req), _("只有受理该需求的服务站（或平台）工作人员可以办结。"))
    states.next_state(req.status, "resolve")
    open_accepted = req.assignments.filter(status=Assignment.Status.ACCEPTED).count()
    if open_accepted:
        raise states.IllegalTransition(
            _("仍有 %(n)s 个已接单的工单未完成，不能办结。") % {"n": open_accepted}, field="assignments"
        )
    _cancel_open_assignments(req, _("需求已办结"), offered_only=True)
    req.outcome = resolution.outcome
    req.summary = summary
    req.technical_problem = resolution.technical_problem
    req.cost_saved, req.loss_avoided = amounts["cost_saved"], amounts["loss_avoided"]
    req.standards_drafted = int(resolution.standards_drafted or 0)
    req.certifications_obtained = int(resolution.certifications_obtained or 0)
    req.resolved_at = timezone.now()
    _apply(
        req,
        "resolve",
        by,
        message=_("办结：%(o)s") % {"o": req.get_outcome_display()},
        data={
            "outcome": req.outcome,
            "technical_problem": req.technical_problem,
            "cost_saved": req.cost_saved,
            "loss_avoided": req.loss_avoided,
        },
    )
    _tell(
        req,
        enterprise_users(req),
        "desk.request.rating_requested",
        _("请评价服务需求 %(number)s 的办理情况") % {"number": req.number},
        summary,
    )
    return req


@_action
def request_rate(
    *, request: ServiceRequest, score: int, comment: str = "", by, assignees=None
) -> ServiceRequest:
    """Rate the request; ``assignees`` (``[{"assignment", "score", "comment"}]``) rates its experts and
    institutions with it, each separately (``assignees.rate_assignees``). All or nothing."""
    score, comment = clean_rating(score, comment)
    req = _lock(request)
    require(is_enterprise_user(by, req), _("只有提出需求的企业可以评价。"))
    req.rating_score, req.rating_comment, req.rated_at = score, comment, timezone.now()
    _apply(
        req,
        "rate",
        by,
        message=_("评价：%(score)s 星") % {"score": score},
        data={"score": score, "comment": comment},
    )
    rate_assignees(req, assignees, by)
    if score <= 2:
        today = timezone.localdate()
        rect = Rectification.objects.create(
            request=req, score=score, due_by=deadlines.deadline(today, deadlines.RECTIFY_DAYS)
        )
        _event(
            req,
            None,
            "rectification_opened",
            _("差评（%(score)s 星）启动整改，须于 %(due)s 前整改并回访")
            % {"score": score, "due": rect.due_by},
            {"due_by": rect.due_by, "score": score},
        )
        parent = routing.city_of(req.region_id)
        _tell(
            req,
            station_users(req) + regulator_users(parent),
            "desk.request.status_changed",
            _("差评整改：%(number)s（%(score)s 星）") % {"number": req.number, "score": score},
            comment,
        )
    return req


@_action
def request_withdraw(*, request: ServiceRequest, reason: str, by) -> ServiceRequest:
    reason = _reason(reason)
    req = _lock(request)
    require(is_enterprise_user(by, req), _("只有提出需求的企业可以撤回。"))
    states.next_state(req.status, "withdraw")
    _cancel_open_assignments(req, _("企业撤回需求"))
    _apply(
        req, "withdraw", by, message=_("撤回：%(r)s") % {"r": reason}, data={"reason": reason}, reason=reason
    )
    _tell(
        req,
        station_users(req),
        "desk.request.status_changed",
        _("企业已撤回服务需求 %(number)s") % {"number": req.number},
        reason,
    )
    return req


@_action
def request_close(*, request: ServiceRequest, by) -> ServiceRequest:
    req = _lock(request)
    require(can_triage(by, req) or is_regulator_of(by, req), _("只有服务站或监管部门可以关闭需求。"))
    states.next_state(req.status, "close")
    rect = Rectification.objects.filter(request=req).first()
    if rect is not None and rect.status != Rectification.Status.CLOSED:
        raise states.IllegalTransition(_("差评整改尚未完成回访，不能关闭。"), field="rectification")
    req.closed_at = timezone.now()
    _apply(req, "close", by)
    return req
