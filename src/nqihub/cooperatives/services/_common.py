"""Who may do what in a cooperative, and the small input helpers every services module uses."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from nqihub.core import policy
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Membership
from nqihub.core.scoping import scope_of
from nqihub.directory.models import Enterprise

from ..models import Cooperative

# --- who may do what -------------------------------------------------------------------------------------


def is_staff_of(user, cooperative: Cooperative) -> bool:
    """The cooperative's own staff, or a platform admin."""
    scope = scope_of(user)
    return scope.is_admin or policy.acts_for(user, cooperative.organisation_id)


def regulates(user, cooperative: Cooperative) -> bool:
    scope = scope_of(user)
    return scope.is_admin or any(cooperative.region_id.startswith(p) for p in scope.regulator_prefixes)


def speaks_for(user, enterprise: Enterprise) -> bool:
    """The user is a member of the enterprise's organisation."""
    return policy.acts_for(user, enterprise.organisation_id)


def staff_users(cooperative: Cooperative):
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation_id=cooperative.organisation_id,
            memberships__role=Membership.Role.COOPERATIVE_ADMIN,
        )
        .distinct()
    )


def enterprise_users(enterprise: Enterprise):
    return get_user_model().objects.filter(memberships__organisation_id=enterprise.organisation_id).distinct()


def _lock(obj, *related: str):
    """``obj`` read again and locked for the rest of the transaction, with ``related`` selected."""
    return type(obj).objects.select_for_update(of=("self",)).select_related(*related).get(pk=obj.pk)


def _clean(text, max_length: int, field: str, label: str, errors: dict, *, required: bool = False) -> str:
    value = " ".join(str(text or "").split()) if max_length <= 500 else str(text or "").strip()
    if required and not value:
        errors[field] = _("请填写%(label)s。") % {"label": label}
    elif len(value) > max_length:
        errors[field] = _("%(label)s不能超过%(n)d个字符。") % {"label": label, "n": max_length}
    return value


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)
