import pytest

from nqihub.core.models import AuditEntry, Region


@pytest.mark.django_db
def test_admin_writes_are_audited(client_for):
    admin = client_for("admin")
    response = admin.post(
        "/admin/directory/parameter/add/", {"name": "示例参数（测试）", "synonyms": "示例同义词"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.directory.parameter.created")
    assert entry.actor_username == "admin" and entry.object_repr == "示例参数（测试）"


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_in_the_admin(client_for):
    AuditEntry.objects.create(action="x.y", actor_username="someone")
    entry = AuditEntry.objects.first()
    admin = client_for("admin")
    assert admin.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_non_staff_cannot_reach_the_admin(client_for):
    response = client_for("reg_lz").get("/admin/core/region/")
    assert response.status_code == 302
    assert Region.objects.filter(code="450202").exists()
