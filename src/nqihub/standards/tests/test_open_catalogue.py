"""Catalogues that never block (issue 16 item 7): the shipped food-safety subset and ICS field names are
loaded; a well-formed number the catalogue lacks is accepted with “未收录，请核实”, a malformed one refused."""

import io

import pytest
from django.core.management import call_command

from nqihub.core.errors import ValidationFailed
from nqihub.standards import services
from nqihub.standards.models import Declaration, IcsCode, Standard

pytestmark = pytest.mark.django_db


def test_food_safety_subset_is_loaded_with_superseded_editions_not_current():
    call_command("load_standards", stdout=io.StringIO())  # idempotent: a second run changes nothing
    assert Standard.objects.get(canonical="GB 10765-2021").status == Standard.Status.CURRENT
    # The source calls GB 2760-2011 现行; a later edition in force makes it abolished, replaced by the next one.
    old = Standard.objects.get(canonical="GB 2760-2011")
    assert old.status == Standard.Status.ABOLISHED and "GB 2760-2014" in old.replaced_by
    # An edition whose successor is only upcoming stays current.
    assert Standard.objects.get(canonical="GB 7718-2011").status == Standard.Status.CURRENT
    assert Standard.objects.get(canonical="GB 7718-2025").status == Standard.Status.UPCOMING
    assert Standard.objects.filter(code_without_year__startswith="GB 4789.").count() >= 60


def test_ics_fields_have_chinese_names():
    assert IcsCode.objects.get(code="67").name_zh.startswith("食品")
    assert not IcsCode.objects.filter(level=IcsCode.Level.FIELD, name_zh="").exists()


def test_public_declaration_of_an_unlisted_local_standard_is_accepted_with_a_note(api_for):
    owner = api_for("ent_yuese")
    response = owner.post(
        "/api/v1/standards/declarations",
        {"product": "预包装螺蛳粉", "kind": "public", "standard": "DBS45/ 034-2021"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["standard"] == body["unlisted"][0]
    assert body["standard"].startswith("DBS45/")
    assert any("未收录，请核实" in n for n in body["notes"])
    page = owner.get(f"/api/v1/standards/declarations/{body['id']}").json()
    assert page["unlisted"] == body["unlisted"]


def test_own_standard_referencing_an_unlisted_standard_is_accepted(demo_user):
    data = services.DeclarationData(
        product="床单",
        kind="own",
        own_code="Q/NTYS 002-2024",
        own_title="床单",
        category="B",
        references=["GB 18401-2010", "FZ/T 99999-2099"],
        indicators=[services.IndicatorData("甲醛含量", "≤50", "mg/kg", "GB/T 2912.1")],
    )
    d = services.declaration_create(data=data, by=demo_user("ent_yuese"))
    assert [s.canonical for s in d.references.all()] == ["GB 18401-2010"]
    assert d.unlisted_references == ["FZ/T 99999-2099"]
    assert d.unlisted == ["FZ/T 99999-2099"]


def test_malformed_numbers_are_still_refused_and_nothing_saved(demo_user):
    before = Declaration.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.declaration_create(
            data=services.DeclarationData(product="床单", kind="public", standard="GB 1-2020~2021"),
            by=demo_user("ent_yuese"),
        )
    assert "standard" in exc.value.errors
    assert Declaration.objects.count() == before


def test_declaration_page_shows_the_note(client_for, demo_user):
    d = services.declaration_create(
        data=services.DeclarationData(product="螺蛳粉", kind="public", standard="DBS45/034-2021"),
        by=demo_user("ent_yuese"),
    )
    body = client_for("ent_yuese").get(f"/standards/declarations/{d.pk}/").content.decode()
    assert "未收录，请核实" in body and d.standard_text in body
