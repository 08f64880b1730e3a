from django.urls import path

from . import views

app_name = "embed"

urlpatterns = [path("", views.thread, name="thread")]
