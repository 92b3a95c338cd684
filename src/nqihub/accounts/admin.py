from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from nqihub.core.admin import AuditedAdmin

from .models import User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("NQI Hub", {"fields": ("display_name",)}))
