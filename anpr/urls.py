from django.urls import path

from . import views, views_matches, views_models, views_review

app_name = "anpr"
urlpatterns = [
    path("", views.index, name="index"),
    path("cameras/", views.cameras, name="cameras"),
    path("cameras/new/", views.camera_new, name="camera_new"),
    path("cameras/<int:pk>/", views.camera_detail, name="camera"),
    path("cameras/<int:pk>/rotate-token/", views.camera_rotate, name="camera_rotate"),
    path("cameras/<int:pk>/token/", views.camera_token, name="camera_token"),
    path("cameras/<int:pk>/retire/", views.camera_retire, name="camera_retire"),
    path("installation/", views.installation_view, name="installation"),
    path("plates/", views.plate_search, name="plates"),
    path("reports/<slug:code>/", views.report, name="report"),
    path("reads/<int:pk>/photo/", views.photo, name="photo"),
    path("reads/<int:pk>/crop/", views.crop, name="crop"),
    path("matches/<int:pk>/review/", views_matches.review, name="match-review"),
    path("review/", views_review.queue, name="review-queue"),
    path("reads/<int:pk>/review/", views_review.read_review, name="read-review"),
    path("models/", views_models.models_page, name="models"),
    path("models/train/", views_models.training_start, name="training-start"),
    path("models/runs/<int:pk>/", views_models.training_run, name="training-run"),
    path("models/<int:pk>/manifest.json", views_models.model_manifest, name="model-manifest"),
    path("models/<int:pk>/rollback/", views_models.model_rollback, name="model-rollback"),
]
