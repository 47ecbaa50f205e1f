from django.urls import path

from . import views

app_name = "scans"
urlpatterns = [
    path("declaration/<int:pk>/", views.declaration_scans, name="declaration"),
    path("declaration/<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/original/", views.original, name="original"),
    path("<int:pk>/preview/<str:kind>/", views.preview, name="preview"),
    path("<int:pk>/reuse-review/", views.reuse_review, name="reuse_review"),
    path("comparison/<int:pk>/", views.viewer, name="viewer"),
    path("comparison/<int:pk>/heatmap/", views.heatmap, name="heatmap"),
    path("comparison/<int:pk>/review/", views.review, name="review"),
    path("comparison/<int:pk>/retry/", views.retry, name="retry"),
]
