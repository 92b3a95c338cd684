"""Template helpers of the testing app: status and verdict badges, and the test orders of a service
request for the desk's request page (``testing/_partials/request_orders.html``)."""

from django import template
from django.utils.html import format_html

from nqihub.desk import services as desk_services

from ..models import Conclusion, OrderStatus, Verdict
from ..selectors import orders_of_request
from ..services import ACTION_LABELS

register = template.Library()

STATUS_CLASS = {
    OrderStatus.DRAFT: "text-bg-light border",
    OrderStatus.SUBMITTED: "text-bg-info",
    OrderStatus.SAMPLE_RECEIVED: "text-bg-primary",
    OrderStatus.TESTING: "text-bg-primary",
    OrderStatus.RESULTS_ENTERED: "text-bg-warning",
    OrderStatus.REVIEWED: "text-bg-warning",
    OrderStatus.APPROVED: "text-bg-success",
    OrderStatus.ISSUED: "text-bg-success",
    OrderStatus.CANCELLED: "text-bg-secondary",
    OrderStatus.REJECTED: "text-bg-danger",
}
VERDICT_CLASS = {
    Verdict.PASS: "text-bg-success",
    Verdict.FAIL: "text-bg-danger",
    Verdict.NOT_JUDGED: "text-bg-secondary",
}


@register.simple_tag
def order_status_badge(order):
    return format_html(
        '<span class="badge {} order-status" data-status="{}">{}</span>',
        STATUS_CLASS.get(order.status, "text-bg-light"),
        order.status,
        order.get_status_display(),
    )


@register.simple_tag
def verdict_badge(value):
    """A badge for an item verdict or an order conclusion ("" → nothing)."""
    if not value:
        return ""
    labels = dict(Verdict.choices) | dict(Conclusion.choices)
    css = VERDICT_CLASS.get(value, "text-bg-secondary")
    return format_html(
        '<span class="badge {} verdict" data-verdict="{}">{}</span>', css, value, labels.get(value, value)
    )


@register.simple_tag
def request_test_orders(req, user):
    """(orders linked to the service request that ``user`` may see, whether ``user`` may order a test)."""
    orders = list(orders_of_request(fetched_by=user, request=req))
    may_order = desk_services.is_enterprise_user(user, req) or desk_services.can_triage(user, req)
    return {
        "orders": orders,
        "may_order": may_order and req.status not in ("closed", "withdrawn", "rejected"),
    }


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.simple_tag
def event_text(event):
    """One line of the order's history: the action's label, then what was noted."""
    from django.utils.translation import gettext as _

    extra = {
        "created": _("创建委托单"),
        "sample_added": _("添加样品"),
        "sample_removed": _("删除样品"),
        "photo_added": _("上传样品照片"),
        "item_added": _("添加检测项目"),
        "item_updated": _("修改检测项目"),
        "item_removed": _("删除检测项目"),
        "items_from_standard": _("从产品标准带出检测项目"),
        "results_entered": _("录入检测结果"),
    }
    label = str(ACTION_LABELS.get(event.action) or extra.get(event.action) or event.action)
    message = event.message if event.message and event.message != label else ""
    return f"{label}：{message}" if message else label
