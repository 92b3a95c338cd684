from django.contrib import admin

from nqihub.core.admin import AuditedAdmin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: for support ("did the station get told?"). Notifications are written by ``notify``."""

    list_display = [
        "created_at",
        "recipient",
        "event",
        "title",
        "via_inbox",
        "emailed_at",
        "texted_at",
        "read_at",
    ]
    list_filter = ["event", "via_inbox", "via_email", "via_sms"]
    search_fields = ["recipient__username", "title", "object_id"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ["user", "event", "inbox", "email", "sms"]
    list_filter = ["event"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
