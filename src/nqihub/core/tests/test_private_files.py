"""Uploads are private (issue 13 item 1): random object names outside every served path, no /media/ route in
DEBUG or not, downloads only through the scoped views; files stored before keep working once moved."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from nqihub.cases.models import ArticleCategory
from nqihub.cases.services import ArticleData, article_attach, article_create, article_set_published
from nqihub.core.files import PrivateFileError, RandomName, is_random_name, private_file_fields, random_name
from nqihub.desk import services as desk_services
from nqihub.desk.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RANDOM = re.compile(r"^desk/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")


@pytest.fixture
def request_with_attachment(private_storage, demo_user):
    req = desk_services.request_create(
        data=desk_services.RequestData(
            categories=["testing"],
            industry="1431",
            product="预包装柳州螺蛳粉",
            title="螺蛳粉胀袋",
            description="常温存放两个月后胀袋，请检测菌落总数。",
        ),
        by=demo_user("ent_shanyuan"),
    )
    att = desk_services.attachment_add(
        request=req,
        upload=SimpleUploadedFile("内部检测记录.pdf", PDF, "application/pdf"),
        internal=True,
        by=demo_user("station_lz"),
    )
    return req, att


def test_an_upload_gets_a_random_name_in_the_private_directory(request_with_attachment, private_storage):
    _req, att = request_with_attachment
    assert RANDOM.match(att.file.name), att.file.name
    assert "内部检测记录" not in att.file.name and att.name == "内部检测记录.pdf"
    assert (private_storage / att.file.name).read_bytes() == PDF
    with pytest.raises(PrivateFileError):
        att.file.url  # noqa: B018


def test_there_is_no_media_route_and_the_old_public_urls_are_404(
    request_with_attachment, client_for, settings
):
    req, att = request_with_attachment
    for url in (f"/media/{att.file.name}", f"/media/desk/{req.pk}/内部检测记录.pdf"):
        with pytest.raises(Resolver404):
            resolve(url)
        assert Client().get(url).status_code == 404
        assert client_for("station_lz").get(url).status_code == 404
    from nqihub import urls

    assert not any("media" in str(p.pattern) for p in urls.urlpatterns)


def test_the_scoped_view_serves_the_file_and_outsiders_get_404(request_with_attachment, client_for, api_for):
    req, att = request_with_attachment
    url = reverse("desk:attachment-download", args=[req.pk, att.pk])
    response = client_for("station_lz").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert (
        "attachment" in response["Content-Disposition"]
        and "%E5%86%85%E9%83%A8" in response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"].split(", ")
    for outsider in (
        "ent_hanxi",
        "station_wh",
        "ent_shanyuan",
    ):  # another enterprise, another station, internal
        assert client_for(outsider).get(url).status_code == 404, outsider
    assert Client().get(url).status_code == 302  # to the sign-in page
    api_url = f"/api/v1/requests/{req.pk}/attachments/{att.pk}"
    assert api_for("station_lz").get(api_url).status_code == 200
    assert api_for("ent_hanxi").get(api_url).status_code == 404


def test_a_file_missing_from_the_storage_is_a_404_not_a_500(
    request_with_attachment, client_for, private_storage
):
    req, att = request_with_attachment
    (private_storage / att.file.name).unlink()
    assert (
        client_for("station_lz").get(reverse("desk:attachment-download", args=[req.pk, att.pk])).status_code
        == 404
    )


def test_large_files_can_be_handed_to_the_proxy(request_with_attachment, client_for, settings):
    req, att = request_with_attachment
    settings.FILES_X_ACCEL_REDIRECT = "/_private/"
    settings.FILES_X_ACCEL_MIN_BYTES = 10
    response = client_for("station_lz").get(reverse("desk:attachment-download", args=[req.pk, att.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_private/{att.file.name}"
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    settings.FILES_X_ACCEL_MIN_BYTES = 10_000  # smaller files stay with the app
    response = client_for("station_lz").get(reverse("desk:attachment-download", args=[req.pk, att.pk]))
    assert "X-Accel-Redirect" not in response and b"".join(response.streaming_content) == PDF


@pytest.fixture
def draft_with_attachment(private_storage, demo_user):
    category = ArticleCategory.objects.order_by("order").first()
    editor = demo_user("reg_lz")
    article = article_create(
        data=ArticleData(title="强制检定办理指南", body="正文", category=category.pk), by=editor
    )
    att = article_attach(
        article=article, upload=SimpleUploadedFile("办理指南.pdf", PDF, "application/pdf"), by=editor
    )
    return article, att


def test_a_draft_articles_attachment_is_for_editors_only_until_published(
    draft_with_attachment, client_for, demo_user
):
    article, att = draft_with_attachment
    url = reverse("cases:article-attachment", args=[article.pk, att.pk])
    assert client_for("reg_lz").get(url).status_code == 200
    assert Client().get(url).status_code == 404
    assert client_for("ent_shanyuan").get(url).status_code == 404
    article_set_published(article=article, published=True, by=demo_user("reg_lz"))
    response = Client().get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    detail = Client().get(reverse("cases:article-detail", args=[article.pk])).content.decode()
    assert f'href="{url}"' in detail and att.file.name not in detail
    # another article's id in the URL does not reach this attachment
    other = article_create(
        data=ArticleData(title="另一篇", body="正文", category=article.category_id), by=demo_user("reg_lz")
    )
    article_set_published(article=other, published=True, by=demo_user("reg_lz"))
    assert Client().get(reverse("cases:article-attachment", args=[other.pk, att.pk])).status_code == 404


def test_every_uploaded_file_field_is_private():
    fields = {(model._meta.label, field.name) for model, field in private_file_fields()}
    assert fields >= {
        ("desk.Attachment", "file"),
        ("testing.SamplePhoto", "file"),
        ("cases.ArticleAttachment", "file"),
    }
    from django.apps import apps
    from django.db.models import FileField

    every = {
        (m._meta.label, f.name)
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if isinstance(f, FileField)
    }
    assert every == fields


def test_random_names_keep_only_a_plain_extension():
    assert re.match(r"^x/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$", random_name("x", "报告.PDF"))
    assert random_name("x", "../../etc/passwd").count("/") == 3
    assert not random_name("x", "a.p h p").endswith("h p")
    assert is_random_name(random_name("desk", "a.docx"), "desk")
    assert not is_random_name("desk/12/a.docx", "desk")
    assert RandomName("desk") == RandomName("desk") != RandomName("testing")


def test_files_stored_before_are_moved_to_random_names_and_keep_working(
    request_with_attachment, private_storage, settings, tmp_path, client_for
):
    req, att = request_with_attachment
    legacy = tmp_path / "media"
    settings.LEGACY_MEDIA_ROOT = legacy
    # Given a public-era row whose file sits under the old MEDIA_ROOT …
    old_name = f"desk/{req.pk}/旧版检测报告.pdf"
    (legacy / f"desk/{req.pk}").mkdir(parents=True)
    (legacy / old_name).write_bytes(PDF + b"old")
    old = Attachment.objects.create(
        request=req, file=old_name, name="旧版检测报告.pdf", size=len(PDF) + 3, content_type="application/pdf"
    )
    # … and one already in the private directory under its old name.
    kept_old_name = f"desk/{req.pk}/照片.pdf"
    default_storage.save(kept_old_name, ContentFile(PDF + b"kept"))
    kept = Attachment.objects.create(
        request=req, file=kept_old_name, name="照片.pdf", size=len(PDF) + 4, content_type="application/pdf"
    )
    call_command("migrate_private_files", stdout=(out := io.StringIO()))
    assert "2 moved" in out.getvalue()
    old.refresh_from_db()
    kept.refresh_from_db()
    assert RANDOM.match(old.file.name) and RANDOM.match(kept.file.name)
    assert not (legacy / old_name).exists() and not default_storage.exists(kept_old_name)
    station = client_for("station_lz")
    response = station.get(reverse("desk:attachment-download", args=[req.pk, old.pk]))
    assert b"".join(response.streaming_content) == PDF + b"old"
    assert "%E6%97%A7%E7%89%88" in response["Content-Disposition"]  # still downloaded as 旧版检测报告.pdf
    call_command("migrate_private_files", stdout=(again := io.StringIO()))
    assert "0 moved" in again.getvalue()


def test_s3_storage_is_private_and_serves_through_the_view(
    settings, request_with_attachment, client_for, demo_user
):
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="nqihub-private")
        settings.S3_BUCKET = "nqihub-private"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "nqihub.core.s3.PrivateS3Storage",
                "OPTIONS": {
                    "bucket_name": "nqihub-private",
                    "access_key": "test",
                    "secret_key": "test",
                    "region_name": "us-east-1",
                },
            },
        }
        req, _local = request_with_attachment
        from nqihub.core.health import check_storage

        check_storage()  # the bucket answers
        att = desk_services.attachment_add(
            request=req,
            upload=SimpleUploadedFile("检测委托单.pdf", PDF, "application/pdf"),
            by=demo_user("ent_shanyuan"),
        )
        assert RANDOM.match(att.file.name)
        acl = boto3.client("s3", region_name="us-east-1").get_object_acl(
            Bucket="nqihub-private", Key=att.file.name
        )
        assert all("AllUsers" not in str(grant.get("Grantee", {})) for grant in acl["Grants"])
        with pytest.raises(PrivateFileError):
            att.file.url  # noqa: B018
        response = client_for("ent_shanyuan").get(reverse("desk:attachment-download", args=[req.pk, att.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert (
            client_for("ent_hanxi")
            .get(reverse("desk:attachment-download", args=[req.pk, att.pk]))
            .status_code
            == 404
        )
        settings.S3_BUCKET = "no-such-bucket"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                **settings.STORAGES["default"],
                "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"},
            },
        }
        with pytest.raises(Exception):  # noqa: B017 (botocore's ClientError: the readiness check names it)
            check_storage()
