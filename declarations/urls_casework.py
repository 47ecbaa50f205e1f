"""Pages for follow-up letters and judicial cases (mounted at /casework/)."""

from django.urls import path  # noqa: F401

app_name = "casework"
urlpatterns: list = []
