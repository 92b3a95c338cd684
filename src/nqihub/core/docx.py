"""Word documents (python-docx): the pieces every renderer needs — fonts set for Chinese text, a page-number
field, fallback fonts, the download response. The enterprise standard (``drafting.docx_render``) and the
statistics report (``stats.report_docx``) are laid out with them.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def set_font(target, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set the Latin and the East Asian font (``w:eastAsia``, the one Word uses for Chinese) of a style or
    a run, and its size and weight when given."""
    font = target.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def page_field(paragraph, *, before: str = "", after: str = "", font: str | None = None, size=None) -> None:
    """Append the current page number (a ``PAGE`` field) to ``paragraph``, between ``before`` and
    ``after`` ("— " and " —" in official documents); the runs in ``font`` / ``size`` when given."""

    def run(text: str = ""):
        r = paragraph.add_run(text)
        if font is not None:
            set_font(r, font, size)
        return r

    if before:
        run(before)
    field = run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        field._r.append(el)
    if after:
        run(after)


def font_fallbacks(doc, fallbacks: dict[str, str]) -> None:
    """Declare in the document's font table, for each font, the one Word uses where it is missing
    (``w:altName``): 方正小标宋简体 → 宋体 on a computer without the Founder fonts."""
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE), None)
    if part is None:  # pragma: no cover - python-docx's default template has a font table
        return
    table = parse_xml(part.blob)
    for name, alt in fallbacks.items():
        table.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
            )
        )
    part._blob = serialize_part_xml(table)


def docx_response(filename: str, content: bytes, *, ascii_name: str = "document.docx") -> HttpResponse:
    """A Word download named ``filename`` (Chinese: RFC 5987 ``filename*``), ``ascii_name`` for clients
    that read only ``filename``."""
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Cache-Control"] = "no-store"
    return response
