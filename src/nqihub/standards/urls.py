from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    path("lookup/", views.standard_lookup, name="lookup"),
    path("<int:pk>/", views.standard_detail, name="detail"),
    path("<int:pk>/follow/", views.standard_follow, name="follow"),
    path("<int:pk>/unfollow/", views.standard_unfollow, name="unfollow"),
    path("following/", views.following, name="following"),
    path("ics/", views.ics_browse, name="ics"),
    path("ics/<str:code>/", views.ics_browse, name="ics-node"),
    path("ccs/", views.ccs_browse, name="ccs"),
    path("ccs/<path:code>/", views.ccs_browse, name="ccs-node"),
    path("import/", views.catalog_import, name="import"),
    path("import/template.csv", views.catalog_import_template, name="import-template"),
    path("import/<slug:job_id>/", views.catalog_import_status, name="import-status"),
    path("proposals/", views.proposal_list, name="proposals"),
    path(
        "proposals/<int:pk>/confirm/", views.proposal_decide, {"decision": "confirm"}, name="proposal-confirm"
    ),
    path("proposals/<int:pk>/reject/", views.proposal_decide, {"decision": "reject"}, name="proposal-reject"),
    path("declarations/", views.declaration_list, name="declarations"),
    path("declarations/new/", views.declaration_create, name="declaration-create"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration-detail"),
    path(
        "public/enterprises/<int:enterprise_id>/declarations/",
        views.public_declarations,
        name="public-declarations",
    ),
]
