from django.urls import path

from . import views, views_import

app_name = "declarations"
urlpatterns = [
    path("import/", views_import.import_upload, name="import"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
]
