"""The test pass rate follows the asked period and region; a cooperative's figures are those of the requests
its enterprises submitted while they were active members (joins, leaves, re-joins), equal to a direct query
over the service requests; bad or out-of-scope cooperatives are refused; outsiders get 404."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Q
from django.utils import timezone

from nqihub.stats.figures import direct_figures, month_bounds

from .conftest import save


def _tz():
    return timezone.get_current_timezone()


def _dt(y, m, d, h=10):
    return datetime.datetime(y, m, d, h, tzinfo=_tz())


# --- test pass rate --------------------------------------------------------------------------------------


def _direct_tests(prefix: str, from_month: int, to_month: int) -> tuple[int, float | None]:
    from nqihub.testing.models import TestOrder

    start, end = month_bounds(from_month, to_month)
    qs = TestOrder.objects.filter(region__code__startswith=prefix, issued_at__gte=start, issued_at__lt=end)
    passed = qs.filter(conclusion="pass").count()
    judged = qs.filter(conclusion__in=["pass", "fail"]).count()
    return qs.count(), (round(passed / judged, 4) if judged else None)


def test_test_pass_rate_follows_the_period_and_the_region(api_for):
    from nqihub.testing.models import TestOrder

    api = api_for("reg_gx")
    issued = list(TestOrder.objects.filter(region__code__startswith="45", issued_at__isnull=False))
    assert issued, "the demo issues test reports in Guangxi"
    # Spread the issued orders over two years, so that the period decides what counts.
    rng = random.Random(7)
    for order in issued:
        order.issued_at = _dt(rng.choice([2024, 2025]), rng.randint(1, 12), rng.randint(1, 28))
        order.conclusion = rng.choice(["pass", "pass", "fail", "undetermined"])
        order.save(update_fields=["issued_at", "conclusion"])
    for region, prefix in (("450000", "45"), ("450200", "4502"), ("450204", "450204")):
        for f, t in ((202401, 202412), (202501, 202506), (202401, 202512)):
            body = api.get(
                f"/api/v1/stats/summary?region={region}&from={f // 100}-{f % 100:02d}&to={t // 100}-{t % 100:02d}"
            ).json()
            n, rate = _direct_tests(prefix, f, t)
            assert (body["tests_issued"], body["test_pass_rate"]) == (n, rate), (region, f, t)
    whole = api.get("/api/v1/stats/summary?region=450000&from=2024-01&to=2025-12").json()
    assert whole["tests_issued"] == len(issued)


def test_test_pass_rate_outsider_region_is_404(api_for):
    assert api_for("reg_lz").get("/api/v1/stats/summary?region=450000").status_code == 404
    assert api_for("reg_gx").get("/api/v1/stats/summary?region=320614").status_code == 404


def test_test_pass_rate_card_links_to_the_testing_pass_rates(client_for):
    c = client_for("reg_lz")
    page = c.get("/stats/dashboard/?from=2025-01&to=2025-12").content.decode()
    assert (
        "/testing/pass-rates/?group_by=region&amp;region_level=city&amp;date_from=2025-01-01&amp;date_to=2025-12-31"
        "&amp;region=450200" in page
    )
    data = c.get("/stats/dashboard/data/?from=2025-01&to=2025-12").json()
    assert data["links"]["test_pass_rate"].startswith("/testing/pass-rates/?group_by=region")
    assert "test_pass_rate" in data["summary"] and "tests_issued" in data["summary"]


# --- cooperatives ----------------------------------------------------------------------------------------


@pytest.fixture
def haimen(db):
    from nqihub.cooperatives.models import Cooperative

    return Cooperative.objects.select_related("organisation").get(organisation__name__contains="海门")


def _member(coop, enterprise, status, joined_on, left_on, events):
    from nqihub.cooperatives.models import Member, MemberEvent

    member = Member.objects.create(
        cooperative=coop, enterprise=enterprise, status=status, joined_on=joined_on, left_on=left_on
    )
    for action, at in events:
        e = MemberEvent.objects.create(member=member, action=action)
        MemberEvent.objects.filter(pk=e.pk).update(at=at)
    return member


def _life(req, rng):
    """Accept, resolve and rate a request at random (written like the desk does: the rollups follow)."""
    created = req.created_at
    if rng.random() < 0.85:
        req.accepted_at = created + datetime.timedelta(hours=rng.randint(1, 90))
        req.status = "accepted"
        save(req)
        if rng.random() < 0.8:
            req.resolved_at = req.accepted_at + datetime.timedelta(hours=rng.randint(1, 24 * 40))
            req.outcome = rng.choice(["solved", "partly_solved", "not_solved"])
            req.technical_problem = rng.choice([True, False])
            req.cost_saved = Decimal(rng.randint(0, 10**6)) / 100
            req.loss_avoided = Decimal(rng.randint(0, 10**7)) / 100 if rng.random() < 0.5 else None
            req.status = "resolved"
            save(req)
            if rng.random() < 0.7:
                req.rating_score = rng.randint(1, 5)
                req.rated_at = req.resolved_at + datetime.timedelta(hours=rng.randint(1, 300))
                req.status = "rated"
                save(req)
    if rng.random() < 0.15:
        req.is_overdue = True
        save(req)


@pytest.fixture
def histories(haimen, make_request):
    """Three more members with joins, leaves and a re-join, and requests of every member throughout 2025
    (inside and outside their stints); returns the expected stints written out by hand."""
    from nqihub.cooperatives.models import Member
    from nqihub.directory.models import Enterprise

    a, b, c = Enterprise.objects.filter(name__startswith="床上用品示例企业320614").order_by("name")[:3]
    # A: joined in March, left in July (events only), re-joined in September (its recorded date).
    _member(
        haimen,
        a,
        "active",
        datetime.date(2025, 9, 15),
        None,
        [("applied", _dt(2025, 3, 1)), ("admitted", _dt(2025, 3, 10)), ("left", _dt(2025, 7, 1))]
        + [("applied", _dt(2025, 9, 1)), ("admitted", _dt(2025, 9, 20))],
    )
    # B: left; its recorded dates win over the events' (entered late).
    _member(
        haimen,
        b,
        "left",
        datetime.date(2025, 2, 1),
        datetime.date(2025, 5, 20),
        [("admitted", _dt(2025, 11, 1)), ("removed", _dt(2025, 11, 2))],
    )
    # C: was a member January–March, applied again in June (pending: not a member).
    _member(
        haimen,
        c,
        "applied",
        datetime.date(2025, 1, 5),
        None,
        [("accepted", _dt(2025, 1, 5, 9)), ("left", _dt(2025, 4, 1, 9)), ("applied", _dt(2025, 6, 1))],
    )
    expected = {
        a.pk: [(datetime.date(2025, 3, 10), datetime.date(2025, 7, 1)), (datetime.date(2025, 9, 15), None)],
        b.pk: [(datetime.date(2025, 2, 1), datetime.date(2025, 5, 20))],
        c.pk: [(datetime.date(2025, 1, 5), datetime.date(2025, 4, 1))],
    }
    for m in Member.objects.filter(cooperative=haimen, status="active").exclude(enterprise__in=[a, b, c]):
        expected[m.enterprise_id] = [(m.joined_on, None)]
    rng = random.Random(3)
    for ent in Enterprise.objects.filter(pk__in=expected):
        for _ in range(14):
            created = _dt(2025, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
            _life(make_request(ent, created_at=created), rng)
        # Requests on the days a stint starts and ends (the day of leaving no longer counts).
        for start, end in expected[ent.pk]:
            for day in (start, end):
                if day and day.year == 2025:
                    _life(make_request(ent, created_at=_dt(day.year, day.month, day.day, 0)), rng)
    return expected


def _reference_q(expected) -> Q:
    q = Q(pk__in=[])
    for ent, spans in expected.items():
        for start, end in spans:
            one = Q(
                enterprise_id=ent, created_at__gte=datetime.datetime.combine(start, datetime.time(), _tz())
            )
            if end:
                one &= Q(created_at__lt=datetime.datetime.combine(end, datetime.time(), _tz()))
            q |= one
    return q


@pytest.mark.parametrize("region", ["320614", "320600", "320000", "000000"])
@pytest.mark.parametrize("period", [(202501, 202512), (202503, 202506), (202509, 202611)])
def test_cooperative_figures_equal_a_direct_query_over_the_members_requests(
    api_for, haimen, histories, region, period
):
    from nqihub.desk.models import ServiceRequest

    f, t = period
    q = f"region={region}&from={f // 100}-{f % 100:02d}&to={t // 100}-{t % 100:02d}"
    api = api_for("reg_national")
    body = api.get(f"/api/v1/stats/summary?{q}&cooperative={haimen.organisation_id}").json()
    ref = direct_figures(region=region, from_month=f, to_month=t, only=_reference_q(histories))
    assert {k: body[k] for k in ref} == ref
    assert body["cooperative_name"] == haimen.name
    rows = api.get(f"/api/v1/stats/breakdown?{q}&by=cooperative").json()["rows"]
    (row,) = [r for r in rows if r["key"] == str(haimen.organisation_id)]
    assert {k: row[k] for k in ref} == ref
    # Not every request of these enterprises counts: the stints decide.
    everything = ServiceRequest.objects.filter(enterprise_id__in=list(histories), created_at__year=2025)
    assert 0 < everything.filter(_reference_q(histories)).count() < everything.count()


def test_cooperative_pass_rates_come_from_the_cooperatives_module(api_for, haimen):
    from nqihub.accounts.models import User
    from nqihub.cooperatives.selectors import pass_rates

    # The default period: the last twelve months, where the demo's inspections and requests are.
    body = (
        api_for("admin")
        .get(f"/api/v1/stats/summary?region=320614&cooperative={haimen.organisation_id}")
        .json()
    )
    start, end = month_bounds(*(int(body[k].replace("-", "")) for k in ("from", "to")))
    rates = pass_rates(
        fetched_by=User.objects.get(username="admin"),
        cooperative=haimen,
        date_from=start.date(),
        date_to=(end - datetime.timedelta(days=1)).date(),
    )
    assert rates.inspections.total > 0
    assert body["inspections_recorded"] == rates.inspections.total
    assert body["inspection_pass_rate"] == round(rates.inspections.passed / rates.inspections.total, 4)
    assert body["combined_pass_rate"] == round(rates.combined.passed / rates.combined.total, 4)
    assert body["services"] > 0  # the demo gives its invented members requests


def test_bad_or_out_of_scope_cooperative(api_for, haimen):
    api = api_for("admin")
    r = api.get("/api/v1/stats/summary?region=320614&cooperative=abc")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "cooperative"
    assert api.get("/api/v1/stats/summary?region=320614&cooperative=99999999").status_code == 404
    r = api.get(f"/api/v1/stats/summary?region=450000&cooperative={haimen.organisation_id}")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "cooperative"
    r = api.get(f"/api/v1/stats/summary?region=320614&category=testing&cooperative={haimen.organisation_id}")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "cooperative"
    # A regulator that cannot see the cooperative: 404, as for a region outside its subtree.
    assert (
        api_for("reg_gx").get(f"/api/v1/stats/summary?cooperative={haimen.organisation_id}").status_code
        == 404
    )


def test_cooperative_breakdown_outsiders(api_for, client_for, haimen):
    assert api_for("reg_gx").get("/api/v1/stats/breakdown?by=cooperative").json()["rows"] == []
    assert api_for("reg_lz").get("/api/v1/stats/breakdown?by=cooperative&region=320000").status_code == 404
    for user in ("coop_haimen", "ent_yuese"):
        assert api_for(user).get("/api/v1/stats/breakdown?by=cooperative&region=320614").status_code == 404
    c = client_for("reg_gx")
    assert c.get(f"/stats/records/?region=450000&cooperative={haimen.organisation_id}").status_code == 404
    assert c.get("/stats/export/?region=320614&by=cooperative").status_code == 404


def test_cooperative_table_and_records_on_the_dashboard(client_for, haimen):
    c = client_for("reg_national")
    page = c.get("/stats/dashboard/?region=320614").content.decode()
    assert 'data-table="cooperative"' in page
    assert 'data-table="cooperative"' not in c.get("/stats/dashboard/?region=450000").content.decode()
    data = c.get("/stats/dashboard/data/?region=320614").json()
    (row,) = data["cooperative"]
    assert row["label"] == haimen.name and row["services"] > 0
    period = f"from={data['from']}&to={data['to']}"
    r = c.get(f"/stats/records/?region=320614&{period}&figure=services&cooperative={row['key']}")
    assert r.status_code == 200 and r.context["page_obj"].paginator.count == row["services"]
    r = c.get(f"/stats/export/?region=320614&by=cooperative&{period}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
