from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise-create"),
    path("enterprises/export.xlsx", views.enterprise_export, name="enterprise-export"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path("enterprises/<int:pk>/contacts/", views.enterprise_contact_add, name="enterprise-contact-add"),
    path("institutions/", views.institution_list, name="institution-list"),
    path("institutions/new/", views.institution_create, name="institution-create"),
    path("institutions/export.xlsx", views.institution_export, name="institution-export"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution-detail"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution-edit"),
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
    path("stations/", views.station_list, name="station-list"),
    path("stations/new/", views.station_create, name="station-create"),
    path("stations/export.xlsx", views.station_export, name="station-export"),
    path("stations/<int:pk>/", views.station_detail, name="station-detail"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station-edit"),
    path("experts/", views.expert_list, name="expert-list"),
    path("experts/new/", views.expert_create, name="expert-create"),
    path("experts/export.xlsx", views.expert_export, name="expert-export"),
    path("experts/<int:pk>/", views.expert_detail, name="expert-detail"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert-edit"),
    path("capability/", views.capability_search, name="capability-search"),
]

# The scope-import pages (another module; absent until it is written).
try:
    from .urls_import import urlpatterns as _import_urls
except ImportError:
    _import_urls = []
urlpatterns += _import_urls
