"""API shapes of anpr: separate input and output serializers, no logic beyond validating one read."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import CustomsOffice
from core import uploads
from core.api import JALALI_DATETIME_HELP, ChoiceField, JalaliDateTimeField, UploadField
from core.countries import is_country
from core.dates import CLOCK_SKEW
from core.text import digits, isolate, too_long
from declarations.plates import normalise_text

from .models import PERSON, Camera, PlateMatch, PlateRead
from .services import RETIRE_REASON_MAX


def photo_kind(data: bytes, field: str = "photo") -> str:
    """'jpg' or 'png' from the photo's content, header and structure (``check_photo_bytes``).

    Too many bytes or pixels (``ANPR_MAX_PHOTO_PIXELS``: a decompression bomb) raise
    ``UploadRejected`` with 413, malware found by clamd with 422 and clamd unavailable with 503,
    which the API answers as such; anything else that is not a whole JPEG or PNG image (a
    truncated one, one with more after its end) is a ValidationError (400) naming the field.
    """
    try:
        checked = uploads.check_photo_bytes(
            data, max_bytes=settings.ANPR_MAX_PHOTO_BYTES, max_pixels=settings.ANPR_MAX_PHOTO_PIXELS, field=field
        )
    except uploads.UploadRejected as exc:
        if exc.status in (413, 422, 503):
            raise
        raise serializers.ValidationError({field: [exc.message]}) from None
    return checked.extension


class ReadIn(serializers.Serializer):
    """One plate read. Give the plate text (as the camera read it) or a photo, or both."""

    camera = serializers.CharField(required=False, max_length=32, help_text="camera code; must be the token's own")
    captured_at = JalaliDateTimeField(
        help_text=f"{JALALI_DATETIME_HELP}; at most 5 minutes ahead of the server's clock (CLOCK_SKEW) and "
        "ANPR_MAX_READ_AGE_DAYS back"
    )
    plate = serializers.CharField(required=False, allow_blank=True, max_length=32, default="", trim_whitespace=True)
    country = serializers.CharField(required=False, allow_blank=True, max_length=2, default="")
    confidence = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="the camera's confidence: a fraction 0–1, or a percentage when above 1 (up to 100). Stored as a "
        "fraction: 0.93 and 93 are both 0.93; 2 is 2 % (0.02); 1 is 100 %",
    )
    client_event_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    photo = UploadField(
        required=False, help_text="JPEG or PNG (multipart); 413 above ANPR_MAX_PHOTO_BYTES or ANPR_MAX_PHOTO_PIXELS"
    )
    photo_base64 = serializers.CharField(
        required=False, allow_blank=True, help_text="JPEG or PNG, base64 (JSON); limits as for photo"
    )

    def validate_captured_at(self, value: dt.datetime) -> dt.datetime:
        now = timezone.now()
        if value > now + CLOCK_SKEW:
            raise serializers.ValidationError(_("is in the future (check the camera's clock)"))
        if value < now - dt.timedelta(days=settings.ANPR_MAX_READ_AGE_DAYS):
            raise serializers.ValidationError(
                _("is older than %(n)s days") % {"n": digits(settings.ANPR_MAX_READ_AGE_DAYS)}
            )
        return value

    def validate_plate(self, value: str) -> str:
        """A plate no layout can be is refused: every Iranian and foreign layout has digits («XXXX» has none)."""
        if value and not any(ch.isdigit() for ch in normalise_text(value)):
            raise serializers.ValidationError(
                _("'%(value)s' is no plate: every plate has digits, e.g. %(iranian)s or %(foreign)s")
                % {"value": isolate(value.strip()[:32]), "iranian": isolate("12ب34567"), "foreign": isolate("34ABC123")}
            )
        return value

    def validate_confidence(self, value):
        if value is not None and value > 1:
            value = value / 100
        return value

    def validate_country(self, value: str) -> str:
        # An assigned ISO 3166-1 code, as the review page checks a foreign plate's (ZZ is two letters, no
        # country); IR here is an Iranian plate's nationality.
        value = value.strip().upper()
        if value and not is_country(value):
            raise serializers.ValidationError(_("must be a country's two-letter code (ISO 3166-1), such as IR or TR"))
        return value

    def validate(self, attrs):
        data = None
        if attrs.get("photo"):
            upload = attrs.pop("photo")
            if upload.size > settings.ANPR_MAX_PHOTO_BYTES:
                raise uploads.too_large(upload.size, settings.ANPR_MAX_PHOTO_BYTES, field="photo")
            data = upload.read()
            field = "photo"
        elif attrs.get("photo_base64"):
            field = "photo_base64"
            try:
                data = base64.b64decode(attrs["photo_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError({field: _("is not valid base64")}) from None
        attrs.pop("photo_base64", None)
        if data is not None:
            attrs["photo_ext"] = photo_kind(data, field)
            attrs["photo"] = data
        if not attrs.get("plate") and data is None:
            raise serializers.ValidationError({"plate": _("give the plate text or a photo")})
        return attrs


class BulkIn(serializers.Serializer):
    # Items are validated one by one in the view, so one bad item is reported, not fatal.
    reads = serializers.ListField(child=serializers.JSONField(), allow_empty=False)

    def validate_reads(self, value):
        if len(value) > settings.ANPR_BULK_MAX:
            raise serializers.ValidationError(
                _("at most %(max)s reads per request, %(n)s sent")
                % {"max": digits(settings.ANPR_BULK_MAX), "n": digits(len(value))}
            )
        return value


class IngestOut(serializers.Serializer):
    id = serializers.IntegerField()
    duplicate = serializers.BooleanField()


class BulkItemOut(IngestOut):
    index = serializers.IntegerField()


class BulkErrorOut(serializers.Serializer):
    index = serializers.IntegerField()
    code = serializers.CharField()
    fields = serializers.DictField()  # type: ignore[assignment]  # the API error body's key


class BulkOut(serializers.Serializer):
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = BulkItemOut(many=True)
    errors = BulkErrorOut(many=True)  # type: ignore[assignment]


class MatchOut(serializers.ModelSerializer):
    serial = serializers.CharField(source="declaration.serial")

    class Meta:
        model = PlateMatch
        fields = ["declaration", "serial", "vehicle_plate", "score", "exact", "on_route", "at_destination"]


class ReadOut(serializers.ModelSerializer):
    """A read as a user sees it: its matches to declarations in the user's scope, and only the
    number of the others (``PlateRead.objects.with_matches_for``)."""

    camera = serializers.CharField(source="camera.code")
    office = serializers.CharField(source="office.code")
    photo_url = serializers.SerializerMethodField()
    matches = MatchOut(source="visible_matches", many=True, read_only=True)
    matches_outside_scope = serializers.IntegerField(
        read_only=True, help_text="declarations outside your scope this read matched (counted, not named)"
    )
    plate = serializers.SerializerMethodField(
        help_text="the plate in effect: the one a person read from the photo (the latest label), else the reader's"
    )
    country = serializers.SerializerMethodField(help_text="the country of ``plate``")
    corrected = serializers.SerializerMethodField(
        help_text="a person read the photo as another plate than the reader did (``original_plate``)"
    )
    read_by = serializers.SerializerMethodField(
        help_text='who read ``plate``: "person" (from the photo, the latest label), else the reader\'s ``engine``'
    )
    original_plate = serializers.CharField(source="plate", read_only=True, help_text="the plate as the reader read it")
    original_country = serializers.CharField(source="country", read_only=True)

    class Meta:
        model = PlateRead
        fields = [
            "id",
            "camera",
            "office",
            "captured_at",
            "received_at",
            "client_event_id",
            "plate_raw",
            "ocr_raw",
            "ocr_partial",
            "plate",
            "country",
            "corrected",
            "original_plate",
            "original_country",
            "engine",
            "read_by",
            "confidence",
            "recognition",
            "recognition_error",
            "match_state",
            "photo_url",
            "matches",
            "matches_outside_scope",
        ]

    # A read a person labelled is a sighting of the plate they read (``PlateReadQuerySet.with_label``).
    def get_plate(self, read) -> str:
        return read.label_plate if getattr(read, "label_plate", None) is not None else read.plate

    def get_country(self, read) -> str:
        return read.label_country if getattr(read, "label_plate", None) is not None else read.country

    def get_read_by(self, read) -> str:
        return PERSON if getattr(read, "label_plate", None) is not None else read.engine

    def get_corrected(self, read) -> bool:
        return bool(getattr(read, "label_corrected", False))

    def get_photo_url(self, read) -> str:
        return reverse("anpr:photo", args=[read.pk]) if read.photo else ""


class CameraOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    office = serializers.CharField(source="office.code")
    lane = serializers.CharField()
    direction = serializers.CharField()
    model_name = serializers.CharField()
    status = serializers.CharField()
    health = serializers.CharField()
    last_read_at = serializers.DateTimeField(allow_null=True)
    silent_since = serializers.DateTimeField(allow_null=True)


class CameraDetailOut(CameraOut):
    retired_at = serializers.DateTimeField(allow_null=True)
    retired_reason = serializers.CharField()
    token_prefix = serializers.CharField(help_text="the first characters of the current token, to tell tokens apart")


class CameraTokenOut(CameraDetailOut):
    token = serializers.CharField(help_text="the camera's API token: shown in this answer only, stored hashed")


class CameraIn(serializers.Serializer):
    office = serializers.SlugRelatedField(slug_field="code", queryset=CustomsOffice.objects.all())
    code = serializers.CharField(max_length=32)
    direction = ChoiceField(choices=Camera.Direction.choices)
    lane = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    model_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CameraRetireIn(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True,
        help_text=f"why the camera is taken out of service (required; at most {RETIRE_REASON_MAX} characters)",
    )

    def validate_reason(self, value: str) -> str:
        # The service's limit and words (a DRF max_length would say it otherwise).
        if error := too_long(value, RETIRE_REASON_MAX):
            raise serializers.ValidationError(error)
        return value


class InstallationOfficeOut(serializers.Serializer):
    office = serializers.CharField(source="office.code")
    name = serializers.CharField(source="office.name_fa")
    planned = serializers.BooleanField()
    registered = serializers.IntegerField(help_text="cameras in service (active or under maintenance)")
    reading = serializers.IntegerField(help_text="active cameras reading at the last health check")
    silent = serializers.IntegerField()
    retired = serializers.IntegerField()
    state = ChoiceField(choices=["missing", "not_reading", "reading", "unplanned"])


class InstallationProvinceOut(serializers.Serializer):
    province = serializers.CharField(source="province.code")
    name = serializers.CharField(source="province.name_fa")
    planned = serializers.IntegerField(help_text="offices planned to have a camera")
    with_camera = serializers.IntegerField(help_text="offices with a camera in service")
    reading = serializers.IntegerField(help_text="offices with a camera reading")
    offices = InstallationOfficeOut(many=True)
