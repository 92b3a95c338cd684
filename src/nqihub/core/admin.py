from django.contrib import admin

from . import audit
from .models import AuditEntry, Industry, Membership, Organisation, ReferenceDataVersion, Region


class AuditedAdmin(admin.ModelAdmin):
    """Writes made through the admin go to the audit log like every other write."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = "updated" if change else "created"
        changed = list(form.changed_data) if form is not None else []
        audit.record(request.user, f"admin.{obj._meta.label_lower}.{action}", obj, {"fields": changed})

    def delete_model(self, request, obj):
        audit.record(request.user, f"admin.{obj._meta.label_lower}.deleted", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(request.user, f"admin.{obj._meta.label_lower}.deleted", obj)
        super().delete_queryset(request, queryset)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent", "kind"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Industry)
class IndustryAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(ReferenceDataVersion)
class ReferenceDataVersionAdmin(admin.ModelAdmin):
    list_display = ["dataset", "source", "version", "rows", "loaded_at"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "region__code"]
    raw_id_fields = ["region"]
    inlines = [MembershipInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_username", "action", "object_repr", "object_id"]
    date_hierarchy = "at"

    # Append-only: nobody edits or deletes audit entries through the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- working-day calendar (appended with core.workdays) ------------------------------------------------------

from django.contrib import messages  # noqa: E402

from . import workdays  # noqa: E402
from .models import WorkdayOverride  # noqa: E402


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedAdmin):
    """Holidays and 调休 make-up days that override and extend chinese_calendar. The list page warns about
    years nobody has entered (those fall back to Monday–Friday). Every write refreshes the cached calendar."""

    list_display = ["date", "is_working_day", "name", "updated_at"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for warning in workdays.calendar_warnings():
                messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        workdays.invalidate_calendar_overrides()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workdays.invalidate_calendar_overrides()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        workdays.invalidate_calendar_overrides()


from .models import PeriodicJob  # noqa: E402


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    """Read-only: when each periodic job (core.schedule) last ran and how it ended."""

    list_display = [
        "name",
        "last_status",
        "last_started_at",
        "last_finished_at",
        "last_success_at",
        "runs",
        "failures",
    ]
    readonly_fields = [f.name for f in PeriodicJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .models import ImportJob  # noqa: E402


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by uploads and run by workers."""

    list_display = ("created_at", "kind", "filename", "created_by", "status", "done", "total")
    list_filter = ("kind", "status")
    search_fields = ("filename", "scope_label", "created_by__username")
    exclude = ("file",)  # the upload is private: never a link

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
