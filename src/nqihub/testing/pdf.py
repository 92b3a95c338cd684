"""The test report as a PDF (WeasyPrint, A4, CJK fonts embedded, QR code to the public verification page).

``render_report_pdf(data)`` is a pure function of a ``reportdata.ReportData``: an HTML template
(``testing/pdf/report.html`` with its CSS paged-media rules) rendered by WeasyPrint. Nothing is fetched
while rendering: the stylesheet is inline, the QR code is an SVG data URI made with segno, and the URL
fetcher refuses every scheme but ``data:`` (a report field holding a URL cannot make the server call out).

The report is a Chinese legal document: it is always rendered in Chinese (the default language), whatever
the language of the request that asks for it.
"""

from __future__ import annotations

from datetime import date, datetime

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .reportdata import SIGNATURE_ROLES, VERDICT_FAIL, ReportData

TEMPLATE = "testing/pdf/report.html"


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (safe inside a ``<style>`` element)."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " ：:，,.·-—（）()/" or ord(ch) > 127 else f"\\{ord(ch):x} "
        for ch in text
    )
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The CSS ``content`` value of the page footer: 第 x 页 共 y 页, translated."""
    label = _("第 %(page)s 页 共 %(pages)s 页")
    parts = []
    for index, chunk in enumerate(
        label.replace("%(pages)s", "\0pages\0").replace("%(page)s", "\0page\0").split("\0")
    ):
        if index % 2:
            parts.append(f"counter({chunk})")
        elif chunk:
            parts.append(css_string(chunk))
    return " ".join(parts)


def cn_date(value: date | datetime | None) -> str:
    """``2026年05月12日`` (a datetime in the local time zone); "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI (error correction M, 4-module quiet zone)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(border=4, dark="#000", light="#fff")


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    # Only inline data: no file, no network.
    return URLFetcher(allowed_protocols=("data",), timeout=1, allow_redirects=False)


def report_context(data: ReportData) -> dict:
    """The template context: the data plus what is derived for display."""
    signatures = []
    for role in SIGNATURE_ROLES:
        signature = data.signature(role)
        signatures.append(
            {
                "role": role,
                "name": signature.name if signature else "",
                "date": cn_date(signature.signed_at) if signature else "",
            }
        )
    counts = data.verdict_counts
    return {
        "r": data,
        "title": _("检验检测报告"),
        "issued_on": cn_date(data.issued_on),
        "received_on": cn_date(data.received_on),
        "signatures": signatures,
        "qr_uri": qr_data_uri(data.verify_url),
        "item_count": len(data.items),
        "fail_count": counts.get(VERDICT_FAIL, 0),
        "verdict_fail": VERDICT_FAIL,
        "page_counter_css": mark_safe(page_counter_css()),  # noqa: S308 - CSS strings, "<" escaped
    }


def render_report_html(data: ReportData) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, report_context(data))


def render_report_pdf(data: ReportData) -> bytes:
    """The PDF of ``data`` (A4, fonts embedded as subsets)."""
    from weasyprint import HTML

    html = render_report_html(data)
    document = HTML(string=html, url_fetcher=_url_fetcher(), base_url=None)
    return document.write_pdf()
