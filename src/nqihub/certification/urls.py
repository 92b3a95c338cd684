from django.urls import path

from . import views

app_name = "certification"
urlpatterns = [
    path("", views.certificate_list, name="certificate-list"),
    path("enterprises/<int:enterprise_id>/", views.enterprise_certificates, name="enterprise-certificates"),
    path("enterprises/<int:enterprise_id>/new/", views.certificate_create, name="certificate-create"),
    path("enterprises/<int:enterprise_id>/import/", views.certificate_import, name="certificate-import"),
    path("import-template.csv", views.import_template, name="import-template"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate-detail"),
    path("certificates/<int:pk>/edit/", views.certificate_edit, name="certificate-edit"),
    path("certificates/<int:pk>/status/", views.certificate_status, name="certificate-status"),
    path("certificates/<int:pk>/delete/", views.certificate_delete, name="certificate-delete"),
    path("certificates/<int:pk>/surveillance/", views.surveillance_add, name="surveillance-add"),
    path(
        "certificates/<int:pk>/surveillance/<int:audit_id>/",
        views.surveillance_record,
        name="surveillance-record",
    ),
    path("catalogue/", views.catalogue_browse, name="catalogue"),
    path("guidance/", views.guidance, name="guidance"),
]
