"""Every number and text a client sends is bounded (issue 13, items 5 and 8): the OpenAPI document states
a maximum for every integer and a maximum length for every string of every route, so that a route added
without them fails here; numbers beyond the database's range are 4xx with a Chinese message, on the API and
on pages; JSON nested 50,000 deep, a body that is not an object and a multipart body without boundary are
4xx too."""

import json
import re

import pytest
from django.test import Client

from nqihub.core.bounds import BIGINT_MAX

pytestmark = pytest.mark.django_db

HUGE = str(10**30)
#: Free-form maps whose keys and values the service checks one by one (label fields, inspection values).
OPEN_MAPS = {"fields", "values"}
#: Strings whose format already bounds them.
BOUNDED_FORMATS = {"date", "date-time", "binary", "uuid"}


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _unbounded(spec, schema, where, seen=None) -> list[str]:
    """Paths of integers without maximum, strings without maxLength, arrays without maxItems."""
    seen = seen if seen is not None else set()
    if "$ref" in schema:
        name = schema["$ref"]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(spec, schema)
    problems = []
    alternatives = schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", [])
    if any(a.get("type") == "number" and "maximum" in a for a in alternatives):
        # A decimal: a bounded number, or the same number as a string (pydantic's Decimal).
        alternatives = [a for a in alternatives if a.get("type") != "string"]
    for alternative in alternatives:
        problems += _unbounded(spec, alternative, where, seen)
    kind = schema.get("type")
    if kind == "integer" and "maximum" not in schema:
        problems.append(f"{where}: integer without maximum")
    if kind == "string" and "maxLength" not in schema and "enum" not in schema:
        if schema.get("format") not in BOUNDED_FORMATS:
            problems.append(f"{where}: string without maxLength")
    if kind == "array":
        if "maxItems" not in schema:
            problems.append(f"{where}: array without maxItems")
        problems += _unbounded(spec, schema.get("items", {}), f"{where}[]", seen)
    for name, prop in schema.get("properties", {}).items():
        if name in OPEN_MAPS:
            continue
        problems += _unbounded(spec, prop, f"{where}.{name}", seen)
    return problems


def test_every_integer_and_string_a_client_sends_is_bounded_in_the_openapi(openapi):
    problems = []
    for path, operations in openapi["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                problems += _unbounded(
                    openapi, param.get("schema", {}), f"{where} {param['in']}:{param['name']}"
                )
            for content_type, content in op.get("requestBody", {}).get("content", {}).items():
                problems += _unbounded(openapi, content.get("schema", {}), f"{where} body({content_type})")
    assert problems == [], "\n".join(problems)


def _integer_params(openapi):
    for path, operations in openapi["paths"].items():
        op = operations.get("get")
        if not op:
            continue
        for param in op.get("parameters", []):
            schema = param.get("schema", {})
            types = {schema.get("type")} | {alt.get("type") for alt in schema.get("anyOf", [])}
            if "integer" in types:
                yield path, param


def test_every_integer_parameter_beyond_the_database_range_is_a_422_naming_it(openapi, api_for):
    api = api_for("admin")
    checked = 0
    for path, param in _integer_params(openapi):
        url, query = path, {}
        if param["in"] == "path":
            url = path.replace("{" + param["name"] + "}", HUGE)
        else:
            query = {param["name"]: HUGE}
        url = re.sub(r"\{[^}]+\}", "1", url)  # other path parameters: any existing-looking id
        response = api.get(url, query)
        assert response.status_code == 422, (url, param["name"], response.content[:200])
        detail = response.json()["detail"]
        assert any(d["field"] == param["name"] and "不能大于" in d["message"] for d in detail), detail
        checked += 1
    assert checked > 40


def test_the_largest_id_is_accepted_and_simply_not_found(api_for):
    api = api_for("admin")
    assert api.get(f"/api/v1/requests/{BIGINT_MAX}").status_code == 404
    assert api.get("/api/v1/requests", {"station": BIGINT_MAX}).json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/cases/?page=" + HUGE,
        "/cases/articles/?page=" + HUGE,
        "/standards/?page=" + HUGE,
        "/cases/?page=abc",
    ],
)
def test_public_pages_answer_a_page_number_out_of_range_with_400_in_chinese(url):
    response = Client().get(url)
    assert response.status_code in (302, 400), url
    if response.status_code == 400:
        assert "页码" in response.content.decode()


def test_the_case_library_page_out_of_range_is_a_400():
    response = Client().get("/cases/", {"page": HUGE})
    assert response.status_code == 400 and "页码应在 1 到" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("admin", "/metrology/?enterprise=" + HUGE),
        ("admin", "/desk/requests/?station=" + HUGE),
        ("reg_lz", "/stats/dashboard/?station=" + HUGE),
        ("admin", "/testing/?page=" + HUGE),
        ("admin", f"/directory/enterprises/{HUGE}/"),
        ("admin", f"/desk/requests/{HUGE}/"),
    ],
)
def test_signed_in_pages_never_answer_a_huge_number_with_a_server_error(client_for, username, url):
    # The test client raises a view's exception: a server error fails here.
    answer = client_for(username).get(url)
    assert answer.status_code < 500, (url, answer.status_code)


def test_public_declarations_with_a_huge_enterprise_id_is_a_4xx():
    response = Client(raise_request_exception=False).get(
        f"/standards/public/enterprises/{HUGE}/declarations/"
    )
    assert response.status_code in (400, 404)


def _post(client, url, body, content_type="application/json"):
    return client.post(url, body, content_type=content_type)


def test_json_nested_50000_deep_is_a_422_not_a_crash(api_for):
    body = "[" * 50_000 + "]" * 50_000
    for client, url in [(Client(), "/api/v1/auth/token"), (api_for("ent_shanyuan"), "/api/v1/requests")]:
        response = _post(client, url, body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "body"
        assert "嵌套层数过多" in response.json()["detail"][0]["message"]


def test_json_nested_deeper_than_the_limit_but_parseable_is_refused_too():
    nested: list = ["x"]
    for _ in range(40):
        nested = [nested]
    body = json.dumps({"username": "x", "password": nested})
    response = _post(Client(), "/api/v1/auth/token", body)
    assert response.status_code == 422 and "嵌套层数过多" in response.json()["detail"][0]["message"]


def test_a_patch_with_an_array_body_is_refused_and_changes_nothing(api_for):
    api = api_for("admin")
    url = "/api/v1/certificates/" + str(api.get("/api/v1/certificates").json()["items"][0]["id"])
    before = api.get(url).json()
    response = api.patch(url, "[]", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"
    assert "JSON 对象" in response.json()["detail"][0]["message"]
    assert api.get(url).json() == before


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_multipart_token_request_without_boundary_is_a_422_in_chinese(content_type):
    body = json.dumps({"username": "reg_lz", "password": "wrong-Password1"}).encode()
    response = Client(raise_request_exception=False).post(
        "/api/v1/auth/token", body, content_type=content_type
    )
    assert response.status_code == 422
    assert "boundary" in response.json()["detail"][0]["message"]


def test_a_multipart_form_without_boundary_on_a_page_is_a_400(client_for):
    response = client_for("ent_shanyuan").generic(
        "POST", "/desk/requests/new/", b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code in (400, 403)


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document keeps one schema per class name: two classes of the same name in different apps
    would silently describe one route's answer with the other's fields (schemathesis found drafting's
    ``IndicatorOut`` standing for the declarations' one)."""
    import importlib
    import pkgutil

    from ninja import Schema

    import nqihub

    seen: dict[str, str] = {}
    clashes: list[str] = []
    for info in pkgutil.iter_modules(nqihub.__path__):
        if not info.ispkg:
            continue
        for leaf in ("api", "schemas_api"):
            try:
                module = importlib.import_module(f"nqihub.{info.name}.{leaf}")
            except ModuleNotFoundError:
                continue
            clashes += _schema_clashes(module, seen, Schema)
    assert clashes == []


def _schema_clashes(module, seen: dict, schema_type) -> list[str]:
    clashes = []
    for name, obj in vars(module).items():
        if isinstance(obj, type) and issubclass(obj, schema_type) and obj.__module__ == module.__name__:
            if name in seen:
                clashes.append(f"{name}: {seen[name]} and {module.__name__}")
            seen[name] = module.__name__
    return clashes
