"""The pages: list, form with live findings (htmx), detail with versions, differences and actions."""

import pytest

from nqihub.drafting import services
from nqihub.drafting.models import EnterpriseStandard
from nqihub.drafting.validation import DraftData

from .conftest import graphene, textile

pytestmark = pytest.mark.django_db


def form_post(data: dict, **extra) -> dict:
    post = {k: v for k, v in data.items() if isinstance(v, str)}
    post["references"] = "\n".join(data.get("references", []))
    for n, ind in enumerate(data.get("indicators", [])):
        for key, value in ind.items():
            post[f"ind-{n}-{key}"] = value
        post[f"ind-{n}-factory"] = "on"
    post.update(extra)
    return post


@pytest.fixture
def draft(demo_user):
    return services.draft_create(data=DraftData(**graphene()), by=demo_user("ent_hanxi"))


def test_list_shows_drafts_in_scope(client_for, draft):
    page = client_for("ent_hanxi").get("/drafting/")
    assert (
        page.status_code == 200
        and draft.title in page.content.decode()
        and "起草企业标准" in page.content.decode()
    )
    assert draft.title not in client_for("ent_yuese").get("/drafting/").content.decode()
    assert "起草企业标准</a>" not in client_for("reg_national").get("/drafting/").content.decode()


def test_menu_has_the_entry(client_for):
    assert 'href="/drafting/"' in client_for("ent_hanxi").get("/").content.decode()


def test_create_through_the_form(client_for, hanxi):
    response = client_for("ent_hanxi").post("/drafting/new/", form_post(graphene()))
    draft = EnterpriseStandard.objects.get(number="Q/DEMOHX 0002-2026")
    assert response.status_code == 302 and response["Location"] == f"/drafting/{draft.pk}/"
    assert draft.enterprise == hanxi and [i.item for i in draft.indicators.all()] == ["导热系数", "厚度"]


def test_form_errors_are_shown_field_by_field_and_nothing_saved(client_for):
    before = EnterpriseStandard.objects.count()
    response = client_for("ent_hanxi").post(
        "/drafting/new/", form_post(graphene(number="GB 1-2000", title=""))
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "企业标准编号应以 Q/ 开头" in html and "请填写标准名称" in html
    assert EnterpriseStandard.objects.count() == before


def test_live_check_returns_the_findings_partial(client_for, yuese):
    data = textile()
    data["indicators"][0]["requirement"] = "≤30"
    response = client_for("ent_yuese").post(
        "/drafting/check/", form_post(data), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="findings"' in html and "<html" not in html
    assert 'data-code="weaker_than_mandatory"' in html and "≤30 mg/kg" in html and "≤20 mg/kg" in html
    bad = client_for("ent_yuese").post("/drafting/check/", form_post(textile(number="Q/AB 0001")))
    assert "年代号" in bad.content.decode()


def test_edit_makes_a_new_version_and_detail_shows_the_difference(client_for, draft):
    data = graphene()
    data["indicators"][1]["requirement"] = "25±2"
    response = client_for("ent_hanxi").post(f"/drafting/{draft.pk}/edit/", form_post(data))
    assert response.status_code == 302
    page = client_for("ent_hanxi").get(f"/drafting/{draft.pk}/").content.decode()
    assert "25±3 μm" in page and "25±2 μm" in page and 'id="diff"' in page
    assert "4　技术要求" in page  # the document preview


def test_outsider_gets_404_everywhere(client_for, draft):
    c = client_for("ent_yuese")
    for url in (
        f"/drafting/{draft.pk}/",
        f"/drafting/{draft.pk}/edit/",
        f"/drafting/{draft.pk}/document.docx",
        f"/drafting/{draft.pk}/document.pdf",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/drafting/{draft.pk}/declare/").status_code == 404


def test_regulator_reads_without_edit_actions(client_for, draft):
    page = client_for("reg_national").get(f"/drafting/{draft.pk}/").content.decode()
    assert draft.title in page and f"/drafting/{draft.pk}/edit/" not in page
    response = client_for("reg_national").get(f"/drafting/{draft.pk}/edit/")
    assert response.status_code == 302


def test_review_request_and_comment_from_the_page(client_for, draft, demo_user):
    from nqihub.directory.models import Expert

    c = client_for("station_wh")
    expert = Expert.objects.get(name="陈工（示例）")
    c.post(f"/drafting/{draft.pk}/review-request/", {"note": "请审查", "expert": str(expert.pk)})
    draft.refresh_from_db()
    assert draft.status == "in_review" and draft.service_request.assignments.get().expert == expert
    expert_client = client_for("expert_wh")
    page = expert_client.get(f"/drafting/{draft.pk}/").content.decode()
    assert "审查通过" in page and 'name="clause"' in page
    expert_client.post(f"/drafting/{draft.pk}/comments/", {"clause": "5.1", "text": "方法不适用于面内导热"})
    assert draft.comments.get().clause == "5.1"
    response = client_for("ent_hanxi").post(
        f"/drafting/{draft.pk}/review/", {"decision": "approve"}, follow=True
    )
    assert "只有受理该审查的专家可以审查" in response.content.decode()


def test_downloads(client_for, draft):
    docx = client_for("ent_hanxi").get(f"/drafting/{draft.pk}/document.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = client_for("station_wh").get(f"/drafting/{draft.pk}/document.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_live_check_keeps_checking_the_valid_rows_while_one_is_being_typed(client_for):
    data = textile(references=["GB 18401-2010", "GB/T 99999-2030", "不是标准号"])
    data["indicators"][0]["requirement"] = "≤30"
    data["indicators"].insert(
        1, {"item": "耐水色牢度", "requirement": "", "unit": "级", "method": "", "grade": "A"}
    )
    html = client_for("ent_yuese").post("/drafting/check/", form_post(data)).content.decode()
    assert "第 2 项指标缺少要求" in html and 'data-field="references.2"' in html
    assert 'data-code="weaker_than_mandatory" data-field="indicators.0.requirement"' in html
    assert 'data-code="reference_unknown" data-field="references.1"' in html
    assert 'data-field="indicators.1.method"' not in html  # the row being typed is not judged yet
    assert 'data-code="method_missing" data-field="indicators.4.method"' in html  # positions kept
