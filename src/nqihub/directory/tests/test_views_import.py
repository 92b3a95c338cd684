"""The scope-import page: who may open it (outsider 404), upload → validation table or a job, the progress
endpoint that htmx polls, the template download."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nqihub.core.models import ImportJob
from nqihub.directory.models import ScopeLine

from .test_imports import GOOD, csv_bytes, xlsx_bytes
from .test_matching import World, build_world

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def url(world):
    return reverse("directory:scope-import", args=[world.a.pk])


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.django_db
def test_own_staff_sees_the_upload_form(world):
    r = client_of(world.staff_a).get(url(world))
    assert r.status_code == 200
    body = r.content.decode()
    assert world.a.name in body and 'type="file"' in body and 'hx-encoding="multipart/form-data"' in body
    assert reverse("directory:scope-import-template") in body


@pytest.mark.django_db
def test_outsiders_get_404(world):
    # Jiangsu's regulator and enterprise users cannot see a Guangxi institution at all.
    for user in (world.reg_js, world.ent_js):
        assert client_of(user).get(url(world)).status_code == 404
        assert client_of(user).post(url(world), {"file": upload("s.csv", csv_bytes(GOOD))}).status_code == 404
    assert client_of(world.admin).get(reverse("directory:scope-import", args=[987654])).status_code == 404


@pytest.mark.django_db
def test_who_sees_but_may_not_edit_gets_403_and_nothing_is_imported(world):
    c = client_of(world.ent_gx)  # same province: the institution is visible, not editable
    assert c.get(url(world)).status_code == 403
    r = c.post(url(world), {"file": upload("s.csv", csv_bytes(GOOD))})
    assert r.status_code == 403 and "无权导入" in r.content.decode()
    assert not ScopeLine.objects.filter(parameter_text="邻苯二甲酸酯").exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(world):
    r = Client().get(url(world))
    assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.django_db
def test_upload_runs_the_job_and_the_status_page_shows_it_done(world, django_capture_on_commit_callbacks):
    c = client_of(world.reg_gx)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url(world), {"file": upload("scope.xlsx", xlsx_bytes(GOOD))})
    assert r.status_code == 302
    status_url = r["Location"]
    assert ScopeLine.objects.filter(institution=world.a, parameter_text="邻苯二甲酸酯").exists()
    page = c.get(status_url)
    body = page.content.decode()
    assert page.status_code == 200 and "导入完成" in body and "100%" in body
    assert 'hx-trigger="every 1s"' not in body  # finished: no more polling
    # Another user cannot read the job.
    assert client_of(world.staff_a).get(status_url).status_code == 404


@pytest.mark.django_db
def test_htmx_upload_answers_with_the_progress_partial(world):
    # Queued on commit: the test's transaction never commits, so the job is still waiting (and polled).
    r = client_of(world.staff_a).post(
        url(world), {"file": upload("scope.csv", csv_bytes(GOOD)), "replace": "on"}, **HTMX
    )
    body = r.content.decode()
    assert r.status_code == 200 and 'id="import-job"' in body and "<html" not in body
    assert 'data-state="queued"' in body and 'hx-trigger="every 1s"' in body


@pytest.mark.django_db
def test_bad_rows_come_back_as_a_table_of_row_numbers(world):
    rows = [GOOD[0], ["", "六价铬", "", ""], ["皮革", "", "", ""]]
    before = ScopeLine.objects.count()
    r = client_of(world.staff_a).post(url(world), {"file": upload("bad.csv", csv_bytes(rows))})
    body = r.content.decode()
    assert r.status_code == 422
    assert (
        "行号" in body
        and "原因" in body
        and '<td class="text-nowrap">3</td>' in body
        and '<td class="text-nowrap">4</td>' in body
    )
    assert "缺少检测对象/产品" in body and "缺少检测项目/参数" in body and "未导入任何数据" in body
    assert ScopeLine.objects.count() == before
    # Through htmx the same table, as a 200 partial (htmx swaps only 2xx).
    r = client_of(world.staff_a).post(url(world), {"file": upload("bad.csv", csv_bytes(rows))}, **HTMX)
    assert r.status_code == 200 and '<td class="text-nowrap">3</td>' in r.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("scope.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, ".xls"),
        ("scope.exe", b"MZ\x90\x00", "只支持 .xlsx 和 .csv"),
        ("scope.xlsx", b"hello", "不是 Excel 工作簿"),
    ],
)
def test_wrong_file_types_get_a_clear_message(world, name, data, needle):
    r = client_of(world.staff_a).post(url(world), {"file": upload(name, data)})
    assert r.status_code == 422 and needle in r.content.decode()


@pytest.mark.django_db
def test_too_big_files_are_refused(world, settings):
    settings.IMPORT_MAX_BYTES = 50
    r = client_of(world.staff_a).post(url(world), {"file": upload("scope.csv", csv_bytes(GOOD))})
    assert r.status_code == 422 and "文件过大" in r.content.decode()


@pytest.mark.django_db
def test_missing_file_is_a_form_error(world):
    r = client_of(world.staff_a).post(url(world), {})
    assert r.status_code == 422 and "is-invalid" in r.content.decode()


def running_job(world, **state) -> str:
    """A job some worker is running: its state is a row of the database, nothing else."""
    job = ImportJob.objects.create(
        id=uuid.uuid4(),
        kind="directory.scope",
        filename="big.xlsx",
        created_by=world.staff_a,
        scope={"institution_id": world.a.pk, "institution_name": world.a.name, "replace": False},
        scope_label=world.a.name,
        status="running",
        phase=state.get("phase", "checking"),
        done=state.get("done", 0),
        total=200,
    )
    return job.pk.hex


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phase", "done", "percent", "text"),
    [("checking", 100, "25%", "正在校验：100 / 200"), ("writing", 100, "75%", "正在写入：100 / 200")],
)
def test_a_running_job_is_polled_every_second(world, phase, done, percent, text):
    # The file is read twice in the job: checking fills the first half of the bar, writing the second.
    job_id = running_job(world, phase=phase, done=done)
    status_url = reverse("directory:scope-import-status", args=[job_id])
    r = client_of(world.staff_a).get(status_url, **HTMX)
    body = r.content.decode()
    assert r.status_code == 200 and 'hx-trigger="every 1s"' in body and f'hx-get="{status_url}"' in body
    assert f'aria-valuenow="{percent[:-1]}"' in body and text in body and "<html" not in body


@pytest.mark.django_db
def test_unknown_or_malformed_job_ids_are_404(world):
    c = client_of(world.staff_a)
    assert c.get(reverse("directory:scope-import-status", args=[uuid.uuid4().hex])).status_code == 404
    assert c.get(reverse("directory:scope-import-status", args=["not-a-job-id"])).status_code == 404
    # Someone else's job is somebody else's business.
    job_id = running_job(world)
    assert (
        client_of(world.reg_gx).get(reverse("directory:scope-import-status", args=[job_id])).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_template_downloads_as_csv_with_bom(world):
    r = client_of(world.staff_a).get(reverse("directory:scope-import-template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf") and "检测对象/产品" in r.content.decode("utf-8-sig")
