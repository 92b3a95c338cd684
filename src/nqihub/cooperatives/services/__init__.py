"""Writes of the cooperatives app. Each business action runs in one transaction, checks who may do it,
writes the audit entry and notifies after commit.

Who does what (SPEC §2, §9):

* the cooperative's staff (members of its ``Organisation``, role cooperative_admin) and platform admins
  edit the profile, invite / admit / reject / remove members, manage plans, the testing plan, the shared
  standards and label templates, and may record inspections for members;
* an enterprise user applies to join (accepting the commitment and naming a quality officer), accepts or
  declines an invitation, leaves, changes its quality officer, records inspections and handles its
  non-conformities;
* regulators read (selectors) and write nothing here.

The writes are split by concern (``members``, ``plans``, ``inspections``, ``testing_plans``, ``standards``;
``_common`` holds who-may-do-what); this package re-exports them, so ``services.member_admit(...)`` and
``from nqihub.cooperatives.services import lab_lines`` keep working. ``order_service`` is looked up
through this package by ``testing_plan_order``, so patching ``services.order_service`` takes effect.
"""

from nqihub.core.errors import IllegalTransition, PermissionDenied, ValidationFailed

from ._common import enterprise_users, is_staff_of, regulates, speaks_for, staff_users
from .inspections import (
    NC_DUE_WORKING_DAYS,
    can_record_for,
    inspection_record,
    judge,
    nonconformity_close,
    nonconformity_plan,
)
from .members import (
    PHONE_RE,
    TRANSITIONS,
    allowed_actions,
    cooperative_update,
    member_accept_invitation,
    member_admit,
    member_apply,
    member_confirm_commitment,
    member_decline,
    member_invite,
    member_leave,
    member_reject,
    member_set_officer,
    pending_for_staff,
)
from .plans import checkpoint_add, item_add, item_delete, plan_create, plan_set_active, validate_item
from .standards import (
    label_categories,
    label_category_choices,
    label_template_save,
    parse_label_fields,
    shared_standard_add,
    shared_standard_remove,
)
from .testing_plans import (
    MAX_ITEMS_PER_LINE,
    clean_items,
    lab_lines,
    order_service,
    own_limits,
    plan_parameters,
    testing_plan_add_line,
    testing_plan_create,
    testing_plan_order,
    testing_plan_remove_line,
    testing_plan_set_lab,
    uncovered,
)

__all__ = [
    "MAX_ITEMS_PER_LINE",
    "NC_DUE_WORKING_DAYS",
    "PHONE_RE",
    "TRANSITIONS",
    "IllegalTransition",
    "PermissionDenied",
    "ValidationFailed",
    "allowed_actions",
    "can_record_for",
    "checkpoint_add",
    "clean_items",
    "cooperative_update",
    "enterprise_users",
    "inspection_record",
    "is_staff_of",
    "item_add",
    "item_delete",
    "judge",
    "lab_lines",
    "label_categories",
    "label_category_choices",
    "label_template_save",
    "member_accept_invitation",
    "member_admit",
    "member_apply",
    "member_confirm_commitment",
    "member_decline",
    "member_invite",
    "member_leave",
    "member_reject",
    "member_set_officer",
    "nonconformity_close",
    "nonconformity_plan",
    "order_service",
    "own_limits",
    "parse_label_fields",
    "pending_for_staff",
    "plan_create",
    "plan_parameters",
    "plan_set_active",
    "regulates",
    "shared_standard_add",
    "shared_standard_remove",
    "speaks_for",
    "staff_users",
    "testing_plan_add_line",
    "testing_plan_create",
    "testing_plan_order",
    "testing_plan_remove_line",
    "testing_plan_set_lab",
    "uncovered",
    "validate_item",
]
