"""Metrology lists answer with a constant number of queries, whatever the number of rows (issue 18 item 2)."""

import datetime

import pytest

from nqihub.accounts.models import User
from nqihub.core.tests.querycount import assert_constant_queries, shrink_and_grow, visible_to
from nqihub.directory.models import Institution
from nqihub.metrology.models import Booking, Instrument, RecordKind
from nqihub.metrology.selectors import overdue_list

pytestmark = pytest.mark.django_db


def _overdue(username):
    user = User.objects.get(username=username)
    return Instrument.objects.filter(pk__in=overdue_list(fetched_by=user).values("pk"))


def _bookings():
    """The demo world has no booking yet: one for the calibration institution of Liuzhou, then its list."""
    institution = Institution.objects.get(organisation__memberships__user__username="cal_lz")
    instrument = visible_to(Instrument, "ent_shanyuan").first()
    Booking.objects.create(
        instrument=instrument,
        institution=institution,
        region_id=instrument.region_id,
        kind=RecordKind.VERIFICATION,
        proposed_date=datetime.date(2026, 12, 20),
        note="示例预约",
    )
    return visible_to(Booking, "cal_lz")


CASES = [
    ("page", "ent_shanyuan", "/metrology/", lambda: visible_to(Instrument, "ent_shanyuan")),
    ("api", "ent_shanyuan", "/api/v1/instruments", lambda: visible_to(Instrument, "ent_shanyuan")),
    ("page", "reg_lz", "/metrology/overdue/", lambda: _overdue("reg_lz")),
    ("api", "ent_shanyuan", "/api/v1/instruments/due", lambda: _overdue("ent_shanyuan")),
    ("page", "cal_lz", "/metrology/bookings/", _bookings),
    ("api", "cal_lz", "/api/v1/bookings", _bookings),
]


@pytest.mark.parametrize(("kind", "username", "url", "rows"), CASES, ids=[c[2] + " " + c[1] for c in CASES])
def test_lists_run_a_constant_number_of_queries(client_for, api_for, kind, username, url, rows):
    client = api_for(username) if kind == "api" else client_for(username)
    assert_constant_queries(client, url, shrink_and_grow(rows()))
