"""API routes of reports (mounted at /api/reports/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("returns/", api.ReturnListApi.as_view(), name="api-returns"),
    path("returns/build/", api.ReturnBuildApi.as_view(), name="api-return-build"),
    path("returns/<int:pk>/", api.ReturnDetailApi.as_view(), name="api-return"),
    path("trend/", api.TrendApi.as_view(), name="api-reports-trend"),
    path("problems/", api.ProblemApi.as_view(), name="api-problems"),
]
