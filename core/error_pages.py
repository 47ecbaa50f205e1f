"""Error pages: the app's layout in the user's language for pages, the API's error body for /api/.

Django calls these (``handler400``… in urls.py, ``CSRF_FAILURE_VIEW``) when a view raises or no
URL matches. A lost database connection is a 503 that says nothing was saved, not a 500. A 403 shows the message the code raised it with (which role may do it); a 404 never
says whether the record exists outside the user's scope. The 500 page is rendered without the
request (no user, no session, no database): whatever failed must not fail it again.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import BadRequest, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.log import log_response
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from core.api import FORBIDDEN, error_body
from core.renderers import JSONRenderer
from core.request_context import user_id_of
from core.text import digits, isolate, strip_isolates


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, message: str, status: int, field: str = "") -> HttpResponse:
    """The API's one error body (core/api.py), with Persian text for the people who read it;
    ``field``: the parameter or form field at fault, named in ``fields``."""
    message = strip_isolates(message)  # plain text, as the API's renderer gives it (core.renderers.JSONRenderer)
    body = error_body(code, message, {field: [message]} if field else None)
    # Through the API's own renderer: UTF-8 Persian as every other API error, not \uXXXX escapes.
    return HttpResponse(JSONRenderer().render(body), status=status, content_type="application/json")


def _message(exception) -> str:
    """The message a 400/403 was raised with (ours are written for the user), or nothing."""
    text = str(exception or "")
    return "" if text.startswith("<") else text


@requires_csrf_token
def bad_request(request, exception):
    message = _message(exception) if isinstance(exception, BadRequest) else ""
    if isinstance(exception, TooManyFieldsSent):  # Django's own words are for the log, not the sender
        message = _("The form has more than %(n)s fields: send long lists as JSON.") % {
            "n": digits(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        }
    if _is_api(request):
        field = getattr(exception, "field", "") if message else ""
        return _api_error("bad_request", message or _("The request is malformed."), 400, field)
    return render(request, "400.html", {"message": message}, status=400)


@requires_csrf_token
def permission_denied(request, exception):
    message = _message(exception)
    if _is_api(request):
        response = _api_error(FORBIDDEN, message or _("You may not do this."), 403)
    else:
        response = render(request, "403.html", {"message": message}, status=403)
    _log_forbidden(request, response)
    return response


def _log_forbidden(request, response: HttpResponse) -> None:
    """One line for a refusal, who and where, in Django's request log: a 403 is an expected answer (a role
    that may not), not a fault, so no traceback (Django's own line carries the PermissionDenied's). Marked
    logged, so Django does not log it again."""
    user = user_id_of(request)
    log_response(
        "Forbidden (Permission denied): %s (user %s)",
        request.path,
        "-" if user is None else user,
        response=response,
        request=request,
    )


@requires_csrf_token
def page_not_found(request, exception):
    if _is_api(request):
        return _unknown_action(request.path) or _api_error("not_found", _("Not found, or outside your scope."), 404)
    return render(request, "404.html", {}, status=404)


def _unknown_action(path: str) -> HttpResponse | None:
    """A POST to ``/api/<records>/<id>/<name>/`` where the record's routes have no action ``name``: the 404 says
    the action does not exist and lists those that do (``confirm_arrival`` for ``confirm-arrival``), not «outside
    your scope». The record itself is not looked up, so the answer says nothing about whether it exists."""
    parent, _slash, name = path.rstrip("/").rpartition("/")
    try:
        match = resolve(parent + "/")
    except Resolver404:
        return None
    view = getattr(match.func, "cls", None)
    if view is None or not match.kwargs or not hasattr(view, "get_extra_actions"):
        return None
    actions = [a.url_path for a in view.get_extra_actions() if a.detail]
    if not actions or name in actions:
        return None
    message = _("There is no action '%(name)s'; the actions are: %(actions)s.") % {
        "name": isolate(name),
        "actions": isolate(", ".join(actions)),
    }
    if name.replace("_", "-") in actions:
        message += " " + _("Did you mean '%(url)s'?") % {"url": isolate(name.replace("_", "-") + "/")}
    return _api_error("not_found", message, 404)


def server_error(request):
    if database_lost(sys.exc_info()[1]):
        return database_unavailable(request)
    if _is_api(request):
        return _api_error("server_error", _("The server could not answer this request."), 500)
    return HttpResponseServerError(loader.get_template("500.html").render())


def database_lost(exc: BaseException | None) -> bool:
    """The database connection failed (lost in the middle of a request, or refused): not a bug of
    the page. The transaction it was in is rolled back by the server, so nothing was half-written."""
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the request did not happen and may be sent again in a moment. Rendered
    without the request (no user, no session: both live in the database)."""
    message = _("The database could not be reached; nothing was saved. Try again in a minute.")
    if _is_api(request):
        response: HttpResponse = _api_error("database_unavailable", message, 503)
    else:
        response = HttpResponse(loader.get_template("503_database.html").render(), status=503)
    response["Retry-After"] = "30"
    return response


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: most often a page left open past the session."""
    if _is_api(request):
        return _api_error(FORBIDDEN, _("The CSRF token is missing or wrong; log in again and retry."), 403)
    return render(request, "403_csrf.html", {}, status=403)
