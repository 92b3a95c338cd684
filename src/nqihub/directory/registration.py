"""What enterprise self-registration (``accounts.registration``) asks of the directory: the USCC check, the
enterprise with a code, a new enterprise on confirmation, and the stations serving a county. accounts sits
below directory (import contract ``layers``), so the directory hands these over from its
``AppConfig.ready`` (``accounts.registration.connect_directory``)."""

from nqihub.accounts.registration import DirectoryHooks

from . import uscc
from .models import Enterprise, StationArea


def enterprise_with_uscc(code: str) -> Enterprise | None:
    return Enterprise.objects.filter(uscc=code).select_related("region").first()


def create_enterprise(*, organisation, uscc: str, name: str, region) -> Enterprise:
    return Enterprise.objects.create(organisation=organisation, uscc=uscc, name=name, region=region)


def station_areas_of(region_id: str):
    """The service-area rows of the stations that serve this county."""
    return StationArea.objects.filter(region_id=region_id)


def counties_served_by(station_org_ids):
    """The county codes served by the stations of these organisations (a subquery)."""
    return StationArea.objects.filter(station__organisation_id__in=station_org_ids).values("region_id")


HOOKS = DirectoryHooks(
    check_uscc=uscc.check,
    enterprise_with_uscc=enterprise_with_uscc,
    create_enterprise=create_enterprise,
    station_areas_of=station_areas_of,
    counties_served_by=counties_served_by,
)
