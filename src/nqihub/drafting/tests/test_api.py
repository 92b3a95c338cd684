"""POST/GET/PUT/PATCH /api/v1/enterprise-standards, the review actions, versions and differences, the
documents, and scope (outsiders get 404)."""

import io

import pytest
from docx import Document as OpenDocx

from nqihub.core.models import AuditEntry
from nqihub.desk.models import Link
from nqihub.drafting.models import EnterpriseStandard
from nqihub.notifications.models import Notification
from nqihub.standards.models import Declaration

from .conftest import graphene, textile
from .helpers import URL, send, textile_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanxi_api(api_for):
    return api_for("ent_hanxi")


def create(client, data):
    response = send(client, "post", URL, data)
    assert response.status_code == 201, response.content.decode()
    return response.json()


def test_create_returns_201_with_id_and_findings(hanxi_api, hanxi):
    body = create(hanxi_api, graphene())
    draft = EnterpriseStandard.objects.get(pk=body["id"])
    assert draft.enterprise == hanxi and draft.number == "Q/DEMOHX 0002-2026" and draft.version == 1
    assert body["status"] == "draft"
    assert {"reference_unknown", "method_unknown"} <= {f["code"] for f in body["findings"]}
    assert body["reference_lookup"] == [
        {"number": "GB/T 30544.13-2018", "status": "unknown", "title": "", "replaced_by": ""}
    ]
    assert [i["item"] for i in body["indicators"]] == ["导热系数", "厚度"]
    assert AuditEntry.objects.filter(action="drafting.draft.created", object_id=str(draft.pk)).exists()


def test_numbers_are_normalised(hanxi_api):
    body = create(hanxi_api, graphene(number="q/demohx0003—2026", references=["gb/t 30544.13-18"]))
    assert body["number"] == "Q/DEMOHX 0003-2026" and body["references"] == ["GB/T 30544.13-2018"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": "GB/T 1-2020"}, "number"),
        ({"number": "Q/HX 0001"}, "number"),
        ({"title": " "}, "title"),
        ({"references": ["不是标准号"]}, "references.0"),
        ({"indicators": [{"item": "厚度", "requirement": "", "unit": "μm"}]}, "indicators.0.requirement"),
        (
            {"indicators": [{"item": "厚度", "requirement": "≤3", "method": "按企业方法"}]},
            "indicators.0.method",
        ),
        ({"publish_date": "2026-05-01", "implement_date": "2026-04-01"}, "implement_date"),
    ],
)
def test_bad_input_is_422_field_level_and_saves_nothing(hanxi_api, changes, field):
    before = EnterpriseStandard.objects.count()
    response = send(hanxi_api, "post", URL, graphene(**changes))
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json()["detail"]]
    assert EnterpriseStandard.objects.count() == before


def test_missing_required_field_is_422(hanxi_api):
    data = graphene()
    del data["title"]
    assert send(hanxi_api, "post", URL, data).status_code == 422


def test_enterprise_user_cannot_draft_for_another_enterprise(hanxi_api, yuese):
    response = send(hanxi_api, "post", URL, graphene(enterprise=yuese.pk))
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "enterprise"


def test_station_drafts_for_an_enterprise_of_its_area(api_for, hanxi, yuese):
    body = create(api_for("station_wh"), graphene(enterprise=hanxi.pk))
    assert body["enterprise"] == hanxi.pk
    assert send(api_for("station_wh"), "post", URL, graphene(enterprise=yuese.pk)).status_code == 422


def test_scope_list_and_detail(api_for, hanxi_api):
    body = create(hanxi_api, graphene())
    url = f"{URL}/{body['id']}"
    for username in ("ent_hanxi", "station_wh", "reg_national", "admin"):
        assert api_for(username).get(url).status_code == 200, username
        assert body["id"] in [d["id"] for d in api_for(username).get(URL).json()["items"]], username
    for username in ("ent_yuese", "reg_gx", "station_lz", "expert_lz", "expert_wh"):
        assert api_for(username).get(url).status_code == 404, username
        assert api_for(username).get(url + "/document.docx").status_code == 404, username
        assert body["id"] not in [d["id"] for d in api_for(username).get(URL).json()["items"]], username


def test_regulator_reads_but_cannot_write(api_for, hanxi_api):
    body = create(hanxi_api, graphene())
    response = send(api_for("reg_national"), "patch", f"{URL}/{body['id']}", {"title": "改"})
    assert response.status_code == 403


def test_patch_and_put_keep_versions_and_show_differences(hanxi_api):
    body = create(hanxi_api, graphene())
    url = f"{URL}/{body['id']}"
    indicators = graphene()["indicators"]
    indicators[0]["requirement"] = "≥1600"
    body = send(hanxi_api, "patch", url, {"indicators": indicators}).json()
    assert body["version"] == 2 and body["indicators"][0]["requirement"] == "≥1600"
    assert body["title"] == "导热石墨烯膜（示例二）"  # untouched by the PATCH
    same = send(hanxi_api, "patch", url, {"indicators": indicators}).json()
    assert same["version"] == 2  # nothing changed, no new version
    put = send(hanxi_api, "put", url, graphene(title="导热石墨烯膜（修订）")).json()
    assert put["version"] == 3 and put["indicators"][0]["requirement"] == "≥1500"
    assert [v["number"] for v in hanxi_api.get(url + "/versions").json()] == [1, 2, 3]
    changes = hanxi_api.get(url + "/diff?from=1&to=2").json()["changes"]
    assert changes == [
        {"clause": "4", "what": "导热系数", "kind": "changed", "old": "≥1500 W/(m·K)", "new": "≥1600 W/(m·K)"}
    ]
    assert hanxi_api.get(url + "/diff?from=9").status_code == 422


def test_check_endpoint_saves_nothing(hanxi_api):
    before = EnterpriseStandard.objects.count()
    response = send(hanxi_api, "post", URL + "/check", graphene())
    assert response.status_code == 200 and response.json()["warnings"] >= 2
    assert EnterpriseStandard.objects.count() == before


def test_docx_has_every_gbt11_section_in_order_and_the_indicator_table(hanxi_api):
    body = create(hanxi_api, graphene(terms=[{"term": "导热石墨烯膜", "definition": "示例定义。"}]))
    response = hanxi_api.get(f"{URL}/{body['id']}/document.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    doc = OpenDocx(io.BytesIO(response.content))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "前言",
        "1　范围",
        "2　规范性引用文件",
        "3　术语和定义",
        "4　技术要求",
        "5　试验方法",
        "6　检验规则",
        "7　标志、包装、运输和贮存",
    ]
    subheadings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert subheadings[:2] == ["3.1　导热石墨烯膜", "4.1　技术指标"] and "6.3　出厂检验" in subheadings
    texts = [p.text for p in doc.paragraphs]
    assert "Q/DEMOHX 0002-2026" in texts and "导热石墨烯膜（示例二）" in texts
    assert any(t.endswith("企业标准") for t in texts) and any("发布" in t for t in texts)
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "序号"]
    assert len(tables) == 1
    rows = [[c.text for c in r.cells] for r in tables[0].rows]
    assert rows == [
        ["序号", "项目", "单位", "指标", "试验方法"],
        ["1", "导热系数", "W/(m·K)", "≥1500", "GB/T 22588-2008"],
        ["2", "厚度", "μm", "25±3", "GB/T 6672-2001"],
    ]
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "Noto Serif CJK SC"
    )
    heading_fonts = doc.styles["Heading 1"].element.rPr.rFonts
    assert (
        heading_fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "Noto Sans CJK SC"
    )


def test_pdf_is_a_pdf_with_the_number(hanxi_api):
    body = create(hanxi_api, graphene())
    response = hanxi_api.get(f"{URL}/{body['id']}/document.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def review_flow(api_for, owner: str, body: dict, reviewer_api, dispatcher: str, expert_id: int) -> str:
    """Ask for review, dispatch to the expert, the expert accepts: returns the draft's URL."""
    url = f"{URL}/{body['id']}"
    reviewed = send(api_for(owner), "post", url + "/review-request", {"note": "请审查"}).json()
    assert reviewed["status"] == "in_review" and reviewed["service_request"]
    req = reviewed["service_request"]
    desk = api_for(dispatcher)
    assert send(desk, "post", f"/api/v1/requests/{req}/accept").status_code == 200
    dispatched = send(
        desk,
        "post",
        f"/api/v1/requests/{req}/dispatch",
        {"assignments": [{"assignee_type": "expert", "assignee_id": expert_id}]},
    )
    assert dispatched.status_code == 200, dispatched.content.decode()
    assignment = dispatched.json()["assignments"][0]["id"]
    assert send(reviewer_api, "post", f"/api/v1/assignments/{assignment}/accept").status_code == 200
    return url


def test_a_limit_weaker_than_a_mandatory_one_is_refused_at_declaration_with_both_values(
    api_for, django_capture_on_commit_callbacks
):
    yuese_api = api_for("ent_yuese")
    data = textile()
    data["indicators"][0]["requirement"] = "≤30"
    body = create(yuese_api, data)
    assert body["errors"] == 1
    user, expert = textile_reviewer()
    from django.test import Client

    from nqihub.accounts.models import ApiToken

    _token, key = ApiToken.issue(user)
    reviewer = Client(headers={"Authorization": f"Bearer {key}"})
    url = review_flow(api_for, "ent_yuese", body, reviewer, "reg_national", expert.pk)
    assert reviewer.get(url).status_code == 200  # the assigned expert reads it now
    assert send(reviewer, "post", url + "/review", {"decision": "approve"}).json()["status"] == "approved"
    response = send(yuese_api, "post", url + "/declare")
    assert response.status_code == 409
    message = response.json()["detail"]
    assert "≤30 mg/kg" in message and "≤20 mg/kg" in message and "GB 18401-2010" in message
    assert EnterpriseStandard.objects.get(pk=body["id"]).status == "approved"
    assert not Declaration.objects.filter(own_code="Q/DEMOYS 0001-2026").exists()
    assert (
        send(reviewer, "post", url + "/review", {"decision": "approve"}).status_code == 409
    )  # already approved


def test_declaring_a_draft_with_a_weaker_limit_names_both_values_whatever_its_state(api_for):
    data = textile()
    data["indicators"][0]["requirement"] = "≤30"
    body = create(api_for("ent_yuese"), data)
    response = send(api_for("ent_yuese"), "post", f"{URL}/{body['id']}/declare")
    assert response.status_code == 409
    assert "≤30 mg/kg" in response.json()["detail"] and "≤20 mg/kg" in response.json()["detail"]


def test_declaring_before_approval_is_refused(api_for):
    body = create(api_for("ent_yuese"), textile())
    response = send(api_for("ent_yuese"), "post", f"{URL}/{body['id']}/declare")
    assert response.status_code == 409 and "草稿" in response.json()["detail"]


def test_the_whole_review_and_declaration_through_the_api(api_for, hanxi, django_capture_on_commit_callbacks):
    from nqihub.directory.models import Expert

    hanxi_api = api_for("ent_hanxi")
    expert_api = api_for("expert_wh")
    body = create(hanxi_api, graphene())
    url = review_flow(
        api_for, "ent_hanxi", body, expert_api, "station_wh", Expert.objects.get(name="陈工（示例）").pk
    )
    draft = EnterpriseStandard.objects.get(pk=body["id"])
    link = Link.objects.get(request=draft.service_request, kind=Link.Kind.STANDARD)
    assert link.ref == "Q/DEMOHX 0002-2026" and f"/drafting/{draft.pk}/" in link.title
    # The enterprise cannot review its own draft; nobody edits it while in review.
    assert send(hanxi_api, "post", url + "/review", {"decision": "approve"}).status_code == 403
    assert send(hanxi_api, "patch", url, {"title": "x"}).status_code == 409
    # Comments per clause; an unknown clause is refused.
    assert send(expert_api, "post", url + "/comments", {"clause": "9.9", "text": "?"}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        comment = send(expert_api, "post", url + "/comments", {"clause": "4.1", "text": "导热系数收紧到1600"})
    assert comment.status_code == 201 and comment.json()["clause"] == "4.1"
    assert Notification.objects.filter(
        recipient__username="ent_hanxi", event="drafting.draft.status_changed"
    ).exists()
    assert (
        send(expert_api, "post", url + "/review", {"decision": "request_changes"}).status_code == 422
    )  # no note
    changed = send(
        expert_api, "post", url + "/review", {"decision": "request_changes", "note": "见条款意见"}
    ).json()
    assert changed["status"] == "changes_requested"
    assert send(expert_api, "patch", url, {"title": "x"}).status_code == 403  # the expert comments only
    indicators = graphene()["indicators"]
    indicators[0]["requirement"] = "≥1600"
    assert send(hanxi_api, "patch", url, {"indicators": indicators}).json()["version"] == 2
    assert (
        send(hanxi_api, "post", url + "/review-request", {"note": "已修改"}).json()["status"] == "in_review"
    )
    assert EnterpriseStandard.objects.get(pk=body["id"]).service_request_id == draft.service_request_id
    assert (
        send(expert_api, "post", url + "/review", {"decision": "approve", "note": "同意"}).json()["status"]
        == "approved"
    )
    assert send(expert_api, "post", url + "/declare").status_code == 403
    declared = send(hanxi_api, "post", url + "/declare").json()
    assert (
        declared["status"] == "declared"
        and declared["public_url"] == f"/standards/public/enterprises/{hanxi.pk}/declarations/"
    )
    declaration = Declaration.objects.get(pk=declared["declaration"])
    assert (declaration.kind, declaration.own_code, declaration.product) == (
        "own",
        "Q/DEMOHX 0002-2026",
        "导热石墨烯膜",
    )
    assert [i.requirement for i in declaration.indicators.all()] == ["≥1600", "25±3"]
    page = api_for("ent_yuese").get(declared["public_url"])
    assert page.status_code == 200 and "Q/DEMOHX 0002-2026" in page.content.decode()
    assert send(hanxi_api, "post", url + "/declare").status_code == 409  # once
    comments = hanxi_api.get(url + "/comments").json()
    assert [(c["clause"], c["kind"]) for c in comments] == [
        ("4.1", "comment"),
        ("", "changes_requested"),
        ("", "approved"),
    ]
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(draft.pk), object_type="drafting.enterprisestandard"
        ).values_list("action", flat=True)
    )
    assert {
        "drafting.draft.request_review",
        "drafting.draft.request_changes",
        "drafting.draft.approve",
        "drafting.draft.declare",
    } <= actions


def test_patch_with_null_keeps_the_field(hanxi_api):
    body = create(hanxi_api, graphene(publish_date="2026-05-01"))
    url = f"{URL}/{body['id']}"
    patched = send(hanxi_api, "patch", url, {"indicators": None, "title": None, "publish_date": None}).json()
    assert (
        len(patched["indicators"]) == 2
        and patched["title"] == body["title"]
        and patched["publish_date"] is None
    )


def test_review_request_naming_an_expert_is_for_the_station_only_and_changes_nothing(api_for, hanxi_api):
    from nqihub.directory.models import Expert

    body = create(hanxi_api, graphene())
    expert = Expert.objects.get(name="陈工（示例）").pk
    response = send(hanxi_api, "post", f"{URL}/{body['id']}/review-request", {"expert": expert})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "expert"
    draft = EnterpriseStandard.objects.get(pk=body["id"])
    assert draft.status == "draft" and draft.service_request_id is None
    ok = send(api_for("station_wh"), "post", f"{URL}/{body['id']}/review-request", {"expert": expert}).json()
    assert ok["status"] == "in_review"
    assert api_for("expert_wh").get(f"{URL}/{body['id']}").status_code == 200


def test_resubmitting_after_the_review_request_was_withdrawn_files_a_new_one(api_for, demo_user):
    from nqihub.desk import services as desk

    hanxi_api = api_for("ent_hanxi")
    body = create(hanxi_api, graphene())
    url = f"{URL}/{body['id']}"
    first = send(hanxi_api, "post", url + "/review-request").json()["service_request"]
    draft = EnterpriseStandard.objects.get(pk=body["id"])
    desk.request_withdraw(request=draft.service_request, reason="先自行修改", by=demo_user("ent_hanxi"))
    EnterpriseStandard.objects.filter(pk=draft.pk).update(status="changes_requested")
    second = send(hanxi_api, "post", url + "/review-request").json()["service_request"]
    assert second and second != first
