import pytest

from nqihub.cases import services
from nqihub.cases.models import Article, ArticleCategory, Case
from nqihub.cases.suggest import suggest
from nqihub.core.errors import DomainError
from nqihub.core.models import AuditEntry


def test_full_life_cycle_consent_and_publish(draft_case, demo_user):
    assert draft_case.status == Case.Status.DRAFT
    assert draft_case.cost_saved == 50000  # taken from the resolved request
    case = services.case_submit(case=draft_case, by=demo_user("station_lz"))
    assert case.status == Case.Status.AWAITING_CONSENT
    case = services.case_consent(case=case, consent=True, by=demo_user("ent_shanyuan"))
    assert case.status == Case.Status.CONSENTED and case.public_enterprise_name == "善元食品有限公司"
    case = services.case_publish(case=case, by=demo_user("reg_lz"))
    assert case.status == Case.Status.PUBLISHED and case.published_at
    actions = set(
        AuditEntry.objects.filter(object_id=str(case.pk), object_type="cases.case").values_list(
            "action", flat=True
        )
    )
    assert {
        "cases.case.drafted",
        "cases.case.submitted",
        "cases.case.consented",
        "cases.case.published",
    } <= actions
    assert any(c["id"] == case.pk for c in suggest("酸笋包胀袋")["cases"])


def test_refusal_anonymises(draft_case, demo_user, client):
    services.case_submit(case=draft_case, by=demo_user("station_lz"))
    case = services.case_consent(case=draft_case, consent=False, by=demo_user("ent_shanyuan"))
    assert case.status == Case.Status.ANONYMISED
    services.case_publish(case=case, by=demo_user("reg_gx"))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "善元食品" not in page and "匿名" in page


@pytest.mark.parametrize("username", ["ent_shanyuan", "reg_lz", "station_wh", "expert_lz"])
def test_only_the_station_staff_draft(resolved_request, demo_user, username):
    with pytest.raises(DomainError):
        services.case_draft(
            request=resolved_request,
            data=services.CaseData(title="t", problem="p", solution="s", result="r"),
            by=demo_user(username),
        )


def test_unresolved_request_cannot_become_a_case(resolved_request, demo_user):
    resolved_request.status = "in_progress"
    resolved_request.save()
    with pytest.raises(DomainError):
        services.case_draft(
            request=resolved_request,
            data=services.CaseData(title="t", problem="p", solution="s", result="r"),
            by=demo_user("station_lz"),
        )


@pytest.mark.parametrize("username", ["station_lz", "reg_gx"])
def test_consent_only_by_the_enterprise(draft_case, demo_user, username):
    services.case_submit(case=draft_case, by=demo_user("station_lz"))
    with pytest.raises(DomainError):
        services.case_consent(case=draft_case, consent=True, by=demo_user(username))


def test_publish_needs_a_regulator_of_the_region(draft_case, demo_user):
    services.case_submit(case=draft_case, by=demo_user("station_lz"))
    services.case_consent(case=draft_case, consent=True, by=demo_user("ent_shanyuan"))
    for username in ("station_lz", "ent_shanyuan"):
        with pytest.raises(DomainError):
            services.case_publish(case=draft_case, by=demo_user(username))


def test_draft_cannot_be_published_directly(draft_case, demo_user):
    with pytest.raises(services.IllegalTransition):
        services.case_publish(case=draft_case, by=demo_user("reg_lz"))


def test_validation_names_fields(resolved_request, demo_user):
    from nqihub.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.case_draft(
            request=resolved_request,
            data=services.CaseData(title="", problem="p", solution="s", result="r", cost_saved="-1"),
            by=demo_user("station_lz"),
        )
    assert {"title", "cost_saved"} <= set(exc.value.errors)


def test_article_edit_makes_versions_and_only_editors_edit(db, demo_user):
    cat = ArticleCategory.objects.get(slug="guide")
    a = services.article_create(
        data=services.ArticleData(title="A", body="B", category=cat.pk), by=demo_user("admin")
    )
    a = services.article_update(
        article=a, data=services.ArticleData(title="A2", body="B2", category="guide"), by=demo_user("reg_lz")
    )
    assert a.version == 2 and list(a.versions.values_list("version", flat=True)) == [2, 1]
    with pytest.raises(DomainError):
        services.article_update(
            article=a,
            data=services.ArticleData(title="x", body="y", category="guide"),
            by=demo_user("ent_shanyuan"),
        )
    services.article_set_published(article=a, published=True, by=demo_user("reg_lz"))
    assert Article.objects.get(pk=a.pk).is_published


def test_views_flow(draft_case, client_for, resolved_request):
    staff = client_for("station_lz")
    assert staff.get(f"/cases/from-request/{resolved_request.pk}/").status_code == 200
    r = staff.post(
        f"/cases/{draft_case.pk}/edit/", {"title": "新标题", "problem": "p", "solution": "s", "result": "r"}
    )
    assert r.status_code == 302
    staff.post(f"/cases/{draft_case.pk}/submit/")
    client_for("ent_shanyuan").post(f"/cases/{draft_case.pk}/consent/")
    client_for("reg_lz").post(f"/cases/{draft_case.pk}/publish/")
    assert Case.objects.get(pk=draft_case.pk).status == Case.Status.PUBLISHED


def test_library_filters_and_highlights(client):
    r = client.get("/cases/", {"q": "保质期"}).content.decode()
    assert "<mark>保质期</mark>" in r
    assert "家纺" not in client.get("/cases/", {"element": "certification"}).content.decode().split("共")[1]
    assert "柳州" not in client.get("/cases/", {"region": "420000"}).content.decode().split("共")[1]


def test_api_lists_with_scores(client):
    body = client.get("/api/v1/cases", {"q": "螺蛳粉保质期"}).json()
    assert (
        body["count"] >= 1 and body["items"][0]["score"] > 0 and "保质期" in body["items"][0]["matched_terms"]
    )
    arts = client.get("/api/v1/articles", {"q": "CCC认证"}).json()
    assert arts["items"][0]["title"] == "哪些产品需要CCC认证"
    assert client.get("/api/v1/articles").json()["count"] >= 5


def test_suggest_partial_shows_matched_terms(client):
    r = client.get("/cases/suggest/", {"text": "螺蛳粉保质期"}).content.decode()
    assert "预包装柳州螺蛳粉保质期" in r and "匹配词" in r


def test_articles_pages(client):
    assert client.get("/cases/articles/", {"q": "检定"}).status_code == 200
    a = Article.objects.get(title="如何自我声明公开企业标准")
    assert "企业标准信息公共服务平台" in client.get(f"/cases/articles/{a.pk}/").content.decode()
