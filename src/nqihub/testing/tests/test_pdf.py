"""The PDF test report, read back the way a person (pdftotext), a PDF checker (pdffonts) and a phone camera
(pdftoppm + zbarimg) read it. The tools come from Debian's poppler-utils and zbar-tools (``make system``);
a missing tool fails the test with the package to install, it never skips."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from nqihub.testing.pdf import _url_fetcher, cn_date, css_string, page_counter_css, render_report_pdf
from nqihub.testing.reportdata import ReportData, ReportItem, Signature

VERIFY_URL = "https://nqi.example.cn/testing/verify/?number=LZSJ-2026-0042&code=7KQ4M2XP"

ITEMS = [
    ("感官", "GB/T 10786-2022", "具有该产品应有的色泽和气味，无异味", "/", "符合", "合格"),
    ("水分", "GB 5009.3-2016 第一法", "≤12.0", "g/100g", "10.6", "合格"),
    ("过氧化值（以脂肪计）", "GB 5009.227-2016", "≤0.25", "g/100g", "0.31", "不合格"),
    ("铅（以Pb计）", "GB 5009.12-2023", "≤0.5", "mg/kg", "<0.02 (未检出)", "合格"),
    ("苯甲酸及其钠盐（以苯甲酸计）", "GB 5009.28-2016", "", "g/kg", "0.15", "不判定"),
]


def make_report(n_items: int = 5, **changes) -> ReportData:
    items = [
        ReportItem(i + 1, *ITEMS[i % len(ITEMS)][:1], *ITEMS[i % len(ITEMS)][1:]) for i in range(n_items)
    ]
    data = ReportData(
        number="LZSJ-2026-0042",
        check_code="7KQ4M2XP",
        revision=1,
        replaces_number="",
        issued_on=date(2026, 5, 12),
        lab_name="柳州市食品检验检测实验室",
        lab_address="广西壮族自治区柳州市柳南区某路 1 号",
        lab_phone="0772-1234567",
        qualifications=[("CMA", "230000000001"), ("CNAS", "L0001")],
        client_name="善元食品有限公司",
        client_address="广西壮族自治区柳州市柳南区某工业园",
        product_name="螺蛳粉",
        model_spec="300 g/袋",
        batch="20260501",
        quantity="12 袋",
        received_on=date(2026, 5, 3),
        sample_condition="包装完好，常温保存",
        test_kind="委托检验",
        product_standard="GB/T 10786-2022",
        items=items,
        conclusion="经检验，过氧化值不符合标准要求，其余所检项目符合标准要求。",
        remarks="样品由委托单位送检。",
        signatures=[
            Signature("检测", "张检测", datetime(2026, 5, 9, 2, tzinfo=UTC)),
            Signature("审核", "李审核", datetime(2026, 5, 10, 3, tzinfo=UTC)),
            Signature("批准", "王批准", datetime(2026, 5, 11, 20, tzinfo=UTC)),  # 12 May in Shanghai
        ],
        verify_url=VERIFY_URL,
        is_demo=False,
    )
    return dataclasses.replace(data, **changes)


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed: install the Debian package {package} (make system).")
    return path


def pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page, whitespace removed (CJK text extracts with arbitrary spacing)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        [tool("pdftotext", "poppler-utils"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode("utf-8")
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [re.sub(r"\s+", "", page) for page in pages]


@pytest.fixture(scope="module")
def short_pdf() -> bytes:
    return render_report_pdf(make_report())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_report_pdf(make_report(60))


def test_report_reads_in_chinese_with_every_fact(short_pdf, tmp_path):
    pages = pdf_pages(short_pdf, tmp_path)
    assert len(pages) == 2
    text = "".join(pages)
    for fact in [
        "检验检测报告",
        "报告编号：LZSJ-2026-0042",
        "柳州市食品检验检测实验室",
        "广西壮族自治区柳州市柳南区某路1号",
        "0772-1234567",
        "CMA",
        "230000000001",
        "CNAS",
        "L0001",
        "善元食品有限公司",
        "螺蛳粉",
        "300g/袋",
        "20260501",
        "12袋",
        "2026年05月03日",
        "包装完好，常温保存",
        "委托检验",
        "GB/T10786-2022",
        "经检验，过氧化值不符合标准要求，其余所检项目符合标准要求。",
        "样品由委托单位送检。",
        "签发日期：2026年05月12日",
        "防伪校验码",
        "7KQ4M2XP",
        "报告无批准人签字无效",
        "检验结果仅对来样负责",
    ]:
        assert fact in text, fact
    # the signatures, dated in local time
    for name, day in [
        ("张检测", "2026年05月09日"),
        ("李审核", "2026年05月10日"),
        ("王批准", "2026年05月12日"),
    ]:
        assert name in pages[0] and day in pages[0]
    # the results table with its header, every item and verdict
    results = pages[1]
    assert "序号检验项目单位标准要求检验结果单项判定检验方法" in results
    assert "过氧化值（以脂肪计）g/100g≤0.250.31不合格GB5009.227-2016" in results
    assert "铅（以Pb计）mg/kg≤0.5<0.02(未检出)合格GB5009.12-2023" in results
    assert "苯甲酸及其钠盐（以苯甲酸计）g/kg/0.15不判定" in results
    # the end mark after the last item, the report number and "第 x 页 共 y 页" on every page
    assert results.index("（以下空白）") > results.index("苯甲酸及其钠盐")
    assert "——报告结束——" in results
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共2页" in page
        assert "LZSJ-2026-0042" in page
    assert "示例" not in text
    assert "本报告代替" not in text


def test_fonts_are_embedded_cjk_fonts(short_pdf, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(short_pdf)
    out = subprocess.run(
        [tool("pdffonts", "poppler-utils"), str(path)], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    assert rows, out
    for row in rows:
        # name type encoding emb sub uni object ID: "emb" is the 4th column from the right end
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    assert any("CJK" in row or "WenQuanYi" in row for row in rows), (
        f"no CJK font in the PDF: install the Debian package fonts-noto-cjk (make system).\n{out}"
    )


def test_qr_code_decodes_to_the_verification_url(short_pdf, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(short_pdf)
    subprocess.run(
        [
            tool("pdftoppm", "poppler-utils"),
            "-r",
            "200",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    image = next(tmp_path.glob("page*.png"))
    out = subprocess.run(
        [tool("zbarimg", "zbar-tools"), "--raw", "-q", str(image)], capture_output=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().strip() == VERIFY_URL


def test_sixty_items_paginate_with_the_header_on_every_page(long_pdf, tmp_path):
    pages = pdf_pages(long_pdf, tmp_path)
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共{total}页" in page
        assert "LZSJ-2026-0042" in page
        if number > 1:  # the table header repeats once at the top of each results page
            assert page.count("单项判定") == 1, f"page {number} lacks the repeated table header"
            assert page.count("标准要求") == 1 and page.count("序号") == 1
            assert page.index("序号") < page.index("GB")
    results = "".join(pages[1:])
    for parameter, *_rest in ITEMS:  # all 60 rows, each exactly once
        assert results.count(parameter) == 12, parameter
    assert results.count("不判定") == 12 and results.count("不合格") == 12
    assert "——报告结束——" in pages[-1]
    assert all("——报告结束——" not in page for page in pages[:-1])
    assert pages[-1].index("（以下空白）") > pages[-1].rfind("苯甲酸及其钠盐")


def test_a_revision_names_the_report_it_replaces(tmp_path):
    pdf = render_report_pdf(
        make_report(revision=2, replaces_number="LZSJ-2026-0007", number="LZSJ-2026-0050")
    )
    text = "".join(pdf_pages(pdf, tmp_path))
    assert "本报告代替第LZSJ-2026-0007号报告" in text
    assert "报告编号：LZSJ-2026-0050" in text


def test_a_demo_report_is_visibly_marked_on_every_page(tmp_path):
    pdf = render_report_pdf(make_report(40, is_demo=True))
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) >= 2
    assert "示例报告" in pages[0]
    for page in pages:
        assert "示例" in page


def test_text_is_escaped_and_missing_facts_show_a_dash(tmp_path):
    pdf = render_report_pdf(
        make_report(
            1,
            product_name='<b>螺蛳粉</b> & "原味"',
            received_on=None,
            model_spec="",
            remarks="",
            qualifications=[],
            signatures=[],
        )
    )
    text = "".join(pdf_pages(pdf, tmp_path))
    assert '<b>螺蛳粉</b>&"原味"' in text
    assert "收样日期/" in text
    assert "型号规格/" in text


def test_rendering_fetches_nothing_but_inline_data():
    fetcher = _url_fetcher()
    for url in ("http://169.254.169.254/latest", "https://example.com/a.png", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher(url)
    assert fetcher("data:text/plain,ok").read() == b"ok"


def test_report_stays_chinese_under_another_language(tmp_path):
    with translation.override("en"):
        pdf = render_report_pdf(make_report())
    text = "".join(pdf_pages(pdf, tmp_path))
    assert "检验检测报告" in text and "第1页共2页" in text


def test_helpers():
    assert cn_date(date(2026, 1, 5)) == "2026年01月05日"
    assert cn_date(datetime(2026, 1, 4, 17, tzinfo=UTC)) == "2026年01月05日"  # Asia/Shanghai
    assert cn_date(None) == ""
    assert css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style\\3e "'
    assert page_counter_css() == '"第 " counter(page) " 页 共 " counter(pages) " 页"'
