"""Small template helpers shared by every app: the 示例 badge, region labels, masked personal data."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from nqihub.core import display
from nqihub.core.audit_labels import action_label, object_type_label

register = template.Library()


@register.simple_tag
def demo_badge(obj):
    """``{% demo_badge record %}``: a 示例 badge next to every record flagged ``is_demo``."""
    if getattr(obj, "is_demo", False):
        return format_html(
            '<span class="badge rounded-pill text-bg-warning ms-1 demo-badge" title="{}">{}</span>',
            _("示例数据，非真实记录"),
            _("示例"),
        )
    return ""


@register.filter
def region_label(region) -> str:
    """City and county of a region (``柳州市 柳南区``) without extra queries when parents are
    select_related; municipal ``市辖区`` levels are skipped."""
    if region is None:
        return ""
    names = []
    node = region
    depth = 0
    while node is not None and depth < 2:
        if node.name != "市辖区":
            names.append(node.name)
        depth += 1
        # The parent only while it is shown: reading the grandparent of a county cost a query per row.
        node = node.parent if node.parent_id and depth < 2 else None
    return " ".join(reversed(names))


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes (the lock-out period)."""
    try:
        return int(value.total_seconds() // 60)
    except AttributeError:
        return 0


@register.simple_tag
def validity_badge(valid_until, warn_days: int = 90):
    """有效 / 即将到期 / 已过期 for a certificate's expiry date."""
    if not valid_until:
        return ""
    from django.utils import timezone

    days = (valid_until - timezone.localdate()).days
    if days < 0:
        return format_html('<span class="badge text-bg-danger">{}</span>', _("已过期"))
    if days <= warn_days:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("即将到期"))
    return format_html('<span class="badge text-bg-success">{}</span>', _("有效"))


@register.filter
def cn_number(value, digits: int = 1) -> str:
    """A count or an amount the Chinese way (``core.display.cn_number``): ``1.2万``, ``3.12亿``."""
    return display.cn_number(value, digits)


@register.filter
def audit_action(code: str) -> str:
    """An audit action in words (``desk.request.dispatch`` → 服务需求 · 派单)."""
    return action_label(code)


@register.filter
def audit_object_type(label: str) -> str:
    """An audited object's type in words (``testing.testorder`` → 检验委托单)."""
    return object_type_label(label)
