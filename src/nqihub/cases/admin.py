from django.contrib import admin

from nqihub.core.admin import AuditedAdmin

from .models import Article, ArticleAttachment, ArticleCategory, ArticleVersion, Case
from .services import _version, article_search_text, case_forget, index_case


@admin.register(Case)
class CaseAdmin(AuditedAdmin):
    list_display = ["title", "status", "enterprise_consent", "region", "station", "published_at", "is_demo"]
    list_filter = ["status", "enterprise_consent", "is_demo"]
    search_fields = ["title", "problem"]
    raw_id_fields = [
        "request",
        "enterprise",
        "region",
        "station",
        "industry",
        "drafted_by",
        "consent_by",
        "published_by",
    ]
    readonly_fields = ["search_text", "term_count"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        index_case(obj)

    def delete_model(self, request, obj):
        case_forget(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            case_forget(obj)
        super().delete_queryset(request, queryset)


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(AuditedAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    extra = 0
    fields = ["version", "title", "edited_by", "edited_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ArticleAttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    extra = 0
    fields = ["name", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(AuditedAdmin):
    list_display = ["title", "category", "kind", "version", "is_published", "published_at", "is_demo"]
    list_filter = ["category", "kind", "is_published", "is_demo"]
    search_fields = ["title", "summary"]
    readonly_fields = ["version", "search_text", "created_by", "updated_by"]
    inlines = [ArticleVersionInline, ArticleAttachmentInline]

    def save_model(self, request, obj, form, change):
        """Admin edits are versioned and re-indexed like edits made on the site."""
        if change:
            obj.version += 1
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
        obj.search_text = article_search_text(obj)
        super().save_model(request, obj, form, change)
        _version(obj, request.user)
