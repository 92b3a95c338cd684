"""Statistics upkeep (the periodic job ``stats.upkeep``): whatever bypassed the save signal — a bulk update,
a request deleted by raw SQL, a station's service area changed — is found and repaired, after which the
tables equal a rebuild from scratch; with nothing drifted it changes nothing."""

import io

from django.core.management import call_command
from django.db import connection

from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import StationArea
from nqihub.stats import rollups, upkeep

from .conftest import random_history
from .test_rollups import snapshot


def test_nothing_drifted_nothing_changes(make_request):
    random_history(make_request, 7)
    before = snapshot()
    assert upkeep.reconcile() == {"checked": 0, "repaired": 0, "removed": 0}
    assert snapshot() == before


def test_writes_that_bypassed_the_signals_are_repaired(make_request):
    random_history(make_request, 8)
    requests = list(ServiceRequest.objects.order_by("pk"))
    # A bulk update (no save signal): an outcome and an overdue flag change, a rating appears.
    ServiceRequest.objects.filter(pk=requests[0].pk).update(is_overdue=not requests[0].is_overdue)
    ServiceRequest.objects.filter(pk=requests[1].pk).update(cost_saved=12345)
    # A request deleted behind the ORM's back (no signal, no cascade).
    ServiceRequest.objects.filter(pk=requests[2].pk)._raw_delete(connection.alias)
    # A station no longer covers a county it served (where those requests count changes).
    served = next(r for r in requests[3:] if r.station_id)
    StationArea.objects.filter(station_id=served.station_id, region_id=served.region_id).delete()
    drifted = snapshot()

    out = io.StringIO()
    call_command("stats_upkeep", stdout=out)
    assert "stats.upkeep: {'checked':" in out.getvalue()
    repaired = snapshot()
    assert repaired != drifted
    rollups.rebuild()
    assert snapshot() == repaired  # equal to a rebuild from scratch
    assert upkeep.reconcile() == {"checked": 0, "repaired": 0, "removed": 0}
