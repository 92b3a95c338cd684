"""Capability-scope import pages; included into ``directory/urls.py`` (app namespace ``directory``)."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("institutions/<int:institution_id>/scope/import/", views_import.scope_import, name="scope-import"),
    path("scope-imports/template.csv", views_import.scope_import_template, name="scope-import-template"),
    path("scope-imports/<str:job_id>/", views_import.scope_import_status, name="scope-import-status"),
]
