from django.contrib import admin

from .models import Assignment, Event, IdempotencyRecord, Rectification, ServiceRequest


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ("assignee_type", "expert", "institution", "status", "reason", "created_at")
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ("at", "kind", "message", "actor", "internal")
    readonly_fields = fields
    can_delete = False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "title",
        "enterprise",
        "status",
        "station",
        "region",
        "resolve_by",
        "is_overdue",
    )
    list_filter = ("status", "is_overdue", "routing_level", "channel")
    search_fields = ("number", "title")
    raw_id_fields = (
        "enterprise",
        "station",
        "industry",
        "region",
        "handling_region",
        "escalated_to",
        "created_by",
    )
    readonly_fields = ("number", "status", "created_at", "updated_at")
    inlines = [AssignmentInline, EventInline]


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ("request", "score", "status", "due_by", "is_overdue")
    list_filter = ("status", "is_overdue")
    raw_id_fields = ("request", "responded_by", "callback_by")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("user", "route", "key", "status", "created_at")
    readonly_fields = ("user", "route", "key", "status", "body", "created_at")
