from django.urls import path

from . import views, views_plan

app_name = "stats"
urlpatterns = [
    path("", views.public, name="public"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/data/", views.dashboard_data, name="dashboard-data"),
    path("screen/", views.screen, name="screen"),
    path("geo/<str:code>.json", views.geojson, name="geojson"),
    path("records/", views.records, name="records"),
    path("export/", views.export, name="export"),
    path("targets/", views_plan.targets, name="targets"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/export/", views.report_export, name="report-export"),
    path("reports/<int:pk>/word/", views.report_word, name="report-word"),
    path("reports/<int:pk>/<slug:action>/", views.report_action, name="report-action"),
]
