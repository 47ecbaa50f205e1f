from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("<int:pk>/done/", views.notification_done, name="done"),
    path("read-all/", views.notification_all_read, name="read-all"),
    path("preferences/", views.email_preferences, name="preferences"),
]
