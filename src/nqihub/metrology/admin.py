from django.contrib import admin

from .models import Booking, Instrument, MandatoryCatalogueEntry, ReminderSent, VerificationRecord


@admin.register(MandatoryCatalogueEntry)
class MandatoryCatalogueEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "category_number", "source_year", "needs_review", "is_active"]
    list_filter = ["needs_review", "is_active", "source_year"]
    search_fields = ["name", "category"]


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "serial_number", "enterprise", "purpose", "is_mandatory", "next_due", "in_use"]
    list_filter = ["purpose", "is_mandatory", "in_use"]
    search_fields = ["name", "serial_number", "enterprise__name"]
    raw_id_fields = ["enterprise", "catalogue_entry"]
    readonly_fields = ["is_mandatory", "next_due", "failed_verification"]


admin.site.register(VerificationRecord)
admin.site.register(Booking)
admin.site.register(ReminderSent)
