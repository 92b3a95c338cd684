"""What passes between the enterprise and the assignees of its request: the enterprise's contact, shown in
clear to the expert and the institution doing the work (each view audited), and the enterprise's rating of
each assignee once the request is resolved."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import IllegalTransition, ValidationFailed
from nqihub.core.policy import require

from .. import states
from ..models import Assignment, ServiceRequest
from ._common import _action, _event, _lock, can_triage, is_assignee, is_enterprise_user

#: The assignments whose assignee works on the request: they see the contact and can be rated.
WORKING = (Assignment.Status.ACCEPTED, Assignment.Status.COMPLETED)
#: The request states in which its assignees can be rated.
RATABLE_REQUEST_STATES = (states.RESOLVED, states.RATED, states.CLOSED)
COMMENT_MAX = 2000


# --- the enterprise's contact ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    position: str = ""


def working_assignment(user, req: ServiceRequest) -> Assignment | None:
    """The accepted or completed assignment of ``req`` whose assignee is ``user`` (the expert, or a staff
    member of the institution), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    for assignment in req.assignments.filter(status__in=WORKING).select_related("expert", "institution"):
        if is_assignee(user, assignment):
            return assignment
    return None


def sees_contact(user, req: ServiceRequest) -> bool:
    """The clear contact: the enterprise itself, the handling station, and the assignees at work on it."""
    return is_enterprise_user(user, req) or can_triage(user, req) or working_assignment(user, req) is not None


@_action
def contact_view(*, request: ServiceRequest, by) -> list[Contact]:
    """The enterprise's contact in clear — the person named on the request, then the enterprise's contacts
    — for those who ``sees_contact``; every view is recorded (``desk.request.contact_viewed``)."""
    req = request
    assignment = working_assignment(by, req)
    allowed = assignment is not None or is_enterprise_user(by, req) or can_triage(by, req)
    require(allowed, _("只有承办该需求的专家或机构（接单后）可以查看企业联系方式。"))
    contacts = []
    if req.contact_name or req.contact_phone:
        contacts.append(Contact(req.contact_name, req.contact_phone, _("需求联系人")))
    for contact in req.enterprise.contacts.order_by("id"):
        contacts.append(Contact(contact.name, contact.phone, contact.position))
    # Audited, not on the timeline: a view changes nothing of the request.
    audit.record(
        by,
        "desk.request.contact_viewed",
        req,
        {"number": req.number, "assignment": assignment.pk if assignment else None},
    )
    return contacts


# --- rating each assignee --------------------------------------------------------------------------------


def clean_rating(score, comment, field: str = "") -> tuple[int, str]:
    """(score, comment) of one rating, or ``ValidationFailed`` naming ``{field}score`` / ``{field}comment``."""
    errors = {}
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        errors[f"{field}score"] = _("评价等级应为 1–5（5 非常满意，1 非常不满意）。")
    comment = (comment or "").strip() if isinstance(comment, str | type(None)) else None
    if comment is None or len(comment) > COMMENT_MAX:
        errors[f"{field}comment"] = _("评价意见不能超过%(n)d个字符。") % {"n": COMMENT_MAX}
    if errors:
        raise ValidationFailed(errors)
    return score, comment


def ratable(req: ServiceRequest) -> list[Assignment]:
    """The assignments of ``req`` its enterprise may still rate (accepted or completed, not yet rated)."""
    return list(
        req.assignments.filter(status__in=WORKING, rated_at__isnull=True).select_related(
            "expert", "institution"
        )
    )


def _rate_locked(req: ServiceRequest, assignment: Assignment, score: int, comment: str, by) -> Assignment:
    if req.status not in RATABLE_REQUEST_STATES:
        raise IllegalTransition(_("需求办结后才能评价承办方。"), field="status")
    if assignment.status not in WORKING:
        raise IllegalTransition(_("该承办方未接单办理，不能评价。"), field="assignment")
    if assignment.rated_at is not None:
        raise IllegalTransition(_("已评价过该承办方，每个承办方只能评价一次。"), field="assignment")
    assignment.rating_score, assignment.rating_comment, assignment.rated_at = score, comment, timezone.now()
    assignment.save(update_fields=["rating_score", "rating_comment", "rated_at"])
    _event(
        req,
        by,
        "assignee_rated",
        _("评价%(who)s：%(score)s 星") % {"who": assignment.assignee_name, "score": score},
        {
            "assignment": assignment.pk,
            "assignee_type": assignment.assignee_type,
            "assignee": assignment.assignee_id,
            "score": score,
        },
    )
    return assignment


def rate_assignees(req: ServiceRequest, ratings, by) -> list[Assignment]:
    """Rate several assignees of the *locked* ``req``: ``ratings`` is a list of ``{"assignment": id,
    "score": 1–5, "comment": ""}``; all are checked before any is saved (errors ``assignees.N.field``)."""
    if not ratings:
        return []
    if not isinstance(ratings, list | tuple):
        raise ValidationFailed({"assignees": _("承办方评价格式不正确。")})
    rows = {
        a.pk: a
        for a in req.assignments.select_for_update(of=("self",)).select_related("expert", "institution")
    }
    errors: dict[str, str] = {}
    cleaned: list[tuple[Assignment, int, str]] = []
    seen: set[int] = set()
    for index, raw in enumerate(ratings):
        field = f"assignees.{index}."
        raw = raw if isinstance(raw, dict) else {}
        assignment = rows.get(raw.get("assignment")) if isinstance(raw.get("assignment"), int) else None
        if assignment is None or assignment.pk in seen:
            errors[f"{field}assignment"] = _("请选择本需求的承办方，每个承办方评价一次。")
            continue
        seen.add(assignment.pk)
        try:
            score, comment = clean_rating(raw.get("score"), raw.get("comment", ""), field)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            continue
        cleaned.append((assignment, score, comment))
    if errors:
        raise ValidationFailed(errors)
    return [_rate_locked(req, a, score, comment, by) for a, score, comment in cleaned]


@_action
def assignment_rate(*, assignment: Assignment, score, comment: str = "", by) -> Assignment:
    """The enterprise rates one assignee (expert or institution) of its resolved request, once."""
    score, comment = clean_rating(score, comment)
    req = _lock(assignment.request_id)
    require(is_enterprise_user(by, req), _("只有提出需求的企业可以评价。"))
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("expert", "institution")
        .get(pk=assignment.pk, request=req)
    )
    return _rate_locked(req, assignment, score, comment, by)
