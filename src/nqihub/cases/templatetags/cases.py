from django import template

from nqihub.cases import services
from nqihub.core.scoping import scope_of

register = template.Library()


@register.filter
def can_draft_case(user, req) -> bool:
    """``{% if request.user|can_draft_case:req %}``: station staff of the request's station (or a platform
    admin) on a resolved / rated / closed request may draft a typical case from it."""
    if not getattr(user, "is_authenticated", False) or req.status not in services.RESOLVED_STATES:
        return False

    return scope_of(user).is_admin or services.is_station_staff_of(user, req.station_id)
