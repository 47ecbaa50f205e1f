from django.urls import path

from . import views

app_name = "anpr"
urlpatterns = [
    path("reads/<int:pk>/photo/", views.photo, name="photo"),
    path("reads/<int:pk>/crop/", views.crop, name="crop"),
]
