"""The visibility rule as a matrix over the demo world: every role × records in and out of its region."""

import pytest

from nqihub.core.scoping import scope_of, visible
from nqihub.directory.models import Enterprise, Expert, Institution, Station, StationArea


def names(user, model):
    return set(model.objects.filter(visible(user, model)).values_list("name", flat=True))


def ids(user, model):
    return set(model.objects.filter(visible(user, model)).values_list("pk", flat=True))


@pytest.mark.django_db
def test_enterprise_user_sees_only_its_own_enterprise(demo_user):
    assert names(demo_user("ent_yuese"), Enterprise) == {"南通悦瑟家居用品有限公司"}
    assert names(demo_user("ent_shanyuan"), Enterprise) == {"善元食品有限公司"}


@pytest.mark.django_db
def test_regulator_sees_its_subtree_and_nothing_outside(demo_user):
    for username, code_prefix in (("reg_lz", "4502"), ("reg_gx", "45")):
        seen = ids(demo_user(username), Enterprise)
        # The rule, independently: the enterprises whose region code starts with the regulator's prefix.
        assert seen == set(
            Enterprise.objects.filter(region__code__startswith=code_prefix).values_list("pk", flat=True)
        )
        assert seen < set(Enterprise.objects.values_list("pk", flat=True))
        seen_names = names(demo_user(username), Enterprise)
        assert "善元食品有限公司" in seen_names
        assert not seen_names & {"南通悦瑟家居用品有限公司", "武汉汉烯科技有限公司"}
    national = names(demo_user("reg_national"), Enterprise)
    assert {"善元食品有限公司", "南通悦瑟家居用品有限公司", "武汉汉烯科技有限公司"} <= national
    for model in (Institution, Station, Expert):
        regional = Enterprise if model is Enterprise else model
        visible_to_lz = regional.objects.filter(visible(demo_user("reg_lz"), regional))
        assert all(obj.region_id.startswith("4502") for obj in visible_to_lz)


@pytest.mark.django_db
def test_station_staff_see_enterprises_of_their_service_area(demo_user):
    for username, station, story, outsiders in (
        (
            "station_lz",
            "广西柳州螺蛳粉质量检测服务站",
            "善元食品有限公司",
            {"南通悦瑟家居用品有限公司", "武汉汉烯科技有限公司"},
        ),
        (
            "station_wh",
            "武汉江岸岱家山科创城质量服务站",
            "武汉汉烯科技有限公司",
            {"南通悦瑟家居用品有限公司", "善元食品有限公司"},
        ),
    ):
        area = set(StationArea.objects.filter(station__name=station).values_list("region_id", flat=True))
        assert area
        expected = set(Enterprise.objects.filter(region_id__in=area).values_list("pk", flat=True))
        assert ids(demo_user(username), Enterprise) == expected
        seen_names = names(demo_user(username), Enterprise)
        assert story in seen_names and not seen_names & outsiders


@pytest.mark.django_db
def test_service_resources_are_visible_within_the_members_province(demo_user):
    yuese = demo_user("ent_yuese")
    assert all(i.region_id.startswith("32") for i in Institution.objects.filter(visible(yuese, Institution)))
    assert "柳州市食品检验检测实验室（示例）" not in names(yuese, Institution)
    assert "柳州市食品检验检测实验室（示例）" in names(demo_user("ent_shanyuan"), Institution)


@pytest.mark.django_db
def test_admin_sees_everything_and_anonymous_nothing(demo_user):
    from django.contrib.auth.models import AnonymousUser

    assert names(demo_user("admin"), Enterprise) == set(Enterprise.objects.values_list("name", flat=True))
    assert names(AnonymousUser(), Enterprise) == set()
    assert scope_of(demo_user("admin")).is_admin


@pytest.mark.django_db
def test_a_user_without_memberships_sees_nothing():
    from nqihub.accounts.models import User

    loner = User.objects.create_user("loner", password="Loner#2026x")
    assert names(loner, Enterprise) == set()
    assert names(loner, Institution) == set()
