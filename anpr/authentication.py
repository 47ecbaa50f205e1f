"""Camera tokens: each camera posts with its own token, ``Authorization: Camera <token>``.

``request.auth`` is the Camera and ``request.user`` a ``CameraPrincipal``, which has
no role, no office scope and no access to anything but the ingestion endpoints
(they check ``IsCamera``; every other view requires a real user).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from .models import Camera, hash_token


class CameraPrincipal:
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_national = False
    pk = None
    id = None

    def __init__(self, camera: Camera):
        self.camera = camera
        self.username = f"camera:{camera.code}"

    def __str__(self) -> str:
        return self.username

    def scope_q(self, *paths):
        from django.db.models import Q

        return Q(pk__in=[])


class CameraTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Camera"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization: Camera <token>")
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("token is not text") from None
        camera = (
            Camera.objects.filter(token_hash=hash_token(token))
            .select_related("office")
            .only("pk", "code", "office_id", "office__code", "status", "token_hash")
            .first()
        )
        if camera is None:
            raise exceptions.AuthenticationFailed("unknown camera token")
        if camera.status == Camera.Status.RETIRED:
            raise exceptions.AuthenticationFailed(f"camera {camera.code} is retired")
        return CameraPrincipal(camera), camera

    def authenticate_header(self, request):
        return self.keyword


class IsCamera(permissions.BasePermission):
    message = "only a camera token may post plate reads"

    def has_permission(self, request, view):
        return isinstance(request.auth, Camera)


class CameraTokenScheme(OpenApiAuthenticationExtension):
    """Documents the camera token in the OpenAPI schema (registered by being defined)."""

    target_class = "anpr.authentication.CameraTokenAuthentication"
    name = "cameraToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Camera <token>`: the camera's own token, issued when it is registered",
        }
