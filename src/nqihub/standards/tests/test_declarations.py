"""Self-declarations of an own Q/ standard: each indicator is compared with the referenced standards'."""

import io

import pytest
from django.core.management import call_command

from nqihub.core.errors import ValidationFailed
from nqihub.standards import services
from nqihub.standards.models import Declaration, Requirement, Standard

pytest.importorskip("nqihub.standards.requirements")


@pytest.fixture(scope="module", autouse=True)
def _catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_standards", stdout=io.StringIO())


def own(requirement: str, **kw):
    base = dict(
        product="床单",
        kind="own",
        own_code="Q/NTYS 001-2024",
        own_title="床单",
        category="B",
        references=["GB 18401-2010"],
        indicators=[services.IndicatorData("甲醛含量", requirement, "mg/kg", "GB/T 2912.1")],
    )
    base.update(kw)
    return services.DeclarationData(**base)


def test_stricter_than_mandatory_is_accepted(demo_user, db):
    d = services.declaration_create(data=own("≤50"), by=demo_user("ent_yuese"))
    assert d.indicators.count() == 1 and [s.canonical for s in d.references.all()] == ["GB 18401-2010"]


def test_weaker_than_mandatory_is_refused_with_both_values(demo_user, db):
    before = Declaration.objects.count()  # the demo world's own
    with pytest.raises(ValidationFailed) as exc:
        services.declaration_create(data=own("≤100"), by=demo_user("ent_yuese"))
    message = exc.value.errors["indicators.0.requirement"]
    assert "≤100" in message and "≤75" in message and "GB 18401-2010" in message
    assert Declaration.objects.count() == before


def test_category_is_required_when_the_standard_grades(demo_user, db):
    with pytest.raises(ValidationFailed) as exc:
        services.declaration_create(data=own("≤50", category=""), by=demo_user("ent_yuese"))
    assert "category" in exc.value.errors


def test_weaker_than_recommended_must_be_declared(demo_user, db):
    std = Standard.objects.get(canonical="GB/T 22796-2021")
    Requirement.objects.create(standard=std, item="甲醛含量", requirement="≤20", unit="mg/kg")
    data = own("≤50", references=["GB 18401-2010", "GB/T 22796-2021"])
    with pytest.raises(ValidationFailed) as exc:
        services.declaration_create(data=data, by=demo_user("ent_yuese"))
    assert "明确声明" in exc.value.errors["indicators.0.requirement"]
    data.weaker_declared, data.weaker_statement = ["甲醛含量"], "按客户要求"
    d = services.declaration_create(data=data, by=demo_user("ent_yuese"))
    assert d.weaker_declared[0]["item"] == "甲醛含量"


def test_unit_mismatch_is_an_error(demo_user, db):
    data = own("≤50")
    data.indicators[0].unit = "%"
    with pytest.raises(ValidationFailed) as exc:
        services.declaration_create(data=data, by=demo_user("ent_yuese"))
    assert "indicators.0.unit" in exc.value.errors
