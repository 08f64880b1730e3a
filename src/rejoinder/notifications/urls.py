from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("comments/confirm/<slug:token>/", views.confirm, name="confirm"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("comments/moderate/<str:token>/", views.moderate, name="moderate"),
]
