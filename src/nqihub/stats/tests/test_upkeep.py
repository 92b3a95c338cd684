"""Statistics upkeep (the periodic job ``stats.upkeep``): whatever bypassed the desk services — a bulk update,
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
    # A bulk update (no upkeep call): an outcome and an overdue flag change, a rating appears.
    ServiceRequest.objects.filter(pk=requests[0].pk).update(is_overdue=not requests[0].is_overdue)
    ServiceRequest.objects.filter(pk=requests[1].pk).update(cost_saved=12345)
    # A request deleted behind the ORM's back (no upkeep call, no cascade).
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


def test_desk_services_keep_the_statistics_after_the_commit(db, django_capture_on_commit_callbacks):
    """No signal: the desk services queue the upkeep of the request they wrote; it runs after the commit."""
    from nqihub.accounts.models import User
    from nqihub.desk import services
    from nqihub.desk.tests.helpers import ids, shelf_life_request
    from nqihub.stats.models import Fact

    station = User.objects.get(username="station_lz")
    with django_capture_on_commit_callbacks() as queued:
        req = services.request_create(
            data=services.RequestData(**shelf_life_request()), by=User.objects.get(username="ent_shanyuan")
        )
    assert not Fact.objects.filter(request_id=req.pk).exists()  # not before the commit
    for callback in queued:
        callback()
    assert Fact.objects.get(request_id=req.pk).accepted_month is None
    with django_capture_on_commit_callbacks(execute=True):
        services.request_accept(request=req, by=station)
        (a,) = services.request_dispatch(
            request=req, assignees=[services.AssigneeSpec("expert", ids()["wei"])], by=station
        )
        services.assignment_accept(assignment=a, by=User.objects.get(username="expert_lz"))
        services.assignment_complete(assignment=a, by=User.objects.get(username="expert_lz"), result="已指导")
        services.request_resolve(
            request=req,
            resolution=services.Resolution(outcome="solved", summary="已解决", cost_saved="10"),
            by=station,
        )
    fact = Fact.objects.get(request_id=req.pk)
    assert fact.accepted_month is not None and fact.outcome == "solved" and fact.cost_saved_fen == 1000
    assert upkeep.reconcile() == {"checked": 0, "repaired": 0, "removed": 0}
