from django.urls import path

from . import views

app_name = "declarations"
urlpatterns = [
    path("<int:pk>/", views.declaration_detail, name="detail"),
]
