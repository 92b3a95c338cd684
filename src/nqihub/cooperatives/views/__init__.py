"""HTML pages of the cooperatives app. Thin: reads through ``selectors`` (outside the user's scope is a
404), writes through ``services`` (not allowed is a 403, a refused transition a message).

By concern: ``cooperatives`` (list, overview, profile, members), ``plans`` (quality-control plans),
``inspections`` (inspections and non-conformities), ``testing`` (the free testing plan, pass
rates), ``standards`` (shared standards, label templates); ``_common`` is what they share. ``urls.py``
names the modules; the views are re-exported here too.
"""

from .cooperatives import (
    cooperative_detail,
    cooperative_edit,
    cooperative_list,
    member_action,
    member_apply,
    member_detail,
    member_invite,
)
from .inspections import (
    inspect_start,
    inspection_detail,
    inspection_list,
    inspection_record,
    nc_detail,
    nc_list,
)
from .plans import checkpoint_add, item_add, item_delete, plan_active, plan_detail, plan_list
from .standards import _fields_text, label_template, standard_add, standard_remove
from .testing import (
    pass_rates,
    testing_lab,
    testing_line_add,
    testing_line_delete,
    testing_order,
    testing_plan,
    testing_plans,
)

__all__ = [
    "_fields_text",
    "checkpoint_add",
    "cooperative_detail",
    "cooperative_edit",
    "cooperative_list",
    "inspect_start",
    "inspection_detail",
    "inspection_list",
    "inspection_record",
    "item_add",
    "item_delete",
    "label_template",
    "member_action",
    "member_apply",
    "member_detail",
    "member_invite",
    "nc_detail",
    "nc_list",
    "pass_rates",
    "plan_active",
    "plan_detail",
    "plan_list",
    "standard_add",
    "standard_remove",
    "testing_lab",
    "testing_line_add",
    "testing_line_delete",
    "testing_order",
    "testing_plan",
    "testing_plans",
]
