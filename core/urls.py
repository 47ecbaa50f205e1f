from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.export_list, name="export-list"),
    path("<int:pk>/", views.export_job, name="export-job"),
    path("<int:pk>/download/", views.export_download, name="export-download"),
]
