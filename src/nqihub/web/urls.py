from django.urls import path

from . import audit, landing, views

app_name = "web"
urlpatterns = [
    path("", landing.home_or_landing, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/export/", audit.audit_export, name="audit-export"),
    path("options/regions/", views.region_options, name="region-options"),
    path("options/industries/", views.industry_options, name="industry-options"),
    path("options/ics/", views.ics_options, name="ics-options"),
]
