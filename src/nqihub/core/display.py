"""Numbers as a Chinese reader reads them (万, 亿), for pages and cards; exports keep exact values."""

from django.utils.translation import gettext as _


def cn_number(value, digits: int = 1) -> str:
    """A count or an amount the Chinese way: ``12,345`` → ``1.2万``, ``312,000,000`` → ``3.12亿``;
    below 10,000 the number with thousands separators; empty values as "—"."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    if number >= 1e8:
        return f"{sign}{number / 1e8:.2f}".rstrip("0").rstrip(".") + _("亿")
    if number >= 1e4:
        return f"{sign}{number / 1e4:.{int(digits)}f}".rstrip("0").rstrip(".") + _("万")
    return f"{sign}{number:,.0f}"
