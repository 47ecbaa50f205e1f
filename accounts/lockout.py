"""What a locked-out login gets (``settings.AXES_LOCKOUT_CALLABLE``): the API's JSON error body
under /api/, the app's page elsewhere; 429 either way."""

from __future__ import annotations

from axes.helpers import get_client_username, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from core.api import error_body

# In the request's language, as the API's other errors.
LOCKED_OUT_MESSAGE = gettext_lazy(
    "too many failed logins (a wrong password or two-factor code) as this user from this address: logging in is "
    "paused for one hour; ask the IT office to release the lock if it is needed sooner (an IT office account: "
    "another member of the IT office or the system administrator)"
)


def lockout_response(request: HttpRequest, credentials: dict | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("locked_out", str(LOCKED_OUT_MESSAGE)), status=429)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
