from django.urls import path

from . import views

app_name = "drafting"
urlpatterns = [
    path("", views.draft_list, name="list"),
    path("new/", views.draft_form, name="create"),
    path("check/", views.draft_check, name="check"),
    path("<int:pk>/", views.draft_detail, name="detail"),
    path("<int:pk>/edit/", views.draft_form, name="edit"),
    path("<int:pk>/review-request/", views.review_request, name="review-request"),
    path("<int:pk>/comments/", views.comment_add, name="comment"),
    path("<int:pk>/review/", views.review_decide, name="review"),
    path("<int:pk>/declare/", views.declare, name="declare"),
    path("<int:pk>/document.docx", views.document_docx, name="docx"),
    path("<int:pk>/document.pdf", views.document_pdf, name="pdf"),
]
