"""Import jobs (``core.imports``) and the one table reader (``core.tabular``): state only in the database,
workbooks with a DTD refused by every import, each import kind through the one module, a user sees only
their own jobs, the sweep."""

import io
import uuid
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from nqihub.core import imports, tabular
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import ImportJob
from nqihub.directory.imports import import_job_start
from nqihub.directory.models import Enterprise, ScopeLine
from nqihub.directory.tests.test_imports import GOOD, csv_bytes, xlsx_bytes
from nqihub.directory.tests.test_matching import build_world

XXE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
)


def with_dtd(data: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with a DTD (external entity + entity expansion) put in front of one XML part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
                content = XXE + body.replace(b"<v>", b"<v>&b;", 1)
            target.writestr(info.filename, content)
    return out.getvalue()


def workbook(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(db, media):
    return build_world()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- state in the database only ---------------------------------------------------------------------------


def test_a_job_lives_in_the_database_and_any_process_shows_it(world, media):
    job_id = import_job_start(
        institution=world.a, data=csv_bytes(GOOD), filename="范围.csv", by=world.staff_a
    )
    job = ImportJob.objects.get(pk=job_id)
    # Not yet committed in this test's transaction: queued, its upload stored privately under a random name.
    assert job.status == "queued" and job.total == 3 and job.filename == "范围.csv"
    assert job.file.name.startswith("imports/") and "范围" not in job.file.name
    assert default_storage.exists(job.file.name)

    cache.clear()  # another process: no shared memory, a fresh client
    status_url = reverse("directory:scope-import-status", args=[job_id])
    page = login(world.staff_a).get(status_url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and 'data-state="queued"' in page.content.decode()

    imports.run(job_id)  # a worker elsewhere runs it
    cache.clear()
    for url in (status_url, reverse("import-status", args=[job_id])):
        body = login(world.staff_a).get(url).content.decode()
        assert "导入完成" in body and "100%" in body and 'hx-trigger="every 1s"' not in body
    assert ScopeLine.objects.filter(institution=world.a, parameter_text="邻苯二甲酸酯").exists()
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == 1 and job.finished_at is not None
    assert not job.file and not [p for p in (media / "imports").rglob("*") if p.is_file()]

    imports.run(job_id)  # delivered twice: a finished job is left alone
    assert ImportJob.objects.get(pk=job_id).finished_at == job.finished_at


def test_progress_is_read_from_the_database(world):
    job = ImportJob.objects.create(
        id=uuid.uuid4(),
        kind="directory.scope",
        filename="big.csv",
        created_by=world.staff_a,
        scope={"institution_id": world.a.pk},
        status="running",
        phase="checking",
        total=400,
    )
    imports.set_progress(job.pk, "writing", 200, 400)
    view = imports.view(ImportJob.objects.get(pk=job.pk))
    assert (view["state"], view["phase"], view["done"], view["percent"]) == ("running", "writing", 200, 75)
    body = login(world.staff_a).get(reverse("import-status", args=[job.pk.hex])).content.decode()
    assert 'aria-valuenow="75"' in body and 'hx-trigger="every 1s"' in body


def test_a_job_whose_rows_went_bad_meanwhile_fails_with_its_row_errors(world):
    job_id = import_job_start(institution=world.a, data=csv_bytes(GOOD), filename="s.csv", by=world.staff_a)
    world.staff_a.memberships.all().delete()  # lost the right before the worker ran
    world.staff_a.is_superuser = False
    imports.run(job_id)
    job = ImportJob.objects.get(pk=job_id)
    assert job.status == "failed" and "无权" in job.message and not job.file
    assert not ScopeLine.objects.filter(parameter_text="邻苯二甲酸酯").exists()


# --- who sees a job ---------------------------------------------------------------------------------------


def test_only_the_uploader_sees_a_job(world):
    job_id = import_job_start(institution=world.a, data=csv_bytes(GOOD), filename="s.csv", by=world.staff_a)
    url = reverse("import-status", args=[job_id])
    assert login(world.staff_a).get(url).status_code == 200
    for outsider in (world.admin, world.reg_gx, world.ent_js):
        assert login(outsider).get(url).status_code == 404
        assert imports.get(job_id, fetched_by=outsider) is None
        assert not imports.jobs_of(outsider).exists()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert login(world.staff_a).get(reverse("import-status", args=["not-a-uuid"])).status_code == 404
    assert login(world.staff_a).get(reverse("import-status", args=[uuid.uuid4().hex])).status_code == 404


# --- unsafe or bad files ------------------------------------------------------------------------------------


def test_openpyxl_parses_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_a_workbook_with_a_dtd_is_refused(part):
    data = with_dtd(workbook([["标准号", "标准名称", "状态"], ["GB 1-2000", "x", "现行"]]), part)
    with pytest.raises(ValidationFailed) as exc:
        tabular.check_file("a.xlsx", data)
    assert "DTD" in exc.value.errors["file"] and part in exc.value.errors["file"]


def test_a_dtd_in_utf16_is_refused_too():
    data = workbook([["a"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                content = (XXE.decode() + body).encode("utf-16")
            target.writestr(info.filename, content)
    with pytest.raises(ValidationFailed):
        tabular.check_file("a.xlsx", out.getvalue())


def test_every_upload_page_refuses_a_workbook_with_a_dtd_and_changes_nothing(client_for, media):
    """Directory scope, standards, instruments, certificates: a clear 422 and no job, no row."""
    from nqihub.certification.models import Certificate
    from nqihub.metrology.models import Instrument
    from nqihub.standards.models import Standard

    enterprise = Enterprise.objects.get(name="善元食品有限公司")
    counts = (Standard.objects.count(), Instrument.objects.count(), Certificate.objects.count())
    admin = client_for("admin")
    institution_id = ScopeLine.objects.values_list("institution_id", flat=True).first()
    posts = [
        (admin, reverse("directory:scope-import", args=[institution_id]), {}),
        (admin, reverse("standards:import"), {}),
        (client_for("ent_shanyuan"), reverse("metrology:instrument-import"), {"enterprise": enterprise.pk}),
        (
            client_for("ent_shanyuan"),
            reverse("certification:certificate-import", args=[enterprise.pk]),
            {},
        ),
    ]
    data = with_dtd(xlsx_bytes(GOOD))
    for client, url, extra in posts:
        response = client.post(url, {"file": SimpleUploadedFile("evil.xlsx", data), **extra})
        body = response.content.decode()
        assert response.status_code in (200, 422) and "DTD" in body, url
        assert response.status_code == 422 or "is-invalid" in body or "alert" in body, url
    assert not ImportJob.objects.exists()
    assert (Standard.objects.count(), Instrument.objects.count(), Certificate.objects.count()) == counts


def test_results_files_with_a_dtd_are_refused():
    from nqihub.testing.results_xlsx import parse_results_xlsx

    data = with_dtd(workbook([["序号", "检验项目", "单位", "检验结果"], [1, "水分", "%", "12"]]))
    with pytest.raises(ValidationFailed) as exc:
        parse_results_xlsx(data, [(1, "水分")])
    assert "DTD" in exc.value.errors["file"]


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("a.csv", b"", "文件为空"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "Excel 97-2003"),
        ("a.xlsx", b"%PDF-1.7", "不是 Excel 工作簿"),
        ("a.csv", b"PK\x03\x04zip", "压缩包"),
        ("a.pdf", b"%PDF-1.7", "只支持 .xlsx 和 .csv"),
        ("a.xlsx", b"PK\x03\x04 broken", "已损坏"),
    ],
)
def test_wrong_files_get_a_clear_chinese_message(name, data, needle):
    with pytest.raises(ValidationFailed) as exc:
        tabular.check_file(name, data)
    assert needle in exc.value.errors["file"]


def test_too_large_files_and_zip_bombs_are_refused(settings):
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(ValidationFailed, match="文件过大"):
        tabular.check_file("a.csv", b"a,b\n1,2\n3,4\n")
    settings.IMPORT_MAX_BYTES = 4000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/workbook.xml", b"<workbook/>")
        bomb.writestr("xl/worksheets/sheet1.xml", b" " * 200_000)
    with pytest.raises(ValidationFailed, match="解压后过大"):
        tabular.check_file("a.xlsx", out.getvalue())


@given(st.binary(max_size=300), st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a"]))
def test_reading_any_bytes_either_works_or_is_a_file_error(data, name):
    try:
        kind = tabular.check_file(name, data, max_bytes=1000)
        rows = list(tabular.table_rows(kind, data))
    except ValidationFailed as exc:
        assert set(exc.errors) == {"file"} and exc.errors["file"]
    else:
        assert all(isinstance(number, int) and isinstance(cells, list) for number, cells in rows)


_ALIASES = {"code": ["标准号", "标准编号"], "title": ["标准名称"]}


@given(
    st.sampled_from(["标准号", "标准编号", "标准名称", "code", "title"]),
    st.sampled_from(["", " ", "\u3000", "*"]),
    st.booleans(),
)
def test_header_names_match_whatever_their_width_case_and_marks(name, mark, fullwidth):
    header = tabular.HeaderMap(_ALIASES)
    text = name.upper() if name.isascii() else name
    if fullwidth:
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    expected = "code" if name in ("标准号", "标准编号", "code") else "title"
    assert header.field(f"{mark}{text}{mark}") == expected
    assert header.columns(["备注", f"{text}{mark}", text]) == {expected: 1}


# --- each kind through the one module -------------------------------------------------------------------


def test_standards_instruments_and_certificates_run_as_jobs(
    client_for, demo_user, media, django_capture_on_commit_callbacks
):
    from nqihub.certification.models import Certificate
    from nqihub.metrology.models import Instrument
    from nqihub.standards.models import Standard

    enterprise = Enterprise.objects.get(name="善元食品有限公司")
    uploads = [
        (
            client_for("admin"),
            reverse("standards:import"),
            {},
            SimpleUploadedFile(
                "s.csv", "标准号,标准名称,状态\nQ/DEMO 0099-2025,示例 作业导入,现行\n".encode("utf-8-sig")
            ),
            "standards.catalog",
        ),
        (
            client_for("ent_shanyuan"),
            reverse("metrology:instrument-import"),
            {"enterprise": enterprise.pk},
            SimpleUploadedFile(
                "i.xlsx",
                workbook([["器具名称", "出厂编号", "使用目的"], ["示例压力表", "示例-JOB-1", "其他"]]),
            ),
            "metrology.instruments",
        ),
        (
            client_for("ent_shanyuan"),
            reverse("certification:certificate-import", args=[enterprise.pk]),
            {},
            SimpleUploadedFile(
                "c.csv",
                "证书编号,认证类型,认证机构,发证日期\n示例-JOB-QMS,ISO 9001,示例认证机构,2024-01-15\n".encode(),
            ),
            "certification.certificates",
        ),
    ]
    for client, url, extra, upload, kind in uploads:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": upload, **extra})
        assert response.status_code == 302, (url, response.content.decode()[:2000])
        job = ImportJob.objects.get(kind=kind)
        assert job.status == "done" and job.result["rows"] == 1 and not job.file, job.message
        page = client.get(reverse("import-status", args=[job.pk.hex]))
        assert page.status_code == 200 and "导入完成" in page.content.decode()
    assert Standard.objects.filter(canonical="Q/DEMO 0099-2025").exists()
    assert Instrument.objects.filter(serial_number="示例-JOB-1").exists()
    assert Certificate.objects.filter(number="示例-JOB-QMS").exists()


def test_a_queued_instrument_import_shows_its_progress_page(client_for, media):
    enterprise = Enterprise.objects.get(name="善元食品有限公司")
    client = client_for("ent_shanyuan")
    data = workbook([["器具名称", "出厂编号", "使用目的"], ["示例压力表", "示例-JOB-2", "其他"]])
    response = client.post(
        reverse("metrology:instrument-import"),
        {"enterprise": enterprise.pk, "file": SimpleUploadedFile("i.xlsx", data)},
    )
    job = ImportJob.objects.get(kind="metrology.instruments")
    assert response.status_code == 302 and response["Location"] == reverse("import-status", args=[job.pk.hex])
    body = client.get(response["Location"]).content.decode()
    assert "已排队" in body and 'hx-trigger="every 1s"' in body and enterprise.name in body


def test_every_import_page_renders_and_refuses_a_too_large_file(client_for, settings):
    enterprise = Enterprise.objects.get(name="善元食品有限公司")
    institution_id = ScopeLine.objects.values_list("institution_id", flat=True).first()
    admin, owner = client_for("admin"), client_for("ent_shanyuan")
    pages = [
        (admin, reverse("directory:scope-import", args=[institution_id]), {}),
        (admin, reverse("standards:import"), {}),
        (owner, reverse("metrology:instrument-import"), {"enterprise": enterprise.pk}),
        (owner, reverse("certification:certificate-import", args=[enterprise.pk]), {}),
    ]
    for client, url, _extra in pages:
        page = client.get(url)
        assert page.status_code == 200 and 'type="file"' in page.content.decode(), url
    settings.IMPORT_MAX_BYTES = 20
    for client, url, extra in pages:
        big = SimpleUploadedFile("a.csv", b"a,b\n" + b"1,2\n" * 20)
        response = client.post(url, {"file": big, **extra})
        assert response.status_code == 422 and "文件过大" in response.content.decode(), url
    assert not ImportJob.objects.exists()


# --- the sweep ------------------------------------------------------------------------------------------


def _job(user, *, status="done", age=timedelta(0), file=b"", **fields) -> ImportJob:
    job = ImportJob(
        id=uuid.uuid4(), kind="directory.scope", filename="x.csv", created_by=user, status=status, **fields
    )
    if file:
        job.file.save("x.csv", ContentFile(file), save=False)
    job.save()
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - age, updated_at=timezone.now() - age
    )
    return job


def test_the_sweep_requeues_fails_and_deletes(world, media, settings):
    settings.IMPORT_JOB_RETENTION_DAYS = 30
    old = _job(world.staff_a, age=timedelta(days=31))
    recent = _job(world.staff_a, age=timedelta(days=2))
    stalled = _job(world.staff_a, status="running", age=timedelta(hours=3), file=b"a,b\n")
    waiting = _job(
        world.staff_a,
        status="queued",
        age=timedelta(hours=1),
        file=csv_bytes(GOOD),
        scope={"institution_id": world.a.pk, "replace": False},
    )
    orphan = default_storage.save("imports/2020/01/orphan.csv", ContentFile(b"x"))
    default_storage.save("imports/2020/01/fresh.csv", ContentFile(b"x"))
    import os

    past = (timezone.now() - timedelta(days=3)).timestamp()
    os.utime(media / orphan, (past, past))

    counts = imports.sweep()

    assert counts == {"requeued": 1, "stalled": 1, "deleted_jobs": 1, "deleted_files": 1}
    assert (
        not ImportJob.objects.filter(pk=old.pk).exists() and ImportJob.objects.filter(pk=recent.pk).exists()
    )
    stalled.refresh_from_db()
    assert stalled.status == "failed" and "中断" in stalled.message and not stalled.file
    waiting.refresh_from_db()
    assert waiting.status == "done"  # queued again: eager here, so it ran
    assert not default_storage.exists(orphan) and default_storage.exists("imports/2020/01/fresh.csv")
    assert imports.sweep()["deleted_jobs"] == 0


def test_the_sweep_is_a_periodic_job_and_a_command(db, media):
    from django.core.management import call_command

    from nqihub.core.schedule import BY_NAME

    assert BY_NAME["core.sweep_imports"].function == "nqihub.core.imports.sweep"
    out = io.StringIO()
    call_command("sweep_imports", stdout=out)
    assert "requeued 0" in out.getvalue()
