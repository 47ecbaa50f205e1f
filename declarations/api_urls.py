"""API routes of declarations (mounted under /api/ by transit_monitor/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
