from django.urls import path

from . import views

app_name = "labels"
urlpatterns = [
    path("", views.label_check, name="check"),
    path("rules/", views.rules, name="rules"),
]
