"""The audit log page: admins read everything, regulators their region's actors, nobody else."""

import pytest
from django.urls import reverse

from nqihub.core import audit
from nqihub.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(demo_user):
    return {
        "lz": audit.record(demo_user("station_lz"), "directory.enterprise.updated", None, {"mark": "lz"}),
        "nt": audit.record(demo_user("ent_yuese"), "directory.enterprise.updated", None, {"mark": "nt"}),
        "failed": AuditEntry.objects.create(
            actor=None, actor_username="nobody-x", action="accounts.login_failed"
        ),
    }


def usernames(response):
    return {e.actor_username for e in response.context["page_obj"]}


def test_admin_reads_every_entry(client_for, entries):
    seen = usernames(client_for("admin").get(reverse("web:audit-log")))
    assert {"station_lz", "ent_yuese", "nobody-x"} <= seen


def test_regulator_reads_entries_of_actors_in_its_region(client_for, entries):
    seen = usernames(client_for("reg_lz").get(reverse("web:audit-log")))
    assert "station_lz" in seen
    assert "ent_yuese" not in seen and "nobody-x" not in seen
    seen = usernames(client_for("reg_gx").get(reverse("web:audit-log")))
    assert "station_lz" in seen and "ent_yuese" not in seen


def test_audit_log_filters(client_for, entries):
    c = client_for("admin")
    assert usernames(c.get(reverse("web:audit-log"), {"q": "ent_yuese"})) == {"ent_yuese"}
    seen = usernames(c.get(reverse("web:audit-log"), {"action": "accounts.login_failed"}))
    assert "nobody-x" in seen and "ent_yuese" not in seen
    assert c.get(reverse("web:audit-log"), {"page": "zz"}).status_code == 200
    partial = c.get(reverse("web:audit-log"), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


@pytest.mark.parametrize("username", ["ent_yuese", "station_lz", "lab_lz", "expert_lz", "coop_haimen"])
def test_others_cannot_read_the_audit_log(client_for, username):
    assert client_for(username).get(reverse("web:audit-log")).status_code == 403
