from django.urls import path

from . import views


def _entity(prefix: str, name: str) -> list:
    """The five pages of each directory entity: its list, new, export, detail and edit pages."""
    return [
        path(f"{prefix}/", getattr(views, f"{name}_list"), name=f"{name}-list"),
        path(f"{prefix}/new/", getattr(views, f"{name}_create"), name=f"{name}-create"),
        path(f"{prefix}/export.xlsx", getattr(views, f"{name}_export"), name=f"{name}-export"),
        path(f"{prefix}/<int:pk>/", getattr(views, f"{name}_detail"), name=f"{name}-detail"),
        path(f"{prefix}/<int:pk>/edit/", getattr(views, f"{name}_edit"), name=f"{name}-edit"),
    ]


app_name = "directory"
urlpatterns = [
    *_entity("enterprises", "enterprise"),
    path("enterprises/<int:pk>/contacts/", views.enterprise_contact_add, name="enterprise-contact-add"),
    *_entity("institutions", "institution"),
    path("institutions/<int:pk>/scope-lines/", views.institution_scope_lines, name="institution-scope-lines"),
    path(
        "institutions/<int:pk>/qualifications/",
        views.institution_qualification_add,
        name="institution-qualification-add",
    ),
    path(
        "institutions/<int:pk>/qualifications/<int:qualification_id>/",
        views.institution_qualification_edit,
        name="institution-qualification-edit",
    ),
    path(
        "institutions/<int:pk>/qualifications/<int:qualification_id>/delete/",
        views.institution_qualification_delete,
        name="institution-qualification-delete",
    ),
    *_entity("stations", "station"),
    *_entity("experts", "expert"),
    path("capability/", views.capability_search, name="capability-search"),
]

# The scope-import pages (another module; absent until it is written).
try:
    from .urls_import import urlpatterns as _import_urls
except ImportError:
    _import_urls = []
urlpatterns += _import_urls
