"""Admins maintain the CCC catalogue here: correct or add entries, add an edition, set the current one."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .catalogue import refresh_search_text
from .models import CccCatalogueVersion, CccProduct


class CccProductInline(admin.TabularInline):
    model = CccProduct
    extra = 1
    fields = ["seq", "category", "name", "code", "marker", "notes"]


@admin.register(CccCatalogueVersion)
class CccCatalogueVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "year", "is_current", "is_complete"]
    readonly_fields = ["is_current"]
    inlines = [CccProductInline]
    actions = ["make_current"]

    @admin.action(description=_("设为现行版本"))
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个版本。"), messages.ERROR)
            return
        services.catalogue_set_current(version=queryset.first(), by=request.user)
        self.message_user(request, _("已设为现行版本。"))

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            refresh_search_text(obj)
            obj.save()


@admin.register(CccProduct)
class CccProductAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "code", "version"]
    list_filter = ["version"]
    search_fields = ["name", "category", "code"]

    def save_model(self, request, obj, form, change):
        refresh_search_text(obj)
        super().save_model(request, obj, form, change)
