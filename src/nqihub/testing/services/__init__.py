"""Writes of the testing app: one function per business action, each in one transaction, each checking who
may do it, each audited (``testing.order.<action>``) and, where someone should hear of it, notified after
the commit.

Who does what:

- the client side — the enterprise's own users, station staff for enterprises of their service area (from
  a service request), a cooperative's admins for its members, regulators of the region (supervision) —
  creates an order, edits it while it is a draft, submits or cancels it;
- the lab's staff (members of the lab's organisation) receive or reject the samples; people with a lab
  role (``LabRole``) enter results (检测), review (审核) and approve (批准) — three different people — and
  the approver or the lab manager issues the report and starts a revision;
- lab managers (and platform admins) assign the lab roles.

One module per concern; callers use ``nqihub.testing.services.<name>`` (re-exported here): ``base``
(limits, sign-off levels, ``Immutable``), ``access`` (who is who, who may edit, whom to tell), ``events``
(lock, move along the state table, record, audit, notify), ``codes`` (order numbers, report prefix, check
codes), ``capability`` (lab coverage, method standards, requirements, input cleaning), ``judging``,
``orders`` (create, samples, photos), ``items``, ``workflow`` (submit to approve, returns), ``results``,
``reports`` (issue, revise, frozen data), ``labs`` (lab roles, report prefix), ``verification``, and
``actions`` (an action by its name, for the order page and the API).
"""

from nqihub.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from nqihub.core.numbering import next_value

from .access import (
    can_manage_lab,
    client_origin,
    client_users,
    is_admin,
    is_client,
    is_lab_staff,
    lab_roles,
    lab_users,
    order_url,
)
from .actions import ACTIONS, order_act
from .base import (
    CHECK_ALPHABET,
    CHECK_LENGTH,
    MAX_ITEMS,
    MAX_SAMPLES,
    METHOD_MAX,
    PARAMETER_MAX,
    PHOTO_TYPES,
    PRODUCT_MAX,
    REASON_MAX,
    REMARKS_MAX,
    REQUIREMENT_MAX,
    RESULT_MAX,
    SIGN_PRINTED,
    SIGN_ROLE,
    TEXT_MAX,
    UNIT_MAX,
    Immutable,
)
from .capability import (
    lab_covers,
    method_warning,
    resolve_standard,
    standard_requirement,
    uncovered,
)
from .codes import (
    new_check_code,
    normalise_check_code,
    report_prefix,
)
from .events import (
    ACTION_LABELS,
    quiet,
    states_check,
)
from .items import (
    item_add,
    item_remove,
    item_update,
    items_from_standard,
)
from .judging import (
    conclusion_of,
    conclusion_text,
)
from .labs import (
    lab_prefix_set,
    lab_role_set,
)
from .orders import (
    order_create,
    photo_add,
    request_items,
    sample_add,
    sample_remove,
)
from .reports import (
    order_revise,
    public_base_url,
    render_pdf,
    report_data,
    report_issue,
    verify_path,
)
from .results import (
    results_enter,
    results_upload,
    unjudged_items,
)
from .verification import (
    VerifyResult,
    verify,
)
from .workflow import (
    order_approve,
    order_cancel,
    order_complete,
    order_receive,
    order_reject,
    order_return,
    order_review,
    order_start,
    order_submit,
)

__all__ = [
    "ACTIONS",
    "order_act",
    "ACTION_LABELS",
    "CHECK_ALPHABET",
    "CHECK_LENGTH",
    "DomainError",
    "IllegalTransition",
    "Immutable",
    "MAX_ITEMS",
    "MAX_SAMPLES",
    "METHOD_MAX",
    "PARAMETER_MAX",
    "PHOTO_TYPES",
    "PRODUCT_MAX",
    "PermissionDenied",
    "REASON_MAX",
    "REMARKS_MAX",
    "REQUIREMENT_MAX",
    "RESULT_MAX",
    "SIGN_PRINTED",
    "SIGN_ROLE",
    "TEXT_MAX",
    "UNIT_MAX",
    "ValidationFailed",
    "VerifyResult",
    "can_manage_lab",
    "client_origin",
    "client_users",
    "conclusion_of",
    "conclusion_text",
    "is_admin",
    "is_client",
    "is_lab_staff",
    "item_add",
    "item_remove",
    "item_update",
    "items_from_standard",
    "lab_covers",
    "lab_prefix_set",
    "lab_role_set",
    "lab_roles",
    "lab_users",
    "method_warning",
    "new_check_code",
    "next_value",
    "normalise_check_code",
    "order_approve",
    "order_cancel",
    "order_complete",
    "order_create",
    "request_items",
    "order_receive",
    "order_reject",
    "order_return",
    "order_review",
    "order_revise",
    "order_start",
    "order_submit",
    "order_url",
    "photo_add",
    "public_base_url",
    "quiet",
    "render_pdf",
    "report_data",
    "report_issue",
    "report_prefix",
    "resolve_standard",
    "results_enter",
    "results_upload",
    "sample_add",
    "sample_remove",
    "standard_requirement",
    "states_check",
    "uncovered",
    "unjudged_items",
    "verify",
    "verify_path",
]
