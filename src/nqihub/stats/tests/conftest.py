import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone


def save(req) -> None:
    """Write a request the way the desk services do: ``save()``, then the statistics upkeep (which the
    services queue for after the commit; run at once here, inside the test's transaction)."""
    from nqihub.stats import upkeep

    req.save()
    upkeep.refresh_request(req.pk)


def delete(req) -> None:
    from nqihub.stats import upkeep

    pk = req.pk
    req.delete()
    upkeep.refresh_request(pk)


@pytest.fixture
def make_request(db):
    """``make_request(enterprise, created_at=…, station=…, **fields)`` → a saved ServiceRequest, the rollups kept."""
    from nqihub.desk.models import ServiceRequest

    counter = iter(range(1, 10**6))

    def make(
        enterprise, *, created_at=None, station=None, handling_region=None, categories=",testing,", **fields
    ):
        today = timezone.localdate()
        req = ServiceRequest(
            number=f"T-{next(counter):06d}",
            enterprise=enterprise,
            region_id=enterprise.region_id,
            categories=categories,
            industry_id=fields.pop("industry_id", enterprise.industry_id),
            title="测试需求",
            description="测试",
            station=station,
            handling_region_id=handling_region,
            routing_level="station" if station else "city",
            routing_reason="测试",
            accept_by=today,
            respond_by=today,
            resolve_by=today,
            **fields,
        )
        save(req)
        if created_at is not None:
            req.created_at = created_at
            save(req)
        return req

    return make


def random_history(make_request, seed: int, n: int = 30):
    """``n`` requests with random life cycles, written step by step like the desk does (``save``: the row, then the statistics upkeep):
    accept, reroute (also to a station outside the enterprise's area), resolve, rate, overdue, delete."""
    from nqihub.directory.models import Enterprise, Station

    rng = random.Random(seed)
    enterprises = list(Enterprise.objects.filter(is_demo=True).order_by("pk"))
    stations = list(Station.objects.order_by("pk"))
    tz = timezone.get_current_timezone()
    made = []
    for _ in range(n):
        ent = rng.choice(enterprises)
        created = datetime.datetime(
            2025,
            rng.randint(1, 12),
            rng.randint(1, 28),
            rng.randint(0, 23),
            rng.randint(0, 59),
            rng.randint(0, 59),
            rng.randint(0, 999999),
            tzinfo=tz,
        )
        station = rng.choice(stations + [None])
        req = make_request(
            ent,
            created_at=created,
            station=station,
            handling_region=None if station else ent.region_id[:4] + "00",
            categories=rng.choice(
                [",testing,", ",standards,metrology,", ",quality_management,", ",certification,testing,"]
            ),
        )
        if rng.random() < 0.8:
            req.accepted_at = created + datetime.timedelta(
                minutes=rng.randint(1, 60 * 24 * 5), microseconds=rng.randint(0, 999999)
            )
            req.status = "accepted"
            save(req)
        if rng.random() < 0.3:  # reroute: another station, acceptance cleared
            req.station = rng.choice(stations)
            req.handling_region = None
            req.accepted_at = None
            req.status = "submitted"
            save(req)
            if rng.random() < 0.7:
                req.accepted_at = created + datetime.timedelta(hours=rng.randint(1, 100))
                req.status = "accepted"
                save(req)
        if rng.random() < 0.2:
            req.is_overdue = True
            save(req)
        if rng.random() < 0.7:
            req.resolved_at = created + datetime.timedelta(
                hours=rng.randint(1, 24 * 60), seconds=rng.randint(0, 3599)
            )
            req.outcome = rng.choice(["solved", "partly_solved", "not_solved"])
            req.technical_problem = rng.choice([True, False, None])
            req.cost_saved = Decimal(rng.randint(0, 10**7)) / 100 if rng.random() < 0.7 else None
            req.loss_avoided = Decimal(rng.randint(0, 10**8)) / 100 if rng.random() < 0.5 else None
            req.status = "resolved"
            save(req)
            if rng.random() < 0.7:
                req.rating_score = rng.randint(1, 5)
                req.rated_at = req.resolved_at + datetime.timedelta(hours=rng.randint(1, 800))
                req.status = "rated"
                save(req)
        if rng.random() < 0.05 and deletable():
            delete(req)
            continue
        made.append(req)
    return made


def deletable() -> bool:
    """Deleting a request cascades to other apps' tables; false while one of them has no migration yet."""
    from django.apps import apps
    from django.db import connection

    tables = set(connection.introspection.table_names())
    return all(
        rel.related_model._meta.db_table in tables
        for rel in apps.get_model("desk", "ServiceRequest")._meta.related_objects
    )
