"""/api/v1/standards…: list (search), parse, one standard by number, follow / unfollow, declarations."""

import io

import pytest
from django.core.management import call_command

from nqihub.standards import services
from nqihub.standards.models import StandardFollow


@pytest.fixture(scope="module", autouse=True)
def _catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_standards", stdout=io.StringIO())


def test_needs_token(client, db):
    assert client.get("/api/v1/standards").status_code == 401


def test_search_with_filters_and_highlight(api_for, db):
    body = api_for("ent_yuese").get("/api/v1/standards", {"q": "甲醛", "level": "national"}).json()
    assert body["count"] >= 1
    # The textile method and (since the food-safety subset is loaded) the food one both match.
    first = next(i for i in body["items"] if i["canonical"] == "GB/T 2912.1-2009")
    assert "<mark>甲醛</mark>" in first["title_highlighted"]


def test_bad_filter_is_422_naming_the_field(api_for, db):
    response = api_for("ent_yuese").get("/api/v1/standards", {"status": "valid"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "status"
    assert (
        api_for("ent_yuese").get("/api/v1/standards", {"page_size": 1000}).json()["detail"][0]["field"]
        == "page_size"
    )


def test_parse(api_for, db):
    body = api_for("reg_lz").get("/api/v1/standards/parse", {"number": "gb/t 2912.1-09"}).json()
    assert body["canonical"] == "GB/T 2912.1-2009" and body["year"] == 2009 and body["in_catalog"]
    body = api_for("reg_lz").get("/api/v1/standards/parse", {"number": "GB 18401"}).json()
    assert body["year"] is None and body["current"] == "GB 18401-2010"
    bad = api_for("reg_lz").get("/api/v1/standards/parse", {"number": "ABC"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "number"


def test_get_by_number_without_year_gives_current_and_versions(api_for, db):
    body = api_for("ent_yuese").get("/api/v1/standards/GB 18401").json()
    assert body["canonical"] == "GB 18401-2010"
    assert [v["canonical"] for v in body["versions"]] == ["GB 18401-2003", "GB 18401-2010"]
    assert body["replaces"] == ["GB 18401-2003"]


def test_get_by_number_with_slash_and_encoded(api_for, db):
    c = api_for("ent_yuese")
    assert c.get("/api/v1/standards/GB/T 2912.1-2009").json()["canonical"] == "GB/T 2912.1-2009"
    assert c.get("/api/v1/standards/GB%2FT%202912.1-2009").json()["canonical"] == "GB/T 2912.1-2009"
    assert c.get("/api/v1/standards/GB 99999-2020").status_code == 404
    assert c.get("/api/v1/standards/%E7%94%B2%E9%86%9B").status_code == 422


def test_follow_and_unfollow_are_scoped(api_for, db):
    owner = api_for("ent_yuese")
    response = owner.post("/api/v1/standards/GB 18401-2010/follow")
    assert response.status_code == 200
    assert [f["standard"]["canonical"] for f in owner.get("/api/v1/standards/follows").json()] == [
        "GB 18401-2010"
    ]
    assert api_for("ent_hanxi").get("/api/v1/standards/follows").json() == []
    assert owner.get("/api/v1/standards/GB 18401-2010").json()["followed"] is True
    assert api_for("reg_lz").post("/api/v1/standards/GB 18401-2010/follow").status_code == 403
    # another enterprise's id: 404
    other = StandardFollow.objects.get().enterprise_id
    assert (
        api_for("ent_hanxi").post(f"/api/v1/standards/GB 18401-2010/follow?enterprise={other}").status_code
        == 404
    )
    assert owner.delete("/api/v1/standards/GB 18401-2010/follow").status_code == 204
    assert not StandardFollow.objects.exists()


def test_declarations_create_list_get(api_for, db):
    owner = api_for("ent_yuese")
    outsider = api_for("ent_hanxi")
    outsiders_before = outsider.get("/api/v1/standards/declarations").json()["count"]  # its own (demo)
    response = owner.post(
        "/api/v1/standards/declarations",
        {"product": "床单", "kind": "public", "standard": "GB/T 22796"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["standard"] == "GB/T 22796-2021"
    assert owner.get(f"/api/v1/standards/declarations/{body['id']}").status_code == 200
    assert owner.get("/api/v1/standards/declarations").json()["count"] == 1
    assert outsider.get(f"/api/v1/standards/declarations/{body['id']}").status_code == 404
    assert outsider.get("/api/v1/standards/declarations").json()["count"] == outsiders_before


def test_declaration_bad_input_is_422_and_nothing_saved(api_for, db):
    from nqihub.standards.models import Declaration

    owner = api_for("ent_yuese")
    before = Declaration.objects.count()  # the demo world's own
    response = owner.post(
        "/api/v1/standards/declarations",
        {"product": "", "kind": "public", "standard": "XYZ"},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert {"product", "standard"} <= fields
    response = owner.post(
        "/api/v1/standards/declarations",
        {
            "product": "x",
            "kind": "own",
            "own_code": "GB 1-2020",
            "own_title": "t",
            "indicators": [{"item": "a", "requirement": "1"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "own_code"
    assert Declaration.objects.count() == before


def test_regulator_sees_declarations_in_region(api_for, demo_user, db):
    d = services.declaration_create(
        data=services.DeclarationData(product="床单", kind="public", standard="GB/T 22796-2021"),
        by=demo_user("ent_yuese"),
    )
    assert api_for("admin").get(f"/api/v1/standards/declarations/{d.pk}").status_code == 200
    region = d.enterprise.region_id
    code = api_for("reg_lz").get(f"/api/v1/standards/declarations/{d.pk}").status_code
    assert code == (200 if region.startswith("4502") else 404)
