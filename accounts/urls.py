"""Pages of accounts (mounted at /accounts/)."""

from django.urls import path

from . import views, views_account, views_two_factor

app_name = "accounts"
urlpatterns = [
    path("", views_account.account, name="account"),
    path("sessions/", views_account.sessions, name="sessions"),
    path("password/", views_account.password_change, name="password"),
    path("two-factor/", views_two_factor.verify, name="two-factor"),
    path("two-factor/enrol/", views_two_factor.enrol, name="two-factor-enrol"),
    path("two-factor/recovery-codes/", views_two_factor.recovery_codes, name="recovery-codes"),
    path("lockouts/", views.lockouts, name="lockouts"),
]
