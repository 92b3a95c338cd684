import io

import openpyxl
import pytest
from django.urls import reverse

from nqihub.core.errors import ValidationFailed
from nqihub.directory.models import Enterprise
from nqihub.metrology import imports
from nqihub.metrology.models import Instrument

HEADER = [
    "器具名称*",
    "型号规格",
    "出厂编号*",
    "使用目的*",
    "强检目录器具",
    "下次检定/校准日期",
    "内部校准周期（天）",
    "被测量",
]


def _xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ent():
    return Enterprise.objects.get(name="善元食品有限公司")


def test_good_file_imports_every_row(db, demo_user):
    data = _xlsx(
        [
            ["电子台秤", "TCS-150", "A-1", "贸易结算", "台秤", "2026-05-01", None, "质量"],
            ["温度计", "", "A-2", "其他（内部使用）", None, "2026-06-01", 180, "温度"],
        ]
    )
    created = imports.instrument_import(
        enterprise=_ent(), data=data, filename="ledger.xlsx", by=demo_user("ent_shanyuan")
    )
    assert [i.is_mandatory for i in created] == [True, False]
    assert created[1].internal_interval_days == 180


def test_bad_rows_are_reported_and_nothing_is_imported(db, demo_user):
    before = Instrument.objects.count()
    data = _xlsx(
        [
            ["电子台秤", "", "A-1", "贸易结算", None, None, None, ""],
            ["", "", "A-2", "卖菜", "不存在的器具", "2026-13-01", None, ""],
            ["压力表", "", "A-3", "安全防护", "压力表", None, 90, ""],
            ["电子台秤", "", "A-1", "贸易结算", None, None, None, ""],
        ]
    )
    with pytest.raises(imports.InstrumentImportRejected) as exc:
        imports.instrument_import(
            enterprise=_ent(), data=data, filename="ledger.xlsx", by=demo_user("ent_shanyuan")
        )
    by_row = {}
    for e in exc.value.errors:
        by_row.setdefault(e.row, set()).add(e.field)
    assert by_row == {
        3: {"name", "purpose", "catalogue_entry", "next_due"},
        4: {"internal_interval_days"},
        5: {"serial_number"},
    }
    assert Instrument.objects.count() == before


def test_missing_header_and_wrong_file_type(db, demo_user):
    with pytest.raises(imports.InstrumentImportRejected) as exc:
        imports.instrument_import(
            enterprise=_ent(),
            data="名称,型号\nx,y\n".encode(),
            filename="a.csv",
            by=demo_user("ent_shanyuan"),
        )
    assert "出厂编号" in exc.value.errors[0].message
    with pytest.raises(ValidationFailed):
        imports.instrument_import(
            enterprise=_ent(), data=b"hello", filename="a.txt.exe", by=demo_user("ent_shanyuan")
        )


def test_import_page_reports_rows(db, client_for):
    c = client_for("ent_shanyuan")
    assert c.get(reverse("metrology:instrument-import")).status_code == 200
    data = _xlsx([["", "", "A-2", "贸易结算", None, None, None, ""]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = c.post(
        reverse("metrology:instrument-import"),
        {"enterprise": _ent().pk, "file": SimpleUploadedFile("ledger.xlsx", data)},
    )
    html = resp.content.decode()
    assert resp.status_code == 422 and "import-errors" in html and "请填写器具名称" in html
    assert client_for("reg_lz").get(reverse("metrology:instrument-import")).status_code == 403
    assert c.get(reverse("metrology:import-template")).status_code == 200
