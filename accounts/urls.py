"""Pages of accounts (mounted at /accounts/)."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("lockouts/", views.lockouts, name="lockouts"),
]
