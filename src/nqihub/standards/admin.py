"""Admin: the requirement tables of mandatory standards are maintained here. The catalog is written by
imports (``import_standards`` / the upload page), so standards are read-only here except the demo flag."""

from django.contrib import admin

from nqihub.core.admin import ViewOnlyAdmin

from .models import CcsCode, Declaration, DeclarationIndicator, IcsCode, Requirement, Standard, StandardFollow


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 1


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("canonical", "title", "level", "nature", "status", "implement_date", "is_demo")
    list_filter = ("level", "nature", "status", "is_demo")
    search_fields = ("canonical", "code_without_year", "title")
    readonly_fields = [f.name for f in Standard._meta.fields if f.name not in ("is_demo",)]
    inlines = [RequirementInline]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("standard", "category", "item", "requirement", "unit", "method")
    list_filter = ("category",)
    search_fields = ("standard__canonical", "item")
    autocomplete_fields = ("standard",)


@admin.register(IcsCode)
class IcsCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "level")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(CcsCode)
class CcsCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level")
    search_fields = ("code", "name")


class IndicatorInline(admin.TabularInline):
    model = DeclarationIndicator
    extra = 0


@admin.register(Declaration)
class DeclarationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "product", "kind", "standard_code", "created_at", "is_demo")
    list_filter = ("kind", "is_demo")
    inlines = [IndicatorInline]
    raw_id_fields = ("enterprise", "standard")


@admin.register(StandardFollow)
class StandardFollowAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "standard", "created_at")
    raw_id_fields = ("enterprise", "standard")


from .models import StandardProposal  # noqa: E402


@admin.register(StandardProposal)
class StandardProposalAdmin(ViewOnlyAdmin):
    """Read-only: proposals are decided on the page /standards/proposals/ (audited, catalogue updated)."""

    list_display = ("canonical", "title", "state", "proposed_by", "decided_by", "created_at")
    list_filter = ("state",)
    search_fields = ("canonical", "title")
    readonly_fields = [f.name for f in StandardProposal._meta.fields]
