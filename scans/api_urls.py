"""API routes of scans (mounted under /api/scans/ by transit_monitor/urls.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.ScanListCreateApi.as_view(), name="scans-api-list"),
    path("<int:pk>/", api.ScanDetailApi.as_view(), name="scans-api-detail"),
    path("<int:pk>/original/", api.ScanOriginalApi.as_view(), name="scans-api-original"),
    path("<int:pk>/reuse-reviews/", api.ScanReuseReviewsApi.as_view(), name="scans-api-reuse-reviews"),
    path("comparisons/<int:pk>/", api.ComparisonDetailApi.as_view(), name="scans-api-comparison"),
    path("comparisons/<int:pk>/review/", api.ComparisonReviewApi.as_view(), name="scans-api-review"),
    path("declarations/<int:pk>/comparisons/", api.DeclarationComparisonsApi.as_view(), name="scans-api-decl-cmp"),
]
