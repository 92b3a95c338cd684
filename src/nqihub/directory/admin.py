from django.contrib import admin

from nqihub.core.admin import AuditedAdmin

from .matching import invalidate_vocabulary_cache
from .models import (
    Enterprise,
    Expert,
    Institution,
    Parameter,
    ProductCategory,
    Qualification,
    ScopeLine,
    Station,
)
from .vocabulary import map_terms


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = ["name", "uscc", "region", "industry", "scale", "is_demo"]
    list_filter = ["scale", "is_demo"]
    search_fields = ["name", "uscc"]
    raw_id_fields = ["organisation", "region", "industry"]


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name"]
    raw_id_fields = ["organisation", "region"]
    inlines = [QualificationInline]


@admin.register(ScopeLine)
class ScopeLineAdmin(AuditedAdmin):
    list_display = [
        "institution",
        "product_text",
        "parameter_text",
        "method_standard",
        "parameter",
        "product",
    ]
    list_filter = [("parameter", admin.EmptyFieldListFilter)]
    search_fields = ["parameter_text", "product_text", "method_code"]
    raw_id_fields = ["institution", "parameter", "product"]

    def save_model(self, request, obj, form, change):
        obj.region_id = obj.institution.region_id
        product_id, parameter_id = map_terms(obj.product_text, obj.parameter_text)
        obj.product_id = obj.product_id or product_id
        obj.parameter_id = obj.parameter_id or parameter_id
        super().save_model(request, obj, form, change)


@admin.register(Parameter, ProductCategory)
class VocabularyAdmin(AuditedAdmin):
    list_display = ["name", "synonyms"]
    search_fields = ["name", "synonyms"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        invalidate_vocabulary_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        invalidate_vocabulary_cache()


@admin.register(Station)
class StationAdmin(AuditedAdmin):
    list_display = ["name", "region", "specialty", "is_demo"]
    search_fields = ["name", "specialty"]
    raw_id_fields = ["organisation", "region"]
    filter_horizontal = ["industries"]


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin):
    list_display = ["name", "title", "organisation", "region", "availability", "is_demo"]
    search_fields = ["name", "keywords"]
    raw_id_fields = ["user", "organisation", "region"]
    filter_horizontal = ["industries"]
