"""The request page offers station staff "整理为典型案例" once the request is resolved."""

from django.urls import reverse

LABEL = "整理为典型案例"


def test_station_staff_sees_the_link_on_a_resolved_request(resolved_request, client_for):
    r = client_for("station_lz").get(reverse("desk:request-detail", args=[resolved_request.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert LABEL in page
    assert reverse("cases:case-create", args=[resolved_request.pk]) in page


def test_enterprise_does_not_see_the_link(resolved_request, client_for):
    r = client_for("ent_shanyuan").get(reverse("desk:request-detail", args=[resolved_request.pk]))
    assert r.status_code == 200
    assert LABEL not in r.content.decode()


def test_no_link_before_the_request_is_resolved(resolved_request, client_for):
    resolved_request.status = "in_progress"
    resolved_request.save(update_fields=["status"])
    r = client_for("station_lz").get(reverse("desk:request-detail", args=[resolved_request.pk]))
    assert r.status_code == 200
    assert LABEL not in r.content.decode()
