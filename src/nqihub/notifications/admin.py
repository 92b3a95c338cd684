from django.contrib import admin

from nqihub.core.admin import AuditedAdmin, ViewOnlyAdmin

from .models import MobilePhone, Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    """Read-only: for support ("did the station get told?"). Notifications are written by ``notify``."""

    list_display = [
        "created_at",
        "recipient",
        "event",
        "title",
        "via_inbox",
        "email_status",
        "emailed_at",
        "sms_status",
        "texted_at",
        "read_at",
    ]
    list_filter = ["event", "via_inbox", "email_status", "sms_status"]
    search_fields = ["recipient__username", "title", "object_id"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ["user", "event", "inbox", "email", "sms"]
    list_filter = ["event"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(MobilePhone)
class MobilePhoneAdmin(ViewOnlyAdmin):
    """Read-only, masked: whether a user has a verified number (users set and verify their own)."""

    list_display = ["user", "masked", "verified_at", "updated_at"]
    fields = ["user", "masked", "verified_at", "code_sent_at", "updated_at"]
    readonly_fields = fields
    search_fields = ["user__username"]
