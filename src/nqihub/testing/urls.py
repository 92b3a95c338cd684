from django.urls import path

from . import views

app_name = "testing"
urlpatterns = [
    path("", views.order_list, name="order-list"),
    path("orders/new/", views.order_create, name="order-create"),
    path("orders/suggest-labs/", views.suggest_labs, name="suggest-labs"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/action/<slug:action>/", views.order_action, name="order-action"),
    path("orders/<int:pk>/samples/", views.sample_add, name="sample-add"),
    path("orders/<int:pk>/samples/<int:sample_id>/photos/", views.photo_add, name="photo-add"),
    path("orders/<int:pk>/photos/<int:photo_id>/", views.photo_view, name="photo-view"),
    path("orders/<int:pk>/items/", views.item_add, name="item-add"),
    path("orders/<int:pk>/items/from-standard/", views.items_from_standard, name="items-from-standard"),
    path("orders/<int:pk>/items/<int:item_id>/", views.item_edit, name="item-edit"),
    path("orders/<int:pk>/items/<int:item_id>/remove/", views.item_remove, name="item-remove"),
    path("orders/<int:pk>/results/", views.results_save, name="results-save"),
    path("orders/<int:pk>/results/template.xlsx", views.results_template, name="results-template"),
    path("orders/<int:pk>/results/upload/", views.results_upload, name="results-upload"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report-pdf"),
    path("pass-rates/", views.pass_rates, name="pass-rates"),
    path("labs/", views.lab_list, name="lab-list"),
    path("labs/<int:lab_id>/", views.lab_settings, name="lab-settings"),
    path("verify/", views.verify, name="verify"),
]
