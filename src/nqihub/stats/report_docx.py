"""A periodic statistics report as a Word document in the layout of official documents (GB/T 9704-2012
党政机关公文格式), from the report's frozen figures.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 2号 (22 pt) 方正小标宋简体 centred;
body 3号 (16 pt) 仿宋_GB2312, lines exactly 28 pt, first lines indented two characters; level-1 headings
"一、" in 黑体, level-2 "（一）" in 楷体_GB2312; page numbers 4号 (14 pt) "— 1 —" at the bottom, odd pages
right and even pages left, one character in from the edge; the figures as tables; the issuing organ and the
date at the end. Where a computer lacks the GB fonts, Word uses the fallbacks of the font table (宋体, 仿宋,
楷体).
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from nqihub.core.docx import font_fallbacks, page_field, set_font
from nqihub.core.models import Organisation

from . import labels
from .models import Report

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI = "黑体"
KAI = "楷体_GB2312"
PAGE_FONT = "宋体"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", KAI: "楷体"}

TITLE_PT = 22  # 二号
BODY_PT = 16  # 三号
PAGE_PT = 14  # 四号
TABLE_PT = 12  # 小四
LINE_PT = 28

#: Figures of the table of children (the page is too narrow for all of them).
CHILD_FIGURES = ("services", "enterprises_helped", "problems_solved", "resolved", "satisfaction_high_share")

NUMERALS = "一二三四五六七八九十"


def _body(doc, text: str = "", *, font: str = BODY_FONT, indent: bool = True, align=None):
    """A body paragraph: 3号, 28 pt exact line spacing, first line indented two characters."""
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(BODY_PT * 2)
        # Word counts the indent in characters as well (hundredths of a character).
        p._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if text:
        set_font(p.add_run(text), font, BODY_PT)
    return p


def _heading1(doc, n: int, text: str):
    return _body(doc, f"{NUMERALS[n - 1]}、{text}", font=HEI)


def _heading2(doc, n: int, text: str, rest: str = ""):
    p = _body(doc, f"（{NUMERALS[n - 1]}）{text}", font=KAI)
    if rest:
        set_font(p.add_run(rest), BODY_FONT, BODY_PT)
    return p


def _table(doc, caption: str, header: list[str], rows: list[list[str]]) -> None:
    _body(doc, caption, font=HEI, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 and r else WD_ALIGN_PARAGRAPH.CENTER
            set_font(p.add_run(str(value)), HEI if r == 0 else BODY_FONT, TABLE_PT)


def _page_numbers(doc, section) -> None:
    """ "— 1 —" in 4号 宋体: odd pages on the right, even pages on the left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        setattr(p.paragraph_format, side, Pt(PAGE_PT))
        page_field(p, before="— ", after=" —", font=PAGE_FONT, size=PAGE_PT)


def _date_text(day: datetime.date) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _organ(code: str | None) -> str | None:
    if code is None:
        return None
    return (
        Organisation.objects.filter(kind=Organisation.Kind.REGULATOR, region_id=code)
        .order_by("pk")
        .values_list("name", flat=True)
        .first()
    )


def title_of(report: Report) -> str:
    return _("%(region)s质量基础设施“一站式”服务统计报告（%(period)s）") % {
        "region": report.region.name,
        "period": report.period_label,
    }


def _month(m: int) -> str:
    return _("%(y)s年%(m)s月") % {"y": m // 100, "m": m % 100}


def render(report: Report) -> bytes:
    totals = report.figures.get("totals", {})
    kinds = {k: kind for k, _label, kind in labels.FIGURES}

    def v(key: str) -> str:
        return labels.format_value(totals.get(key), kinds[key])

    doc = Document()
    font_fallbacks(doc, FALLBACKS)
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_PT)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_numbers(doc, section)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    title.paragraph_format.line_spacing = Pt(35)
    title.paragraph_format.space_after = Pt(LINE_PT)
    set_font(title.add_run(title_of(report)), TITLE_FONT, TITLE_PT)

    addressee = _organ(report.parent_region_id)
    if addressee:
        _body(doc, f"{addressee}：", indent=False)
    period = (
        _month(report.from_month)
        if report.from_month == report.to_month
        else _("%(a)s至%(b)s") % {"a": _month(report.from_month), "b": _month(report.to_month)}
    )
    _body(
        doc,
        _("现将%(region)s%(period)s质量基础设施“一站式”服务统计情况报告如下：")
        % {"region": report.region.name, "period": period},
    )
    if report.period_unfinished:
        _body(doc, _("（报表期间尚未结束，以下数据截至报表生成时，仍会变化。）"))

    _heading1(doc, 1, _("总体情况"))
    _heading2(
        doc,
        1,
        _("服务需求与办结。"),
        _("本期受理服务需求%(services)s件，办结%(resolved)s件，服务企业%(helped)s家。")
        % {"services": v("services"), "resolved": v("resolved"), "helped": v("enterprises_helped")},
    )
    _heading2(
        doc,
        2,
        _("服务成效。"),
        _("解决技术难题%(problems)s项，为企业节约成本%(cost)s元，避免损失%(loss)s元。")
        % {"problems": v("problems_solved"), "cost": v("cost_saved"), "loss": v("loss_avoided")},
    )
    _heading2(
        doc,
        3,
        _("服务质量与时效。"),
        _(
            "平均满意度%(mean)s（满分5），满意率%(high)s；受理用时中位数%(accept)s小时，"
            "办结用时中位数%(resolve)s小时；超期率%(overdue)s。"
        )
        % {
            "mean": v("satisfaction_mean"),
            "high": v("satisfaction_high_share"),
            "accept": v("median_accept_hours"),
            "resolve": v("median_resolve_hours"),
            "overdue": v("overdue_rate"),
        },
    )
    _table(
        doc,
        _("表1　主要指标"),
        [_("指标"), _("数值")],
        [[str(label), labels.format_value(totals.get(k), kind)] for k, label, kind in labels.FIGURES],
    )

    _heading1(doc, 2, _("下级地区情况"))
    children = labels.label_rows(
        [dict(c) for c in report.figures.get("children", [])], "child_region", report.region_id
    )
    if children:
        _body(doc, _("各下级地区（含本级平台）主要指标见表2。"))
        _table(
            doc,
            _("表2　下级地区主要指标"),
            [_("地区")] + [str(labels.FIGURE_LABELS[k]) for k in CHILD_FIGURES],
            [
                [c["label"]] + [labels.format_value(c.get(k), kinds[k]) for k in CHILD_FIGURES]
                for c in children
            ],
        )
    else:
        _body(doc, _("本期无下级地区数据。"))

    _heading1(doc, 3, _("有关说明"))
    for line in [t.strip() for t in (report.remarks or "").splitlines() if t.strip()] or [_("无。")]:
        _body(doc, line)
    _body(
        doc,
        _(
            "统计口径：服务需求按提交月份统计；办结、节约成本、避免损失、解决技术难题按办结月份统计；"
            "满意度按评价月份统计。数据来源：NQI Hub 统计汇总。"
        ),
    )

    # The issuing organ and the date: right-aligned, four characters in from the right margin.
    day = timezone.localtime(report.submitted_at).date() if report.submitted_at else timezone.localdate()
    _body(doc, "", indent=False)
    organ = _organ(report.region_id) or report.region.name
    for text in (organ, _date_text(day)):
        p = _body(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)

    props = doc.core_properties
    props.title = title_of(report)
    props.author = organ
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
