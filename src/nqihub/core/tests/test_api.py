"""Reference-data routes, the API's error format, the OpenAPI document and the local docs page."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _fields(response) -> list[str]:
    return [e["field"] for e in response.json()["detail"]]


# --- regions -----------------------------------------------------------------------------------------


def test_region_detail_gives_code_name_level_and_parent(api_for):
    r = api_for("ent_yuese").get("/api/v1/regions/450204")
    assert r.status_code == 200
    assert r.json() == {"code": "450204", "name": "柳南区", "level": "county", "parent_code": "450200"}


def test_province_has_no_parent(api_for):
    body = api_for("reg_lz").get("/api/v1/regions/450000").json()
    assert body["level"] == "province" and body["parent_code"] is None


def test_unknown_region_code_is_404(api_for):
    r = api_for("reg_lz").get("/api/v1/regions/459999")
    assert r.status_code == 404
    assert r.json()["detail"]


@pytest.mark.parametrize("code", ["4502", "45020x", "4502041"])
def test_malformed_region_code_is_422_naming_code(api_for, code):
    r = api_for("reg_lz").get(f"/api/v1/regions/{code}")
    assert r.status_code == 422
    assert _fields(r) == ["code"]
    assert "6位数字" in r.json()["detail"][0]["message"]


def test_regions_without_parent_are_the_provinces(api_for):
    rows = api_for("reg_lz").get("/api/v1/regions").json()
    assert {"code": "450000", "name": "广西壮族自治区", "level": "province", "parent_code": None} in rows
    assert all(row["level"] == "province" for row in rows)
    assert len(rows) >= 31


def test_regions_with_parent_are_its_children(api_for):
    rows = api_for("reg_lz").get("/api/v1/regions", {"parent": "450200"}).json()
    codes = [row["code"] for row in rows]
    assert "450204" in codes and codes == sorted(codes)
    assert all(row["parent_code"] == "450200" for row in rows)


@pytest.mark.parametrize("parent", ["45", "abcdef", "459999"])
def test_bad_parent_is_422_naming_parent(api_for, parent):
    r = api_for("reg_lz").get("/api/v1/regions", {"parent": parent})
    assert r.status_code == 422
    assert _fields(r) == ["parent"]


# --- industries --------------------------------------------------------------------------------------


def test_industry_detail(api_for):
    body = api_for("ent_shanyuan").get("/api/v1/industries/1431").json()
    assert body["code"] == "1431" and body["level"] == "class" and body["parent_code"] == "143"
    assert body["name"] == "米、面制品制造"


def test_industry_section_letter_is_case_insensitive(api_for):
    body = api_for("ent_shanyuan").get("/api/v1/industries/c").json()
    assert body["code"] == "C" and body["level"] == "section" and body["parent_code"] is None


def test_unknown_industry_is_404_and_malformed_is_422(api_for):
    c = api_for("ent_shanyuan")
    assert c.get("/api/v1/industries/9999").status_code == 404
    r = c.get("/api/v1/industries/14x1")
    assert r.status_code == 422 and _fields(r) == ["code"]


def test_industry_children(api_for):
    c = api_for("ent_shanyuan")
    sections = c.get("/api/v1/industries").json()
    assert "C" in [s["code"] for s in sections]
    children = c.get("/api/v1/industries", {"parent": "143"}).json()
    assert "1431" in [i["code"] for i in children]
    r = c.get("/api/v1/industries", {"parent": "ZZ"})
    assert r.status_code == 422 and _fields(r) == ["parent"]


# --- authentication and the error format -------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/regions/450204", "/api/v1/regions", "/api/v1/industries/1431", "/api/v1/industries"]
)
def test_reference_routes_need_a_token(url):
    r = Client().get(url)
    assert r.status_code == 401
    assert r.json()["detail"]
    r = Client(headers={"Authorization": "Bearer not-a-token"}).get(url)
    assert r.status_code == 401


def test_pydantic_errors_name_the_query_parameter_in_chinese(api_for):
    r = api_for("reg_lz").get("/api/v1/enterprises", {"page": "x", "page_size": "500"})
    assert r.status_code == 422
    detail = {e["field"]: e["message"] for e in r.json()["detail"]}
    assert set(detail) == {"page", "page_size"}
    assert detail["page"] == "应为整数。" and "100" in detail["page_size"]


def test_path_parameter_of_the_wrong_type_is_422_naming_it(api_for):
    r = api_for("reg_lz").get("/api/v1/enterprises/abc")
    assert r.status_code == 422 and _fields(r) == ["id"]


def test_body_that_is_not_json_is_422_naming_the_body(api_for):
    r = api_for("reg_lz").post("/api/v1/enterprises", "not json", content_type="application/json")
    assert r.status_code == 422 and _fields(r) == ["body"]
    r = api_for("reg_lz").post("/api/v1/enterprises", "", content_type="application/json")
    assert r.status_code == 422 and _fields(r) == ["body"]


def test_chinese_is_sent_as_utf8_not_escaped(api_for):
    r = api_for("reg_lz").get("/api/v1/regions/450204")
    assert "柳南区".encode() in r.content
    assert r["Content-Type"].startswith("application/json")


# --- OpenAPI and docs --------------------------------------------------------------------------------

ROUTES = {
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/regions"),
    ("get", "/api/v1/regions/{code}"),
    ("get", "/api/v1/industries"),
    ("get", "/api/v1/industries/{code}"),
    ("get", "/api/v1/enterprises"),
    ("post", "/api/v1/enterprises"),
    ("get", "/api/v1/enterprises/{id}"),
    ("get", "/api/v1/institutions"),
    ("get", "/api/v1/institutions/{id}"),
    ("get", "/api/v1/institutions/{id}/scope-lines"),
    ("get", "/api/v1/stations"),
    ("get", "/api/v1/stations/{id}"),
    ("get", "/api/v1/experts"),
    ("get", "/api/v1/experts/{id}"),
    ("get", "/api/v1/capabilities/match"),
}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_lists_every_route_with_the_bearer_scheme():
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"] == "1"
    listed = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    assert ROUTES <= listed
    schemes = spec["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerAuth"].items()
    for method, path in ROUTES:
        op = spec["paths"][path][method]
        assert op["responses"], (method, path)
        if path == "/api/v1/auth/token":
            assert "security" not in op
        else:
            assert op["security"] == [{"BearerAuth": []}], (method, path)
            assert "401" in op["responses"]
    # Every reference resolves.
    schemas = spec["components"]["schemas"]
    for ref in set(_refs(spec)):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def test_openapi_documents_the_pagination_and_filters():
    spec = Client().get("/api/v1/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/v1/enterprises"]["get"]["parameters"]}
    assert {"q", "region", "industry", "scale", "page", "page_size"} <= params
    params = {p["name"] for p in spec["paths"]["/api/v1/capabilities/match"]["get"]["parameters"]}
    assert {"parameter", "product", "standard", "region", "page", "page_size"} <= params


def test_docs_page_loads_its_assets_locally():
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, html
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    assert any(u.endswith("swagger-ui.css") for u in urls)
    for url in urls:
        assert url.startswith("/static/"), url
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    # The online validator badge (validator.swagger.io) is switched off.
    assert '"validatorUrl": null' in html


def test_docs_assets_are_collected_with_the_app_static_files():
    # collectstatic (and WhiteNoise in development) find them in ninja's app static directory.
    from django.contrib.staticfiles import finders

    html = Client().get("/api/v1/docs").content.decode()
    for url in re.findall(r"""(?:src|href)=["']/static/([^"']+)["']""", html):
        assert finders.find(url), url
