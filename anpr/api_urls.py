"""API routes of anpr (mounted under /api/anpr/ by transit_monitor/urls.py)."""

from django.urls import path

from . import api, views_matches

urlpatterns = [
    path("reads/", api.ReadCreateApi.as_view(), name="anpr-api-read-create"),
    path("reads/bulk/", api.ReadBulkApi.as_view(), name="anpr-api-read-bulk"),
    path("reads/search/", api.ReadListApi.as_view(), name="anpr-api-read-list"),
    path("reads/<int:pk>/", api.ReadDetailApi.as_view(), name="anpr-api-read-detail"),
    path("reads/<int:pk>/photo/", api.ReadPhotoApi.as_view(), name="anpr-api-read-photo"),
    path("cameras/", api.CameraListApi.as_view(), name="anpr-api-cameras"),
    path("matches/<int:pk>/review/", views_matches.MatchReviewApi.as_view(), name="anpr-api-match-review"),
]
