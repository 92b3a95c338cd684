"""Who may do what with a draft: the drafting actions, built on ``core.policy``.

* enterprise users of the draft's enterprise, station staff of a station whose service area covers the
  enterprise, platform admins: create, edit (while draft / changes requested), ask for review, declare;
* the expert assigned through the review's service request (a live assignment): read, comment, request
  changes, approve;
* regulators of the enterprise's region: read (``selectors``);
* everyone else: nothing (the selectors answer 404).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nqihub.core import policy as core_policy
from nqihub.core.errors import PermissionDenied  # noqa: F401 - raised here, caught by callers
from nqihub.core.models import Membership
from nqihub.core.scoping import scope_of
from nqihub.desk.models import Assignment

#: Assignments through which an expert works on a draft.
LIVE_ASSIGNMENTS = core_policy.LIVE_ASSIGNMENT_STATUSES

EDIT = "edit"
REVIEW = "review"
COMMENT = "comment"


def is_enterprise_user(user, enterprise) -> bool:
    return core_policy.has_role(user, enterprise.organisation_id, Membership.Role.ENTERPRISE_USER)


def acts_for_enterprise(user, enterprise) -> bool:
    """The enterprise's own users, station staff covering its county, platform admins."""
    return core_policy.acts_for_enterprise(user, enterprise)


def is_assigned_expert(user, draft) -> bool:
    if not getattr(user, "is_authenticated", False) or not draft.service_request_id:
        return False
    return Assignment.objects.filter(
        request_id=draft.service_request_id, expert__user=user, status__in=LIVE_ASSIGNMENTS
    ).exists()


def allowed(user, action: str, draft) -> bool:
    if action == EDIT:
        return acts_for_enterprise(user, draft.enterprise)
    if action == REVIEW:
        return is_assigned_expert(user, draft) or (
            getattr(user, "is_authenticated", False) and scope_of(user).is_admin
        )
    if action == COMMENT:
        return allowed(user, REVIEW, draft) or allowed(user, EDIT, draft)
    return False


MESSAGES = {
    EDIT: _("只有该企业的用户、其所在地服务站的工作人员可以修改、提请审查或声明。"),
    REVIEW: _("只有受理该审查的专家可以审查。"),
    COMMENT: _("只有该企业、其服务站和受理审查的专家可以提出意见。"),
}


def require(user, action: str, draft) -> None:
    if not allowed(user, action, draft):
        raise PermissionDenied(str(MESSAGES[action]))
