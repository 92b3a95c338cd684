"""The role × route × object matrix (issue 13 item 3).

Every route of the API (from /api/v1/openapi.json) and every page (from the URL conf) is called by one demo
user of every role — and anonymously — once for each of three objects: one in Liuzhou (柳州, the home of
善元食品, of the Liuzhou station, its expert, the Liuzhou lab and the Liuzhou regulator: their *own*
object), one in Wuhan (武汉, another organisation in another province) and one in Haimen (海门, the home of
the Haimen cooperative, another province for everyone else). The answer's status must be the one written
in ``access_matrix_table.EXPECTED``. A route without an entry fails the test, naming the route: whoever
adds a route decides, and writes down, who may call it.

Writes run inside a savepoint that is rolled back after each call, so every call sees the same demo world.
Bodies of writes are empty (``{}`` / an empty form): a role that may act gets past the permission check to
the validation (422, or a form shown again with its errors), a role that may not gets 403/404 first.

Besides the table, rules that hold whatever the table says:

* no call answers 5xx;
* a user anchored in Liuzhou never gets a 2xx for an object of Wuhan or Haimen, except public objects;
* the expert (no assignment in the demo world) gets no 2xx for an enterprise's records and writes nothing.

To regenerate the table after a deliberate change: ``ACCESS_MATRIX_UPDATE=1 pytest
src/nqihub/core/tests/test_access_matrix.py`` — then read the diff of ``access_matrix_table.py``.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from nqihub.accounts.models import ApiToken, User
from nqihub.core.scoping import prefix_q

pytestmark = pytest.mark.django_db

#: role → demo user (None: anonymous). One user per role of SPEC §2.
ROLES = {
    "anon": None,
    "enterprise": "ent_shanyuan",
    "station": "station_lz",
    "expert": "expert_lz",
    "lab": "lab_lz",
    "coop": "coop_haimen",
    "regulator": "reg_lz",
    "admin": "admin",
}
#: The three objects of every kind: (label, region-code prefix, enterprise). L: 善元食品 in Liuzhou (their
#: own for the Liuzhou roles); O: another organisation in Liuzhou; H: 悦瑟 in Haimen, another region (the
#: Haimen cooperative's own region).
OTHER_ORG = "柳州另一家食品有限公司（示例）"
WORLDS = (
    ("L", "4502", "善元食品有限公司"),
    ("O", "4502", OTHER_ORG),
    ("H", "3206", "南通悦瑟家居用品有限公司"),
)
#: Roles whose own objects are in Liuzhou: Haimen is another region for them.
LIUZHOU_ROLES = ("enterprise", "station", "expert", "lab", "regulator")
#: An enterprise's own records: another enterprise's are never its business.
ENTERPRISE_RECORDS = {
    "enterprise",
    "request",
    "order",
    "report",
    "instrument",
    "record",
    "certificate",
    "draft",
    "declaration",
}
#: Kinds anyone may read wherever they are (reference data, published knowledge).
PUBLIC_KINDS = {
    "region",
    "industry",
    "standard",
    "canonical",
    "article",
    "case",
    "ics",
    "ccs",
    "geo",
    "job",
    "slug",
    "public_enterprise",
}

TABLE = Path(__file__).with_name("access_matrix_table.py")
UPDATE = os.environ.get("ACCESS_MATRIX_UPDATE") == "1"


# --- the objects -----------------------------------------------------------------------------------------


def _models():
    from django.apps import apps

    get = apps.get_model
    return {
        # kind: (model, path to the region code, path to the enterprise's name or None)
        "enterprise": (get("directory", "Enterprise"), "region_id", "name"),
        "institution": (get("directory", "Institution"), "region_id", None),
        "station": (get("directory", "Station"), "region_id", None),
        "expert": (get("directory", "Expert"), "region_id", None),
        "request": (get("desk", "ServiceRequest"), "region_id", "enterprise__name"),
        "assignment": (get("desk", "Assignment"), "request__region_id", None),
        "declaration": (get("standards", "Declaration"), "enterprise__region_id", "enterprise__name"),
        "instrument": (get("metrology", "Instrument"), "region_id", "enterprise__name"),
        "booking": (get("metrology", "Booking"), "region_id", None),
        "record": (
            get("metrology", "VerificationRecord"),
            "instrument__region_id",
            "instrument__enterprise__name",
        ),
        "certificate": (get("certification", "Certificate"), "region_id", "enterprise__name"),
        "case": (get("cases", "Case"), "region_id", "enterprise__name"),
        "order": (get("testing", "TestOrder"), "region_id", "enterprise__name"),
        "report": (get("testing", "Report"), "order__region_id", "order__enterprise__name"),
        "cooperative": (get("cooperatives", "Cooperative"), "region_id", None),
        "member": (get("cooperatives", "Member"), "cooperative__region_id", "enterprise__name"),
        "qcplan": (get("cooperatives", "QcPlan"), "cooperative__region_id", None),
        "checkpoint": (get("cooperatives", "Checkpoint"), "plan__cooperative__region_id", None),
        "checkitem": (get("cooperatives", "CheckItem"), "checkpoint__plan__cooperative__region_id", None),
        "inspection": (
            get("cooperatives", "Inspection"),
            "member__cooperative__region_id",
            "member__enterprise__name",
        ),
        "nonconformity": (
            get("cooperatives", "NonConformity"),
            "member__cooperative__region_id",
            "member__enterprise__name",
        ),
        "testingplan": (get("cooperatives", "TestingPlan"), "cooperative__region_id", None),
        "statsreport": (get("stats", "Report"), "region_id", None),
        "draft": (get("drafting", "EnterpriseStandard"), "enterprise__region_id", "enterprise__name"),
        "notification": (get("notifications", "Notification"), None, None),
        "token": (get("accounts", "ApiToken"), None, None),
    }


#: Users whose notifications / tokens stand for the three worlds.
WORLD_USERS = {"L": "ent_shanyuan", "O": "ent_hanxi", "H": "ent_yuese"}


_PICKED: dict[tuple[str, str], str | None] = {}


def _pick(kind: str, world: str, models) -> str | None:
    if (kind, world) not in _PICKED:
        _PICKED[kind, world] = _pick_uncached(kind, world, models)
    return _PICKED[kind, world]


def _pick_uncached(kind: str, world: str, models) -> str | None:
    from django.apps import apps

    prefix, enterprise = next((p, e) for w, p, e in WORLDS if w == world)
    if kind == "region":
        return models["enterprise"][0].objects.get(name=enterprise).region_id
    if kind == "industry":
        return apps.get_model("core", "Industry").objects.order_by("code").values_list("code", flat=True)[0]
    if kind == "standard":
        std = apps.get_model("standards", "Standard").objects.order_by("pk").first()
        return std and str(std.pk)
    if kind == "canonical":
        std = apps.get_model("standards", "Standard").objects.order_by("pk").first()
        return std and std.canonical
    if kind == "article":
        art = apps.get_model("cases", "Article").objects.order_by("pk").first()
        return art and str(art.pk)
    if kind in ("ics", "ccs", "geo", "job", "slug", "uuid"):
        return {
            "ics": "67",
            "ccs": "X",
            "geo": "450000",
            "job": "0",
            "slug": "x",
            "uuid": "00000000-0000-4000-8000-000000000000",
        }[kind]
    model, region_path, enterprise_path = models["enterprise" if kind == "public_enterprise" else kind]
    if region_path is None:  # per user: notifications, tokens
        user = User.objects.get(username=WORLD_USERS[world])
        owner = "recipient" if kind == "notification" else "user"
        obj = model.objects.filter(**{owner: user}).order_by("pk").first()
        if obj is None and kind == "token":
            obj, _key = ApiToken.issue(user)
        return obj and str(obj.pk)
    qs = model.objects.filter(prefix_q(region_path, prefix)).order_by("pk")
    if enterprise_path:
        # The world's enterprise's own record: never 善元's for O, never another's for L.
        qs = qs.filter(**{enterprise_path: enterprise})
    elif world == "O":
        return None  # not an enterprise's record: the L object stands for Liuzhou
    obj = qs.first()
    return obj and str(obj.pk)


#: Secondary path parameters: child objects of the first object.
def _child(name: str, parent_kind: str, parent_id: str | None):
    from django.apps import apps

    if parent_id is None:
        return None
    children = {
        ("attachment_id", "request"): ("desk", "Attachment", "request_id"),
        ("attachment_id", "article"): ("cases", "ArticleAttachment", "article_id"),
        ("item_id", "order"): ("testing", "TestItem", "order_id"),
        ("sample_id", "order"): ("testing", "Sample", "order_id"),
        ("photo_id", "order"): ("testing", "SamplePhoto", "sample__order_id"),
        ("qualification_id", "institution"): ("directory", "Qualification", "institution_id"),
        ("audit_id", "certificate"): ("certification", "SurveillanceAudit", "certificate_id"),
        ("line_id", "testingplan"): ("cooperatives", "TestingPlanLine", "plan_id"),
        ("standard_id", "cooperative"): ("cooperatives", "SharedStandard", "cooperative_id"),
        ("template_id", "cooperative"): ("cooperatives", "LabelTemplate", "cooperative_id"),
    }
    spec = children.get((name, parent_kind))
    if spec is None:
        return "0"
    app, model, field = spec
    obj = apps.get_model(app, model).objects.filter(**{field: parent_id}).order_by("pk").first()
    return str(obj.pk) if obj else "0"


#: An action that exists, for routes with an ``action`` slug (the first match of the route wins).
ACTIONS = [
    (r"test-orders/.*actions|testing/orders/.*/action/", "receive"),
    (r"desk/requests/", "accept"),
    (r"desk/assignments/", "accept"),
    (r"cases/articles/", "publish"),
    (r"cases/", "submit"),
    (r"cooperatives/members/", "admit"),
    (r"metrology/bookings/", "accept"),
    (r"stats/reports/", "submit"),
    (r"notifications/preferences/mobile/", "remove"),
    (r"accounts/registrations/", "confirm"),
]


# --- route → kind of its main object -----------------------------------------------------------------------

#: (regex on the route, kind of the first path parameter). First match wins.
KINDS = [
    (r"^/api/v1/regions/", "region"),
    (r"^/api/v1/industries/", "industry"),
    (r"^/api/v1/enterprises/", "enterprise"),
    (r"^/api/v1/institutions/", "institution"),
    (r"^/api/v1/stations/", "station"),
    (r"^/api/v1/experts/", "expert"),
    (r"^/api/v1/requests/", "request"),
    (r"^/api/v1/assignments/", "assignment"),
    (r"^/api/v1/standards/declarations/", "declaration"),
    (r"^/api/v1/standards/proposals/", "job"),  # proposals: own tests (standards/tests/test_proposals.py)
    (r"^/api/v1/standards/", "canonical"),
    (r"^/api/v1/instruments/", "instrument"),
    (r"^/api/v1/bookings/", "booking"),
    (r"^/api/v1/records/", "record"),
    (r"^/api/v1/certificates/", "certificate"),
    (r"^/api/v1/cases/", "case"),
    (r"^/api/v1/articles/", "article"),
    (r"^/api/v1/test-orders/", "order"),
    (r"^/api/v1/reports/", "report"),
    (r"^/api/v1/cooperatives/", "cooperative"),
    (r"^/api/v1/cooperative-members/", "member"),
    (r"^/api/v1/cooperative-checkpoints/", "checkpoint"),
    (r"^/api/v1/cooperative-nonconformities/", "nonconformity"),
    (r"^/api/v1/cooperative-testing-plans/", "testingplan"),
    (r"^/api/v1/stats/reports/", "statsreport"),
    (r"^/api/v1/enterprise-standards/", "draft"),
    (r"^/api/v1/notifications/", "notification"),
    (r"^/api/v1/labels/photo-jobs/", "uuid"),  # a photo job: own tests (labels/tests/test_photo.py)
    (r"^accounts/tokens/", "token"),
    (r"^accounts/register/", "slug"),
    (
        r"^accounts/registrations/",
        "job",
    ),  # a pending registration: own tests (test_registration.py)  # a registration's status token: own tests (test_registration.py)
    (r"^directory/enterprises/", "enterprise"),
    (r"^directory/institutions/", "institution"),
    (r"^directory/stations/", "station"),
    (r"^directory/experts/", "expert"),
    (r"^directory/scope-imports/", "job"),
    (r"^standards/import/", "job"),
    (r"^standards/proposals/", "job"),
    (r"^imports/", "job"),
    (r"^standards/ics/", "ics"),
    (r"^standards/ccs/", "ccs"),
    (r"^standards/declarations/", "declaration"),
    (r"^standards/public/enterprises/", "public_enterprise"),
    (r"^standards/", "standard"),
    (r"^desk/requests/", "request"),
    (r"^desk/assignments/", "assignment"),
    (r"^notifications/preferences/mobile/", "slug"),
    (r"^notifications/", "notification"),
    (r"^metrology/instruments/", "instrument"),
    (r"^metrology/bookings/", "booking"),
    (r"^metrology/records/", "record"),
    (r"^certification/enterprises/", "enterprise"),
    (r"^certification/certificates/", "certificate"),
    (r"^cases/from-request/", "request"),
    (r"^cases/articles/", "article"),
    (r"^cases/", "case"),
    (r"^testing/orders/", "order"),
    (r"^testing/reports/", "report"),
    (r"^testing/labs/", "institution"),
    (r"^cooperatives/members/", "member"),
    (r"^cooperatives/plans/", "qcplan"),
    (r"^cooperatives/checkpoints/", "checkpoint"),
    (r"^cooperatives/items/", "checkitem"),
    (r"^cooperatives/inspections/", "inspection"),
    (r"^cooperatives/nonconformities/", "nonconformity"),
    (r"^cooperatives/testing/", "testingplan"),
    (r"^cooperatives/", "cooperative"),
    (r"^stats/geo/", "geo"),
    (r"^stats/reports/", "statsreport"),
    (r"^drafting/", "draft"),
]

PARAM = re.compile(r"\{(\w+)\}|<(?:(\w+):)?(\w+)>")


def _kind(route: str) -> str | None:
    route = route if route.startswith("/api/") else route.lstrip("/")
    return next((kind for pattern, kind in KINDS if re.search(pattern, route)), None)


def _params(route: str) -> list[str]:
    return [m.group(1) or m.group(3) for m in PARAM.finditer(route)]


def _fill(route: str, world: str, models) -> str | None:
    """The route with its parameters filled for ``world``; None when the world has no such object."""
    names = _params(route)
    if not names:
        return route
    kind = _kind(route)
    assert kind is not None, f"{route}: no object kind in KINDS"
    main = _pick(kind, world, models)
    if main is None:
        return None
    values = {}
    for i, name in enumerate(names):
        if i == 0:
            values[name] = main
        elif name == "action":
            values[name] = next(a for pattern, a in ACTIONS if re.search(pattern, route))
        else:
            values[name] = _child(name, kind, main)
    out = route
    for name, value in values.items():
        out = re.sub(r"\{" + name + r"\}|<(?:\w+:)?" + name + ">", value, out, count=1)
    return out


# --- the routes ------------------------------------------------------------------------------------------


def api_routes(spec) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def page_routes() -> list[str]:
    """Every page of the URL conf; the API (above) and the Django admin (one family: staff only, checked
    by its index and one changelist) aside."""
    routes = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith("^api/") or route.startswith("api/"):
            continue
        if route.startswith("admin/") and route not in ("admin/", "admin/core/auditentry/"):
            continue
        if route.startswith("i18n/"):
            continue
        routes.append(route)
    return routes


# --- calling --------------------------------------------------------------------------------------------


def _call(client: Client, method: str, url: str) -> int:
    """One call in a savepoint rolled back afterwards; the client's cookies are put back too (a logout or a
    new session must not carry over to the next call)."""
    cache.clear()  # throttles (login, label check, report verification) must not depend on call order
    cookies = copy.deepcopy(client.cookies)
    sid = transaction.savepoint()
    try:
        if method == "GET":
            response = client.get(url)
        elif method == "DELETE":
            response = client.delete(url)
        elif method == "FORM":
            response = client.post(url, {})
        else:
            response = getattr(client, method.lower())(url, "{}", content_type="application/json")
        return response.status_code
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies


def _page_call(client: Client, url: str) -> int:
    status = _call(client, "GET", url)
    if status == 405:  # a form's target: what a browser sends
        status = _call(client, "FORM", url)
    return status


def _cell(statuses: dict[str, int | None]) -> str:
    values = [statuses[w] for w, _p, _e in WORLDS]
    if len(set(values)) == 1 and values[0] is not None:
        return str(values[0])
    return "/".join("-" if v is None else str(v) for v in values)


def _record_with_file(enterprise, label: str) -> None:
    """The enterprise's first calibration record (on an instrument of its own, so that the matrix's
    instrument can still be deleted) with a certificate file."""
    import datetime

    from django.core.files.base import ContentFile

    from nqihub.metrology.models import Instrument, VerificationRecord

    record = VerificationRecord.objects.filter(instrument__enterprise=enterprise).order_by("pk").first()
    if record is None:
        instrument = Instrument.objects.create(
            enterprise=enterprise,
            region_id=enterprise.region_id,
            name="示例器具（有记录）",
            serial_number=f"示例-{label}-2",
        )
        record = VerificationRecord(
            instrument=instrument,
            kind="calibration",
            performed_on=datetime.date(2026, 1, 5),
            body_name="示例校准机构",
            certificate_number=f"示例-{label}",
            is_demo=True,
        )
    record.file_name, record.file_type = "示例证书.pdf", "application/pdf"
    record.file.save("示例证书.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)


@pytest.fixture
def world(demo_user, private_storage):
    """What the demo world lacks for the matrix: another enterprise in Liuzhou (O) and, for L, O and H, a
    service request, an instrument with a calibration record and its certificate file, a certificate, an enterprise-standard draft and (where a lab takes it) a
    test order. Bookings and statistics reports are left out: the demo world has none, and their routes
    are called with an id that does not exist."""
    import datetime

    from nqihub.certification.models import Certificate, CertificateType
    from nqihub.core.errors import DomainError
    from nqihub.core.models import Organisation
    from nqihub.desk import services as desk
    from nqihub.directory.models import Enterprise, Institution
    from nqihub.drafting.models import EnterpriseStandard
    from nqihub.metrology.models import Instrument
    from nqihub.testing import services as testing

    shanyuan = Enterprise.objects.get(name=WORLDS[0][2])
    org = Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE, name=OTHER_ORG, region_id=shanyuan.region_id, is_demo=True
    )
    Enterprise.objects.create(
        organisation=org,
        uscc="EXAMPLE00000000001",  # not a real code: a made-up record of the test
        name=OTHER_ORG,
        region_id=shanyuan.region_id,
        industry=shanyuan.industry,
        is_demo=True,
    )
    lab = Institution.objects.get(name="柳州市食品检验检测实验室（示例）")
    filer = {"L": "ent_shanyuan", "O": "station_lz", "H": "ent_yuese"}
    for label, _prefix, name in WORLDS:
        enterprise = Enterprise.objects.get(name=name)
        desk.request_create(
            data=desk.RequestData(
                enterprise_id=enterprise.pk,
                categories=["testing"],
                title="示例需求",
                description="示例：访问矩阵测试用的需求。",
                industry=enterprise.industry.code if enterprise.industry_id else None,
                product="示例产品",
            ),
            by=demo_user(filer[label]),
        )
        Instrument.objects.create(
            enterprise=enterprise,
            region_id=enterprise.region_id,
            name="示例器具",
            serial_number=f"示例-{label}",
        )
        _record_with_file(enterprise, label)
        if not Certificate.objects.filter(enterprise=enterprise).exists():
            Certificate.objects.create(
                enterprise=enterprise,
                region_id=enterprise.region_id,
                number=f"示例-{label}",
                type=CertificateType.values[0],
                body_name="示例认证机构",
                issue_date=datetime.date(2025, 1, 1),
                expiry_date=datetime.date(2028, 1, 1),
                is_demo=True,
            )
        EnterpriseStandard.objects.create(
            enterprise=enterprise,
            number=f"Q/示例 000{label}-2026",
            title="示例企业标准",
            product="示例产品",
            created_by=demo_user(filer[label]),
            is_demo=True,
        )
        if label != "L":
            try:
                testing.order_create(
                    by=demo_user({"O": "station_lz", "H": "ent_yuese"}[label]),
                    lab=lab,
                    enterprise=enterprise,
                    product_name="示例产品",
                    items=[
                        {"parameter": "水分", "method_standard": "GB 5009.3-2016", "requirement": "≤14.5"}
                    ],
                    submit=True,
                )
            except DomainError:
                pass  # no lab takes it: the route is checked with the other objects


@pytest.fixture
def api_clients():
    clients = {}
    for role, username in ROLES.items():
        if username is None:
            clients[role] = Client()
        else:
            _token, key = ApiToken.issue(User.objects.get(username=username))
            clients[role] = Client(headers={"Authorization": f"Bearer {key}"})
    return clients


@pytest.fixture
def page_clients():
    clients = {}
    for role, username in ROLES.items():
        c = Client()
        if username is not None:
            c.force_login(User.objects.get(username=username))
        clients[role] = c
    return clients


def _run(routes, call, clients) -> tuple[dict[str, str], list[str]]:
    """route key → "role=cell …" and the problems found by the rules that hold whatever the table says."""
    models = _models()
    _PICKED.clear()
    observed: dict[str, str] = {}
    problems: list[str] = []
    for key, method, route in routes:
        urls = {w: _fill(route, w, models) for w, _prefix, _name in WORLDS}
        if all(url is None for url in urls.values()):
            urls["L"] = PARAM.sub("999999", route)  # no such object anywhere: an id that does not exist
        kind = _kind(route) if _params(route) else None
        row = []
        for role, client in clients.items():
            statuses = {}
            for w, url in urls.items():
                if url is None:
                    statuses[w] = None
                elif role == "anon" and statuses.get("L") in (302, 401):
                    statuses[w] = statuses["L"]  # sign-in comes before any object: no need to ask again
                else:
                    statuses[w] = call(client, method, url)
            for world, status in statuses.items():
                if status is None:
                    continue
                if status >= 500:
                    problems.append(f"{key} as {role} ({world}): {status}")
                ok = 200 <= status < 300
                if (
                    ok
                    and role in LIUZHOU_ROLES
                    and world == "H"
                    and kind is not None
                    and kind not in PUBLIC_KINDS | {"notification", "token"}
                    and not (role == "lab" and kind in BOOKED_WITH_LAB)
                ):
                    problems.append(f"{key} as {role}: {status} for an object of another region ({world})")
                if ok and role == "enterprise" and world != "L" and kind in ENTERPRISE_RECORDS:
                    problems.append(
                        f"{key} as enterprise: {status} for another organisation's record ({world})"
                    )
                if ok and role == "expert" and kind in EXPERT_NEVER:
                    problems.append(f"{key} as expert: {status} for {kind} without an assignment")
                if ok and role == "expert" and method in ("POST", "PUT", "PATCH", "DELETE"):
                    if not re.search(EXPERT_MAY_POST, key):
                        problems.append(f"{key} as expert: {status} (a write)")
            row.append(f"{role}={_cell(statuses)}")
        observed[key] = " ".join(row)
    return observed, problems


#: A lab reads what was booked with it, wherever the client is.
BOOKED_WITH_LAB = {"order", "report", "booking", "instrument"}
#: What an expert without an assignment may never read or change.
EXPERT_NEVER = {"enterprise", "request", "order", "report", "instrument", "booking", "certificate", "draft"}
#: Writes an expert may make: their own notifications, tokens and session, stateless checks.
EXPERT_MAY_POST = r"/auth/token|notifications|/labels/check|/suggest|/check|accounts/|labels/|tokens"


def _compare(observed: dict[str, str], section: str) -> list[str]:
    import importlib

    from . import access_matrix_table

    if UPDATE:
        importlib.reload(access_matrix_table)
    expected = getattr(access_matrix_table, section)
    problems = []
    for key, row in observed.items():
        if key not in expected:
            problems.append(f"{key}: no entry in the access matrix ({section}) — decide who may call it")
        elif expected[key] != row:
            want = dict(c.split("=") for c in expected[key].split())
            got = dict(c.split("=") for c in row.split())
            diff = ", ".join(
                f"{r}: expected {want.get(r)} got {got[r]}" for r in got if want.get(r) != got[r]
            )
            problems.append(f"{key}: {diff}")
    for key in set(expected) - set(observed):
        problems.append(f"{key}: in the matrix but no longer a route (remove the entry)")
    return problems


def _write(section: str, observed: dict[str, str]) -> None:
    text = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
    block = f"{section} = {json.dumps(observed, ensure_ascii=False, indent=4)}\n"
    pattern = re.compile(rf"^{section} = \{{.*?^\}}\n", re.S | re.M)
    text = pattern.sub(lambda _m: block, text) if pattern.search(text) else text + "\n\n" + block
    TABLE.write_text(text, encoding="utf-8")


@pytest.fixture(autouse=True)
def _quiet_request_log():
    """Thousands of 4xx would each log a warning."""
    import logging

    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_every_api_route_answers_each_role_as_the_matrix_says(world, api_clients):
    spec = Client().get("/api/v1/openapi.json").json()
    routes = [(f"{m} {p}", m, p) for m, p in api_routes(spec)]
    observed, problems = _run(routes, _call, api_clients)
    if UPDATE:
        _write("API", observed)
    problems += _compare(observed, "API")
    assert not problems, "\n".join(problems)


def test_every_page_answers_each_role_as_the_matrix_says(world, page_clients):
    routes = [(route, "GET", "/" + route) for route in page_routes()]
    observed, problems = _run(routes, lambda c, m, u: _page_call(c, u), page_clients)
    if UPDATE:
        _write("PAGES", observed)
    problems += _compare(observed, "PAGES")
    assert not problems, "\n".join(problems)


def test_a_new_route_without_an_entry_fails_naming_it():
    problems = _compare({"GET /api/v1/brand-new": "anon=401"}, "API")
    assert "GET /api/v1/brand-new: no entry in the access matrix (API) — decide who may call it" in problems
