"""Pages of reports (mounted at /reports/)."""

from django.urls import path

from . import audit, views, views_actions

app_name = "reports"
urlpatterns = [
    path("", views.return_list, name="returns"),
    path("returns/<int:pk>/", views.return_detail, name="return"),
    path("returns/<int:pk>/submit/", views.return_submit, name="return_submit"),
    path("returns/<int:pk>/<str:fmt>/", views.return_download, name="return_download"),
    path("trend/", views.trend, name="trend"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("actions/", views_actions.action_list, name="actions"),
    path("actions/<int:pk>/done/", views_actions.action_done, name="action_done"),
    path("problems/", views.problem_list, name="problems"),
    path("problems/new/", views.problem_new, name="problem_new"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
]
