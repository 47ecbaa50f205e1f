"""Plate-read API. Cameras post with their own token; staff read through their scope.

One APIView per operation, input and output serializers, no logic beyond
calling the service. Errors use the project's one error body.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import CustomsOffice
from accounts.scoping import get_scoped_or_404
from core import uploads
from core.api import FORBIDDEN, Throttled, error_body, error_path_text, in_readers_digits, reject_unknown_params
from core.api_schema import error_response
from core.files import serve_evidence
from core.parsers import StrictJSONParser
from core.text import digits, isolate
from declarations import idents
from declarations.api_paging import PAGE_PARAM_NAMES, PAGE_PARAMS, CursorPagination, page_of

from . import ingest, installation, matching, services
from .authentication import CameraTokenAuthentication, IsCamera
from .forms import CameraFilter
from .models import Camera, PlateRead
from .serializers import (
    BulkIn,
    BulkOut,
    CameraDetailOut,
    CameraIn,
    CameraOut,
    CameraRetireIn,
    CameraTokenOut,
    IngestOut,
    InstallationProvinceOut,
    ReadIn,
    ReadOut,
)


def take_rate(camera: Camera, n: int) -> None:
    """Count ``n`` reads against the camera's per-minute budget, or raise Throttled (429, Retry-After).

    A fixed one-minute window in the cache (Redis in production, so shared by all gunicorn
    workers). A refused request gives its reads back so a too-large bulk does not burn the window.

    With the cache down (``DegradingRedisCache``: no key is ever found) the budget fails open: only a
    request larger than the whole budget is refused. The reads are evidence of a truck passing a
    gate and a camera does not keep them for long; the budget only guards against a runaway camera,
    which the database outlasts for the minutes Redis is away. The cache logs the outage.
    """
    limit = settings.ANPR_RATE_LIMIT_PER_MINUTE
    now = time.time()
    key = f"anpr:rate:{camera.pk}:{int(now // 60)}"
    cache.add(key, 0, 120)
    try:
        used = cache.incr(key, n)
    except ValueError:  # expired between add and incr, or no cache: this request opens the window
        cache.set(key, n, 120)
        used = n
    if used > limit:
        try:
            cache.decr(key, n)
        except ValueError:  # expired meanwhile, or no cache: nothing to give back
            pass
        raise Throttled(
            wait=60 - now % 60,
            detail=ngettext(
                "camera %(code)s may post at most %(n)s read a minute",
                "camera %(code)s may post at most %(n)s reads a minute",
                limit,
            )
            % {"code": idents.camera_text(camera), "n": digits(limit)},
        )


_local = threading.local()


def _validator() -> ReadIn:
    """One ReadIn per thread and language: building a serializer deep-copies its fields (a sixth of a
    single read's CPU), and ``run_validation`` keeps no state between calls; but DRF writes a field's
    limit message («no more than 2 characters») once, in the language of the request that first needs it."""
    validators = getattr(_local, "validators", None)
    if validators is None:
        validators = _local.validators = {}
    language = translation.get_language() or settings.LANGUAGE_CODE
    validator = validators.get(language)
    if validator is None:
        validator = validators[language] = ReadIn()
    return validator


def _read_input(attrs: dict) -> ingest.ReadInput:
    return ingest.ReadInput(
        captured_at=attrs["captured_at"],
        plate_raw=attrs.get("plate", ""),
        country=attrs.get("country", ""),
        confidence=attrs.get("confidence"),
        client_event_id=attrs.get("client_event_id", ""),
        photo=attrs.get("photo"),
        photo_ext=attrs.get("photo_ext", "jpg"),
    )


def _wrong_camera(camera: Camera, attrs: dict) -> str:
    code = attrs.get("camera")
    if code and code.strip().upper() != camera.code:
        return _("this token may only post reads for camera %(code)s") % {"code": idents.camera_text(camera)}
    return ""


class _CameraOnly:
    """A request without a camera's token (none, or a person's or a system's ``Token``) is told which one to send,
    not only that none came."""

    def permission_denied(self, request, message=None, code=None):
        if not request.successful_authenticator:
            raise exceptions.NotAuthenticated(
                _("Plate reads are posted with a camera's own token: %(header)s.")
                % {"header": isolate("Authorization: Camera <token>")}
            )
        super().permission_denied(request, message, code)  # type: ignore[misc]


CONFLICT = "conflict"


def _conflict(result: ingest.IngestedRead) -> tuple[str, dict]:
    """A re-sent event id with other content: the message naming the read stored under it and what differs,
    and the fields at fault."""
    named = {"plate": _("the plate"), "captured_at": _("the capture time")}
    message = _(
        "This event id was already stored as read %(id)s with another %(what)s; a stored read is never "
        "changed: send a new reading under a new event id."
    ) % {"id": isolate(digits(result.id)), "what": idents.list_separator().join(str(named[f]) for f in result.differs)}
    return message, {"client_event_id": [message], **{f: [message] for f in result.differs}}


class ReadCreateApi(_CameraOnly, APIView):
    """POST one read (JSON, or multipart with a photo file)."""

    authentication_classes = [CameraTokenAuthentication]
    permission_classes = [IsCamera]
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=ReadIn,
        responses={
            201: IngestOut,
            200: IngestOut,
            409: error_response(409, "the event id was already stored with another plate or capture time"),
        },
    )
    def post(self, request):
        """A photo over the byte or pixel limit is refused with 413 before anything decodes or stores it."""
        camera: Camera = request.auth
        attrs = _validator().run_validation(request.data)  # raises ValidationError: 400 naming the field
        if message := _wrong_camera(camera, attrs):
            # The summary names the field in the reader's words, as a refused field's is (``exception_handler``);
            # ``fields`` keeps the key for the client.
            summary = f"{error_path_text(('camera',))}: {message}"
            return Response(error_body(FORBIDDEN, summary, {"camera": [message]}), status=status.HTTP_403_FORBIDDEN)
        take_rate(camera, 1)
        (result,) = ingest.reads_ingest(camera=camera, items=[_read_input(attrs)])
        if result.differs:
            message, fields = _conflict(result)
            return Response(error_body(CONFLICT, message, fields), status=status.HTTP_409_CONFLICT)
        body = IngestOut({"id": result.id, "duplicate": result.duplicate}).data
        return Response(body, status=status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED)


class ReadBulkApi(_CameraOnly, APIView):
    """POST up to ``ANPR_BULK_MAX`` reads as JSON ``{"reads": [...]}``; good ones are stored, bad ones reported."""

    authentication_classes = [CameraTokenAuthentication]
    permission_classes = [IsCamera]
    parser_classes = [StrictJSONParser]

    @extend_schema(request=BulkIn, responses=BulkOut)
    def post(self, request):
        camera: Camera = request.auth
        payload = {"reads": request.data} if isinstance(request.data, list) else request.data
        envelope = BulkIn(data=payload)
        envelope.is_valid(raise_exception=True)
        items = envelope.validated_data["reads"]
        validator = _validator()
        good: list[tuple[int, ingest.ReadInput]] = []
        errors = []
        for index, item in enumerate(items):
            try:
                attrs = validator.run_validation(item)
            except exceptions.ValidationError as exc:
                detail = in_readers_digits(exc.detail)
                detail = detail if isinstance(detail, dict) else {"non_field_errors": detail}
                errors.append({"index": index, "code": "invalid", "fields": detail})
                continue
            except uploads.UploadRejected as exc:  # a photo too large, a bomb or malware: that read only
                if exc.status == 503:  # no malware verdict: the whole batch waits, the camera sends it again
                    raise
                errors.append({"index": index, "code": exc.code, "fields": {exc.field: [exc.message]}})
                continue
            if message := _wrong_camera(camera, attrs):
                errors.append({"index": index, "code": FORBIDDEN, "fields": {"camera": [message]}})
                continue
            good.append((index, _read_input(attrs)))
        if good:
            take_rate(camera, len(good))
        results = ingest.reads_ingest(camera=camera, items=[item for _, item in good]) if good else []
        done = []
        for (index, _item), r in zip(good, results, strict=True):
            if r.differs:  # an event id already stored with another plate or time: refused, nothing changed
                errors.append({"index": index, "code": CONFLICT, "fields": _conflict(r)[1]})
            else:
                done.append({"index": index, "id": r.id, "duplicate": r.duplicate})
        errors.sort(key=lambda e: e["index"])
        body = {
            "stored": sum(not r["duplicate"] for r in done),
            "duplicates": sum(r["duplicate"] for r in done),
            "rejected": len(errors),
            "results": done,
            "errors": errors,
        }
        return Response(BulkOut(body).data, status=status.HTTP_200_OK)


ReadPage = page_of("ReadPage", ReadOut)


class ReadListApi(APIView):
    """Reads in the user's scope, newest first, a page at a time; ``?plate=`` in any digit script (the plate's sightings, as on
    the plate search page), ``?office=CODE``."""

    @extend_schema(
        operation_id="anpr_reads_search_list",
        parameters=[
            OpenApiParameter("plate", OpenApiTypes.STR, description="plate, any digit script"),
            OpenApiParameter(
                "office", OpenApiTypes.STR, description="office code (any case); an unknown code is a 400"
            ),
            *PAGE_PARAMS,
        ],
        responses=ReadPage,
    )
    def get(self, request):
        reject_unknown_params(request, ("plate", "office", *PAGE_PARAM_NAMES))
        qs = PlateRead.objects.for_user(request.user).select_related("camera", "office").with_label()
        if plate := request.query_params.get("plate", "").strip():
            key = matching.match_key(plate)
            if not key:
                raise exceptions.ValidationError(
                    {"plate": [_("'%(plate)s' is not a plate") % {"plate": isolate(plate)}]}
                )
            # The plate's sightings as the plate search page lists them (a read a person corrected counts
            # for the plate they read, not the camera's).
            qs = qs.sightings_of(key)
        if office := request.query_params.get("office", "").strip().upper():
            # A code that is no office (mistyped) is named; an office of another province is not refused:
            # its reads matched to the user's declarations are the user's to see.
            if not CustomsOffice.objects.filter(code=office).exists():
                raise exceptions.ValidationError(
                    {"office": [_("no office has the code %(code)s") % {"code": isolate(office)}]}
                )
            qs = qs.filter(office__code=office)
        return CursorPagination("-captured_at").paginate(request, qs.with_matches_for(request.user), ReadOut)


class ReadDetailApi(APIView):
    @extend_schema(responses=ReadOut)
    def get(self, request, pk: int):
        read = get_scoped_or_404(
            PlateRead.objects.select_related("camera", "office").with_matches_for(request.user).with_label(),
            request.user,
            pk=pk,
        )
        return Response(ReadOut(read).data)


class ReadPhotoApi(APIView):
    @extend_schema(responses={(200, "image/jpeg"): bytes, (200, "image/png"): bytes})
    def get(self, request, pk: int):
        read = get_scoped_or_404(PlateRead.objects.all(), request.user, pk=pk)
        if not read.photo:
            raise Http404
        ext = "png" if read.photo.name.endswith(".png") else "jpg"
        return serve_evidence(
            request,
            read.photo,
            sha256=read.photo_sha256,
            filename=f"read-{read.pk}-photo.{ext}",
            content_type="image/png" if ext == "png" else "image/jpeg",
            office_id=read.office_id,
        )


class CameraListApi(APIView):
    """GET the cameras of the user's offices; POST registers one (IT, headquarters): the answer
    holds its token, shown this once."""

    @extend_schema(
        operation_id="anpr_cameras_list",
        parameters=[
            OpenApiParameter(
                "office",
                OpenApiTypes.STR,
                description="office code: that office's cameras (the cameras page's filter); a code that is no "
                "office of your scope is a 400",
            )
        ],
        responses={200: CameraOut(many=True), 400: error_response(400, "a query parameter the list does not take")},
    )
    def get(self, request):
        reject_unknown_params(request, ("office",))
        form = CameraFilter(request.query_params, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        cameras = Camera.objects.for_user(request.user).select_related("office").order_by("office__code", "code")
        if office := form.cleaned_data.get("office"):
            cameras = cameras.filter(office__code=office)
        return Response(CameraOut(cameras, many=True).data)

    @extend_schema(operation_id="anpr_cameras_register", request=CameraIn, responses={201: CameraTokenOut})
    def post(self, request):
        if not services.may_manage_cameras(request.user):
            raise exceptions.PermissionDenied(str(services.WHO_MANAGES_CAMERAS))
        data = CameraIn(data=request.data)
        data.is_valid(raise_exception=True)
        camera, token = services.camera_register(by=request.user, **data.validated_data)
        return Response(_with_token(camera, token), status=status.HTTP_201_CREATED)


def _with_token(camera: Camera, token: str) -> dict:
    """The camera as ``CameraTokenOut`` describes it: its details and its token, shown this once."""
    return {**CameraDetailOut(camera).data, "token": token}


def _camera(request, pk: int) -> Camera:
    """The camera in the user's scope (404 outside it), then the role (403)."""
    camera = get_scoped_or_404(Camera.objects.select_related("office"), request.user, pk=pk)
    if not services.may_manage_cameras(request.user):
        raise exceptions.PermissionDenied(str(services.WHO_MANAGES_CAMERAS))
    return camera


class CameraDetailApi(APIView):
    @extend_schema(operation_id="anpr_cameras_retrieve", responses=CameraDetailOut)
    def get(self, request, pk: int):
        camera = get_scoped_or_404(Camera.objects.select_related("office"), request.user, pk=pk)
        return Response(CameraDetailOut(camera).data)


class CameraRotateTokenApi(APIView):
    """A new token, in this answer only; the old one is refused from now on."""

    @extend_schema(operation_id="anpr_cameras_rotate_token", request=None, responses=CameraTokenOut)
    def post(self, request, pk: int):
        camera, token = services.camera_rotate_token(camera=_camera(request, pk), by=request.user)
        return Response(_with_token(camera, token))


class CameraRetireApi(APIView):
    @extend_schema(operation_id="anpr_cameras_retire", request=CameraRetireIn, responses=CameraDetailOut)
    def post(self, request, pk: int):
        camera = _camera(request, pk)
        data = CameraRetireIn(data=request.data)
        data.is_valid(raise_exception=True)
        camera = services.camera_retire(camera=camera, by=request.user, reason=data.validated_data["reason"])
        return Response(CameraDetailOut(camera).data)


class InstallationApi(APIView):
    """Per province and office in the user's scope: camera planned, cameras in service, reading."""

    @extend_schema(
        operation_id="anpr_installation",
        responses={
            200: InstallationProvinceOut(many=True),
            400: error_response(400, "a query parameter the list does not take"),
        },
    )
    def get(self, request):
        reject_unknown_params(request, ())
        return Response(InstallationProvinceOut(installation.installation(request.user), many=True).data)
