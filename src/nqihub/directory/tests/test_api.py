"""Directory API: every route for an allowed user, a colleague and an outsider (lists leak nothing, details
are 404), the 422 cases with their field names, enterprise registration, and the query count of lists."""

import json

import pytest
from django.db.models import Q

from nqihub.core.models import AuditEntry, Organisation
from nqihub.directory.models import Enterprise, Expert, Institution, Station, StationArea
from nqihub.directory.services import EnterpriseData, enterprise_create
from nqihub.directory.uscc import _uscc, demo_uscc

pytestmark = pytest.mark.django_db

SHANYUAN = "善元食品有限公司"
YUESE = "南通悦瑟家居用品有限公司"
HANXI = "武汉汉烯科技有限公司"
LAB_LZ = "柳州市食品检验检测实验室（示例）"
CAL_LZ = "柳州市计量检定测试机构（示例）"  # added by nqihub.metrology.demo
LAB_NT = "南通纺织品检测实验室（示例）"
LAB_NN = "南宁纺织品检测实验室（示例）"
STD_WH = "武汉市标准化研究院"
STATION_LZ = "广西柳州螺蛳粉质量检测服务站"
STATION_WH = "武汉江岸岱家山科创城质量服务站"


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["items"]}


def _all_rows(client, url, **params) -> list[dict]:
    """Every row of a paginated list, walking the pages (the demo world is larger than one page)."""
    rows, page = [], 1
    while True:
        r = client.get(url, {**params, "page": page, "page_size": 100})
        assert r.status_code == 200, r.content
        body = r.json()
        rows += body["items"]
        if not body["items"] or len(rows) >= body["count"]:
            assert len(rows) == body["count"]
            return rows
        page += 1


def _all_names(client, url, **params) -> set[str]:
    return {row["name"] for row in _all_rows(client, url, **params)}


def _ids_of(model, rule: Q) -> set[int]:
    return set(model.objects.filter(rule).values_list("pk", flat=True))


def _area(station_name: str) -> list[str]:
    return list(StationArea.objects.filter(station__name=station_name).values_list("region_id", flat=True))


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [e["field"] for e in response.json()["detail"]]


def _id(model, name) -> int:
    return model.objects.get(name=name).pk


def _post(client, **data):
    return client.post("/api/v1/enterprises", json.dumps(data), content_type="application/json")


def _new_enterprise(**overrides) -> dict:
    data = {
        "uscc": demo_uscc("450205", 7),
        "name": "柳州螺蛳粉新厂（测试）",
        "region": "450205",
        "industry": "1431",
        "scale": "micro",
        "address": "柳州市柳北区（测试地址）",
    }
    data.update(overrides)
    return data


# --- enterprises: who sees what ----------------------------------------------------------------------


#: username → (the visibility rule as an independent query (a callable, as station areas are read from the
#: database), the story's enterprises that must be listed, those that must not).
ENTERPRISE_RULES = {
    "admin": (lambda: Q(), {SHANYUAN, YUESE, HANXI}, set()),
    "reg_national": (lambda: Q(), {SHANYUAN, YUESE, HANXI}, set()),
    "reg_gx": (lambda: Q(region__code__startswith="45"), {SHANYUAN}, {YUESE, HANXI}),
    "reg_lz": (lambda: Q(region__code__startswith="4502"), {SHANYUAN}, {YUESE, HANXI}),
    "station_lz": (lambda: Q(region_id__in=_area(STATION_LZ)), {SHANYUAN}, {YUESE, HANXI}),
    "station_wh": (lambda: Q(region_id__in=_area(STATION_WH)), {HANXI}, {SHANYUAN, YUESE}),
    "ent_shanyuan": (lambda: Q(name=SHANYUAN), {SHANYUAN}, {YUESE, HANXI}),
    "ent_yuese": (lambda: Q(name=YUESE), {YUESE}, {SHANYUAN, HANXI}),
    "ent_hanxi": (lambda: Q(name=HANXI), {HANXI}, {SHANYUAN, YUESE}),
    "lab_lz": (lambda: Q(pk__in=[]), set(), {SHANYUAN, YUESE, HANXI}),
    "coop_haimen": (lambda: Q(pk__in=[]), set(), {SHANYUAN, YUESE, HANXI}),
}


@pytest.mark.parametrize("username", list(ENTERPRISE_RULES))
def test_enterprise_list_shows_exactly_what_the_user_may_see(api_for, username):
    rule, present, absent = ENTERPRISE_RULES[username]
    expected = _ids_of(Enterprise, rule())
    rows = _all_rows(api_for(username), "/api/v1/enterprises")
    assert [row["id"] for row in rows if row["id"] not in expected] == []
    assert {row["id"] for row in rows} == expected and len(rows) == len(expected)
    names = {row["name"] for row in rows}
    assert present <= names and not names & absent
    if username in ("admin", "reg_national"):
        assert expected == _ids_of(Enterprise, Q())
    else:
        assert expected < _ids_of(Enterprise, Q())


def test_enterprise_detail_for_the_owner_a_regulator_and_the_station(api_for):
    pk = _id(Enterprise, SHANYUAN)
    for username in ("ent_shanyuan", "reg_lz", "reg_gx", "station_lz", "admin"):
        r = api_for(username).get(f"/api/v1/enterprises/{pk}")
        assert r.status_code == 200, username
        body = r.json()
        assert (
            body["name"] == SHANYUAN and body["region_code"] == "450204" and body["region_name"] == "柳南区"
        )
        assert body["industry_code"] == "1431" and body["scale"] == "small"
        assert body["uscc"] == demo_uscc("450204", 1)


@pytest.mark.parametrize("username", ["ent_yuese", "ent_hanxi", "station_wh", "lab_lz", "coop_haimen"])
def test_enterprise_detail_outside_scope_is_404(api_for, username):
    r = api_for(username).get(f"/api/v1/enterprises/{_id(Enterprise, SHANYUAN)}")
    assert r.status_code == 404
    assert r.json() == {"detail": "未找到，或不在您的可见范围内。"}


@pytest.mark.parametrize("name", [YUESE, HANXI])
def test_liuzhou_regulator_cannot_open_haimen_or_wuhan_enterprises(api_for, name):
    assert api_for("reg_lz").get(f"/api/v1/enterprises/{_id(Enterprise, name)}").status_code == 404


def test_nonexistent_enterprise_looks_like_one_out_of_scope(api_for):
    assert api_for("admin").get("/api/v1/enterprises/999999").status_code == 404


def test_enterprise_contacts_are_masked_in_the_detail(api_for, demo_user):
    from nqihub.directory.services import enterprise_add_contact

    ent = Enterprise.objects.get(name=SHANYUAN)
    enterprise_add_contact(enterprise=ent, name="张三丰", phone="13812345678", by=demo_user("admin"))
    body = api_for("ent_shanyuan").get(f"/api/v1/enterprises/{ent.pk}").json()
    assert len(body["contacts"]) == 1
    contact = body["contacts"][0]
    assert contact["name"] != "张三丰" and contact["name"].startswith("张")
    assert "13812345678" not in json.dumps(body) and contact["phone"].startswith("138")


# --- enterprises: filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "rule", "present", "absent"),
    [
        ({"region": "450000"}, Q(region__code__startswith="45"), {SHANYUAN}, {YUESE, HANXI}),
        ({"region": "320614"}, Q(region_id="320614"), {YUESE}, {SHANYUAN, HANXI}),
        # Section C (manufacturing) is divisions 13–43 of GB/T 4754.
        (
            {"industry": "C"},
            Q(industry__code__gte="13", industry__code__lt="44"),
            {SHANYUAN, YUESE, HANXI},
            set(),
        ),
        ({"industry": "14"}, Q(industry__code__startswith="14"), {SHANYUAN}, {YUESE, HANXI}),
        ({"industry": "1771"}, Q(industry_id="1771"), {YUESE}, {SHANYUAN, HANXI}),
        ({"scale": "small"}, Q(scale="small"), {SHANYUAN, YUESE, HANXI}, set()),
        ({"scale": "large"}, Q(scale="large"), set(), {SHANYUAN, YUESE, HANXI}),
        (
            {"q": "螺蛳粉"},
            Q(name__contains="螺蛳粉") | Q(products__contains="螺蛳粉"),
            {SHANYUAN},
            {YUESE, HANXI},
        ),
        (
            {"q": "石墨烯"},
            Q(name__contains="石墨烯") | Q(products__contains="石墨烯"),
            {HANXI},
            {SHANYUAN, YUESE},
        ),
    ],
)
def test_enterprise_filters(api_for, params, rule, present, absent):
    rows = _all_rows(api_for("admin"), "/api/v1/enterprises", **params)
    assert {row["id"] for row in rows} == _ids_of(Enterprise, rule)
    names = {row["name"] for row in rows}
    assert present <= names and not names & absent


def test_enterprise_search_by_uscc_finds_exactly_that_enterprise(api_for):
    c = api_for("admin")
    assert _names(c.get("/api/v1/enterprises", {"q": demo_uscc("320614", 2)})) == {YUESE}


def test_filters_never_widen_the_scope(api_for):
    c = api_for("reg_lz")
    assert _names(c.get("/api/v1/enterprises", {"region": "320614"})) == set()
    assert _names(c.get("/api/v1/enterprises", {"q": "家纺"})) == set()
    assert _names(c.get("/api/v1/enterprises", {"q": demo_uscc("320614", 2)})) == set()
    assert _names(api_for("ent_yuese").get("/api/v1/enterprises", {"q": "螺蛳粉"})) == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "45"}, "region"),
        ({"region": "459999"}, "region"),
        ({"industry": "1x"}, "industry"),
        ({"industry": "9999"}, "industry"),
        ({"scale": "huge"}, "scale"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
    ],
)
def test_bad_enterprise_filters_are_422_naming_the_parameter(api_for, params, field):
    assert _fields(api_for("reg_gx").get("/api/v1/enterprises", params)) == [field]


def test_enterprise_list_pages(api_for, demo_user):
    admin = demo_user("admin")
    for serial in range(3, 8):
        enterprise_create(
            data=EnterpriseData(
                **_new_enterprise(uscc=demo_uscc("450205", serial), name=f"分页测试{serial}")
            ),
            by=admin,
        )
    c = api_for("reg_lz")
    total = Enterprise.objects.filter(region__code__startswith="4502").count()
    assert total >= 6
    pages, page = [], 1
    while True:
        body = c.get("/api/v1/enterprises", {"page_size": 4, "page": page}).json()
        assert body["count"] == total
        if not body["items"]:
            break
        pages.append([e["id"] for e in body["items"]])
        page += 1
    # Full pages of 4, then the remainder; no row twice, none missing; past the end is empty.
    assert [len(p) for p in pages] == [4] * (total // 4) + ([total % 4] if total % 4 else [])
    seen = [pk for p in pages for pk in p]
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == _ids_of(Enterprise, Q(region__code__startswith="4502"))
    assert {f"分页测试{serial}" for serial in range(3, 8)} <= _all_names(c, "/api/v1/enterprises")
    assert c.get("/api/v1/enterprises", {"page": len(pages) + 5, "page_size": 4}).json()["items"] == []


def test_enterprise_list_default_page_size_is_25(api_for, demo_user):
    admin = demo_user("admin")
    base = Enterprise.objects.count()
    for serial in range(30):
        body = f"91450205000000{serial:03d}"
        code = body + _uscc.calc_check_digit(body)
        enterprise_create(
            data=EnterpriseData(**_new_enterprise(uscc=code, name=f"批量{serial:02d}")), by=admin
        )
    body = api_for("admin").get("/api/v1/enterprises").json()
    assert body["count"] == base + 30 and len(body["items"]) == 25
    big = api_for("admin").get("/api/v1/enterprises", {"page_size": 100}).json()
    assert len(big["items"]) == min(100, base + 30)


def test_enterprise_list_has_no_n_plus_one(api_for, demo_user, django_assert_max_num_queries):
    c = api_for("reg_gx")
    in_guangxi = Enterprise.objects.filter(region__code__startswith="45").count
    expected = min(100, in_guangxi())
    with django_assert_max_num_queries(5):
        assert len(c.get("/api/v1/enterprises", {"page_size": 100}).json()["items"]) == expected
    admin = demo_user("admin")
    for serial in range(3, 9):
        enterprise_create(
            data=EnterpriseData(
                **_new_enterprise(
                    uscc=demo_uscc("450205", serial),
                    name=f"计数{serial}",
                    industry=["1431", "1439", None][serial % 3],
                )
            ),
            by=admin,
        )
    more = min(100, in_guangxi())
    assert more == expected + 6 or more == 100
    with django_assert_max_num_queries(5):
        assert len(c.get("/api/v1/enterprises", {"page_size": 100}).json()["items"]) == more
    station = api_for("station_lz")
    in_area = Enterprise.objects.filter(region_id__in=_area(STATION_LZ)).count()
    assert in_area >= 7
    with django_assert_max_num_queries(5):
        assert len(station.get("/api/v1/enterprises", {"page_size": 100}).json()["items"]) == min(
            100, in_area
        )


# --- enterprises: registration -----------------------------------------------------------------------


def test_regulator_registers_an_enterprise_in_its_region(api_for):
    r = _post(api_for("reg_lz"), **_new_enterprise())
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "柳州螺蛳粉新厂（测试）" and body["region_code"] == "450205"
    assert body["industry_code"] == "1431" and body["scale"] == "micro"
    ent = Enterprise.objects.get(pk=body["id"])
    assert ent.organisation.kind == Organisation.Kind.ENTERPRISE
    assert AuditEntry.objects.filter(
        action="directory.enterprise.created", object_id=str(ent.pk), actor_username="reg_lz"
    ).exists()
    # Visible to the region's regulators, not to other enterprises.
    assert api_for("reg_gx").get(f"/api/v1/enterprises/{ent.pk}").status_code == 200
    assert api_for("ent_shanyuan").get(f"/api/v1/enterprises/{ent.pk}").status_code == 404


def test_station_registers_a_walk_in_enterprise_in_its_area(api_for):
    r = _post(
        api_for("station_lz"),
        **_new_enterprise(uscc=" 9145 0205 0000 0000 7" + demo_uscc("450205", 7)[-1].lower()),
    )
    assert r.status_code == 201, r.content
    assert r.json()["uscc"] == demo_uscc("450205", 7)


def test_usccs_are_normalised_before_the_duplicate_check(api_for):
    assert _post(api_for("reg_lz"), **_new_enterprise()).status_code == 201
    r = _post(api_for("reg_lz"), **_new_enterprise(uscc=demo_uscc("450205", 7).lower(), name="另一家"))
    assert _fields(r) == ["uscc"]


def _counts():
    return (
        Enterprise.objects.count(),
        Organisation.objects.count(),
        AuditEntry.objects.filter(action="directory.enterprise.created").count(),
    )


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            {"uscc": demo_uscc("450205", 7)[:-1] + ("0" if demo_uscc("450205", 7)[-1] != "0" else "1")},
            "uscc",
            ["校验码", "第18位应为“" + demo_uscc("450205", 7)[-1] + "”"],
        ),
        ({"uscc": "91450205000000"}, "uscc", ["18位", "14位"]),
        ({"uscc": "91450205O00000007X"}, "uscc", ["不允许的字符", "O"]),
        ({"uscc": ""}, "uscc", ["请填写"]),
        ({"uscc": demo_uscc("450204", 1)}, "uscc", ["已登记"]),
        ({"name": "  "}, "name", ["企业名称"]),
        ({"region": "459999"}, "region", ["不存在"]),
        ({"region": "4502"}, "region", ["不存在"]),
        ({"region": "450200"}, "region", ["县级"]),
        ({"industry": "9999"}, "industry", ["GB/T 4754"]),
        ({"scale": "huge"}, "scale", ["micro"]),
        ({"kind": "cooperative"}, "kind", ["company"]),
        ({"address": "长" * 256}, "address", ["255"]),
    ],
)
def test_bad_registration_is_422_naming_the_field_and_saves_nothing(api_for, overrides, field, words):
    before = _counts()
    r = _post(api_for("reg_lz"), **_new_enterprise(**overrides))
    assert _fields(r) == [field]
    message = r.json()["detail"][0]["message"]
    for word in words:
        assert word in message, message
    assert _counts() == before


def test_several_bad_fields_are_reported_together(api_for):
    r = _post(api_for("reg_lz"), **_new_enterprise(uscc="123", region="000001", industry="ZZZZ", scale="x"))
    assert set(_fields(r)) == {"uscc", "region", "industry", "scale"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"uscc": demo_uscc("450205", 7), "region": "450205"}, ["name"]),
        ({"name": "x"}, ["uscc", "region"]),
        ({"uscc": 914502050000000077, "name": "x", "region": "450205"}, ["uscc"]),
        ({"uscc": demo_uscc("450205", 7), "name": ["x"], "region": 450205}, ["name", "region"]),
        ({"uscc": demo_uscc("450205", 7), "name": "x", "region": "450205", "scale": None}, ["scale"]),
    ],
)
def test_missing_or_mistyped_input_is_422_naming_the_field(api_for, body, fields):
    before = _counts()
    r = api_for("reg_lz").post("/api/v1/enterprises", json.dumps(body), content_type="application/json")
    assert _fields(r) == fields
    assert all(e["message"] for e in r.json()["detail"])
    assert _counts() == before


@pytest.mark.parametrize(
    ("username", "region"),
    [
        ("ent_yuese", "320614"),
        ("ent_shanyuan", "450204"),
        ("lab_lz", "450204"),
        ("reg_lz", "320614"),
        ("station_lz", "420102"),
        ("coop_haimen", "320614"),
    ],
)
def test_registration_where_the_user_may_not_is_403_and_saves_nothing(api_for, username, region):
    before = _counts()
    r = _post(api_for(username), **_new_enterprise(region=region, uscc=demo_uscc(region, 8)))
    assert r.status_code == 403
    assert r.json()["detail"] == "您无权在该地区登记企业。"
    assert _counts() == before


def test_registration_needs_a_token():
    from django.test import Client

    r = Client().post("/api/v1/enterprises", json.dumps(_new_enterprise()), content_type="application/json")
    assert r.status_code == 401


# --- institutions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {LAB_LZ, CAL_LZ, LAB_NT, LAB_NN, STD_WH}),
        ("reg_gx", {LAB_LZ, CAL_LZ, LAB_NN}),
        ("reg_lz", {LAB_LZ, CAL_LZ}),
        ("lab_lz", {LAB_LZ, CAL_LZ, LAB_NN}),
        ("ent_shanyuan", {LAB_LZ, CAL_LZ, LAB_NN}),
        ("station_lz", {LAB_LZ, CAL_LZ, LAB_NN}),
        ("ent_yuese", {LAB_NT}),
        ("coop_haimen", {LAB_NT}),
        ("ent_hanxi", {STD_WH}),
        ("station_wh", {STD_WH}),
    ],
)
def test_institution_list_by_user(api_for, username, expected):
    assert _names(api_for(username).get("/api/v1/institutions")) == expected


def test_institution_filters(api_for):
    c = api_for("admin")
    assert _names(c.get("/api/v1/institutions", {"kind": "standardisation"})) == {STD_WH}
    assert _names(c.get("/api/v1/institutions", {"region": "450200"})) == {LAB_LZ, CAL_LZ}
    assert _names(c.get("/api/v1/institutions", {"region": "450200", "kind": "testing"})) == {LAB_LZ}
    assert _names(c.get("/api/v1/institutions", {"q": "纺织品"})) == {LAB_NT, LAB_NN}
    assert _fields(c.get("/api/v1/institutions", {"kind": "lab"})) == ["kind"]
    assert _fields(c.get("/api/v1/institutions", {"region": "x"})) == ["region"]


def test_institution_detail_has_qualifications_and_a_page_of_scope_lines(api_for):
    pk = _id(Institution, LAB_LZ)
    body = api_for("ent_shanyuan").get(f"/api/v1/institutions/{pk}").json()
    assert body["name"] == LAB_LZ and body["kind"] == "testing" and body["region_code"] == "450204"
    assert [(q["kind"], q["number"]) for q in body["qualifications"]] == [("cma", "示例-CMA-LZ-0001")]
    lines = body["scope_lines"]
    assert lines["count"] == 12 and len(lines["items"]) == 12
    first = lines["items"][0]
    assert {"product", "parameter", "method_standard", "limitation"} <= set(first)
    assert ("米粉制品", "菌落总数", "GB 4789.2-2022") in {
        (x["product"], x["parameter"], x["method_standard"]) for x in lines["items"]
    }


def test_institution_scope_lines_page_by_page(api_for):
    pk = _id(Institution, LAB_NT)
    c = api_for("ent_yuese")
    page = c.get(f"/api/v1/institutions/{pk}/scope-lines", {"page_size": 5, "page": 2}).json()
    assert page["count"] == 8 and len(page["items"]) == 3
    assert api_for("reg_lz").get(f"/api/v1/institutions/{pk}/scope-lines").status_code == 404


@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("reg_lz", LAB_NT),
        ("reg_lz", STD_WH),
        ("reg_lz", LAB_NN),
        ("ent_yuese", LAB_LZ),
        ("ent_hanxi", LAB_NT),
        ("ent_shanyuan", STD_WH),
    ],
)
def test_institution_detail_outside_scope_is_404(api_for, username, name):
    assert api_for(username).get(f"/api/v1/institutions/{_id(Institution, name)}").status_code == 404


# --- stations ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "rule", "present", "absent"),
    [
        ("admin", Q(), {STATION_LZ, STATION_WH}, set()),
        # A regulator: its subtree. Members of enterprises and cooperatives: stations in their own province.
        ("reg_lz", Q(region__code__startswith="4502"), {STATION_LZ}, {STATION_WH}),
        ("ent_shanyuan", Q(region__code__startswith="45"), {STATION_LZ}, {STATION_WH}),
        ("ent_hanxi", Q(region__code__startswith="42"), {STATION_WH}, {STATION_LZ}),
        ("ent_yuese", Q(region__code__startswith="32"), set(), {STATION_LZ, STATION_WH}),
        ("coop_haimen", Q(region__code__startswith="32"), set(), {STATION_LZ, STATION_WH}),
    ],
)
def test_station_list_by_user(api_for, username, rule, present, absent):
    rows = _all_rows(api_for(username), "/api/v1/stations")
    assert {row["id"] for row in rows} == _ids_of(Station, rule)
    names = {row["name"] for row in rows}
    assert present <= names and not names & absent


@pytest.mark.parametrize(
    ("params", "rule", "present", "absent"),
    [
        ({"industry": "14"}, Q(industries__code__startswith="14"), {STATION_LZ}, {STATION_WH}),
        ({"industry": "3985"}, Q(industries__code="3985"), {STATION_WH}, {STATION_LZ}),
        ({"region": "420000"}, Q(region__code__startswith="42"), {STATION_WH}, {STATION_LZ}),
        (
            {"q": "螺蛳粉"},
            Q(name__contains="螺蛳粉") | Q(specialty__contains="螺蛳粉"),
            {STATION_LZ},
            {STATION_WH},
        ),
    ],
)
def test_station_filters(api_for, params, rule, present, absent):
    rows = _all_rows(api_for("admin"), "/api/v1/stations", **params)
    assert {row["id"] for row in rows} == _ids_of(Station, rule)
    names = {row["name"] for row in rows}
    assert present <= names and not names & absent


def test_bad_station_filter_is_422_naming_the_parameter(api_for):
    assert _fields(api_for("admin").get("/api/v1/stations", {"industry": "ABC"})) == ["industry"]


def test_station_detail_has_service_area_and_industries(api_for):
    from nqihub.core.models import Region

    pk = _id(Station, STATION_LZ)
    body = api_for("reg_lz").get(f"/api/v1/stations/{pk}").json()
    assert body["name"] == STATION_LZ and body["specialty"] == "螺蛳粉"
    assert body["service_area"] == sorted(
        Region.objects.filter(parent_id="450200").values_list("code", flat=True)
    )
    assert {"code": "1431", "name": "米、面制品制造"} in body["industries"]
    assert body["opening_hours"]


@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("reg_lz", STATION_WH),
        ("ent_yuese", STATION_LZ),
        ("ent_hanxi", STATION_LZ),
        ("ent_shanyuan", STATION_WH),
    ],
)
def test_station_detail_outside_scope_is_404(api_for, username, name):
    assert api_for(username).get(f"/api/v1/stations/{_id(Station, name)}").status_code == 404


# --- experts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"韦工（示例）", "覃工（示例）", "陈工（示例）", "沈工（示例）"}),
        ("reg_lz", {"韦工（示例）", "覃工（示例）"}),
        ("ent_shanyuan", {"韦工（示例）", "覃工（示例）"}),
        ("ent_yuese", {"沈工（示例）"}),
        ("ent_hanxi", {"陈工（示例）"}),
    ],
)
def test_expert_list_by_user(api_for, username, expected):
    assert _names(api_for(username).get("/api/v1/experts")) == expected


def test_expert_filters(api_for):
    c = api_for("admin")
    assert _names(c.get("/api/v1/experts", {"element": "certification"})) == {"陈工（示例）"}
    assert _names(c.get("/api/v1/experts", {"q": "色牢度"})) == {"沈工（示例）"}
    assert _names(c.get("/api/v1/experts", {"region": "450205"})) == {"覃工（示例）"}
    assert _fields(c.get("/api/v1/experts", {"element": "magic"})) == ["element"]


def test_expert_detail(api_for):
    pk = _id(Expert, "韦工（示例）")
    body = api_for("station_lz").get(f"/api/v1/experts/{pk}").json()
    assert body["title"] == "高级工程师" and body["organisation_name"] == STATION_LZ
    assert body["nqi_elements"] == ["standards", "testing", "quality"]
    assert {"code": "1431", "name": "米、面制品制造"} in body["industries"]
    assert "螺蛳粉" in body["keywords"]


@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("reg_lz", "沈工（示例）"),
        ("reg_lz", "陈工（示例）"),
        ("ent_yuese", "韦工（示例）"),
        ("ent_hanxi", "沈工（示例）"),
    ],
)
def test_expert_detail_outside_scope_is_404(api_for, username, name):
    assert api_for(username).get(f"/api/v1/experts/{_id(Expert, name)}").status_code == 404


def test_resource_lists_have_no_n_plus_one(api_for, django_assert_max_num_queries):
    c = api_for("admin")
    for url in ("/api/v1/institutions", "/api/v1/stations", "/api/v1/experts"):
        with django_assert_max_num_queries(5):
            assert c.get(url).json()["items"]


# --- capability match --------------------------------------------------------------------------------

MATCH = "/api/v1/capabilities/match"


def test_match_finds_the_nearby_lab_with_its_matching_lines(api_for):
    r = api_for("ent_yuese").get(MATCH, {"parameter": "甲醛", "product": "家纺", "region": "320614"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["page"] == 1 and body["page_size"] == 25 and body["has_more"] is False
    [hit] = body["items"]
    assert hit == {
        "id": _id(Institution, LAB_NT),
        "name": LAB_NT,
        "kind": "testing",
        "region_code": "320614",
        "region_name": "海门区",
        "closeness": "同县",
        "lines": [
            {
                "product": "纺织品",
                "parameter": "甲醛含量",
                "method_standard": "GB/T 2912.1-2009",
                "limitation": "游离和水解的甲醛（水萃取法）",
            }
        ],
    }


def test_match_orders_nearest_first(api_for):
    items = api_for("admin").get(MATCH, {"parameter": "甲醛含量", "region": "450204"}).json()["items"]
    assert [(i["name"], i["closeness"]) for i in items] == [(LAB_NN, "同省"), (LAB_NT, "其他地区")]
    items = api_for("ent_shanyuan").get(MATCH, {"parameter": "菌落总数", "region": "450205"}).json()["items"]
    assert [(i["name"], i["closeness"]) for i in items] == [(LAB_LZ, "同市")]
    assert {line["product"] for line in items[0]["lines"]} == {"米粉制品", "食品"}


def test_match_filters_by_method_standard(api_for):
    c = api_for("admin")
    assert _names(c.get(MATCH, {"parameter": "甲醛", "standard": "GB/T 2912.1"})) == {LAB_NT, LAB_NN}
    assert _names(c.get(MATCH, {"parameter": "甲醛", "standard": "GB/T 7573"})) == set()


def test_match_without_region_has_no_closeness(api_for):
    items = api_for("admin").get(MATCH, {"parameter": "甲醛"}).json()["items"]
    assert {i["name"] for i in items} == {LAB_NT, LAB_NN}
    assert {i["closeness"] for i in items} == {""}


@pytest.mark.parametrize(
    ("username", "params"),
    [
        ("reg_lz", {"parameter": "甲醛"}),
        ("ent_hanxi", {"parameter": "甲醛", "region": "420102"}),
        ("ent_yuese", {"parameter": "菌落总数", "region": "320614"}),
        ("ent_shanyuan", {"parameter": "导热系数"}),
    ],
)
def test_match_shows_no_institution_outside_scope(api_for, username, params):
    body = api_for(username).get(MATCH, params).json()
    assert body["items"] == [] and body["has_more"] is False


def test_match_pages(api_for):
    c = api_for("admin")
    first = c.get(MATCH, {"parameter": "甲醛", "region": "320614", "page_size": 1}).json()
    second = c.get(MATCH, {"parameter": "甲醛", "region": "320614", "page_size": 1, "page": 2}).json()
    assert [i["name"] for i in first["items"]] == [LAB_NT] and first["has_more"] is True
    assert [i["name"] for i in second["items"]] == [LAB_NN] and second["has_more"] is False
    full = c.get(MATCH, {"parameter": "甲醛", "page_size": 100}).json()
    assert len(full["items"]) == 2 and full["has_more"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "parameter"),
        ({"product": "  "}, "parameter"),  # a product alone is a query (issue 16 item 8); neither is not
        ({"parameter": "  "}, "parameter"),
        ({"parameter": "甲醛", "region": "32061"}, "region"),
        ({"parameter": "甲醛", "region": "329999"}, "region"),
        ({"parameter": "甲醛", "page_size": "0"}, "page_size"),
        ({"parameter": "甲醛", "page": "-1"}, "page"),
    ],
)
def test_bad_match_query_is_422_naming_the_parameter(api_for, params, field):
    assert _fields(api_for("ent_yuese").get(MATCH, params)) == [field]
