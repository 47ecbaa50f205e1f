"""One error body for the whole API: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import uploads
from core.errors import DomainError

# NotAllowed (code "forbidden") is a 403; any other illegal move a 409; bad input a 400.
DOMAIN_STATUS = {"illegal_transition": status.HTTP_409_CONFLICT, "forbidden": status.HTTP_403_FORBIDDEN}


def exception_handler(exc, context):
    if isinstance(exc, uploads.UploadRejected):  # a refused file: 413, 415 or 400, naming its field
        return Response(
            {"error": {"code": exc.code, "message": exc.message, "fields": {exc.field: [exc.message]}}},
            status=exc.status,
        )
    if isinstance(exc, DomainError):
        return Response(
            {"error": {"code": exc.code, "message": str(exc), "fields": exc.fields}},
            # A refused file carries its own status (413 too large, 415 wrong kind).
            status=getattr(exc, "status", None) or DOMAIN_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(getattr(exc, "message_dict", None) or exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)  # keep the message naming who may do it
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        message = "; ".join(f"{k}: {v[0] if isinstance(v, list) and v else v}" for k, v in fields.items())
        code = "invalid"
    else:
        message = str(data.get("detail", data)) if isinstance(data, dict) else str(data)
        code = getattr(getattr(exc, "default_code", None), "__str__", lambda: "error")()
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response
