from django.urls import path

from . import views

app_name = "metrology"
urlpatterns = [
    path("", views.instrument_list, name="instrument-list"),
    path("instruments/new/", views.instrument_create, name="instrument-create"),
    path("instruments/import/", views.instrument_import, name="instrument-import"),
    path("instruments/import/template.csv", views.import_template, name="import-template"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument-detail"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="instrument-edit"),
    path("instruments/<int:pk>/records/new/", views.record_create, name="record-create"),
    path("instruments/<int:pk>/book/", views.booking_create, name="booking-create"),
    path("overdue/", views.overdue_list, name="overdue-list"),
    path("records/<int:pk>/file/", views.record_file, name="record-file"),
    path("records/<int:pk>/file/upload/", views.record_file_upload, name="record-file-upload"),
    path("bookings/", views.booking_list, name="booking-list"),
    path("bookings/bulk/", views.booking_bulk, name="booking-bulk"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking-detail"),
    path("bookings/<int:pk>/complete/", views.booking_complete, name="booking-complete"),
    path("bookings/<int:pk>/<str:action>/", views.booking_action, name="booking-action"),
    path("catalogue/", views.catalogue_list, name="catalogue-list"),
]
