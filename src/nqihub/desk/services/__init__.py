"""Writes of the service desk. One function per business action: it checks who may do it, locks the
request row (``select_for_update``), checks the transition inside the lock, writes the timeline event and
the audit entry in the same transaction and queues notifications (and the statistics upkeep) for after the
commit.

Callers pass a request they fetched through ``selectors`` (so it is in their scope); the services re-read
and lock it.

One module per concern; callers use ``nqihub.desk.services.<name>`` (re-exported here):
``_common`` (who may do what, whom to tell, timeline and audit), ``intake``, ``triage`` (route, accept,
reject, re-route), ``assignments`` (dispatch and work orders), ``resolution`` (resolve, rate, withdraw,
close), ``rectification``, ``work`` (notes, links), ``attachments``, ``sweep`` (deadlines).
"""

from nqihub.core.errors import DomainError, PermissionDenied, ValidationFailed

from .. import deadlines, routing, states
from ._common import (
    _users_of,  # drafting finds the people of an organisation the same way
    assignee_users,
    can_triage,
    enterprise_users,
    is_admin,
    is_assignee,
    is_enterprise_user,
    is_platform_handler,
    is_regulator_of,
    is_station_staff,
    regulator_users,
    request_url,
    sees_internal,
    station_users,
)
from .assignees import (
    Contact,
    assignment_rate,
    contact_view,
    ratable,
    sees_contact,
)
from .assignments import (
    AssigneeSpec,
    IllegalAssignmentTransition,
    assignment_accept,
    assignment_complete,
    assignment_decline,
    assignment_reassign,
    request_dispatch,
)
from .attachments import ALLOWED_TYPES, DEFAULT_MAX_BYTES, attachment_add, attachment_max_bytes, check_upload
from .intake import RequestData, request_create, request_validate
from .rectification import rectification_callback, rectification_respond
from .resolution import Resolution, request_close, request_rate, request_resolve, request_withdraw
from .sweep import OVERDUE_LABELS, escalation_region, sweep_deadlines
from .triage import compute_route, request_accept, request_reject, request_reroute, station_descriptors
from .work import link_add, note_add

__all__ = [
    "Contact",
    "assignment_rate",
    "contact_view",
    "ratable",
    "sees_contact",
    "ALLOWED_TYPES",
    "DEFAULT_MAX_BYTES",
    "OVERDUE_LABELS",
    "AssigneeSpec",
    "DomainError",
    "IllegalAssignmentTransition",
    "PermissionDenied",
    "RequestData",
    "Resolution",
    "ValidationFailed",
    "_users_of",
    "assignee_users",
    "assignment_accept",
    "assignment_complete",
    "assignment_decline",
    "assignment_reassign",
    "attachment_add",
    "attachment_max_bytes",
    "can_triage",
    "check_upload",
    "compute_route",
    "enterprise_users",
    "escalation_region",
    "is_admin",
    "is_assignee",
    "is_enterprise_user",
    "is_platform_handler",
    "is_regulator_of",
    "is_station_staff",
    "link_add",
    "note_add",
    "rectification_callback",
    "rectification_respond",
    "regulator_users",
    "request_accept",
    "request_close",
    "request_create",
    "request_dispatch",
    "request_rate",
    "request_reject",
    "request_reroute",
    "request_resolve",
    "request_url",
    "request_validate",
    "request_withdraw",
    "sees_internal",
    "station_descriptors",
    "station_users",
    "sweep_deadlines",
    "deadlines",
    "routing",
    "states",
]
