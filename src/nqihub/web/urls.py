from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit-log"),
    path("options/regions/", views.region_options, name="region-options"),
    path("options/industries/", views.industry_options, name="industry-options"),
]
