"""Who hears of what (issue 17 item 2): an enterprise's users hear of the milestones of their own
requests, orders and records (accepted, assigned, report issued, resolved, please rate …), never of the
steps inside a station or a laboratory (a reviewer's return reason, internal notes, work assigned to an
expert, sign-off requests).

The rule is applied once, in ``services.deliver``, whatever app called ``notify``: an event outside
``CUSTOMER_EVENTS`` never reaches a user whose only role is enterprise user, and an event that is a
customer event only at some steps (``STEP_CHECKS``) is checked against the record's state when it is
delivered (after the commit, so the state is the one the event is about).
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps

#: Events an enterprise's users may receive.
CUSTOMER_EVENTS = frozenset(
    {
        "desk.request.status_changed",
        "desk.request.rating_requested",
        "testing.report_issued",
        "testing.order.status_changed",
        "metrology.reminder",
        "metrology.booking",
        "certification.reminder",
        "cooperatives.member.changed",
        "cooperatives.nonconformity",
        "cooperatives.testing_plan",
        "standards.changed",
        "accounts.login.attacked",
        "drafting.draft.status_changed",
        "cases.consent_requested",
    }
)

#: Test order states an enterprise hears of: received, accepted (sample received), report issued, ended.
#: Testing, results entered, reviewed, approved and a return for retest are the laboratory's own steps.
CUSTOMER_ORDER_STATES = frozenset({"submitted", "sample_received", "issued", "cancelled", "rejected"})
#: Desk request events that are the station's business: moving the request to another station.
INTERNAL_REQUEST_STEPS = frozenset({"reroute"})


def _order_step_is_public(object_id: str) -> bool:
    order = apps.get_model("testing", "TestOrder")
    status = order.objects.filter(pk=object_id).values_list("status", flat=True).first()
    return status in CUSTOMER_ORDER_STATES


def _request_step_is_public(object_id: str) -> bool:
    event = apps.get_model("desk", "Event")
    kind = (
        event.objects.filter(request_id=object_id, internal=False)
        .exclude(kind__in=["note_added", "attachment_added", "link_added"])
        .order_by("-at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return kind not in INTERNAL_REQUEST_STEPS


#: (event, object type) → whether the record's current step is one its enterprise may hear of.
STEP_CHECKS: dict[tuple[str, str], Callable[[str], bool]] = {
    ("testing.order.status_changed", "testing.testorder"): _order_step_is_public,
    ("desk.request.status_changed", "desk.servicerequest"): _request_step_is_public,
}


def enterprise_only(user_ids) -> set[int]:
    """The users among ``user_ids`` whose every membership is an enterprise user's (one query)."""
    membership = apps.get_model("core", "Membership")
    roles: dict[int, set[str]] = {}
    for user_id, role in membership.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    return {uid for uid, held in roles.items() if held == {membership.Role.ENTERPRISE_USER}}


def customer_facing(event: str, object_type: str, object_id: str) -> bool:
    if event not in CUSTOMER_EVENTS:
        return False
    check = STEP_CHECKS.get((event, object_type))
    if check is None or not object_id:
        return True
    return check(object_id)


def filter_recipients(user_ids: list[int], *, event: str, object_type: str, object_id: str) -> list[int]:
    """``user_ids`` without the enterprise users who must not hear of this event."""
    customers = enterprise_only(user_ids)
    if not customers or customer_facing(event, object_type, object_id):
        return user_ids
    return [uid for uid in user_ids if uid not in customers]
