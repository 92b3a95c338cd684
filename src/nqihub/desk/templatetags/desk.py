"""Template helpers of the service desk: status badges, the deadline cell, amounts in yuan."""

from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from nqihub.desk import states
from nqihub.desk.models import Assignment, Rectification

register = template.Library()

STATUS_CLASSES = {
    states.SUBMITTED: "text-bg-primary",
    states.ACCEPTED: "text-bg-info",
    states.DISPATCHED: "text-bg-info",
    states.IN_PROGRESS: "text-bg-warning",
    states.RESOLVED: "text-bg-success",
    states.RATED: "text-bg-success",
    states.CLOSED: "text-bg-secondary",
    states.WITHDRAWN: "text-bg-light border",
    states.REJECTED: "text-bg-danger",
}

ASSIGNMENT_CLASSES = {
    Assignment.Status.OFFERED: "text-bg-primary",
    Assignment.Status.ACCEPTED: "text-bg-warning",
    Assignment.Status.DECLINED: "text-bg-danger",
    Assignment.Status.COMPLETED: "text-bg-success",
    Assignment.Status.CANCELLED: "text-bg-light border",
}

RECTIFICATION_CLASSES = {
    Rectification.Status.OPEN: "text-bg-danger",
    Rectification.Status.ANSWERED: "text-bg-warning",
    Rectification.Status.CLOSED: "text-bg-success",
}


@register.simple_tag
def status_badge(req):
    return format_html(
        '<span class="badge {} status-badge" data-status="{}">{}</span>',
        STATUS_CLASSES.get(req.status, "text-bg-secondary"),
        req.status,
        states.STATUS_LABELS.get(req.status, req.status),
    )


@register.simple_tag
def assignment_badge(assignment):
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        ASSIGNMENT_CLASSES.get(assignment.status, "text-bg-secondary"),
        assignment.status,
        assignment.get_status_display(),
    )


@register.simple_tag
def rectification_badge(rect):
    return format_html(
        '<span class="badge {}">{}</span>',
        RECTIFICATION_CLASSES.get(rect.status, "text-bg-secondary"),
        rect.get_status_display(),
    )


def current_deadline(req, today=None):
    """(label, date, overdue) of the deadline that matters now, or None once handled."""
    today = today or timezone.localdate()
    if req.status == states.SUBMITTED:
        return _("受理"), req.accept_by, req.is_overdue or today > req.accept_by
    if req.status in states.OPEN:
        return _("办结"), req.resolve_by, req.is_overdue or today > req.resolve_by
    return None


@register.simple_tag
def due_cell(req, today=None):
    """The deadline column of the lists: the next deadline, red and flagged once overdue."""
    found = current_deadline(req, today)
    if found is None:
        if req.resolved_at:
            return format_html(
                '<span class="text-body-secondary small">{} {}</span>',
                _("办结于"),
                timezone.localtime(req.resolved_at).strftime("%Y-%m-%d"),
            )
        return mark_safe('<span class="text-body-secondary">—</span>')  # noqa: S308 — a constant
    label, due, overdue = found
    if overdue:
        return format_html(
            '<span class="text-danger fw-semibold due-overdue"><i class="bi bi-alarm" aria-hidden="true"></i> '
            '{} {}</span> <span class="badge text-bg-danger">{}</span>',
            label,
            due.strftime("%Y-%m-%d"),
            _("已超期"),
        )
    return format_html('<span class="small">{} {}</span>', label, due.strftime("%Y-%m-%d"))


@register.filter
def yuan(value) -> str:
    """12345.5 → 12,345.50"""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(value):,.2f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


@register.filter
def filesize(size) -> str:
    try:
        size = int(size)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1048576:.1f} MB"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
