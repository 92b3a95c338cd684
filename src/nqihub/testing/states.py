"""The test-order state machine, with no Django in it: (state, action) → next state.

draft → submitted → sample_received → testing → results_entered → reviewed → approved → issued, plus

- cancel: by the client before the lab has the samples, by the lab until results are signed;
- reject: the lab refuses the samples (拒收), with a reason;
- return: the reviewer (from results_entered) or the approver (from reviewed) sends items back for retest;
- revise: an issued report is corrected — the order goes back to testing, and the next issue is a new
  revision that supersedes the report issued before.

Which person may take an action is decided in ``services`` (roles); this table only says what may follow
what.
"""

DRAFT = "draft"
SUBMITTED = "submitted"
SAMPLE_RECEIVED = "sample_received"
TESTING = "testing"
RESULTS_ENTERED = "results_entered"
REVIEWED = "reviewed"
APPROVED = "approved"
ISSUED = "issued"
CANCELLED = "cancelled"
REJECTED = "rejected"

ORDER = (DRAFT, SUBMITTED, SAMPLE_RECEIVED, TESTING, RESULTS_ENTERED, REVIEWED, APPROVED, ISSUED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "submit"): SUBMITTED,
    (DRAFT, "cancel"): CANCELLED,
    (SUBMITTED, "receive"): SAMPLE_RECEIVED,
    (SUBMITTED, "reject"): REJECTED,
    (SUBMITTED, "cancel"): CANCELLED,
    (SAMPLE_RECEIVED, "start"): TESTING,
    (SAMPLE_RECEIVED, "cancel"): CANCELLED,
    (TESTING, "complete"): RESULTS_ENTERED,
    (TESTING, "cancel"): CANCELLED,
    (RESULTS_ENTERED, "review"): REVIEWED,
    (RESULTS_ENTERED, "return"): TESTING,
    (REVIEWED, "approve"): APPROVED,
    (REVIEWED, "return"): TESTING,
    (APPROVED, "issue"): ISSUED,
    (ISSUED, "revise"): TESTING,
}

#: Actions that need a reason.
REASON_REQUIRED = frozenset({"cancel", "reject", "return", "revise"})

#: States in which nothing about the order may change any more (an issued order changes only by "revise").
FINAL = frozenset({CANCELLED, REJECTED})

#: States in which the client may still edit samples and items.
CLIENT_EDITABLE = frozenset({DRAFT})
#: States in which the lab may edit items (requirement, unit, method) and enter results.
LAB_EDITABLE = frozenset({SAMPLE_RECEIVED, TESTING})


class IllegalTransition(Exception):
    def __init__(self, state: str, action: str):
        super().__init__(f"{action} not allowed in {state}")
        self.state = state
        self.action = action


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None


def allowed_actions(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]


def needs_reason(action: str) -> bool:
    return action in REASON_REQUIRED
