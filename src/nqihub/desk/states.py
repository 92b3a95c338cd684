"""The service request's state machine: one table of allowed transitions, one function that applies it.

    submitted → accepted → dispatched → in_progress → resolved → rated → closed
    submitted/accepted → rejected (with a reason);  before resolution → withdrawn (with a reason)

No Django models here; the services apply the transition inside a row lock.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core.errors import IllegalTransition

SUBMITTED = "submitted"
ACCEPTED = "accepted"
DISPATCHED = "dispatched"
IN_PROGRESS = "in_progress"
RESOLVED = "resolved"
RATED = "rated"
CLOSED = "closed"
WITHDRAWN = "withdrawn"
REJECTED = "rejected"

STATUS_CHOICES = [
    (SUBMITTED, gettext_lazy("已提交")),
    (ACCEPTED, gettext_lazy("已受理")),
    (DISPATCHED, gettext_lazy("已派单")),
    (IN_PROGRESS, gettext_lazy("办理中")),
    (RESOLVED, gettext_lazy("已办结")),
    (RATED, gettext_lazy("已评价")),
    (CLOSED, gettext_lazy("已关闭")),
    (WITHDRAWN, gettext_lazy("已撤回")),
    (REJECTED, gettext_lazy("已退回")),
]
STATUS_LABELS = dict(STATUS_CHOICES)

#: States in which the request is still being handled (SLA clocks run).
OPEN = (SUBMITTED, ACCEPTED, DISPATCHED, IN_PROGRESS)
TERMINAL = (CLOSED, WITHDRAWN, REJECTED)

ACTION_LABELS = {
    "accept": gettext_lazy("受理"),
    "reject": gettext_lazy("退回"),
    "reroute": gettext_lazy("改派服务站"),
    "dispatch": gettext_lazy("派单"),
    "start": gettext_lazy("开始办理"),
    "resolve": gettext_lazy("办结"),
    "rate": gettext_lazy("评价"),
    "withdraw": gettext_lazy("撤回"),
    "close": gettext_lazy("关闭"),
}

#: (current state, action) → next state.
TRANSITIONS: dict[tuple[str, str], str] = {
    (SUBMITTED, "accept"): ACCEPTED,
    (SUBMITTED, "reject"): REJECTED,
    (ACCEPTED, "reject"): REJECTED,
    (SUBMITTED, "reroute"): SUBMITTED,
    (ACCEPTED, "reroute"): SUBMITTED,
    (ACCEPTED, "dispatch"): DISPATCHED,
    (DISPATCHED, "dispatch"): DISPATCHED,
    (IN_PROGRESS, "dispatch"): IN_PROGRESS,
    (DISPATCHED, "start"): IN_PROGRESS,
    (IN_PROGRESS, "resolve"): RESOLVED,
    (RESOLVED, "rate"): RATED,
    (RATED, "close"): CLOSED,
    (SUBMITTED, "withdraw"): WITHDRAWN,
    (ACCEPTED, "withdraw"): WITHDRAWN,
    (DISPATCHED, "withdraw"): WITHDRAWN,
    (IN_PROGRESS, "withdraw"): WITHDRAWN,
}


def allowed_actions(status: str) -> list[str]:
    return [action for (state, action) in TRANSITIONS if state == status]


def next_state(status: str, action: str) -> str:
    """The state after ``action``, or ``IllegalTransition`` with a reason a person can read."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        pass
    label = ACTION_LABELS.get(action, action)
    current = STATUS_LABELS.get(status, status)
    allowed_from = [STATUS_LABELS[s] for (s, a) in TRANSITIONS if a == action]
    message = _("服务需求当前状态为“%(current)s”，不能%(action)s。") % {"current": current, "action": label}
    if allowed_from:
        message += _("只有处于%(states)s状态的需求才能%(action)s。") % {
            "states": "、".join(f"“{s}”" for s in allowed_from),
            "action": label,
        }
    raise IllegalTransition(message, field="status")
