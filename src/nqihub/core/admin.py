from django.contrib import admin

from . import audit
from .models import AuditEntry, Industry, Membership, Organisation, ReferenceDataVersion, Region


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records that something else makes (services, workers, the users' own pages): the admin shows them and
    neither adds nor changes one; it deletes them unless ``deletable`` is False."""

    deletable = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


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
class AuditEntryAdmin(ViewOnlyAdmin):
    list_display = ["at", "actor_username", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_username", "action", "object_repr", "object_id"]
    date_hierarchy = "at"
    deletable = False  # append-only: nobody edits or deletes audit entries through the admin


# --- working-day calendar (appended with core.workdays) ------------------------------------------------------

from django.contrib import messages  # noqa: E402

from . import workcalendar, workdays  # noqa: E402
from .models import WorkdayOverride  # noqa: E402


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedAdmin):
    """Holidays and 调休 make-up days that override and extend chinese_calendar. The list page warns about
    years nobody has entered (those fall back to Monday–Friday). Every write refreshes the cached calendar."""

    list_display = ["date", "is_working_day", "name", "updated_at"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"
    change_list_template = "admin/core/workdayoverride/change_list.html"

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "import-notice/",
                self.admin_site.admin_view(self.import_notice_view),
                name="core_workdayoverride_import_notice",
            ),
            *super().get_urls(),
        ]

    def import_notice_view(self, request):
        """Paste the State Council's holiday notice → preview (dates, what the calendar says today, problems)
        → confirm. Nothing is written before the confirmation, nor when the text has problems."""
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse
        from django.utils.translation import gettext as _

        from .holiday_notice import NoticeError, parse_holiday_notice

        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        text = request.POST.get("notice", "") if request.method == "POST" else ""
        year_text = (request.POST.get("year", "") if request.method == "POST" else "").strip()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入国务院节假日安排通知"),
            "notice": text,
            "year": year_text,
            "warning": workcalendar.next_year_warning(),
        }
        status = 200
        if request.method == "POST":
            schedule, error = None, ""
            year = None
            if year_text:
                if year_text.isdigit() and len(year_text) == 4:
                    year = int(year_text)
                else:
                    error = _("年份应为四位数字，如 2027。")
            if not error:
                try:
                    schedule = parse_holiday_notice(text, year=year)
                except NoticeError as exc:
                    error = str(exc)
            if error:
                context["error"] = error
                status = 400
            elif request.POST.get("action") == "confirm":
                if schedule.problems:
                    context.update(schedule=schedule, rows=self._preview_rows(schedule))
                    context["error"] = _("通知中有待核对的问题，未导入。")
                    status = 400
                else:
                    n = workcalendar.workday_overrides_from_notice(schedule=schedule, by=request.user)
                    messages.success(
                        request,
                        _("已导入 %(year)s 年的 %(n)d 个日期（放假与调休上班）。")
                        % {"year": schedule.year, "n": n},
                    )
                    return redirect("admin:core_workdayoverride_changelist")
            else:
                context.update(schedule=schedule, rows=self._preview_rows(schedule))
        return TemplateResponse(
            request, "admin/core/workdayoverride/import_notice.html", context, status=status
        )

    @staticmethod
    def _preview_rows(schedule):
        """(entry, what the calendar says now: True/False, whether that changes) per date of the notice."""
        overrides = workcalendar.calendar_overrides()
        rows = []
        for entry in schedule.entries:
            now = workdays.is_working_day(entry.date, overrides)
            rows.append((entry, now, now != entry.is_working_day))
        return rows

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for warning in workcalendar.calendar_warnings():
                messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        workcalendar.invalidate_calendar_overrides()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workcalendar.invalidate_calendar_overrides()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        workcalendar.invalidate_calendar_overrides()


from .models import PeriodicJob  # noqa: E402


@admin.register(PeriodicJob)
class PeriodicJobAdmin(ViewOnlyAdmin):
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
    deletable = False


from .models import ImportJob  # noqa: E402


@admin.register(ImportJob)
class ImportJobAdmin(ViewOnlyAdmin):
    """Read-only: jobs are made by uploads and run by workers."""

    list_display = ("created_at", "kind", "filename", "created_by", "status", "done", "total")
    list_filter = ("kind", "status")
    search_fields = ("filename", "scope_label", "created_by__username")
    exclude = ("file",)  # the upload is private: never a link
