"""Article editing: editors (regulators, platform admins) create, edit (a new version each save),
publish and attach files; everyone else is refused (403) or does not see drafts (404)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from nqihub.cases.models import Article, ArticleAttachment, ArticleCategory, ArticleVersion

MEDIA = "/tmp/nqihub-cases-test-media"


@pytest.fixture
def category(db):
    return ArticleCategory.objects.order_by("order").first()


def _form(cat, **overrides):
    data = {
        "title": "如何办理计量器具强制检定",
        "category": str(cat.pk),
        "kind": "guidance",
        "summary": "强制检定的办理步骤。",
        "body": "第一步：登记计量器具。第二步：预约检定。",
        "source": "",
    }
    data.update(overrides)
    return data


def test_editor_creates_edits_and_publishes_in_html(client_for, category, client):
    c = client_for("reg_lz")
    assert c.get(reverse("cases:article-create")).status_code == 200
    r = c.post(reverse("cases:article-create"), _form(category))
    assert r.status_code == 302
    article = Article.objects.get(title="如何办理计量器具强制检定")
    assert not article.is_published and article.version == 1
    assert client.get(reverse("cases:article-detail", args=[article.pk])).status_code == 404

    r = c.post(
        reverse("cases:article-edit", args=[article.pk]),
        _form(category, body="第一步：登记。第二步：预约。第三步：送检。"),
    )
    assert r.status_code == 302
    article.refresh_from_db()
    assert article.version == 2
    assert ArticleVersion.objects.filter(article=article, version=2, body__contains="送检").exists()
    assert ArticleVersion.objects.filter(article=article, version=1).exists()

    assert c.post(reverse("cases:article-publish", args=[article.pk, "publish"])).status_code == 302
    article.refresh_from_db()
    assert article.is_published
    page = c.get(reverse("cases:article-detail", args=[article.pk])).content.decode()
    assert "版本历史" in page and "撤回发布" in page
    assert client.get(reverse("cases:article-detail", args=[article.pk])).status_code == 200

    assert c.post(reverse("cases:article-publish", args=[article.pk, "unpublish"])).status_code == 302
    article.refresh_from_db()
    assert not article.is_published


def test_admin_is_an_editor(client_for, category):
    r = client_for("admin").post(reverse("cases:article-create"), _form(category))
    assert r.status_code == 302


def test_bad_input_shows_field_errors_and_saves_nothing(client_for, category):
    before = Article.objects.count()
    r = client_for("reg_lz").post(
        reverse("cases:article-create"), _form(category, title="", category="999999")
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert "title" in form.errors and "category" in form.errors
    assert Article.objects.count() == before


def test_enterprise_user_is_refused(client_for, category):
    c = client_for("ent_shanyuan")
    before = Article.objects.count()
    assert c.get(reverse("cases:article-create")).status_code == 403
    assert c.post(reverse("cases:article-create"), _form(category)).status_code == 403
    assert Article.objects.count() == before
    published = Article.objects.filter(is_published=True).first()
    assert c.get(reverse("cases:article-edit", args=[published.pk])).status_code == 403
    assert c.post(reverse("cases:article-publish", args=[published.pk, "unpublish"])).status_code == 403


def test_enterprise_user_gets_404_on_unpublished_article(client_for, demo_user, category):
    from nqihub.cases.services import ArticleData, article_create

    draft = article_create(
        data=ArticleData(title="草稿", body="正文", category=category.pk), by=demo_user("reg_lz")
    )
    c = client_for("ent_shanyuan")
    assert c.get(reverse("cases:article-detail", args=[draft.pk])).status_code == 404
    assert c.get(reverse("cases:article-edit", args=[draft.pk])).status_code == 404
    assert c.post(reverse("cases:article-publish", args=[draft.pk, "publish"])).status_code == 404


@override_settings(MEDIA_ROOT=MEDIA)
def test_attachment_upload_checks_type(client_for, category, demo_user):
    from nqihub.cases.services import ArticleData, article_create

    article = article_create(
        data=ArticleData(title="附件测试", body="正文", category=category.pk), by=demo_user("reg_lz")
    )
    c = client_for("reg_lz")
    url = reverse("cases:article-attach", args=[article.pk])
    good = SimpleUploadedFile("guide.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    assert c.post(url, {"file": good}).status_code == 302
    assert ArticleAttachment.objects.filter(article=article, name="guide.pdf").exists()
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    r = c.post(url, {"file": bad}, follow=True)
    assert "不支持的文件类型" in r.content.decode()
    fake = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00", content_type="application/pdf")
    c.post(url, {"file": fake})
    assert ArticleAttachment.objects.filter(article=article).count() == 1
    assert client_for("ent_shanyuan").post(url, {"file": good}).status_code == 404


# --- API ---------------------------------------------------------------------------------------------------


def test_api_editor_creates_patches_and_publishes(api_for, category):
    api = api_for("reg_gx")
    r = api.post(
        "/api/v1/articles",
        {"title": "CCC 认证目录查询", "body": "哪些产品需要 CCC 认证。", "category": category.slug},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["version"] == 1 and body["is_published"] is False
    pk = body["id"]
    r = api.patch(
        f"/api/v1/articles/{pk}",
        {"body": "强制性产品认证目录内的产品需要 CCC 认证。"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2 and r.json()["title"] == "CCC 认证目录查询"
    assert ArticleVersion.objects.filter(article_id=pk).count() == 2
    r = api.post(f"/api/v1/articles/{pk}/publish")
    assert r.status_code == 200 and r.json()["is_published"] is True


def test_api_bad_input_is_422_naming_the_field(api_for, category):
    api = api_for("reg_gx")
    before = Article.objects.count()
    r = api.post(
        "/api/v1/articles",
        {"title": "x", "body": "y", "category": "no-such"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["detail"]] == ["category"]
    r = api.post(
        "/api/v1/articles", {"title": "x", "category": category.slug}, content_type="application/json"
    )
    assert r.status_code == 422
    assert "body" in [e["field"] for e in r.json()["detail"]]
    assert Article.objects.count() == before
    pk = Article.objects.filter(is_published=True).first().pk
    r = api.patch(f"/api/v1/articles/{pk}", {"kind": "novel"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "kind"
    assert ArticleVersion.objects.filter(article_id=pk).count() == 1


def test_api_enterprise_user_is_refused(api_for, demo_user, category):
    from nqihub.cases.services import ArticleData, article_create

    draft = article_create(
        data=ArticleData(title="草稿", body="正文", category=category.pk), by=demo_user("reg_lz")
    )
    api = api_for("ent_shanyuan")
    before = Article.objects.count()
    r = api.post(
        "/api/v1/articles",
        {"title": "x", "body": "y", "category": category.slug},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Article.objects.count() == before
    assert api.get(f"/api/v1/articles/{draft.pk}").status_code == 404
    assert (
        api.patch(f"/api/v1/articles/{draft.pk}", {"title": "z"}, content_type="application/json").status_code
        == 404
    )
    assert api.post(f"/api/v1/articles/{draft.pk}/publish").status_code == 404
    published = Article.objects.filter(is_published=True).first()
    assert api.post(f"/api/v1/articles/{published.pk}/unpublish").status_code == 403


def test_api_anonymous_gets_401(client, category):
    r = client.post(
        "/api/v1/articles",
        {"title": "x", "body": "y", "category": category.slug},
        content_type="application/json",
    )
    assert r.status_code == 401


def test_admin_registered(client_for):
    c = client_for("admin")
    for name in ("case", "article", "articlecategory"):
        assert c.get(reverse(f"admin:cases_{name}_changelist")).status_code == 200
