"""Label photos: POST /api/v1/labels/check as multipart/form-data, read on this server (OCR), checked like
text; jobs in the worker when a broker is configured; bad uploads answered field by field."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from nqihub.labels import photo_jobs

pytestmark = pytest.mark.django_db

URL = "/api/v1/labels/check"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LABEL = [
    "示例牌饼干",
    "配料：小麦粉、白砂糖、植物油、鸡蛋",
    "净含量：500g",
    "保质期：12个月",
    "生产日期：2026-10-01",
    "贮存条件：常温、阴凉干燥处",
]


def photo(lines=LABEL, fmt="JPEG", rotate=0.0, size=30) -> bytes:
    if not FONT.exists():
        pytest.skip("Noto CJK font not installed")
    font = ImageFont.truetype(str(FONT), size, index=2)
    img = Image.new("RGB", (760, 70 + 50 * len(lines)), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((35, 30 + i * 50), text, font=font, fill=(20, 20, 20))
    if rotate:
        img = img.rotate(rotate, expand=True, fillcolor=(120, 110, 100))
    buf = io.BytesIO()
    img.save(buf, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buf.getvalue()


def post(client, image, name="label.jpg", **data):
    body = {"category": "prepackaged_food", **data}
    if image is not None:
        body["image"] = ContentFile(image, name=name)
    return client.post(URL, body)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_photo_is_read_and_checked_with_boxes_per_field_and_finding():
    r = post(Client(), photo(rotate=3))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["extracted"]["net_content"].replace(" ", "") == "500g"
    assert "12个月" in body["extracted"]["shelf_life"]
    assert "小麦粉" in body["extracted"]["ingredients"]
    assert "净含量" in body["text"]
    assert body["image"]["width"] > 700
    box = body["field_boxes"]["net_content"][0]
    assert 0 <= box[0] < box[2] <= body["image"]["width"] and 0 <= box[1] < box[3] <= body["image"]["height"]
    # the label names no producer: a finding, with no box (the item is not on the photo)
    codes = {f["field"]: f for f in body["findings"]}
    assert "producer_name" in codes and codes["producer_name"]["boxes"] == []
    assert all(len(line["box"]) == 4 for line in body["lines"])


def test_png_webp_and_the_complete_switch():
    r = post(Client(), photo(fmt="PNG"), name="x.bin", complete="false")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["complete"] is False
    assert not any(f["code"].endswith("missing") for f in body["findings"])
    r = post(Client(), photo(fmt="WEBP"), name="x")
    assert r.status_code == 200, r.content


def test_heic_and_exif_orientation_are_honoured():
    upright = Image.open(io.BytesIO(photo(fmt="PNG")))
    stored = upright.rotate(90, expand=True)  # the camera stored it sideways, EXIF says "turn 90° clockwise"
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=90, exif=exif)
    r = post(Client(), buf.getvalue())
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["image"]["width"], body["image"]["height"]) == upright.size
    assert body["extracted"]["net_content"].replace(" ", "") == "500g"

    from pillow_heif import register_heif_opener

    register_heif_opener()
    buf = io.BytesIO()
    upright.save(buf, "HEIF")
    r = post(Client(), buf.getvalue(), name="IMG_0001.HEIC")
    assert r.status_code == 200, r.content
    assert r.json()["extracted"]["net_content"].replace(" ", "") == "500g"


@pytest.mark.parametrize(
    "image,name,field,words",
    [
        (b"not an image at all, just text", "label.jpg", "image", "JPEG"),
        (b"%PDF-1.7 ...", "label.png", "image", "JPEG"),
        (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), "big.jpg", "image", "10 MB"),
        (None, None, "image", "请上传"),
        (b"\xff\xd8\xff\xe0 broken jpeg", "label.jpg", "image", "无法读取"),
    ],
)
def test_bad_uploads_are_field_level_422(image, name, field, words):
    r = post(Client(), image, name=name or "x")
    assert r.status_code == 422, r.content
    detail = r.json()["detail"]
    assert detail[0]["field"] == field and words in detail[0]["message"]


def test_unknown_category_and_bad_switch_are_422():
    r = post(Client(), photo(), category="toys")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "category"
    r = post(Client(), photo(), complete="maybe")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "complete"


def test_a_blank_photo_says_no_text_was_read():
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (255, 255, 255)).save(buf, "PNG")
    r = post(Client(), buf.getvalue())
    assert r.status_code == 422 and "没有读出文字" in r.json()["detail"][0]["message"]


def test_anonymous_photo_checks_keep_the_anonymous_rate_limit(settings):
    settings.LABELS_ANONYMOUS_RATE = 2
    client = Client()
    assert post(client, None).status_code == 422
    assert (
        client.post(
            URL, {"category": "textile", "text": "品名：T恤"}, content_type="application/json"
        ).status_code
        == 200
    )
    r = post(client, photo())
    assert r.status_code == 429


def test_json_path_answers_as_before():
    r = Client().post(
        URL, {"category": "textile", "text": "品名：T恤\n成分：棉100%"}, content_type="application/json"
    )
    assert r.status_code == 200
    assert set(r.json()) == {
        "category",
        "rule_pack_version",
        "edition",
        "complete",
        "errors",
        "warnings",
        "findings",
        "fields",
        "extracted",
    }
    r = Client().post(URL, {"category": "textile", "text": 5}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "text"
    r = Client().post(URL, "{not json", content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body"
    r = Client().post(URL, {"text": "x"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "category"


def test_openapi_documents_json_and_multipart():
    spec = Client().get("/api/v1/openapi.json").json()
    content = spec["paths"]["/api/v1/labels/check"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    assert content["multipart/form-data"]["schema"]["properties"]["image"]["format"] == "binary"


@pytest.fixture
def broker(settings, monkeypatch, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://broker.invalid:6379/0"
    settings.MEDIA_ROOT = str(tmp_path)
    queued = []
    from nqihub.labels import tasks

    monkeypatch.setattr(tasks.check_photo_task, "delay", lambda job_id: queued.append(job_id))
    return queued


def test_with_a_broker_the_photo_is_a_job_only_its_sender_reads(broker):
    client = Client(REMOTE_ADDR="10.0.0.1")
    r = post(client, photo())
    assert r.status_code == 202, r.content
    job_id = r.json()["job_id"]
    assert broker == [job_id]
    assert client.get(f"/api/v1/labels/photo-jobs/{job_id}").json()["state"] == "queued"
    photo_jobs.run(job_id)  # what the worker does
    body = client.get(f"/api/v1/labels/photo-jobs/{job_id}").json()
    assert body["state"] == "done" and body["result"]["extracted"]["net_content"].replace(" ", "") == "500g"
    assert not default_storage.exists(f"{photo_jobs.PHOTOS_DIR}/{job_id}")
    outsider = Client(REMOTE_ADDR="10.0.0.2")
    assert outsider.get(f"/api/v1/labels/photo-jobs/{job_id}").status_code == 404
    assert client.get("/api/v1/labels/photo-jobs/not-a-uuid").status_code == 422


def test_a_job_whose_photo_cannot_be_read_fails_with_a_message(broker):
    client = Client()
    r = post(client, b"\xff\xd8\xff\xe0 broken")
    job_id = r.json()["job_id"]
    photo_jobs.run(job_id)
    body = client.get(f"/api/v1/labels/photo-jobs/{job_id}").json()
    assert body["state"] == "failed" and body["field"] == "image" and "无法读取" in body["message"]


def test_the_sweep_deletes_photos_a_dead_worker_left(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    default_storage.save(f"{photo_jobs.PHOTOS_DIR}/left-behind", ContentFile(b"x"))
    assert photo_jobs.sweep()["deleted"] == 0
    assert photo_jobs.sweep(now=timezone.now() + timedelta(hours=2))["deleted"] == 1
    assert not default_storage.exists(f"{photo_jobs.PHOTOS_DIR}/left-behind")


def test_the_page_has_a_photo_tab_that_opens_the_camera():
    r = Client().get("/labels/?category=prepackaged_food")
    assert r.status_code == 200
    html = r.content.decode()
    assert "拍照检查" in html and 'id="pane-photo"' in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert "labels/photo.js" in html and "labels/photo.css" in html
    assert 'id="id_photo_text"' in html  # the read text, editable, re-checked by the text path
    assert " style=" not in html.split("<body", 1)[1]
