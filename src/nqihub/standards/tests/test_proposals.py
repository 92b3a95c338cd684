"""Anyone signed in proposes a standard missing from the catalogue; an admin or a regulator confirms it into
the catalogue or rejects it; the proposer sees the outcome; outsiders can neither see nor decide (issue 16
item 7)."""

import pytest

from nqihub.core.models import AuditEntry
from nqihub.standards import services
from nqihub.standards.models import Standard, StandardProposal

pytestmark = pytest.mark.django_db
API = "/api/v1/standards/proposals"
LUOSIFEN = {
    "code": "DBS45/ 034-2021",
    "title": "食品安全地方标准 柳州螺蛳粉（示例标题）",
    "source": "广西壮族自治区卫生健康委员会 食品安全地方标准公告（示例出处）",
    "nature": "mandatory",
}


def _propose(api_for, username="ent_shanyuan", **overrides):
    response = api_for(username).post(API, {**LUOSIFEN, **overrides}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_propose_then_a_regulator_confirms_into_the_catalogue(api_for, demo_user):
    d = services.declaration_create(
        data=services.DeclarationData(product="螺蛳粉", kind="public", standard="DBS45/034-2021"),
        by=demo_user("ent_shanyuan"),
    )
    assert d.standard_text
    body = _propose(api_for)
    assert body["state"] == "pending" and body["canonical"] == d.standard_text
    # A second proposal of the same number while the first is pending is refused, naming the field.
    again = api_for("ent_yuese").post(API, LUOSIFEN, content_type="application/json")
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "code"

    reviewer = api_for("reg_lz")
    assert any(p["id"] == body["id"] for p in reviewer.get(API, {"state": "pending"}).json()["items"])
    done = reviewer.post(
        f"{API}/{body['id']}/confirm", {"note": "已核实公告"}, content_type="application/json"
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "confirmed"
    std = Standard.objects.get(canonical=body["canonical"])
    assert std.level == "local" and std.nature == "mandatory" and std.status == "current"
    # The declaration that named it while unlisted now points at the catalogue row.
    d.refresh_from_db()
    assert d.standard_id == std.pk and d.standard_text == ""
    assert AuditEntry.objects.filter(action="standards.proposal.confirmed").exists()
    assert AuditEntry.objects.filter(action="standards.proposal.created").exists()
    # Deciding twice is refused.
    assert (
        reviewer.post(
            f"{API}/{body['id']}/reject", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 422
    )


def test_admin_rejects_with_a_reason_the_proposer_sees(api_for):
    body = _propose(api_for, code="Q/ABC 0001-2024", title="示例企业标准")
    admin = api_for("admin")
    no_reason = admin.post(f"{API}/{body['id']}/reject", {"reason": " "}, content_type="application/json")
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "reason"
    done = admin.post(
        f"{API}/{body['id']}/reject",
        {"reason": "企业标准请通过自我声明公开"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["state"] == "rejected"
    mine = api_for("ent_shanyuan").get(f"{API}/{body['id']}").json()
    assert mine["decision_note"] == "企业标准请通过自我声明公开"
    assert not Standard.objects.filter(canonical=body["canonical"]).exists()


def test_outsiders_cannot_see_or_decide(api_for):
    body = _propose(api_for)
    other_enterprise = api_for("ent_yuese")
    assert other_enterprise.get(f"{API}/{body['id']}").status_code == 404
    assert all(p["id"] != body["id"] for p in other_enterprise.get(API).json()["items"])
    assert (
        other_enterprise.post(f"{API}/{body['id']}/confirm", {}, content_type="application/json").status_code
        == 404
    )
    # The proposer cannot confirm their own proposal either.
    own = api_for("ent_shanyuan").post(f"{API}/{body['id']}/confirm", {}, content_type="application/json")
    assert own.status_code == 403
    assert StandardProposal.objects.get(pk=body["id"]).state == "pending"
    assert not Standard.objects.filter(canonical=body["canonical"]).exists()


@pytest.mark.parametrize(
    "payload,field",
    [
        ({**LUOSIFEN, "code": "GB 1-2020~2021"}, "code"),
        ({**LUOSIFEN, "code": "DBS45/ 034"}, "code"),  # no year
        ({**LUOSIFEN, "code": "GB 7718-2011"}, "code"),  # already in the catalogue
        ({**LUOSIFEN, "title": "  "}, "title"),
        ({**LUOSIFEN, "source": ""}, "source"),
        ({**LUOSIFEN, "status": "valid"}, "status"),
        ({**LUOSIFEN, "nature": "optional"}, "nature"),
    ],
)
def test_bad_proposals_are_422_naming_the_field_and_nothing_saved(api_for, payload, field):
    response = api_for("ent_shanyuan").post(API, payload, content_type="application/json")
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["detail"]]
    assert not StandardProposal.objects.exists()


def test_the_page_proposes_and_a_reviewer_confirms(client_for):
    page = client_for("ent_shanyuan")
    assert page.get("/standards/proposals/").status_code == 200
    bad = page.post("/standards/proposals/", {**LUOSIFEN, "code": "DBS45/ 034", "status": "current"})
    assert bad.status_code == 400 and "年代号" in bad.content.decode()
    assert page.post("/standards/proposals/", {**LUOSIFEN, "status": "current"}).status_code == 302
    proposal = StandardProposal.objects.get()
    assert page.post(f"/standards/proposals/{proposal.pk}/confirm/").status_code == 403
    assert client_for("ent_yuese").post(f"/standards/proposals/{proposal.pk}/confirm/").status_code == 404
    reviewer = client_for("reg_lz")
    assert "核实并收录" in reviewer.get("/standards/proposals/").content.decode()
    assert reviewer.post(f"/standards/proposals/{proposal.pk}/confirm/").status_code == 302
    assert Standard.objects.filter(canonical=proposal.canonical).exists()
    assert StandardProposal.objects.get().state == "confirmed"
