"""An empty POST (a form sent with nothing in it, or a client posting no body) is bad input like any
other: the form comes back with its errors and nothing is created — never a 500."""

import pytest
from django.urls import reverse

from nqihub.certification.models import Certificate
from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import Enterprise

pytestmark = pytest.mark.django_db


def _enterprise(username_org="善元"):
    return Enterprise.objects.filter(name__contains=username_org).first()


@pytest.mark.parametrize(
    ("username", "url", "model"),
    [
        ("ent_shanyuan", lambda: reverse("desk:request-create"), ServiceRequest),
        ("station_lz", lambda: reverse("directory:enterprise-create"), Enterprise),
        (
            "ent_shanyuan",
            lambda: reverse("certification:certificate-create", args=[_enterprise().pk]),
            Certificate,
        ),
        ("ent_shanyuan", lambda: reverse("metrology:instrument-create"), None),
    ],
)
def test_an_empty_post_is_answered_with_the_form_and_changes_nothing(client_for, username, url, model):
    client = client_for(username)
    before = model.objects.count() if model else None
    response = client.post(url(), {})
    assert response.status_code in (200, 400), response.status_code
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    if model:
        assert model.objects.count() == before
