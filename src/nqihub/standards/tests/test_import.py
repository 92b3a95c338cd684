"""Catalog import: all rows or none, errors by row number, idempotent upsert, change alerts to followers."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from nqihub.core.models import AuditEntry
from nqihub.standards import services
from nqihub.standards.imports import StandardImportRejected, import_standards
from nqihub.standards.models import Standard

HEADER = "code,title,nature,status,publish_date,implement_date,abolish_date,replaces,replaced_by,ics,ccs\n"


@pytest.fixture(scope="module", autouse=True)
def _catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_standards", stdout=io.StringIO())


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "_notifier", lambda: lambda **kw: calls.append(kw))
    return calls


def csv_bytes(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def test_bad_rows_are_all_reported_and_nothing_is_imported(db):
    data = csv_bytes(
        "Q/DEMO 0001-2024,示例企业标准,,current,,,,,,,",
        "GB/T 99999.1,无年代号,,current,,,,,,,",
        "XX 1-2020,未知代号,,current,,,,,,,",
        "Q/DEMO 0002-2024,,,current,,,,,,,",
        "Q/DEMO 0003-2024,状态错,,valid,2024-13-01,,,,,,",
        "Q/DEMO 0001-2024,重复,,current,,,,,,,",
    )
    with pytest.raises(StandardImportRejected) as exc:
        import_standards(data, "x.csv")
    by_row = {(e.row, e.field) for e in exc.value.errors}
    assert {(3, "code"), (4, "code"), (5, "title"), (6, "status"), (6, "publish_date"), (7, "code")} <= by_row
    assert not Standard.objects.filter(canonical__startswith="Q/DEMO").exists()


def test_good_file_upserts_and_is_idempotent(db):
    data = csv_bytes("Q/DEMO 0001-2024,示例企业标准 床上用品,,现行,2024-01-01,2024-02-01,,,,,")
    first = import_standards(data, "x.csv")
    second = import_standards(data, "x.csv")
    assert (first.created, second.created, second.unchanged) == (1, 0, 1)
    std = Standard.objects.get(canonical="Q/DEMO 0001-2024")
    assert (std.level, std.nature, std.status) == ("enterprise", "recommended", "current")
    assert [
        s.canonical
        for s in __import__("nqihub.standards.search", fromlist=["x"]).search_standards("床上用品").items
    ][:5]


def test_xlsx_with_chinese_headers(db):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["标准号", "标准名称", "状态", "示例"])
    ws.append(["Q/DEMO 0009-2024", "示例 毛巾", "即将实施", "是"])
    buf = io.BytesIO()
    wb.save(buf)
    report = import_standards(buf.getvalue(), "x.xlsx")
    std = Standard.objects.get(canonical="Q/DEMO 0009-2024")
    assert report.created == 1 and std.status == "upcoming" and std.is_demo


def test_missing_columns_and_wrong_type_are_file_errors(db):
    from nqihub.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="status"):
        import_standards(b"code,title\nQ/A 1-2020,x\n", "x.csv")
    with pytest.raises(ValidationFailed, match=".xlsx"):
        import_standards(b"code", "x.pdf")


def test_change_of_a_followed_standard_notifies_its_followers(db, demo_user, sent):
    user = demo_user("ent_yuese")
    std = Standard.objects.get(canonical="GB 18401-2010")
    services.standard_follow(standard=std, by=user)
    data = csv_bytes(
        "GB 18401-2025,国家纺织产品基本安全技术规范,mandatory,upcoming,,2027-01-01,,GB 18401-2010,,,"
    )
    report = import_standards(data, "x.csv")
    assert report.changes and report.changes[0]["standard"] == "GB 18401-2010"
    assert Standard.objects.get(canonical="GB 18401-2010").replaced_by == "GB 18401-2025"
    assert len(sent) == 1
    assert user in sent[0]["users"]
    assert "GB 18401-2010" in sent[0]["title"] and "即将被代替" in sent[0]["title"]
    assert "GB 18401-2025" in sent[0]["body"] and "2027-01-01" in sent[0]["body"]
    assert AuditEntry.objects.filter(action="standards.standard.change_alerted").exists()


def test_abolition_is_notified_and_unfollowed_standards_are_not(db, demo_user, sent):
    services.standard_follow(
        standard=Standard.objects.get(canonical="GB/T 8685-2008"), by=demo_user("ent_yuese")
    )
    data = csv_bytes(
        "GB/T 8685-2008,纺织品 维护标签规范 符号法,recommended,abolished,,,2025-01-01,,,,",
        "GB/T 29862-2013,纺织品 纤维含量的标识,recommended,abolished,,,,,,,",
    )
    import_standards(data, "x.csv")
    assert len(sent) == 1 and "已废止" in sent[0]["title"]


def test_command_reports_rows(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("GB 1,无年代号,,current,,,,,,,"))
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("import_standards", str(bad), stdout=io.StringIO())
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("Q/DEMO 0005-2024,示例,,current,,,,,,,"))
    out = io.StringIO()
    call_command("import_standards", str(good), stdout=out)
    assert "created 1" in out.getvalue()


def test_upload_page_is_for_admins_and_reports_rows(client_for, db):
    assert client_for("ent_yuese").get("/standards/import/").status_code == 403
    admin = client_for("admin")
    assert admin.get("/standards/import/").status_code == 200
    bad = io.BytesIO(csv_bytes("GB 1,无年代号,,current,,,,,,,"))
    bad.name = "bad.csv"
    response = admin.post("/standards/import/", {"file": bad})
    assert response.status_code == 422
    assert "标准号缺少年代号" in response.content.decode()


def test_upload_runs_job_and_shows_progress(client_for, db, django_capture_on_commit_callbacks):
    admin = client_for("admin")
    good = io.BytesIO(csv_bytes("Q/DEMO 0007-2024,示例 枕头,,current,,,,,,,"))
    good.name = "good.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/standards/import/", {"file": good})
    assert response.status_code == 302
    status = admin.get(response["Location"])
    assert status.status_code == 200
    assert "新增 1" in status.content.decode()
    assert Standard.objects.filter(canonical="Q/DEMO 0007-2024").exists()
    # Another user cannot read the job.
    assert client_for("reg_lz").get(response["Location"]).status_code == 404


def test_columns_the_file_does_not_have_keep_their_values(db):
    before = Standard.objects.get(canonical="GB 18401-2010")
    assert before.source and before.replaces
    csv_bytes = "标准号,标准名称,状态\nGB 18401-2010,国家纺织产品基本安全技术规范,现行\n".encode()
    import_standards(csv_bytes, "partial.csv")
    after = Standard.objects.get(canonical="GB 18401-2010")
    assert (after.source, after.replaces, after.implement_date) == (
        before.source,
        before.replaces,
        before.implement_date,
    )
