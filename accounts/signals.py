"""Receivers of Django's login signals: every login, failure and logout lands in ``LoginRecord``."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from . import logins, two_factor
from .models import LoginRecord


def _logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    logins.record_login(request=request, user=user)
    # Asked once here, not on every page: an enrolled user's session must verify too.
    request.session[two_factor.HAS_DEVICE] = two_factor.has_device(user)


def _login_failed(sender, credentials, request=None, **kwargs):
    failure = LoginRecord.Failure.CODE if sender == two_factor.FAILED_CODE_SENDER else LoginRecord.Failure.PASSWORD
    logins.record_failure(request=request, username=(credentials or {}).get("username", ""), failure=failure)


def _logged_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        logins.end_current(request=request, reason=LoginRecord.Ended.LOGOUT)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="accounts.logins.logged_in")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts.logins.login_failed")
    user_logged_out.connect(_logged_out, dispatch_uid="accounts.logins.logged_out")
