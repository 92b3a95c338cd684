from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("consent/", views.consent_pending, name="consent-pending"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("<int:pk>/<slug:action>/", views.case_action, name="case-action"),
    path("from-request/<int:request_pk>/", views.case_create, name="case-create"),
    path("articles/", views.article_list, name="articles"),
    path("articles/new/", views.article_create, name="article-create"),
    path("articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("articles/<int:pk>/attach/", views.article_attach, name="article-attach"),
    path(
        "articles/<int:pk>/attachments/<int:attachment_id>/",
        views.article_attachment,
        name="article-attachment",
    ),
    path("articles/<int:pk>/<slug:action>/", views.article_publish, name="article-publish"),
    path("suggest/", views.suggest_partial, name="suggest-partial"),
]
