"""Capability match: nearest first, synonyms, product and standard filters, scoping, text fallback, paging.

The world: real GB/T 2260 codes (loaded once per session by ``load_reference``) and its own vocabulary
(皮革 / 六价铬), so the demo world (纺织品 / 甲醛) never shows up in these results. ``build_world`` is also
used by the import tests.
"""

from dataclasses import dataclass

import pytest

from nqihub.accounts.models import User
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Membership, Organisation
from nqihub.directory.matching import (
    canonical_method_code,
    capability_match,
    invalidate_vocabulary_cache,
    map_terms,
    method_codes,
    method_q,
    region_tiers,
)
from nqihub.directory.models import Institution, Parameter, ProductCategory, ScopeLine

QUERY_COUNTY = "450202"  # 柳州市 城中区


def make_institution(name: str, region: str, kind: str = Institution.Kind.TESTING) -> Institution:
    org = Organisation.objects.create(kind=Organisation.Kind.INSTITUTION, name=name, region_id=region)
    return Institution.objects.create(organisation=org, name=name, kind=kind, region_id=region)


def add_line(
    institution: Institution, product: str, parameter: str, method: str = "", limitation: str = ""
) -> ScopeLine:
    product_id, parameter_id = map_terms(product, parameter)
    return ScopeLine.objects.create(
        institution=institution,
        region_id=institution.region_id,
        product_text=product,
        parameter_text=parameter,
        method_standard=method,
        method_code=canonical_method_code(method),
        limitation=limitation,
        product_id=product_id,
        parameter_id=parameter_id,
    )


def make_user(username: str, org: Organisation, role: str) -> User:
    user = User.objects.create(username=username)
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@dataclass
class World:
    a: Institution  # same county as the query
    b: Institution  # same city
    c: Institution  # same province
    d: Institution  # elsewhere (Jiangsu)
    e: Institution  # elsewhere (Beijing)
    f: Institution  # elsewhere (Shenzhen), only an unmapped line
    admin: User
    reg_js: User  # regulator of Jiangsu
    reg_gx: User  # regulator of Guangxi
    ent_gx: User  # enterprise user in Liuzhou
    ent_js: User  # enterprise user in Nantong
    staff_a: User  # institution staff of a


def build_world() -> World:
    Parameter.objects.create(name="六价铬含量", synonyms="六价铬、Cr(VI)、铬（六价）")
    Parameter.objects.create(name="可萃取重金属", synonyms="重金属")
    ProductCategory.objects.create(name="皮革制品", synonyms="皮革、皮鞋、皮具")
    ProductCategory.objects.create(name="塑料制品", synonyms="塑料")
    invalidate_vocabulary_cache()

    a = make_institution("柳州城中皮革检测所", "450202")
    b = make_institution("柳州鱼峰质检中心", "450203")
    c = make_institution("南宁青秀检测公司", "450103")
    d = make_institution("南通海门检测站", "320614")
    e = make_institution("北京东城检测院", "110101")
    f = make_institution("深圳南山实验室", "440305")

    add_line(a, "皮革", "六价铬", "GB/T 22807-2008", "比色法")
    add_line(a, "皮革制品", "可萃取重金属", "GB/T 22930.1-2008")
    add_line(b, "皮鞋", "六价铬含量", "GB/T 22807")
    add_line(c, "皮革制品", "Cr(VI)", "GB/T 38402-2019")
    add_line(c, "塑料制品", "六价铬", "GB/T 38402-2019")
    add_line(d, "皮具", "六价铬含量", "GB/T 22807—2008")
    add_line(e, "塑料", "六价铬含量", "")
    add_line(f, "皮革及其制品", "皮革中六价铬（分光光度法）", "按委托方方法")

    platform = Organisation.objects.create(
        kind=Organisation.Kind.PLATFORM, name="测试平台", region_id="000000"
    )
    reg_js_org = Organisation.objects.create(
        kind=Organisation.Kind.REGULATOR, name="江苏监管（测试）", region_id="320000"
    )
    reg_gx_org = Organisation.objects.create(
        kind=Organisation.Kind.REGULATOR, name="广西监管（测试）", region_id="450000"
    )
    ent_gx_org = Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE, name="柳州某企业（测试）", region_id="450202"
    )
    ent_js_org = Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE, name="南通某企业（测试）", region_id="320614"
    )
    return World(
        a=a,
        b=b,
        c=c,
        d=d,
        e=e,
        f=f,
        admin=make_user("t_admin", platform, Membership.Role.PLATFORM_ADMIN),
        reg_js=make_user("t_reg_js", reg_js_org, Membership.Role.REGULATOR),
        reg_gx=make_user("t_reg_gx", reg_gx_org, Membership.Role.REGULATOR),
        ent_gx=make_user("t_ent_gx", ent_gx_org, Membership.Role.ENTERPRISE_USER),
        ent_js=make_user("t_ent_js", ent_js_org, Membership.Role.ENTERPRISE_USER),
        staff_a=make_user("t_staff_a", a.organisation, Membership.Role.INSTITUTION_STAFF),
    )


# --- tests -------------------------------------------------------------------------------------------


@pytest.fixture
def world(db) -> World:
    return build_world()


def names(results) -> list[str]:
    return [r.name for r in results]


@pytest.mark.django_db
def test_nearest_first_county_city_province_then_the_rest_by_name(world):
    results = capability_match(fetched_by=world.admin, parameter="六价铬", region=QUERY_COUNTY)
    rest = sorted([world.d.name, world.e.name])
    # f only has an unmapped line, in another province: the text fallback looks within the province.
    assert names(results) == [world.a.name, world.b.name, world.c.name, *rest]
    assert [r.closeness for r in results] == ["同县", "同市", "同省", "其他地区", "其他地区"]
    assert [r.rank for r in results] == [3, 2, 1, 0, 0]
    first = results[0]
    assert (first.id, first.region_code, first.region_name, first.kind) == (
        world.a.pk,
        "450202",
        "城中区",
        "testing",
    )
    # Only the lines for the parameter asked about.
    assert [
        (line.product_text, line.parameter_text, line.method_standard, line.limitation)
        for line in first.lines
    ] == [("皮革", "六价铬", "GB/T 22807-2008", "比色法")]


@pytest.mark.django_db
def test_a_city_region_puts_the_whole_city_first(world):
    results = capability_match(fetched_by=world.admin, parameter="六价铬", region="450200")
    assert names(results)[:2] == sorted([world.a.name, world.b.name])
    assert [r.closeness for r in results[:3]] == ["同市", "同市", "同省"]


@pytest.mark.django_db
def test_without_a_region_institutions_come_by_name(world):
    results = capability_match(fetched_by=world.admin, parameter="六价铬含量")
    indexed = [r for r in results if r.id != world.f.pk]
    assert names(indexed) == sorted(names(indexed))
    assert all(r.closeness == "" and r.rank is None for r in results)


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["六价铬", "六价铬含量", "Cr(VI)", "cr（vi）", "六价铬 含量", "铬（六价）"])
def test_synonyms_name_the_same_parameter(world, word):
    results = capability_match(fetched_by=world.admin, parameter=word, region=QUERY_COUNTY)
    assert {world.a.pk, world.b.pk, world.c.pk, world.d.pk, world.e.pk} <= {r.id for r in results}


@pytest.mark.django_db
def test_product_filter_through_its_synonyms(world):
    results = capability_match(
        fetched_by=world.admin, parameter="六价铬", product="皮鞋", region=QUERY_COUNTY
    )
    # e tests 六价铬 on 塑料 only; c has both, but only its 皮革 line is shown.
    assert names(results) == [world.a.name, world.b.name, world.c.name, world.d.name]
    assert [line.product_text for line in results[2].lines] == ["皮革制品"]
    plastics = capability_match(fetched_by=world.admin, parameter="六价铬", product="塑料")
    assert {r.id for r in plastics} == {world.c.pk, world.e.pk}


@pytest.mark.django_db
def test_unknown_product_word_filters_by_text(world):
    results = capability_match(fetched_by=world.admin, parameter="六价铬", product="皮具")
    assert world.d.pk in {r.id for r in results}
    assert capability_match(fetched_by=world.admin, parameter="六价铬", product="陶瓷") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("gb/t22807", {"a", "b", "d"}),  # without the year: every edition and the undated line
        ("GB/T 22807—2008", {"a", "b", "d"}),  # dated: that edition, and lines citing it undated
        ("ＧＢ／Ｔ　２２８０７－２００８", {"a", "b", "d"}),
        ("GB/T 22807-2019", {"b"}),  # another edition: only the undated citation
        ("GB/T 38402", {"c"}),
        ("GB/T 2280", set()),  # no prefix overreach
    ],
)
def test_standard_filter_matches_the_canonical_code(world, typed, expected):
    results = capability_match(fetched_by=world.admin, parameter="六价铬", standard=typed)
    ids = {r.id for r in results}
    assert ids == {getattr(world, k).pk for k in expected}


@pytest.mark.django_db
def test_regulator_of_another_province_sees_only_its_own(world):
    results = capability_match(fetched_by=world.reg_js, parameter="六价铬", region=QUERY_COUNTY)
    assert names(results) == [world.d.name]


@pytest.mark.django_db
def test_enterprise_user_sees_resources_of_its_own_province_only(world):
    gx = capability_match(fetched_by=world.ent_gx, parameter="六价铬", region=QUERY_COUNTY)
    assert names(gx) == [world.a.name, world.b.name, world.c.name]
    js = capability_match(fetched_by=world.ent_js, parameter="六价铬", region=QUERY_COUNTY)
    assert names(js) == [world.d.name]


@pytest.mark.django_db
def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert capability_match(fetched_by=AnonymousUser(), parameter="六价铬") == []


@pytest.mark.django_db
def test_unmapped_lines_are_found_by_text_after_the_indexed_ones(world):
    results = capability_match(fetched_by=world.admin, parameter="六价铬", region="440300")
    assert results[-1].id == world.f.pk and results[-1].closeness == "同市"
    assert [line.parameter_text for line in results[-1].lines] == ["皮革中六价铬（分光光度法）"]
    # Without a region, everywhere; any synonym of the parameter finds it.
    assert capability_match(fetched_by=world.admin, parameter="Cr(VI)")[-1].id == world.f.pk
    assert (
        capability_match(fetched_by=world.admin, parameter="六价铬含量", product="皮革")[-1].id == world.f.pk
    )
    # Words that name no vocabulary row still find the lines whose text holds them.
    only_text = capability_match(fetched_by=world.admin, parameter="分光光度法")
    assert [r.id for r in only_text] == [world.f.pk]
    assert capability_match(fetched_by=world.admin, parameter="分光光度法", region=QUERY_COUNTY) == []


@pytest.mark.django_db
def test_unknown_parameter_gives_nothing(world):
    assert capability_match(fetched_by=world.admin, parameter="不存在的项目", region=QUERY_COUNTY) == []


@pytest.mark.django_db
@pytest.mark.parametrize("blank", ["", "   "])
def test_missing_parameter_and_product_is_a_field_error(world, blank):
    with pytest.raises(ValidationFailed) as exc:
        capability_match(fetched_by=world.admin, parameter=blank, product=blank)
    assert exc.value.errors == {"parameter": "请填写检测项目或产品"}


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["4502", "45020x", "999999"])
def test_bad_region_is_a_field_error(world, bad):
    with pytest.raises(ValidationFailed) as exc:
        capability_match(fetched_by=world.admin, parameter="六价铬", region=bad)
    assert "region" in exc.value.errors


@pytest.mark.django_db
def test_pages_concatenate_to_the_whole_list(world):
    whole = names(capability_match(fetched_by=world.admin, parameter="六价铬", region=QUERY_COUNTY))
    paged = []
    for offset in range(0, 8, 2):
        paged += names(
            capability_match(
                fetched_by=world.admin, parameter="六价铬", region=QUERY_COUNTY, limit=2, offset=offset
            )
        )
    assert paged == whole
    assert capability_match(fetched_by=world.admin, parameter="六价铬", region=QUERY_COUNTY, offset=50) == []


@pytest.mark.django_db
def test_a_page_takes_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    capability_match(
        fetched_by=world.admin, parameter="六价铬", region=QUERY_COUNTY
    )  # warms the vocabulary cache
    with django_assert_max_num_queries(12):
        results = capability_match(fetched_by=world.reg_gx, parameter="六价铬", region=QUERY_COUNTY, limit=2)
        assert [r.region_name for r in results] and [len(r.lines) for r in results]


def test_region_tiers_exclude_the_nearer_ones():
    tiers = region_tiers("450202")
    assert [rank for rank, _q in tiers] == [3, 2, 1, 0]
    assert [rank for rank, _q in region_tiers("450200")] == [2, 1, 0]
    assert [rank for rank, _q in region_tiers("450000")] == [1, 0]
    assert [rank for rank, _q in region_tiers("")] == [None]
    # The last province: no upper bound past "99".
    assert [rank for rank, _q in region_tiers("990000")] == [1, 0]


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("GB/T2912.1—2009", ["GB/T 2912.1-2009"]),
        ("gb/t 2912.1-09", ["GB/T 2912.1-2009"]),
        ("GB 18401一2010", ["GB 18401-2010"]),
        ("ＧＢ／Ｔ　２９１２．１－２００９ 纺织品 甲醛的测定", ["GB/T 2912.1-2009"]),
        ("GB 4789.2-2022、GB 4789.3", ["GB 4789.2-2022", "GB 4789.3"]),
        ("GB 3100-93", ["GB 3100-1993"]),
        ("GBT 2912.1", ["GB/T 2912.1"]),
        ("T/CAS 290-2017", ["T/CAS 290-2017"]),
        ("Q/ABCDE0001—2008", ["Q/ABCDE 0001-2008"]),
        ("DB45/T 1234-2015", ["DB45/T 1234-2015"]),
        ("DB45/ 1234-2015", ["DB45/ 1234-2015"]),
        ("ISO 14184-1:2011", ["ISO 14184-1:2011"]),
        ("GB/T 2912.1-2009/ISO 14184-1:1998", ["GB/T 2912.1-2009"]),
        ("按委托方企业标准", []),
        ("附录A 2", []),
    ],
)
def test_method_codes_are_read_from_a_cell(cell, codes):
    assert method_codes(cell) == codes


def test_method_q_without_year_is_a_prefix_match():
    assert "GB/T 2912.1-" in str(method_q("gb/t 2912.1"))
    assert "startswith" not in str(method_q("GB/T 2912.1-2009"))
