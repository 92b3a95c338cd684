from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from nqihub.core import audit
from nqihub.core.admin import AuditedAdmin, ViewOnlyAdmin

from . import lockout, services
from .models import ApiToken, User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "email", "is_active", "is_staff", "last_login"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("NQI Hub", {"fields": ("display_name",)}))
    actions = ["unlock"]

    @admin.action(description=_("解除登录锁定"))
    def unlock(self, request, queryset):
        for user in queryset:
            lockout.unlock(user=user, by=request.user)

    def user_change_password(self, request, id, form_url=""):
        # An administrator's password reset: audited. The user's API tokens end with the old password
        # (ApiToken.password_fingerprint); ending them here also records why.
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            audit.record(request.user, "admin.accounts.user.password_reset", user)
            services.tokens_end_all(user=user, by=request.user, reason=ApiToken.Ended.PASSWORD)
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(ViewOnlyAdmin):
    """Read-only list of tokens (never their keys); administrators can revoke them."""

    list_display = [
        "user",
        "created_at",
        "created_ip",
        "last_used_at",
        "last_used_ip",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_reason"]
    search_fields = ["user__username"]
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name != "key_hash"]
    exclude = ["key_hash", "password_fingerprint"]
    actions = ["revoke"]

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            services.token_end(token=token, by=request.user, reason=ApiToken.Ended.REVOKED)
