"""The enterprise standard as a Word document (python-docx), laid out from ``document.Document``.

Typesetting after GB/T 1.1-2020's sample pages: A4; body in a 宋体 face (Noto Serif CJK SC, the serif CJK
font the platform ships), headings, cover and table captions in a 黑体 face (Noto Sans CJK SC), both set as
the East Asian font of the runs (``w:eastAsia``) so that Word uses them for Chinese; 五号 (10.5 pt) body,
chapter headings ``1　范围`` as Word's "Heading 1", ``4.1　技术指标`` as "Heading 2", ``6.3.1`` as "Heading 3"
(untitled clauses start their first paragraph with the number instead); header with the number, footer
with the page number.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document as new_docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from nqihub.core.docx import page_field, set_font

from .document import Clause, Document

SERIF = "Noto Serif CJK SC"  # 宋体
SANS = "Noto Sans CJK SC"  # 黑体
BODY_PT = 10.5  # 五号


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    set_font(normal, SERIF, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.25
    for level, size in ((1, BODY_PT), (2, BODY_PT), (3, BODY_PT)):
        style = doc.styles[f"Heading {level}"]
        set_font(style, SANS, size, bold=False)
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(6 if level == 1 else 3)
        style.paragraph_format.space_after = Pt(3)
        style.paragraph_format.keep_with_next = True


def _para(
    doc, text: str = "", *, font: str = SERIF, size: float = BODY_PT, align=None, bold=False, indent=True
):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent and align is None:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        set_font(p.add_run(text), font, size, bold)
    return p


def _rule(paragraph) -> None:
    """A horizontal line under a paragraph (the cover's two rules)."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cover(doc, d: Document) -> None:
    c = d.cover
    if c.is_demo:
        _para(doc, _("示例 · 仅供演示"), font=SANS, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(doc, c.mark, font=SANS, size=28, align=WD_ALIGN_PARAGRAPH.RIGHT, bold=True)
    p = _para(
        doc, _("%(e)s企业标准") % {"e": c.enterprise}, font=SANS, size=20, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    p.paragraph_format.space_before = Pt(24)
    p = _para(doc, c.number, font=SANS, size=14, align=WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.space_before = Pt(12)
    _rule(p)
    p = _para(doc, c.title, font=SANS, size=26, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_before = Pt(150)
    p.paragraph_format.space_after = Pt(170)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    set_font(left.paragraphs[0].add_run(_("%(d)s 发布") % {"d": c.publish or "　　　　-　　-　　"}), SANS, 14)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(
        right.paragraphs[0].add_run(_("%(d)s 实施") % {"d": c.implement or "　　　　-　　-　　"}), SANS, 14
    )
    _rule(_para(doc, "", indent=False))
    p = _para(
        doc, _("%(e)s　发布") % {"e": c.enterprise}, font=SANS, size=16, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    p.paragraph_format.space_before = Pt(12)


def _heading(doc, text: str, level: int, *, center=False):
    h = doc.add_heading(text, level=level)
    if center:
        h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in h.runs:
        set_font(run, SANS, BODY_PT if not center else 16, bold=False)
        run.font.color.rgb = RGBColor(0, 0, 0)
    return h


def _clause(doc, clause: Clause) -> None:
    paragraphs = list(clause.paragraphs)
    if clause.title:
        _heading(doc, clause.heading, min(clause.level, 3))
        if clause.english:
            _para(doc, clause.english, font=SANS)
    else:
        first = paragraphs.pop(0) if paragraphs else ""
        p = _para(doc, "", indent=False)
        set_font(p.add_run(f"{clause.number}　"), SANS)
        set_font(p.add_run(first), SERIF)
    for text in paragraphs:
        _para(doc, text)
    for n, item in enumerate(clause.items):
        label = "" if clause.plain_items else f"{chr(ord('a') + n)})　"
        p = _para(doc, f"{label}{item}", indent=False)
        p.paragraph_format.left_indent = Pt(BODY_PT * 2)
    if clause.table is not None:
        t = clause.table
        _para(doc, t.caption, font=SANS, align=WD_ALIGN_PARAGRAPH.CENTER)
        table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, values in enumerate([t.header, *t.rows]):
            for col, value in enumerate(values):
                cell = table.cell(r, col)
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                set_font(cell.paragraphs[0].add_run(value), SANS if r == 0 else SERIF, 9)


def render_docx(d: Document) -> bytes:
    doc = new_docx()
    _styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    _cover(doc, d)

    body = doc.add_section(WD_SECTION.NEW_PAGE)
    body.different_first_page_header_footer = False
    header = body.header
    header.is_linked_to_previous = False
    hp = header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(hp.add_run(d.cover.number), SANS, 10.5)
    footer = body.footer
    footer.is_linked_to_previous = False
    fp = footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_field(fp)

    _heading(doc, _("前言"), 1, center=True)
    for text in d.foreword:
        _para(doc, text)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(
        doc, d.cover.title, font=SANS, size=16, align=WD_ALIGN_PARAGRAPH.CENTER
    ).paragraph_format.space_after = Pt(12)
    for clause in d.clauses:
        _clause(doc, clause)
    for annex in d.annexes:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(doc, annex.heading, 1, center=True)
        _para(doc, f"（{annex.kind}）", font=SANS, align=WD_ALIGN_PARAGRAPH.CENTER)
        _para(doc, annex.title, font=SANS, align=WD_ALIGN_PARAGRAPH.CENTER)
        for text in annex.paragraphs:
            _para(doc, text)
    end = _para(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    end.paragraph_format.space_before = Pt(18)
    set_font(end.add_run("_" * 12), SERIF)

    core = doc.core_properties
    core.title = d.cover.title
    core.author = d.cover.enterprise
    core.subject = d.cover.number
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
