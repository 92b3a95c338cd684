"""Statistics upkeep.

Per request: the desk services call ``request_changed(req)`` whenever they create or change a request; after
the commit (nothing is counted for a rolled-back action) ``refresh_request`` re-reads the request under its row
lock and applies the difference of its contribution (``rollups.apply_request``), or removes it when the request
is gone. Bulk writers (the demo, the bench) call ``rollups.rebuild`` instead.

Periodic (job ``stats.upkeep``, ``manage.py stats_upkeep``): find the service requests whose
stored ``Fact`` differs from what the request says now — writes that bypassed the services (bulk updates,
raw SQL, a restore), a station's service area that changed since (it decides where a request counts) — and
requests without a fact or facts without a request; bring each back in line through the incremental path
(``rollups.apply_request`` / ``remove_request``), so the rollups equal a rebuild again.

The comparison is one SQL statement (the rebuild's own SELECT ``EXCEPT`` the stored rows): a scan of both
tables, minutes at 10 M requests on PostgreSQL, run daily. ``--full`` rebuilds everything instead.
"""

from __future__ import annotations

import functools
import logging

from django.db import connection, transaction

from nqihub.desk.models import ServiceRequest

from . import rollups
from .models import Fact

logger = logging.getLogger(__name__)
BATCH = 1000


def request_changed(req, *, later=None) -> None:
    """Queue the statistics upkeep of ``req`` (a request or its id) for after the commit: with ``later``
    (the desk gathers an action's after-commit steps) or ``transaction.on_commit``. A failure there is
    logged, not raised: the action stands and the periodic upkeep repairs the figures."""
    pk = getattr(req, "pk", req)
    step = functools.partial(refresh_request, pk)
    if later is not None:
        later(step)
    else:
        transaction.on_commit(step, robust=True)


@transaction.atomic
def refresh_request(pk: int) -> None:
    """Bring the rollups in line with request ``pk`` as stored now (removed when it no longer exists)."""
    req = ServiceRequest.objects.select_for_update().filter(pk=pk).first()
    if req is None:
        rollups.remove_request(pk)
    else:
        rollups.apply_request(req)


def drifted_request_ids() -> list[int]:
    """Requests whose fact is missing or differs from the request."""
    # Built from this module's constants only.
    sql = f"SELECT * FROM ({rollups.facts_select_sql()} EXCEPT SELECT {rollups.FACT_COLUMNS} FROM stats_fact) drift"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted({row[0] for row in cursor.fetchall()})


def orphan_fact_ids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.request_id FROM stats_fact f WHERE NOT EXISTS "
            "(SELECT 1 FROM desk_servicerequest r WHERE r.id = f.request_id)"
        )
        return [row[0] for row in cursor.fetchall()]


def _fact(pk: int):
    return Fact.objects.filter(request_id=pk).values().first()


def reconcile() -> dict:
    """Repair what drifted; returns counts (``checked`` requests found different, ``repaired`` facts that
    changed, ``removed`` orphan facts)."""
    drifted = drifted_request_ids()
    repaired = 0
    for start in range(0, len(drifted), BATCH):
        for req in ServiceRequest.objects.filter(pk__in=drifted[start : start + BATCH]):
            before = _fact(req.pk)
            rollups.apply_request(req)
            if _fact(req.pk) != before:
                repaired += 1
    orphans = orphan_fact_ids()
    for pk in orphans:
        rollups.remove_request(pk)
    if repaired or orphans:
        logger.warning("statistics upkeep repaired %s fact(s), removed %s orphan(s)", repaired, len(orphans))
    return {"checked": len(drifted), "repaired": repaired, "removed": len(orphans)}
