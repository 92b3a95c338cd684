"""Pages: search, details with the version chain, follow, classifications, declarations (outsiders: 404)."""

import io

import pytest
from django.core.management import call_command

from nqihub.standards import services
from nqihub.standards.models import Standard, StandardFollow


@pytest.fixture(scope="module", autouse=True)
def _catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_standards", stdout=io.StringIO())


def test_catalog_needs_login(client, db):
    assert client.get("/standards/").status_code == 302


def test_search_page_highlights_matches(client_for, db):
    html = client_for("reg_lz").get("/standards/", {"q": "甲醛"}).content.decode()
    assert "GB/T 2912.1-2009" in html
    assert "<mark>甲醛</mark>" in html


def test_search_page_filters_and_htmx_partial(client_for, db):
    c = client_for("ent_yuese")
    html = c.get(
        "/standards/", {"q": "食品", "status": "upcoming"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "GB 7718-2025" in html and "GB 7718-2011" not in html
    assert "<html" not in html


def test_lookup_without_year_redirects_to_current_version(client_for, db):
    response = client_for("ent_yuese").get("/standards/lookup/", {"number": "gb18401"})
    current = Standard.objects.get(canonical="GB 18401-2010")
    assert response.status_code == 302 and response["Location"] == f"/standards/{current.pk}/"


def test_detail_shows_version_chain_and_status(client_for, db):
    std = Standard.objects.get(canonical="GB 7718-2011")
    html = client_for("reg_gx").get(f"/standards/{std.pk}/").content.decode()
    assert "GB 7718-2025" in html and "即将实施" in html and "version-chain" in html
    # regulators do not follow
    assert "关注此标准" not in html


def test_enterprise_follows_and_unfollows(client_for, demo_user, db):
    std = Standard.objects.get(canonical="GB 18401-2010")
    c = client_for("ent_yuese")
    assert "关注此标准" in c.get(f"/standards/{std.pk}/").content.decode()
    assert c.post(f"/standards/{std.pk}/follow/").status_code == 302
    assert c.post(f"/standards/{std.pk}/follow/").status_code == 302  # twice: one follow
    assert StandardFollow.objects.filter(standard=std).count() == 1
    assert "GB 18401-2010" in c.get("/standards/following/").content.decode()
    # An enterprise user of another enterprise sees none of it.
    assert "GB 18401-2010" not in client_for("ent_hanxi").get("/standards/following/").content.decode()
    c.post(f"/standards/{std.pk}/unfollow/")
    assert not StandardFollow.objects.filter(standard=std).exists()


def test_regulator_cannot_follow(client_for, db):
    std = Standard.objects.get(canonical="GB 18401-2010")
    assert client_for("reg_lz").post(f"/standards/{std.pk}/follow/").status_code == 403


def test_unknown_standard_is_404(client_for, db):
    assert client_for("ent_yuese").get("/standards/999999/").status_code == 404


def test_ics_and_ccs_are_browsable(client_for, db):
    c = client_for("ent_yuese")
    assert "纺织和皮革技术" in c.get("/standards/ics/").content.decode()  # ics_fields_zh.csv
    assert c.get("/standards/ics/59.080/").status_code == 200
    html = c.get("/standards/ccs/W/").content.decode()
    assert "纺织" in html
    assert c.get("/standards/ccs/A00/09/").status_code == 200


def test_declarations_are_scoped_and_public_page_is_open(client_for, demo_user, client, db):
    d = services.declaration_create(
        data=services.DeclarationData(product="床单", kind="public", standard="GB/T 22796-2021"),
        by=demo_user("ent_yuese"),
    )
    owner = client_for("ent_yuese")
    assert owner.get(f"/standards/declarations/{d.pk}/").status_code == 200
    assert "床单" in owner.get("/standards/declarations/").content.decode()
    outsider = client_for("ent_hanxi")
    assert outsider.get(f"/standards/declarations/{d.pk}/").status_code == 404
    assert "床单" not in outsider.get("/standards/declarations/").content.decode()
    public = client.get(f"/standards/public/enterprises/{d.enterprise_id}/declarations/")
    assert public.status_code == 200 and "GB/T 22796-2021" in public.content.decode()


def test_declaration_form_shows_specific_errors(client_for, db):
    c = client_for("ent_yuese")
    assert c.get("/standards/declarations/new/").status_code == 200
    response = c.post(
        "/standards/declarations/new/", {"product": "床单", "kind": "public", "standard": "GB 18401-2003"}
    )
    assert response.status_code == 422 and "已废止" in response.content.decode()
    assert client_for("reg_lz").get("/standards/declarations/new/").status_code == 403
