"""Camera tokens: each camera posts with its own token, ``Authorization: Camera <token>``.

``request.auth`` is the Camera and ``request.user`` a ``CameraPrincipal``, which has
no role, no office scope and no access to anything but the ingestion endpoints
(they check ``IsCamera``; every other view requires a real user).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from core.dates import format_jalali
from core.text import is_persian, isolate
from declarations.idents import camera_text

from .models import Camera, hash_token

# Cameras by token hash, per process: a camera posting several reads a second would otherwise
# cost a query (and its SQL compilation) per read. An entry lasts ANPR_CAMERA_CACHE_SECONDS and
# only while the cameras' version in the shared cache is unchanged: saving or deleting any camera
# (a new token, retired, moved to another office) bumps it, so with Redis every worker drops its
# entries at once; without a shared cache the lifetime bounds how long another process keeps one.
_CAMERAS: dict[str, tuple[float, int, Camera]] = {}
VERSION_KEY = "anpr:cameras:version"


@receiver(post_save, sender=Camera)
@receiver(post_delete, sender=Camera)
def forget_cameras(**_kwargs) -> None:
    _CAMERAS.clear()
    cache.set(VERSION_KEY, time.time_ns(), None)  # a new version, as selectors.invalidate_for does


def camera_for_token(token: str) -> Camera | None:
    digest = hash_token(token)
    version = cache.get(VERSION_KEY, 0)
    now = time.monotonic()
    hit = _CAMERAS.get(digest)
    if hit is not None and hit[0] > now and hit[1] == version:
        return hit[2]
    camera = (
        Camera.objects.filter(token_hash=digest)
        .select_related("office")
        .only("pk", "code", "office_id", "office__code", "status", "token_hash", "token_expires_at")
        .first()
    )
    if camera is not None:  # unknown tokens are not kept: guessing must not fill the memory
        _CAMERAS[digest] = (now + settings.ANPR_CAMERA_CACHE_SECONDS, version, camera)
    return camera


class CameraPrincipal:
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_national = False
    pk = None
    id = None
    role = "camera"  # what the audit trail writes as the actor's role

    def __init__(self, camera: Camera):
        self.camera = camera
        self.username = f"camera:{camera.code}"

    def __str__(self) -> str:
        return self.username

    def get_username(self) -> str:
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
        # Read by the camera's installer in the request's language; the camera's code (Latin) and the header
        # isolated, so that they keep their order in a Persian sentence.
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the camera's token as %(header)s, the token in one piece.")
                % {"header": isolate("Authorization: Camera <token>")}
            )
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The camera's token is not text.")) from None
        camera = camera_for_token(token)
        if camera is None:
            raise exceptions.AuthenticationFailed(_("No camera has this token."))
        if camera.status == Camera.Status.RETIRED:
            raise exceptions.AuthenticationFailed(
                _("Camera %(code)s is retired: its reads are no longer taken.") % {"code": camera_text(camera)}
            )
        if camera.token_expired():
            raise exceptions.AuthenticationFailed(
                _("The token of camera %(code)s expired at %(at)s (Tehran time): ask for a new one.")
                % {"code": camera_text(camera), "at": format_jalali(camera.token_expires_at, persian=is_persian())}
            )
        return CameraPrincipal(camera), camera

    def authenticate_header(self, request):
        return self.keyword


class IsCamera(permissions.BasePermission):
    message = gettext_lazy("Only a camera's own token may post plate reads.")

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
