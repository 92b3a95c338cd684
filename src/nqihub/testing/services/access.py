"""Who is who on an order (the client side, the lab's staff and lab roles), who may edit it, and whom to
tell."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nqihub.core import policy
from nqihub.core.errors import PermissionDenied
from nqihub.core.models import Membership, Organisation
from nqihub.core.policy import require
from nqihub.core.scoping import scope_of
from nqihub.directory.models import Enterprise, Institution

from .. import cooperation, states
from ..models import LabRole, OrderStatus, Origin, TestOrder
from .base import Immutable

# --- who is who -------------------------------------------------------------------------------------------


def _member(user, org_id: int | None, role: str) -> bool:
    return policy.has_role(user, org_id, role)


def is_admin(user) -> bool:
    return scope_of(user).is_admin


def is_lab_staff(user, lab: Institution) -> bool:
    return _member(user, lab.organisation_id, Membership.Role.INSTITUTION_STAFF)


def lab_roles(user, lab: Institution) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    if not is_lab_staff(user, lab):
        return set()
    return set(LabRole.objects.filter(user=user, institution=lab).values_list("role", flat=True))


def can_manage_lab(user, lab: Institution) -> bool:
    return is_admin(user) or LabRole.Role.MANAGER in lab_roles(user, lab)


def _cooperative_member(cooperative: Organisation, enterprise: Enterprise) -> bool | None:
    """Whether the enterprise is an active member of the cooperative; None when no app keeps member lists
    (``testing.cooperation``: the cooperatives app registers its member query)."""
    return cooperation.is_active_member(cooperative.pk, enterprise.pk)


def client_origin(user, enterprise: Enterprise, cooperative: Organisation | None = None) -> str | None:
    """How ``user`` may place an order for ``enterprise`` (an ``Origin``), or None when it may not."""
    if cooperative is not None:
        if _member(user, cooperative.pk, Membership.Role.COOPERATIVE_ADMIN) or is_admin(user):
            return Origin.COOPERATIVE
        return None
    if _member(user, enterprise.organisation_id, Membership.Role.ENTERPRISE_USER):
        return Origin.ENTERPRISE
    if policy.station_covers(user, enterprise.region_id):
        return Origin.STATION
    if policy.regulates(user, enterprise.region_id) or is_admin(user):
        return Origin.REGULATOR
    return None


def is_client(user, order: TestOrder) -> bool:
    """The client side of an order: who placed it, the enterprise's users, the cooperative's admins, the
    stations serving the enterprise, the regulators of its region."""
    if not getattr(user, "is_authenticated", False):
        return False
    if order.created_by_id == user.pk or is_admin(user):
        return True
    if order.cooperative_id and _member(user, order.cooperative_id, Membership.Role.COOPERATIVE_ADMIN):
        return True
    if _member(user, order.enterprise.organisation_id, Membership.Role.ENTERPRISE_USER):
        return True
    return policy.station_covers(user, order.region_id) or policy.regulates(user, order.region_id)


# --- people to tell ----------------------------------------------------------------------------------------


def _users(**filters):
    from nqihub.accounts.models import User

    return list(User.objects.filter(is_active=True, **filters).distinct())


def client_users(order: TestOrder) -> list:
    users = _users(
        memberships__organisation_id=order.enterprise.organisation_id,
        memberships__role=Membership.Role.ENTERPRISE_USER,
    )
    if order.cooperative_id:
        users += _users(
            memberships__organisation_id=order.cooperative_id,
            memberships__role=Membership.Role.COOPERATIVE_ADMIN,
        )
    if order.service_request_id and order.service_request.station_id:
        users += _users(
            memberships__organisation_id=order.service_request.station.organisation_id,
            memberships__role=Membership.Role.STATION_STAFF,
        )
    if order.created_by_id and order.created_by.is_active:
        users.append(order.created_by)
    return users


def lab_users(order: TestOrder, role: str | None = None) -> list:
    filters = {
        "memberships__organisation_id": order.lab.organisation_id,
        "memberships__role": Membership.Role.INSTITUTION_STAFF,
    }
    if role:
        filters.update({"lab_roles__institution_id": order.lab_id, "lab_roles__role": role})
    return _users(**filters)


def order_url(order: TestOrder) -> str:
    return f"/testing/orders/{order.pk}/"


# --- who may edit -------------------------------------------------------------------------------------------


def _client_edit(order: TestOrder, by) -> None:
    require(is_client(by, order), _("您无权修改该委托单。"))
    if order.status == states.ISSUED:
        raise Immutable(_("报告已出具，委托单不能再修改；如需更正请由实验室修订报告。"))
    if order.status not in states.CLIENT_EDITABLE:
        raise Immutable(
            _("委托单已提交（当前“%(s)s”），不能再修改。") % {"s": OrderStatus(order.status).label}
        )


def _may_edit_items(order: TestOrder, by) -> None:
    """Items and samples: the client while a draft, the lab's staff while it has the samples."""
    if order.status == states.ISSUED:
        raise Immutable(_("报告已出具，不能修改；如需更正请修订报告。"))
    if order.status in states.CLIENT_EDITABLE and is_client(by, order):
        return
    if order.status in states.LAB_EDITABLE and is_lab_staff(by, order.lab):
        return
    if is_client(by, order) or is_lab_staff(by, order.lab):
        raise Immutable(_("委托单当前为“%(s)s”，不能修改。") % {"s": OrderStatus(order.status).label})
    raise PermissionDenied(_("您无权修改该委托单。"))


def _lab_staff_required(order: TestOrder, by, what: str) -> None:
    require(
        is_lab_staff(by, order.lab),
        _("只有 %(lab)s 的人员可以%(what)s。") % {"lab": order.lab.name, "what": what},
    )


def _role_required(order: TestOrder, by, role: str) -> None:
    if role not in lab_roles(by, order.lab):
        raise PermissionDenied(
            _("您在 %(lab)s 没有“%(role)s”角色。") % {"lab": order.lab.name, "role": LabRole.Role(role).label}
        )
