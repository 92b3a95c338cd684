from django.urls import path
from django.views.generic import RedirectView

from . import views, views_contact, views_public, views_work

app_name = "desk"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="desk:request-list", permanent=False), name="index"),
    path("track/", views_public.track, name="track"),
    path("requests/", views.request_list, name="request-list"),
    path("requests/new/", views.request_create, name="request-create"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/contact/", views_contact.request_contact, name="request-contact"),
    path("requests/<int:pk>/notes/", views_work.note_add, name="note-add"),
    path("requests/<int:pk>/attachments/", views_work.attachment_add, name="attachment-add"),
    path(
        "requests/<int:pk>/attachments/<int:attachment_id>/",
        views_work.attachment_download,
        name="attachment-download",
    ),
    path("requests/<int:pk>/links/", views_work.link_add, name="link-add"),
    path(
        "requests/<int:pk>/rectification/respond/",
        views_work.rectification_respond,
        name="rectification-respond",
    ),
    path(
        "requests/<int:pk>/rectification/callback/",
        views_work.rectification_callback,
        name="rectification-callback",
    ),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request-action"),
    path("assignments/", views.assignment_list, name="assignment-list"),
    path("assignments/<int:pk>/reassign/", views.assignment_reassign, name="assignment-reassign"),
    path("assignments/<int:pk>/<slug:action>/", views.assignment_action, name="assignment-action"),
]
