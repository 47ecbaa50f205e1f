"""Plate-reader cameras, the reads they post, and the matches of reads to declarations.

Reads are a high-volume table (tens of millions of rows): no auditlog, few
indexes, idempotency by two unique constraints so that ingestion can insert
with ``ON CONFLICT DO NOTHING``. The declaration's evidence summary is kept by
``declarations.evidence.note_plate_read``; this app never writes that table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, ScopedQuerySet
from core.dates import format_jalali
from core.text import is_persian
from declarations.idents import camera_text, plate_text, serial_text
from declarations.models import TransitDeclaration, Vehicle

TOKEN_PREFIX_LEN = 8
# Reads a plate's sightings take from people's labels of it (a plate's history is capped below that anyway).
SIGHTINGS_BY_PEOPLE_MAX = 100_000


def hash_token(token: str) -> str:
    """Tokens are 256-bit random strings, so an unsalted SHA-256 is enough to keep them out of the DB."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


# A camera's code as it sends it with every read: Latin capitals and digits in groups joined by hyphens
# (BZG-IN-1, BZG-CAM-07, THR-1), at most 32 characters.
CAMERA_CODE_RE = r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$"
CAMERA_CODE_FORM = _("Latin letters and digits in groups joined by hyphens, e.g. BZG-CAM-1.")
# A camera's lane: the number of the lane it watches at the gate, 1 to 99 (blank: a gate of one lane).
LANE_RE = r"^[1-9][0-9]?$"
LANE_FORM = _("The lane's number at the gate, a whole number from 1 to 99; empty for a gate of one lane.")


class CameraQuerySet(ScopedQuerySet):
    scope_paths = ("office",)

    def in_service(self) -> CameraQuerySet:
        """Cameras not retired: only these have a health (nothing is expected of a retired one), so a retired
        camera is never «not checked»."""
        return self.exclude(status=Camera.Status.RETIRED)


class Camera(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("entering")
        OUT = "out", _("leaving")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        MAINTENANCE = "maintenance", _("under maintenance")
        RETIRED = "retired", _("retired")

    class Health(models.TextChoices):
        UNKNOWN = "", _("not checked")
        OK = "ok", _("reading")
        SILENT = "silent", _("silent")

    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[RegexValidator(CAMERA_CODE_RE, CAMERA_CODE_FORM)]
    )
    office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="cameras", verbose_name=_("office")
    )
    lane = models.CharField(_("lane"), max_length=32, blank=True, validators=[RegexValidator(LANE_RE, LANE_FORM)])
    # A camera at a TIR park records the foreign trucks' stays there (Art. 12 note 2).
    tir_park = models.ForeignKey(
        "declarations.TirPark",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cameras",
        verbose_name=_("TIR park"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # Optional fixed part of the picture where plates appear (pixels), passed to the OCR engine.
    region_x = models.PositiveIntegerField(_("region x"), null=True, blank=True)
    region_y = models.PositiveIntegerField(_("region y"), null=True, blank=True)
    region_w = models.PositiveIntegerField(_("region width"), null=True, blank=True)
    region_h = models.PositiveIntegerField(_("region height"), null=True, blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token starts with"), max_length=TOKEN_PREFIX_LEN, editable=False)
    # Optional (settings.ANPR_CAMERA_TOKEN_DAYS): a camera's token may be set to expire; rotating renews it.
    token_expires_at = models.DateTimeField(_("token expires at"), null=True, blank=True, editable=False)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=8, choices=Health.choices, blank=True, default="")
    # When the health check flagged it silent (``health.py``), hours after its last read (``last_read_at``): named
    # for what it is, as the camera's page says it («از … هشدار داده شد»), not «no read since».
    silent_since = models.DateTimeField(_("flagged silent at"), null=True, blank=True)
    health_checked_at = models.DateTimeField(_("health checked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Taken out of service (status retired): when, and why, as the person who retired it wrote it.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_reason = models.TextField(_("reason for retiring"), blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("retired by"),
    )

    objects = CameraQuerySet.as_manager()

    class Meta:
        verbose_name = _("ANPR camera")
        verbose_name_plural = _("ANPR cameras")
        ordering = ["office__code", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_x__isnull=True, region_y__isnull=True, region_w__isnull=True, region_h__isnull=True)
                | Q(region_x__isnull=False, region_y__isnull=False, region_w__gt=0, region_h__gt=0),
                name="camera_region_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.office.code})" if self.office_id else self.code

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """A camera registered before codes and lanes were held to their form keeps its code and lane as
        stored (readers, reports and the camera itself know it by them): only a new or changed one is checked."""
        kept = set(exclude or ())
        if self.pk is not None:
            stored = Camera.objects.filter(pk=self.pk).values("code", "lane").first()
            if stored is not None:
                kept |= {name for name, value in stored.items() if getattr(self, name) == value}
        super().clean_fields(exclude=kept)

    @property
    def region(self) -> tuple[int, int, int, int] | None:
        x, y, w, h = self.region_x, self.region_y, self.region_w, self.region_h
        if x is None or y is None or w is None or h is None:
            return None
        return (x, y, w, h)

    def set_token(self, token: str, expires_at: dt.datetime | None = None) -> None:
        self.token_hash = hash_token(token)
        self.token_prefix = token[:TOKEN_PREFIX_LEN]
        self.token_expires_at = expires_at

    def token_expired(self, now: dt.datetime | None = None) -> bool:
        return self.token_expires_at is not None and self.token_expires_at <= (now or timezone.now())


class Recognition(models.TextChoices):
    CAMERA = "camera", _("read by the camera")
    PENDING = "pending", _("awaiting recognition")
    DONE = "done", _("recognised")
    UNREADABLE = "unreadable", _("no plate found")
    FAILED = "failed", _("recognition failed")
    # A plate was found but it is not Iranian (foreign plates are not read yet): no text, a person reads it.
    MANUAL = "manual", _("to be read by a person")


PERSON = "person"

# What the pages call each reader of a plate (``PlateRead.engine``).
ENGINE_LABELS = {
    "camera": _("the camera's own reading"),
    "plate_crnn": _("the plate reader (neural network)"),
    "easyocr": _("the plate reader (EasyOCR)"),
    "tesseract": _("the plate reader (Tesseract)"),
    # Not a ``PlateRead.engine``: a read a person read from the photo (``PlateReadQuerySet.with_label``), as
    # the pages badge it; the files and the API say so (``read_by``).
    PERSON: _("read by a person"),
}


def engine_label(engine: str) -> str:
    """Who read a plate, in the active language (the engine's own name when it is not known here)."""
    return str(ENGINE_LABELS.get(engine, engine))


def confidence_percent(confidence: float | None) -> int | Decimal | None:
    """A reader's confidence (a fraction, 0.8650) as the percentage a person reads: the whole percentage (87),
    rounded half up on its decimal digits as a spreadsheet rounds it for its «0%» format (``round`` would give
    86). The one place confidences are shaped for people: a read below ``ANPR_REVIEW_MIN_CONFIDENCE`` is never
    shown at or above it (the queue's «less than 95%»): 0.9475 is 94.7, with the decimals rounded down that
    keep it below."""
    if confidence is None:
        return None
    value = Decimal(str(confidence)) * 100
    whole = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    threshold = Decimal(str(settings.ANPR_REVIEW_MIN_CONFIDENCE)) * 100
    shown_threshold = threshold.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if value >= threshold or whole < shown_threshold:
        return whole
    for places in (Decimal("0.1"), Decimal("0.01")):
        below = value.quantize(places, rounding=ROUND_FLOOR)
        if below < shown_threshold:
            return below
    return below


class MatchState(models.TextChoices):
    PENDING = "pending", _("awaiting matching")
    MATCHED = "matched", _("matched")
    UNMATCHED = "unmatched", _("no open declaration")
    NO_PLATE = "no_plate", _("no plate text")


class PlateReadQuerySet(ScopedQuerySet):
    scope_paths = ("office",)

    def for_user(self, user) -> PlateReadQuerySet:
        """Reads at the user's offices, plus reads matched to a declaration the user can see.

        So a destination clerk sees the origin's read of their truck on the timeline,
        and an inspector of another province sees neither the read nor its photo. A match a person
        rejected (the read is another truck) gives its declaration's offices nothing, except the office
        whose person rejected it (or that person, who has no office): while the rejection stands the read
        is the evidence of its own decision, which it may undo.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_national and user.is_active:
            return self.all()
        if not user.is_active:
            return self.none()
        via_declaration = (
            PlateMatch.objects.filter(read=OuterRef("pk"))
            .exclude(review=MatchReview.REJECTED)
            .filter(declaration__in=TransitDeclaration.objects.for_user(user))
        )
        decided_here = Q(reviewed_by__office_id=user.office_id) if user.office_id else Q(reviewed_by_id=user.pk)
        rejected_here = PlateMatch.objects.filter(read=OuterRef("pk"), review=MatchReview.REJECTED).filter(decided_here)
        return self.filter(user.scope_q(*self.scope_paths) | Q(Exists(via_declaration)) | Q(Exists(rejected_here)))

    def with_matches_for(self, user) -> PlateReadQuerySet:
        """Each read's matches to declarations the user may see, as ``visible_matches`` (with the
        declaration), and the number of all its matches as ``match_count``: a match outside the
        user's scope is counted, never named (no id, no serial). A match a person rejected is neither."""
        # A match a person rejected (the read is another truck) is no match of the read: neither named nor
        # counted, as the pages show the read (its match state, ``review._rematch``); the record stays.
        standing = PlateMatch.objects.exclude(review=MatchReview.REJECTED)
        visible = standing.for_user(user).select_related("declaration").order_by("declaration_id")
        # A subquery, not Count("matches"): a join and GROUP BY id would not do on PostgreSQL, where the
        # reads' primary key is (id, captured_at) (partitioned by month, core.partitions).
        count = standing.filter(read=OuterRef("pk")).order_by().values("read").annotate(n=Count("pk"))
        return self.prefetch_related(Prefetch("matches", queryset=visible, to_attr="visible_matches")).annotate(
            match_count=Coalesce(Subquery(count.values("n")), 0)
        )

    def with_label(self) -> PlateReadQuerySet:
        """Each read's label in effect (the latest a person gave), as ``label_plate``, ``label_country`` and
        ``label_corrected`` (whether it differs from the reader's plate), with who gave it and when
        (``label_by``: their full name, else their username; ``label_at``); None when no one has read it."""
        latest = PlateLabel.objects.filter(read_id=OuterRef("pk")).order_by("-at", "-pk")
        full_name = Trim(Concat(F("by__first_name"), Value(" "), F("by__last_name")))
        return self.annotate(
            label_plate=Subquery(latest.values("plate")[:1]),
            label_country=Subquery(latest.values("country")[:1]),
            label_corrected=Subquery(latest.values("corrected")[:1]),
            label_at=Subquery(latest.values("at")[:1]),
            label_by=Subquery(
                latest.annotate(who=Coalesce(NullIf(full_name, Value("")), F("by__username"))).values("who")[:1]
            ),
        )

    def sightings_of(
        self, plate: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> PlateReadQuerySet:
        """Reads that are sightings of ``plate`` (a match key): read as it and never read by a person, read as
        it by a person (the latest label), or matched to a truck carrying it. A read a person corrected to
        another plate is a sighting of that plate only, whatever the camera read."""
        # Vehicle and read ids first: an OR of indexed columns, no join over the reads table.
        vehicles = list(Vehicle.objects.filter(plate=plate).values_list("id", flat=True))
        return self._read_as({plate}, start, end, Q(vehicle_id__in=vehicles))

    def read_as(
        self, plates: Collection[str], start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> PlateReadQuerySet:
        """Reads whose plate now is one of ``plates`` (match keys): the camera's, never read by a person, or
        the latest a person gave. A read a person corrected to another plate is that plate's only."""
        return self._read_as(set(plates), start, end)

    def _read_as(
        self, plates: set[str], start: dt.datetime | None, end: dt.datetime | None, also: Q | None = None
    ) -> PlateReadQuerySet:
        labelled = PlateLabel.objects.filter(plate__in=plates)
        if start is not None:
            labelled = labelled.filter(captured_at__gte=start)
        if end is not None:
            labelled = labelled.filter(captured_at__lt=end)
        ids = list(labelled.values_list("read_id", flat=True)[:SIGHTINGS_BY_PEOPLE_MAX])
        latest: dict[int, str] = {}
        for read_id, label in (
            PlateLabel.objects.filter(read_id__in=ids).order_by("read_id", "at", "pk").values_list("read_id", "plate")
        ):
            latest[read_id] = label
        by_people = [read_id for read_id, label in latest.items() if label in plates]
        never_read_by_people = ~Q(Exists(PlateLabel.objects.filter(read_id=OuterRef("pk"))))
        current = (Q(plate__in=plates) & never_read_by_people) | Q(pk__in=by_people)
        qs = self.filter(current | also if also is not None else current)
        if start is not None:
            qs = qs.filter(captured_at__gte=start)
        if end is not None:
            qs = qs.filter(captured_at__lt=end)
        return qs


def photo_upload_to(instance: PlateRead, filename: str) -> str:
    return f"anpr/photos/{filename}"


class PlateRead(models.Model):
    """One sighting of a plate by a camera: the text as sent or recognised, the photo, the match state."""

    camera = models.ForeignKey(
        Camera, on_delete=models.PROTECT, related_name="reads", verbose_name=_("camera"), db_index=False
    )
    # Copied from the camera: scoping and per-office reports without a join.
    office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("office"), db_index=False
    )
    captured_at = models.DateTimeField(_("captured at"))
    received_at = models.DateTimeField(_("received at"))
    client_event_id = models.CharField(_("client event id"), max_length=64, blank=True)
    plate_raw = models.CharField(_("plate text as sent"), max_length=32, blank=True)
    ocr_raw = models.CharField(_("plate text recognised"), max_length=32, blank=True)
    # A plate left to a person: the places the reader read steadily, "?" elsewhere ("59?169??"); never matched on.
    # A default in the database too: bulk loaders that name their columns leave it out.
    ocr_partial = models.CharField(
        _("characters the reader could read"), max_length=16, blank=True, default="", db_default=""
    )
    plate = models.CharField(_("plate"), max_length=16, blank=True)
    country = models.CharField(_("nationality"), max_length=2, blank=True)
    engine = models.CharField(_("engine"), max_length=32, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_upload_to, max_length=200, blank=True)
    crop = models.FileField(_("plate crop"), upload_to=photo_upload_to, max_length=200, blank=True)
    # SHA-256 of the photo as received and of the crop as made: re-checked each time they are served.
    photo_sha256 = models.CharField(_("SHA-256 of the photo"), max_length=64, blank=True)
    crop_sha256 = models.CharField(_("SHA-256 of the plate crop"), max_length=64, blank=True)
    recognition = models.CharField(_("recognition"), max_length=10, choices=Recognition.choices)
    recognition_error = models.CharField(_("recognition error"), max_length=300, blank=True)
    match_state = models.CharField(_("match"), max_length=10, choices=MatchState.choices, default=MatchState.PENDING)
    vehicle = models.ForeignKey(
        Vehicle,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("matched vehicle"),
    )
    # The registered recognition model (``RecognitionModel.version``) that read the photo; empty for a
    # plate the camera sent as text, an engine outside the registry, or a read made before versions.
    model_version = models.PositiveIntegerField(_("model version"), null=True, blank=True)

    objects = PlateReadQuerySet.as_manager()

    # Set by ``PlateReadQuerySet.with_matches_for`` (a prefetch and an annotation), not columns.
    visible_matches: list[PlateMatch]
    match_count: int

    class Meta:
        verbose_name = _("plate read")
        verbose_name_plural = _("plate reads")
        constraints = [
            # Idempotency: a camera re-sending an event stores it once (ingestion inserts ON CONFLICT DO NOTHING).
            # The capture time is part of it because on PostgreSQL every unique index of the partitioned
            # table must hold the partition key; a re-sent event carries its capture time again.
            models.UniqueConstraint(
                fields=["camera", "client_event_id", "captured_at"],
                condition=~Q(client_event_id=""),
                name="plateread_unique_event",
            ),
            models.UniqueConstraint(fields=["camera", "captured_at", "plate_raw"], name="plateread_unique_sighting"),
        ]
        indexes = [
            models.Index(fields=["plate", "captured_at"], name="plateread_plate"),
            models.Index(fields=["office", "captured_at"], name="plateread_office_time"),
            models.Index(fields=["vehicle"], name="plateread_vehicle", condition=Q(vehicle__isnull=False)),
            # Work queues are tiny slices: the partial indexes stay small.
            models.Index(fields=["id"], name="plateread_match_pending", condition=Q(match_state="pending")),
            models.Index(fields=["id"], name="plateread_ocr_pending", condition=Q(recognition="pending")),
            models.Index(fields=["id"], name="plateread_manual", condition=Q(recognition="manual")),
        ]

    def __str__(self) -> str:
        # As the pages write a plate (an Iranian one in its Persian form, isolated): the audit trail keeps this text.
        return f"{plate_text(self) or '?'} @ {self.camera_id} {format_jalali(self.captured_at)}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("camera",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language (a label's «read», a match's): the plate as the
        plate filter writes it, isolated, the camera's code and the time it was taken, Jalali in the reader's
        digits (never the camera's row id)."""
        at = format_jalali(self.captured_at, persian=is_persian())
        return f"{plate_text(self) or '—'} · {camera_text(self.camera)} · {at}"

    @property
    def display_text(self) -> str:
        return self.plate or self.plate_raw or self.ocr_raw

    @property
    def corrected_by_a_person(self) -> bool:
        """(``PlateReadQuerySet.with_label``) A person's plate in effect replaced a text the camera or the reader
        gave; a plate a person read from a photo nothing was read from, or confirmed, corrected nothing."""
        return bool(getattr(self, "label_corrected", False)) and bool(self.display_text)

    @property
    def labelled_as(self) -> str:
        """(``with_label``) What the person did with the text in effect: ``corrected`` it, ``confirmed`` the
        camera's or the reader's text, or ``read`` a photo nothing was read from; "" with no label."""
        if not getattr(self, "label_plate", ""):
            return ""
        if self.corrected_by_a_person:
            return "corrected"
        return "confirmed" if self.display_text else "read"

    @property
    def engine_label(self) -> str:
        """Who read the plate, in the page's language (the engine's own name when it is not known here)."""
        return engine_label(self.engine)

    @property
    def shown_confidence(self) -> float | None:
        """The reader's confidence in what it read; None for a photo nothing was read from (no text: the
        0 the reader stores there is no confidence in anything, and is shown as «—»)."""
        return self.confidence if self.display_text else None

    @property
    def confidence_percent(self) -> int | Decimal | None:
        return confidence_percent(self.shown_confidence)

    @property
    def matches_outside_scope(self) -> int:
        """Matches the user may not see, counted (needs ``with_matches_for``)."""
        return self.match_count - len(self.visible_matches)


class MatchReview(models.TextChoices):
    NONE = "", _("not reviewed")
    CONFIRMED = "confirmed", _("confirmed by a person")
    REJECTED = "rejected", _("rejected by a person")


class PlateMatchQuerySet(ScopedQuerySet):
    """Matches to declarations the user may see (``for_user``): scoped through the declaration's offices, as the
    declarations are, not by a subquery of every declaration the user may see (for a national user, all of them:
    the review queue's slowest query)."""

    scope_paths = ("declaration__origin", "declaration__destination")


class PlateMatch(models.Model):
    """A read matched to an open declaration, with how sure the match is."""

    # No database constraint: on PostgreSQL the reads are partitioned by month (core.partitions) and
    # no foreign key can point into them. The ORM still cascades; a read's partition is archived only
    # when no match points at it (anpr.apps: the guard).
    read = models.ForeignKey(
        PlateRead,
        on_delete=models.CASCADE,
        related_name="matches",
        verbose_name=_("read"),
        db_index=False,
        db_constraint=False,
    )
    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.CASCADE, related_name="+", verbose_name=_("declaration")
    )
    vehicle_plate = models.CharField(_("declared plate"), max_length=16)
    score = models.FloatField(_("score"))
    exact = models.BooleanField(_("exact"))
    on_route = models.BooleanField(_("on the planned route"))
    at_destination = models.BooleanField(_("at the destination"))
    # A read at the destination sooner after the departure than any truck drives the route (the rule the
    # arrival is held to, ``declarations.services.shortest_trip``): kept and shown, but no evidence of arrival;
    # the departure time is wrong, or the truck never left from the origin.
    too_early = models.BooleanField(_("too early for the route"), default=False)
    matched_at = models.DateTimeField(_("matched at"), auto_now_add=True)
    # A similar-plate match (score < 1) a person looked at: a rejected one is no sighting of the truck.
    review = models.CharField(_("review"), max_length=10, choices=MatchReview.choices, blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = PlateMatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("plate match")
        verbose_name_plural = _("plate matches")
        constraints = [models.UniqueConstraint(fields=["read", "declaration"], name="platematch_unique")]

    def __str__(self) -> str:
        return f"{self.read_id} → {self.declaration_id} ({self.score:.2f})"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("read", "declaration")

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: the plate as read, isolated as the plate filter
        writes it, and the serial of the declaration it was matched to, isolated (never the rows' ids)."""
        return f"{plate_text(self.read) or '—'} · {serial_text(self.declaration.serial)}"


# --- People reading plates, and the models learnt from them ------------------------------------


class LabelReason(models.TextChoices):
    """Why a read was put before a person (the review queue's kinds), kept on the label it got."""

    LOW_CONFIDENCE = "low_confidence", _("low confidence")
    FUZZY_SIGNAL = "fuzzy_signal", _("a similar-plate match decided a signal")
    # the value is historical: the queue of every read the reader left to a person, Iranian layouts included
    NOT_IRANIAN = "not_iranian", _("left to a person by the reader (a foreign plate or another layout)")
    CONTRADICTS = "contradicts", _("contradicts a declaration's plate")
    # In the "contradicts" queue because it was taken near an arrival with no plate read at its office (no
    # match of it was rejected): the queue and the label's history name it so.
    NEAR_ARRIVAL = "near_arrival", _("near an arrival with no plate read")
    # A photo no reader could read (no plate text: unreadable, failed, or a camera's text that is no plate):
    # evidence only a person can turn into a sighting.
    UNREADABLE = "unreadable", _("not read from the photo")
    OTHER = "other", _("looked at by a person")


class PlateLayout(models.TextChoices):
    """Iranian plates of a layout other than the standard one: the reader defers them, a person writes
    them as they stand (``PlateLabel.layout``). The names are the reader's (``anpr.reasons.TYPE_NAMES``)."""

    FREE_ZONE = "ir_free_zone", _("Iranian free-zone plate")
    OLD = "ir_old", _("Iranian plate of an older format")
    MOTORCYCLE = "ir_motorcycle", _("Iranian motorcycle plate (two lines)")


class PlateLabelQuerySet(ScopedQuerySet):
    scope_paths = ("office",)


class PlateLabel(models.Model):
    """A person's reading of a read's plate. Append-only: the read keeps its own text as evidence,
    a second look adds a label, and the latest label is the read's effective plate."""

    # No database constraint (reads are partitioned on PostgreSQL): the ORM protects, and the archive guard.
    read = models.ForeignKey(
        PlateRead, on_delete=models.PROTECT, related_name="labels", verbose_name=_("read"), db_constraint=False
    )
    # Copied from the read: scoping and the per-camera report without a join over the reads.
    camera = models.ForeignKey(
        Camera, on_delete=models.PROTECT, related_name="+", verbose_name=_("camera"), db_index=False
    )
    office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("office"), db_index=False
    )
    captured_at = models.DateTimeField(_("captured at"))
    plate = models.CharField(_("plate"), max_length=16)
    country = models.CharField(_("nationality"), max_length=2)
    # Set for an Iranian plate of another layout: ``plate`` is then its text as written (no standard
    # form), never matched to a declared vehicle and not used to train the reader.
    layout = models.CharField(_("plate layout"), max_length=16, choices=PlateLayout.choices, blank=True, default="")
    # The plate in effect before this label (the reader's or the previous label's), and whether this differs.
    plate_before = models.CharField(_("plate before"), max_length=16, blank=True)
    corrected = models.BooleanField(_("corrected"))
    reason = models.CharField(_("reason for review"), max_length=16, choices=LabelReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"), db_index=False
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = PlateLabelQuerySet.as_manager()

    class Meta:
        verbose_name = _("plate label")
        verbose_name_plural = _("plate labels")
        indexes = [
            models.Index(fields=["read", "-at"], name="platelabel_read"),
            models.Index(fields=["camera", "captured_at"], name="platelabel_camera"),
            # a plate's sighting history finds the reads people read as that plate
            models.Index(fields=["plate", "captured_at"], name="platelabel_plate"),
        ]

    def __str__(self) -> str:
        return f"{self.read_id}: {self.plate} ({self.by_id} {format_jalali(self.at)})"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("camera",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language, as it names the read: the plate the person read,
        isolated, the camera's code and the time the read was taken, Jalali in the reader's digits."""
        at = format_jalali(self.captured_at, persian=is_persian())
        return f"{plate_text(self.plate, self.country) or '—'} · {camera_text(self.camera)} · {at}"


def model_upload_to(instance: RecognitionModel, filename: str) -> str:
    return f"anpr/models/{filename}"


class RecognitionModel(models.Model):
    """One version of the plate reader's weights: the file and its hash, what it was trained on,
    how it measured, and whether it is the one in use (at most one is)."""

    class Source(models.TextChoices):
        SHIPPED = "shipped", _("shipped with the application")
        TRAINED = "trained", _("trained here")

    version = models.PositiveIntegerField(_("version"), unique=True)
    engine = models.CharField(_("engine"), max_length=32, default="plate_crnn")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # Trained weights live in the media storage; the shipped ones at ``path`` in the code.
    file = models.FileField(_("file"), upload_to=model_upload_to, max_length=200, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    parent_version = models.PositiveIntegerField(_("trained from version"), null=True, blank=True)
    manifest = models.JSONField(_("training data"), default=dict, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    promoted = models.BooleanField(_("in use"), default=False)
    promoted_at = models.DateTimeField(_("put in use at"), null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("put in use by"),
    )
    promoted_reason = models.CharField(_("why put in use"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("recognition model")
        verbose_name_plural = _("recognition models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["promoted"], condition=Q(promoted=True), name="recognitionmodel_one_in_use")
        ]

    def __str__(self) -> str:
        return f"{self.engine} v{self.version}"


class TrainingRun(models.Model):
    """One run of ``anpr_train`` (a command or a task started from the models page), with its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("training")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    # True while queued or running: the partial unique constraint lets one run at a time.
    active = models.BooleanField(_("active"), default=True)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    candidate = models.ForeignKey(
        RecognitionModel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("model trained"),
    )
    promoted = models.BooleanField(_("promoted"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="trainingrun_one_active")
        ]

    def __str__(self) -> str:
        return f"training run {self.pk} ({self.state})"

    def audit_name(self) -> str:
        """As the audit trail names it (its kind, «training run», is said beside it): when it was asked for,
        Jalali in the reader's digits, never its id and its state's code."""
        return format_jalali(self.created_at, persian=is_persian())
