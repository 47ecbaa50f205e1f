"""The API's error answers, written into the OpenAPI schema (a drf-spectacular post-processing hook).

Every endpoint answers its errors with the one body of ``core/api.py``
(``{"error": {"code", "message", "fields"}}``); the schema says so for each status an operation
can give, so that a client (and schemathesis's status and schema checks) know them:

- 400 when it takes query parameters or a body (a field is invalid: ``fields`` names it; a NUL byte);
- 401 with a token (the camera's or the integration client's) that is missing or not valid,
  403 without a session or for a role that may not do it; every endpoint needs one or the other;
- 404 when a path names a record (not found, or outside the caller's scope: the same answer);
- 409 for a POST on a record, named in the path or in the body, whose state refuses it (a transition
  another request made first; a permit for a settled declaration);
- 413 and 415 when it takes a body (a file or a body too large; a type it does not accept);
- 429 for the camera endpoints (the per-camera rate limit).
"""

from __future__ import annotations

import threading

from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers

ERROR_SCHEMA = "ErrorBody"
DESCRIPTIONS = {
    400: "The request is malformed or fields are invalid (`error.fields` names each, with its messages).",
    401: "The token is missing or not valid.",
    403: "Not logged in, or the role may not do this (`error.message` says who may).",
    404: "Not found, or outside the caller's scope (the same answer).",
    409: "The record's state refuses this (it is past that step, or another request changed it first).",
    413: "The file or the body is too large.",
    415: "The body or the file is of a type this endpoint does not accept.",
    422: "A file sent carries malware (`error.message` names the signature): nothing was stored.",
    429: "Too many requests (the camera's rate limit).",
    503: "The malware scanner did not answer for a file sent: nothing was stored; send it again later.",
}
CAMERA_PATHS = ("/api/anpr/reads/", "/api/anpr/reads/bulk/")
FIELDS_DESCRIPTION = (
    'Every field refused, each with the list of its messages (`{"plate": ["…"], "declared_at": ["…"]}`): '
    "a record is checked whole, so all its bad fields are named at once, not the first alone. A nested field keeps "
    "its shape: `goods` is a list with one object per line (empty for a good line), each of its fields a list of "
    "messages; a list field's refused items are an object by index. `message` says the same in one line "
    "(`plate: …; declared_at: …`)."
)


class SchemaView(SpectacularAPIView):
    """``/api/schema/``, one generation at a time.

    drf-spectacular resolves its extensions' target classes lazily and not thread-safely: two threads
    reaching an extension whose library is absent (``rest_framework_recursive``) at once made the
    loser fail on the ``None`` the winner wrote, a 500 for concurrent first requests (threaded
    runserver, gunicorn threads). Generating the schema is rare and takes about a second.
    """

    _lock = threading.Lock()

    def _get_schema_response(self, request):
        with self._lock:
            return super()._get_schema_response(request)


def _error_components() -> dict:
    """``ErrorBody`` and ``ErrorDetail`` as drf-spectacular writes them from the serializers below."""
    return {
        ERROR_SCHEMA: {
            "type": "object",
            "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
            "required": ["error"],
        },
        "ErrorDetail": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "anyOf": [
                            {"type": "array", "items": {"type": "string"}},
                            {"type": "array", "items": {"type": "object"}},
                            {"type": "object"},
                        ]
                    },
                    "description": FIELDS_DESCRIPTION,
                },
            },
            "required": ["code", "fields", "message"],
        },
    }


def statuses_for(path: str, method: str, operation: dict) -> list[int]:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = [401, 403]
    if has_body or any(p.get("in") == "query" for p in parameters) or path in CAMERA_PATHS:
        statuses.append(400)
    if any(p.get("in") == "path" for p in parameters):
        statuses.append(404)
    if method == "post":  # the record named in the path or in the body (a permit's declaration) is past this step
        statuses.append(409)
    if has_body or method == "post":
        statuses += [413, 415]
    if path in CAMERA_PATHS:
        statuses.append(429)
    return sorted(statuses)


def document_errors(result, generator, request, public):
    """Post-processing hook: add the error answers each operation can give, with their body."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(_error_components())
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status in statuses_for(path, method, operation):
                operation["responses"].setdefault(
                    str(status),
                    {"content": {"application/json": {"schema": ref}}, "description": DESCRIPTIONS[status]},
                )
    return result


class ErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(help_text=FIELDS_DESCRIPTION)  # type: ignore[assignment]  # the error body's key


class ErrorBody(serializers.Serializer):
    error = ErrorDetail()


def error_response(status: int, why: str = "") -> OpenApiResponse:
    """An error answer an operation gives beyond those the hook adds (say, a 404 for a code in the
    query string): ``@extend_schema(responses={..., 404: error_response(404, "no such province")})``.
    """
    description = DESCRIPTIONS[status] + (f" Here: {why}." if why else "")
    return OpenApiResponse(response=ErrorBody, description=description)


def api_index(request):
    """``/api/``: where the API is described, for a person or a client that starts at the root (it was a 404).
    It names no data, so anyone may read it; the documentation and the schema need a signed-in session
    (open them in the browser after signing in) or the integration client's token."""
    from django.http import JsonResponse
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return JsonResponse(
        {
            "docs": request.build_absolute_uri(reverse("api-docs")),
            "schema": request.build_absolute_uri(reverse("api-schema")),
            "login": request.build_absolute_uri(reverse("login")),
            "authentication": _(
                "a signed-in session (sign in, then open docs in the browser), "
                "%(header)s for an integration client, or %(camera)s for a camera"
            )
            % {"header": "'Authorization: Token <key>'", "camera": "'Authorization: Camera <token>'"},
        },
        json_dumps_params={"ensure_ascii": False},
    )
