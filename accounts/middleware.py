"""Accounts' middleware: machine accounts are kept to the API."""

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied

from accounts.forms import MACHINE_ACCOUNT_MESSAGE


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
