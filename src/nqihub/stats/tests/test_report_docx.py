"""A periodic report as Word: it opens, holds the title and the frozen figures in tables, is laid out as an
official document (GB/T 9704-2012: A4, margins, fonts, 28 pt lines, "— 1 —" page numbers), has a Chinese
file name, and is served only to those who see the report."""

import io
from urllib.parse import quote

import pytest
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from nqihub.stats import compare, labels
from nqihub.stats.models import Report
from nqihub.stats.services import report_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(demo_user):
    last = compare.month_back(timezone.localdate(), 1)
    return report_create(
        region="450200",
        period_type=Report.Period.MONTH,
        year=last // 100,
        part=last % 100,
        remarks="本月开展计量服务专项行动。\n示例说明第二段。",
        by=demo_user("reg_lz"),
    )


def _open(response):
    return Document(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def _east_asia(run) -> str:
    return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_word_export_holds_the_title_and_the_figures_in_official_layout(client_for, report):
    r = client_for("reg_lz").get(f"/stats/reports/{report.pk}/word/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    name = f"柳州市{report.period_label}统计报表.docx"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in r["Content-Disposition"]
    doc = _open(r)

    section = doc.sections[0]

    def mm(*lengths):  # Word keeps lengths in twips: to the tenth of a millimetre
        return tuple(round(x.mm, 1) for x in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin, section.left_margin, section.right_margin) == (
        37,
        35,
        28,
        26,
    )

    title = doc.paragraphs[0]
    assert "柳州市" in title.text and report.period_label in title.text
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22) and _east_asia(title.runs[0]) == "方正小标宋简体"

    texts = [p.text for p in doc.paragraphs]
    body = next(p for p in doc.paragraphs if p.text.startswith("现将"))
    assert body.runs[0].font.size == Pt(16) and _east_asia(body.runs[0]) == "仿宋_GB2312"
    assert body.paragraph_format.line_spacing == Pt(28)
    assert body.paragraph_format.first_line_indent == Pt(32)
    heading1 = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    assert _east_asia(heading1.runs[0]) == "黑体"
    heading2 = next(p for p in doc.paragraphs if p.text.startswith("（一）"))
    assert _east_asia(heading2.runs[0]).startswith("楷体")
    assert "本月开展计量服务专项行动。" in texts

    # The frozen figures, in a table.
    totals = report.figures["totals"]
    cells = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    for key, label, kind in labels.FIGURES:
        assert cells[str(label)] == labels.format_value(totals.get(key), kind)
    assert totals["services"] > 0
    children = [row.cells[0].text for row in doc.tables[1].rows[1:]]
    assert "城中区" in children

    # The issuing organ and the date close the document, right-aligned.
    assert texts[-1] == timezone.localdate().strftime("%Y年%-m月%-d日")
    assert doc.paragraphs[-1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert texts[-2]

    # Page numbers "— 1 —" in 4号: odd pages right, even pages left.
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert doc.settings.odd_and_even_pages_header_footer
    assert (odd.alignment, even.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT)
    for p in (odd, even):
        assert p.text == "—  —"  # the number itself is a PAGE field
        assert "PAGE" in p._p.xml and all(run.font.size == Pt(14) for run in p.runs)


def test_word_export_is_served_only_to_those_who_see_the_report(client_for, report):
    # A draft is its region's own business: the county below, another city, non-regulators get 404.
    for user in ("reg_chengzhong", "ent_shanyuan", "station_lz"):
        assert client_for(user).get(f"/stats/reports/{report.pk}/word/").status_code == 404, user
    assert client_for("reg_lz").get(f"/stats/reports/{report.pk + 10**6}/word/").status_code == 404
    page = client_for("reg_lz").get(f"/stats/reports/{report.pk}/").content.decode()
    assert f"/stats/reports/{report.pk}/word/" in page and "导出 Word" in page
