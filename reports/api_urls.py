"""API routes of reports (mounted at /api/reports/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("returns/", api.ReturnListApi.as_view(), name="api-returns"),
    path("returns/build/", api.ReturnBuildApi.as_view(), name="api-return-build"),
    path("returns/<int:pk>/", api.ReturnDetailApi.as_view(), name="api-return"),
    path("returns/<int:pk>/late-changes/", api.ReturnLateChangeListApi.as_view(), name="api-return-late-changes"),
    path("trend/", api.TrendApi.as_view(), name="api-reports-trend"),
    path("problems/", api.ProblemApi.as_view(), name="api-problems"),
    path("inspections/<int:pk>/actions/", api.InspectionActionCreateApi.as_view(), name="api-inspection-action-add"),
    path("inspection-actions/", api.InspectionActionListApi.as_view(), name="api-inspection-actions"),
    path("inspection-actions/<int:pk>/done/", api.InspectionActionDoneApi.as_view(), name="api-inspection-action-done"),
    path("problems/counts/", api.ProblemCountsApi.as_view(), name="api-problem-counts"),
    path("problems/<int:pk>/acknowledge/", api.ProblemAcknowledgeApi.as_view(), name="api-problem-acknowledge"),
    path("problems/<int:pk>/resolve/", api.ProblemResolveApi.as_view(), name="api-problem-resolve"),
]
