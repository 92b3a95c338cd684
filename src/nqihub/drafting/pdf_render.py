"""The enterprise standard as a PDF (WeasyPrint, A4, Noto CJK fonts embedded), laid out from
``document.Document`` with the same structure as the DOCX. Nothing is fetched while rendering (the
stylesheet is inline; the URL fetcher of ``testing.pdf`` allows ``data:`` only). Always Chinese."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from nqihub.testing.pdf import _url_fetcher, css_string

from .document import Document

TEMPLATE = "drafting/pdf/standard.html"


def render_html(d: Document) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, {"d": d, "number_css": css_string(d.cover.number)})


def render_pdf(d: Document) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(d), url_fetcher=_url_fetcher(), base_url=None).write_pdf()
