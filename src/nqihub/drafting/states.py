"""The state table of an enterprise-standard draft, no models: (state, action) → next state.

draft → in_review → changes_requested → (edited, resubmitted) in_review → approved → declared.

Who may take an action is decided in ``policy``; this table only says what may follow what.
"""

from django.utils.translation import gettext_lazy as _

from nqihub.core.errors import IllegalTransition

DRAFT = "draft"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
APPROVED = "approved"
DECLARED = "declared"

STATUS_CHOICES = [
    (DRAFT, _("草稿")),
    (IN_REVIEW, _("专家审查中")),
    (CHANGES_REQUESTED, _("需修改")),
    (APPROVED, _("审查通过")),
    (DECLARED, _("已自我声明公开")),
]
STATUS_LABELS = dict(STATUS_CHOICES)

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "request_review"): IN_REVIEW,
    (CHANGES_REQUESTED, "request_review"): IN_REVIEW,
    (IN_REVIEW, "request_changes"): CHANGES_REQUESTED,
    (IN_REVIEW, "approve"): APPROVED,
    (APPROVED, "declare"): DECLARED,
}

ACTION_LABELS = {
    "request_review": _("提请专家审查"),
    "request_changes": _("退回修改"),
    "approve": _("审查通过"),
    "declare": _("自我声明公开"),
    "edit": _("修改"),
}

#: States in which the enterprise (or its station) may edit the content.
EDITABLE = frozenset({DRAFT, CHANGES_REQUESTED})


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(
            _("草案当前状态为“%(state)s”，不能%(action)s。")
            % {"state": STATUS_LABELS.get(state, state), "action": ACTION_LABELS.get(action, action)},
            field="status",
        ) from None
