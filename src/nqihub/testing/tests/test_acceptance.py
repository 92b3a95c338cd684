"""Issue 5's acceptance story in one test: the Liuzhou lab tests 善元食品's 螺蛳粉 for the items its product
standard requires; the PDF opens, reads correctly in Chinese (pdftotext) and its QR code decodes to the
verification page; a sign-off by the same person twice is refused; an issued report cannot be edited; a
revision supersedes."""

import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from nqihub.core.errors import DomainError
from nqihub.testing import services
from nqihub.testing.models import LabRole

pytestmark = pytest.mark.django_db

TOOLS = all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "zbarimg"))


@pytest.mark.skipif(not TOOLS, reason="poppler-utils and zbar-tools are needed (make system)")
def test_liuzhou_lab_tests_shanyuan_luosifen(lab, shanyuan, users, client, tmp_path):
    from nqihub.standards.models import Requirement, Standard

    # The product standard with its requirement table (a 示例 standard: the catalogue has none for 螺蛳粉).
    std = Standard.objects.create(
        canonical="示例-LSF 1-2026",
        code_without_year="示例-LSF 1",
        title="柳州螺蛳粉（示例）",
        level="local",
        status="current",
    )
    for item, req, unit, method in [
        ("水分", "≤14.5", "g/100g", "GB 5009.3-2016"),
        ("酸价", "≤3", "mg/g", "GB 5009.229"),
        ("大肠菌群", "≤10", "CFU/g", "GB 4789.3"),
    ]:
        Requirement.objects.create(standard=std, item=item, requirement=req, unit=unit, method=method)

    # 善元 orders; the items come from the standard.
    order = services.order_create(
        by=users["ent_shanyuan"],
        lab=lab,
        enterprise=shanyuan,
        product_name="预包装柳州螺蛳粉",
        items=[{"parameter": "水分"}],
        product_standard=std.canonical,
        samples=[
            {
                "name": "预包装柳州螺蛳粉",
                "model_spec": "300 g/袋",
                "batch": "示例批次 A01",
                "quantity": "6 袋",
            }
        ],
    )
    added, skipped = services.items_from_standard(order=order, by=users["ent_shanyuan"])
    assert skipped == []
    assert [(i.parameter, i.requirement) for i in order.items.order_by("seq")] == [
        ("水分", "≤14.5"),
        ("酸价", "≤3"),
        ("大肠菌群", "≤10"),
    ]
    services.order_submit(order=order, by=users["ent_shanyuan"])

    # The lab receives, tests, and signs off with three different people.
    services.order_receive(order=order, by=users["lab_lz"], condition="包装完好")
    results = {"水分": "11.2", "酸价": "0.8", "大肠菌群": "<10"}
    services.results_enter(
        order=order, by=users["lab_lz"], results={str(i.pk): results[i.parameter] for i in order.items.all()}
    )
    services.order_complete(order=order, by=users["lab_lz"])
    LabRole.objects.create(user=users["lab_lz"], institution=lab, role=LabRole.Role.REVIEWER)
    with pytest.raises(DomainError):  # the same person twice
        services.order_review(order=order, by=users["lab_lz"])
    services.order_review(order=order, by=users["lab_lz_review"])
    services.order_approve(order=order, by=users["lab_lz_approve"])
    report = services.report_issue(order=order, by=users["lab_lz_approve"], base_url="http://testserver")
    order.refresh_from_db()
    assert order.status == "issued" and order.conclusion == "pass"

    # The PDF opens and reads in Chinese.
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(bytes(report.pdf))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in (
        report.number,
        "善元食品有限公司",
        "预包装柳州螺蛳粉",
        "柳州市食品检验检测实验室",
        "示例-CMA-LZ-0001",
        "合格",
        "批准",
        "报告结束",
    ):
        assert expected in text, expected
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text)
    # Its QR code decodes to the public verification page, which confirms the report.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    page = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True
    ).stdout.strip()
    assert decoded == report.data["verify_url"]
    url = urlsplit(decoded)
    assert url.path == "/testing/verify/"
    page = client.get(f"{url.path}?{url.query}")
    assert 'data-genuine="true"' in page.content.decode() and report.number in page.content.decode()

    # An issued report cannot be edited.
    with pytest.raises(services.Immutable):
        services.results_enter(order=order, by=users["lab_lz"], results={str(order.items.first().pk): "13"})

    # A revision supersedes it.
    services.order_revise(order=order, by=users["lab_lz_approve"], reason="更正样品规格")
    services.order_complete(order=order, by=users["lab_lz"])
    services.order_review(order=order, by=users["lab_lz_review"])
    services.order_approve(order=order, by=users["lab_lz_approve"])
    revision = services.report_issue(order=order, by=users["lab_lz_approve"], base_url="http://testserver")
    report.refresh_from_db()
    assert report.status == "superseded" and revision.replaces == report
    old = client.get(
        "/testing/verify/", {"number": report.number, "code": report.check_code}
    ).content.decode()
    assert revision.number in old and "替代" in old
