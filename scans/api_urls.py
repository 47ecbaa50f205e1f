"""API routes of scans (mounted under /api/ by transit_monitor/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
