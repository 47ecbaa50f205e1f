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
    path("cameras/<int:pk>/", api.CameraDetailApi.as_view(), name="anpr-api-camera"),
    path("cameras/<int:pk>/rotate-token/", api.CameraRotateTokenApi.as_view(), name="anpr-api-camera-rotate"),
    path("cameras/<int:pk>/retire/", api.CameraRetireApi.as_view(), name="anpr-api-camera-retire"),
    path("installation/", api.InstallationApi.as_view(), name="anpr-api-installation"),
    path("matches/<int:pk>/review/", views_matches.MatchReviewApi.as_view(), name="anpr-api-match-review"),
]
