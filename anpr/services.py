"""State changes of anpr's cameras, and recognition of a read's plate from its photo.

Ingestion (the hot path) is in ``ingest``; matching reads to declarations in ``sightings``;
both update declarations only through ``declarations.evidence.note_plate_read``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import CustomsOffice, Role, User
from core import taskruns, uploads
from core.audit import actor
from core.dates import ascii_digits
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from core.text import digits, too_long
from declarations import idents
from declarations.arrival_reads import reason_error
from declarations.identifiers import typed

from . import matching, registry, sightings
from .models import (
    CAMERA_CODE_FORM,
    CAMERA_CODE_RE,
    LANE_FORM,
    LANE_RE,
    Camera,
    MatchState,
    PlateRead,
    Recognition,
    new_token,
)

log = logging.getLogger(__name__)


# --- Cameras ------------------------------------------------------------------------------------

WHO_MANAGES_CAMERAS = gettext_lazy("Only the IT office or headquarters registers, re-keys and retires cameras.")


def may_manage_cameras(user: User | None) -> bool:
    """IT and headquarters register cameras, issue their tokens and retire them. None is the system
    (a command, the demo seed, a test)."""
    if user is None:
        return True
    return bool(user.is_active and (user.is_superuser or user.role in (Role.IT, Role.HQ)))


def _check_manager(by: User | None) -> None:
    if not may_manage_cameras(by):
        raise NotAllowed(str(WHO_MANAGES_CAMERAS))


@transaction.atomic
def camera_register(
    *,
    office: CustomsOffice,
    code: str,
    direction: str,
    lane: str = "",
    model_name: str = "",
    region: tuple[int, int, int, int] | None = None,
    by: User | None = None,
    days: int | None = None,
    tir_park=None,
) -> tuple[Camera, str]:
    """Register a camera; returns it with its API token, which is shown once and stored only hashed
    (``days``: the token's lifetime, see ``camera_token_expiry``; ``tir_park``: the TIR park it
    watches, whose foreign-truck stays it then records)."""
    _check_manager(by)
    code = camera_code_checked(code)
    lane = camera_lane_checked(lane)
    if Camera.objects.filter(code=code).exists():
        raise InvalidInput(
            _("Camera %(code)s already exists.") % {"code": idents.camera_text(code)}, fields={"code": code}
        )
    if direction not in Camera.Direction.values:
        raise InvalidInput(
            _("Direction must be one of %(values)s.") % {"values": ", ".join(Camera.Direction.values)},
            fields={"direction": direction},
        )
    # One camera to a lane: a second one's reads would count each truck on it twice. A retired camera has
    # left its lane. A lane is the place's: the gate's, or a TIR park's (a park camera's lane 1 is not the gate's).
    taken = (
        Camera.objects.filter(office=office, direction=direction, lane=lane, tir_park=tir_park)
        .exclude(status=Camera.Status.RETIRED)
        .order_by("pk")
        .first()
        if lane
        else None
    )
    if taken is not None:
        # Said at its place: a clash at the park is not one at the office's gate.
        if tir_park is not None:
            message = _(
                "Camera %(code)s already watches lane %(lane)s of the TIR park “%(park)s” in this direction: choose"
                " another lane, or retire that camera first."
            )
        else:
            message = _(
                "Camera %(code)s already watches lane %(lane)s at the gate of %(office)s in this direction: choose"
                " another lane, or retire that camera first."
            )
        raise InvalidInput(
            message
            % {"code": idents.camera_text(taken), "lane": digits(int(lane)), "park": tir_park, "office": office},
            fields={"lane": lane},
        )
    camera = Camera(
        office=office,
        code=code,
        direction=direction,
        lane=lane,
        model_name=model_name.strip(),
        tir_park=tir_park,
    )
    if region is not None:
        x, y, w, h = (int(v) for v in region)
        if min(x, y) < 0 or min(w, h) <= 0:
            raise InvalidInput("region must be x, y >= 0 and width, height > 0", fields={"region": str(region)})
        camera.region_x, camera.region_y, camera.region_w, camera.region_h = x, y, w, h
    token = new_token()
    camera.set_token(token, camera_token_expiry(days))
    with actor(by):
        camera.save()
    return camera, token


def camera_code_checked(text: str) -> str:
    """A camera's code as stored (upper case, Latin digits), refused naming the field unless it has the form
    of ``CAMERA_CODE_RE`` (as every camera's, ``BZG-IN-1``)."""
    code = ascii_digits((text or "").strip()).upper()
    if not code:
        raise InvalidInput(_("Give the camera a code."), fields={"code": "required"})
    if len(code) > 32 or not re.fullmatch(CAMERA_CODE_RE, code):
        raise InvalidInput(
            _("%(code)s is not a camera code: %(form)s") % {"code": typed(text.strip()), "form": CAMERA_CODE_FORM},
            fields={"code": text},
        )
    return code


def camera_lane_checked(text: str) -> str:
    """A camera's lane as stored (its number in Latin digits, '' for none), refused naming the field unless
    it is a whole number from 1 to 99 (``LANE_RE``)."""
    lane = ascii_digits((text or "").strip())
    if lane and lane.isdigit() and lane.isascii():
        lane = lane.lstrip("0") or "0"
    if lane and not re.fullmatch(LANE_RE, lane):
        raise InvalidInput(
            _("%(lane)s is not a lane: %(form)s") % {"lane": typed(text.strip()), "form": LANE_FORM},
            fields={"lane": text},
        )
    return lane


def camera_token_expiry(days: int | None = None) -> dt.datetime | None:
    """When a token issued now expires: ``days`` (None: ``settings.ANPR_CAMERA_TOKEN_DAYS``), 0 never."""
    days = settings.ANPR_CAMERA_TOKEN_DAYS if days is None else days
    if days < 0:
        raise InvalidInput(_("The lifetime in days must be 0 (never expires) or more."), fields={"days": str(days)})
    return timezone.now() + dt.timedelta(days=days) if days else None


@transaction.atomic
def camera_rotate_token(*, camera: Camera, by: User | None = None, days: int | None = None) -> tuple[Camera, str]:
    """A new token, returned once with the camera (``days``: its lifetime, see ``camera_token_expiry``); the old one stops working at once (saving the
    camera drops every worker's cached camera: ``authentication.forget_cameras``)."""
    _check_manager(by)
    locked = Camera.objects.select_for_update().get(pk=camera.pk)
    if locked.status == Camera.Status.RETIRED:
        raise IllegalTransition(
            _("Camera %(code)s is retired: it gets no new token.") % {"code": idents.camera_text(locked)}
        )
    token = new_token()
    locked.set_token(token, camera_token_expiry(days))
    with actor(by):
        locked.save(update_fields=["token_hash", "token_prefix", "token_expires_at"])
    camera.token_hash, camera.token_prefix, camera.token_expires_at = (
        locked.token_hash,
        locked.token_prefix,
        locked.token_expires_at,
    )
    return camera, token


# The longest reason for retiring a camera (page, API and service): it is shown whole on the camera's page.
RETIRE_REASON_MAX = 500


@transaction.atomic
def camera_retire(*, camera: Camera, by: User | None, reason: str) -> Camera:
    """Take a camera out of service for good, saying why; its token is refused at once and the
    health check stops expecting reads from it."""
    _check_manager(by)
    locked = Camera.objects.select_for_update().get(pk=camera.pk)
    if locked.status == Camera.Status.RETIRED:
        raise IllegalTransition(_("Camera %(code)s is already retired.") % {"code": idents.camera_text(locked)})
    if not reason.strip():
        raise InvalidInput(_("Say why the camera is retired."), fields={"reason": "required"})
    if short := reason_error(reason, _("reason for retiring")):  # nine dots say nothing, as for any reason
        raise InvalidInput(short, fields={"reason": "too short"})
    if long := too_long(reason.strip(), RETIRE_REASON_MAX):
        raise InvalidInput(long, fields={"reason": "too long"})
    locked.status = Camera.Status.RETIRED
    locked.retired_at = timezone.now()
    locked.retired_reason = reason.strip()
    locked.retired_by = by
    locked.health, locked.silent_since = Camera.Health.UNKNOWN, None
    with actor(by):
        locked.save(update_fields=["status", "retired_at", "retired_reason", "retired_by", "health", "silent_since"])
    return locked


@transaction.atomic
def camera_set_status(*, camera: Camera, status: str, by: User | None = None) -> Camera:
    """Active, under maintenance or retired; a retired camera's token stops working at once."""
    if status not in Camera.Status.values:
        raise InvalidInput(f"status must be one of {Camera.Status.values}", fields={"status": status})
    camera.status = status
    with actor(by):
        camera.save(update_fields=["status"])  # the save signal drops every worker's cached camera
    return camera


# --- Recognition --------------------------------------------------------------------------------


def read_recognise(*, read_id: int) -> PlateRead | None:
    """Read the plate in a read's photo with the OCR engine, then match it. Safe to run twice."""
    import cv2
    import numpy as np

    from anpr.recognition import get_engine

    read = PlateRead.objects.select_related("camera").filter(pk=read_id).first()
    if read is None or read.recognition != Recognition.PENDING:
        return read
    # The configured plate_crnn engine reads with the model version in use (``registry``).
    engine, model_version = registry.for_recognition(get_engine())
    pending = PlateRead.objects.filter(pk=read_id, recognition=Recognition.PENDING)
    taskruns.pause_for_tests("recognition")
    if not engine.available:
        pending.update(
            recognition=Recognition.FAILED,
            recognition_error=(engine.unavailable_reason or "OCR engine unavailable")[:300],
            engine=engine.name,
            match_state=MatchState.NO_PLATE,
        )
        return read
    try:
        with read.photo.open("rb") as fh:
            data = fh.read()
        # Pixels counted on the header before OpenCV allocates them (photos stored before the API checked).
        uploads.image_pixels_check(data, max_pixels=settings.ANPR_MAX_PHOTO_PIXELS, field="photo")
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError("the photo is not a decodable image")
        reading = engine.read_image(img, region=read.camera.region)
    except Exception as exc:  # a bad photo or an engine bug must not stop the queue
        if taskruns.is_transient(exc):
            raise  # the storage went away: the task is retried, the read stays pending
        log.warning("recognition of read %s failed: %s", read_id, exc)
        pending.update(
            recognition=Recognition.FAILED,
            recognition_error=str(exc)[:300],
            engine=engine.name,
            match_state=MatchState.NO_PLATE,
        )
        return read
    crop_name = crop_sha256 = ""
    if reading.crop is not None and reading.crop.size:
        ok, enc = cv2.imencode(".jpg", reading.crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if ok:
            crop_bytes = enc.tobytes()
            crop_name = default_storage.save(f"anpr/crops/{read.camera_id}/{read.pk}.jpg", ContentFile(crop_bytes))
            crop_sha256 = hashlib.sha256(crop_bytes).hexdigest()
    if reading.review_reason:
        # Not a plate the reader reads (not Iranian and no confident foreign read, or another Iranian
        # layout): no text (the reader would force an Iranian one onto it); a person reads it.
        key = ""
        outcome: dict[str, object] = {
            "recognition": Recognition.MANUAL,
            "recognition_error": reading.review_reason[:300],
            "confidence": None,
        }
    else:
        key = reading.plate or matching.match_key(reading.raw_text)
        outcome = {
            "recognition": Recognition.DONE if reading.raw_text else Recognition.UNREADABLE,
            "confidence": round(float(reading.confidence), 4),
        }
    updated = pending.update(
        ocr_raw=reading.raw_text[:32],
        ocr_partial="" if reading.plate else reading.partial[:16],
        plate=reading.plate,
        country=(reading.country or "IR") if reading.plate else "",
        engine=reading.engine[:32],
        model_version=model_version,
        crop=crop_name,
        crop_sha256=crop_sha256,
        match_state=MatchState.PENDING if key else MatchState.NO_PLATE,
        **outcome,
    )
    if not updated:  # another worker finished first
        if crop_name:
            default_storage.delete(crop_name)
        return PlateRead.objects.get(pk=read_id)
    if key:
        sightings.reads_match(read_ids=[read_id])
    return PlateRead.objects.get(pk=read_id)
