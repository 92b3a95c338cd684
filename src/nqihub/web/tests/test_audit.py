"""The audit log page: admins read everything, regulators their region's actors, nobody else."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from nqihub.core import audit
from nqihub.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(demo_user):
    return {
        "lz": audit.record(demo_user("station_lz"), "directory.enterprise.updated", None, {"mark": "lz"}),
        "nt": audit.record(demo_user("ent_yuese"), "directory.enterprise.updated", None, {"mark": "nt"}),
        "failed": audit.record(None, "accounts.login_failed", None, username="nobody-x"),
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
    assert c.get(reverse("web:audit-log"), {"page": "zz"}).status_code == 400
    partial = c.get(reverse("web:audit-log"), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


@pytest.mark.parametrize("username", ["ent_yuese", "station_lz", "lab_lz", "expert_lz", "coop_haimen"])
def test_others_cannot_read_the_audit_log(client_for, username):
    assert client_for(username).get(reverse("web:audit-log")).status_code == 403


def test_filters_by_actor_action_object_and_date(client_for, entries, demo_user):
    c = client_for("admin")
    enterprise = demo_user("ent_yuese")
    target = audit.record(enterprise, "directory.enterprise.updated", enterprise, {"mark": "obj"})
    url = reverse("web:audit-log")
    assert usernames(c.get(url, {"actor": "station_lz"})) == {"station_lz"}
    by_object = c.get(url, {"object_type": "accounts.user", "object_id": str(enterprise.pk)})
    assert [e.pk for e in by_object.context["page_obj"]] == [target.pk]
    today = dt.date.today()
    assert "ent_yuese" in usernames(
        c.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    )
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert usernames(c.get(url, {"date_from": tomorrow})) == set()


def test_a_reversed_date_range_is_an_error_and_lists_nothing(client_for, entries):
    response = client_for("admin").get(
        reverse("web:audit-log"), {"date_from": "2026-12-31", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert len(response.context["page_obj"]) == 0


def test_export_xlsx_and_csv_are_scoped_filtered_and_audited(client_for, entries):
    c = client_for("reg_lz")
    xlsx = c.get(reverse("web:audit-export"), {"format": "xlsx", "action": "directory.enterprise"})
    assert xlsx.status_code == 200 and xlsx["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert "station_lz" in names and "ent_yuese" not in names  # outside the region
    response = c.get(reverse("web:audit-export"), {"format": "csv", "actor": "station_lz"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "编号" and {r[2] for r in rows[1:]} == {"station_lz"}
    exported = AuditEntry.objects.filter(action="core.audit.exported", actor_username="reg_lz")
    assert exported.count() == 2 and exported.first().data["filters"] == {"actor": "station_lz"}


def test_csv_export_cannot_carry_a_formula(client_for):
    audit.record(None, "accounts.login_failed", None, username="=HYPERLINK(1)")
    response = client_for("admin").get(reverse("web:audit-export"), {"format": "csv", "q": "HYPERLINK"})
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_export_refuses_an_unknown_format(client_for):
    assert client_for("admin").get(reverse("web:audit-export"), {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("username", ["ent_yuese", "expert_lz"])
def test_others_cannot_export_the_audit_log_and_the_refusal_is_audited(client_for, username):
    assert client_for(username).get(reverse("web:audit-export")).status_code == 403
    denied = AuditEntry.objects.get(action="security.permission_denied", actor_username=username)
    assert denied.data["path"] == reverse("web:audit-export")
