from django.contrib import admin

from .models import LabProfile, LabRole


@admin.register(LabRole)
class LabRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "institution", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "institution__name")
    autocomplete_fields = ("institution",)
    raw_id_fields = ("user",)


@admin.register(LabProfile)
class LabProfileAdmin(admin.ModelAdmin):
    list_display = ("institution", "report_prefix")
    search_fields = ("institution__name", "report_prefix")
    autocomplete_fields = ("institution",)
