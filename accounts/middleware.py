"""Accounts' middleware: machine accounts kept to the API, session limits, the second factor."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import logins, two_factor
from accounts.forms import MACHINE_ACCOUNT_MESSAGE
from core.redirects import to_login


class ApiOnlyMachineAccountsMiddleware:
    """A machine account (the ICS integration client) may not use the web pages: a session it holds
    (opened before this rule, or by the admin's "log in as") is ended and the page refused. Its
    token keeps working on /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and getattr(user, "is_machine", False):
                logout(request)
                raise PermissionDenied(str(MACHINE_ACCOUNT_MESSAGE))
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """A login ends after ``SESSION_IDLE_SECONDS`` without a request (sliding) or ``SESSION_COOKIE_AGE``
    after the password was given (absolute: activity does not extend it), or when the user ended it
    from another session. The page then goes to the login page saying why; the API answers as to
    anyone not logged in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = logins.check_session(request)
            if reason is not None:
                logins.end_current(request=request, reason=reason)
                logout(request)  # flushes the session; the user is anonymous from here
                if not request.path.startswith("/api/"):
                    messages.warning(request, logins.ENDED_MESSAGES.get(reason, logins.ENDED_MESSAGES["by_user"]))
                    return to_login(request)  # a part of a page asking again: the whole page goes there
        return self.get_response(request)


class TwoFactorMiddleware:
    """No page (the admin included) and no session-authenticated API call before the second factor,
    for a session that must pass one (``two_factor.must_verify``): it is sent to enrol or to enter its
    code. Logging in and out, the language switch and the two-factor pages themselves stay open."""

    OPEN = ("login", "logout", "set_language", "accounts:two-factor", "accounts:two-factor-enrol")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and two_factor.must_verify(request):
            if request.path.startswith("/api/"):
                raise PermissionDenied(_("Complete the two-factor login first."))
            if request.path not in {reverse(name) for name in self.OPEN}:
                enrolled = two_factor.has_device(user)
                target = reverse("accounts:two-factor" if enrolled else "accounts:two-factor-enrol")
                return redirect(f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}")
        return self.get_response(request)
