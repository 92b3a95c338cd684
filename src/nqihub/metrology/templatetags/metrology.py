from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def due_badge(instrument, today=None):
    """禁止使用 (past due or failed) / 即将到期 (≤ 30 days) / 有效 / 未设定, with the days."""
    today = today or timezone.localdate()
    if not instrument.in_use:
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("停用"))
    days = instrument.days_left(today)
    if instrument.is_blocked(today):
        reason = _("检定不合格") if instrument.failed_verification else _("超期%(n)d天") % {"n": -days}
        return format_html(
            '<span class="badge text-bg-danger blocked-badge"><i class="bi bi-slash-circle" aria-hidden="true"></i> {}</span> '
            '<span class="small text-danger">{}</span>',
            _("禁止使用"),
            reason,
        )
    if days is None:
        return format_html('<span class="badge text-bg-light border">{}</span>', _("未设定"))
    if days == 0:
        return format_html('<span class="badge text-bg-warning due-badge">{}</span>', _("今天到期"))
    if days <= 30:
        return format_html(
            '<span class="badge text-bg-warning due-badge">{}</span>', _("%(n)d天后到期") % {"n": days}
        )
    return format_html('<span class="badge text-bg-success">{}</span>', _("有效"))
