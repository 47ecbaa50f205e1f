"""Truck X-ray scans (origin and destination) and their comparisons.

Files live in the default storage under MEDIA_ROOT with random names; they are
never served by URL, only through views that check the user's scope.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, ScopedQuerySet
from core.dates import format_jalali
from core.text import is_persian
from declarations.idents import serial_text
from declarations.models import Review, TransitDeclaration, Verdict


class Stage(models.TextChoices):
    ORIGIN = "origin", _("origin")
    DESTINATION = "destination", _("destination")


class View(models.TextChoices):
    """Which view of the pass an image is. A dual-view scanner takes a top and a side view of the
    same pass; a single-view scanner one image (from the side, as most portal scanners do)."""

    SINGLE = "single", _("single view")
    TOP = "top", _("top view")
    SIDE = "side", _("side view")


def download_stem(serial: str, *parts: str) -> str:
    """The start of a downloaded file's name: the declaration's serial and what the file is
    (``1405-BZG-90000003_origin_top``), in plain ASCII: Persian digits as Latin ones, any other
    character but a letter, a digit or ``-`` (``/`` of a hand-keyed serial) becomes ``_``."""
    latin = "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in serial)
    safe = re.sub(r"[^A-Za-z0-9-]+", "_", latin).strip("_") or "declaration"
    return "_".join([safe, *(p for p in parts if p)])


def _random_path(kind: str, ext: str) -> str:
    # Not guessable and free of the client's file name; the month only eases housekeeping.
    return f"scans/{kind}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


def original_path(instance: Scan, filename: str) -> str:
    return _random_path("originals", filename.rsplit(".", 1)[-1].lower())


def preview_path(instance: Scan, filename: str) -> str:
    return _random_path("previews", filename.rsplit(".", 1)[-1].lower())


def heatmap_path(instance: ScanComparison, filename: str) -> str:
    return _random_path("heatmaps", filename.rsplit(".", 1)[-1].lower())


def _same_truck():
    """The earlier scan a scan repeats, when it is of the same truck (one pass carrying two declarations)."""
    return Scan.objects.filter(pk=OuterRef("repeats_scan"), declaration__vehicle_id=OuterRef("declaration__vehicle_id"))


class ScanQuerySet(ScopedQuerySet):
    # Both ends of the journey see both scans: the destination compares with the origin's.
    scope_paths = ("declaration__origin", "declaration__destination")

    def latest_of(self, declaration_id: int, stage: str, view: str | None = None) -> Scan | None:
        qs = self.filter(declaration_id=declaration_id, stage=stage)
        if view is not None:
            qs = qs.filter(view=view)
        return qs.order_by("-captured_at", "-id").first()

    def reuse_findings(self) -> ScanQuerySet:
        """Scans that are the same image as an earlier scan of another truck's declaration (``repeats_scan``
        naming a scan of another vehicle, or one since archived): what raises ``scan_reused``."""
        return self.filter(repeats_scan__isnull=False).exclude(Exists(_same_truck()))

    def with_reuse(self) -> ScanQuerySet:
        """Each scan with what makes it a reuse finding (``reuse_findings``) and the decision of the review
        that counts on it, for a list that says so per scan: ``reuse_same_truck``, ``reuse_decision``."""
        decision = ScanReuseReview.objects.filter(scan=OuterRef("pk")).current().order_by("-id").values("decision")
        return self.annotate(reuse_same_truck=Exists(_same_truck()), reuse_decision=Subquery(decision[:1]))

    def latest_views(self, declaration_id: int, stage: str) -> dict[str, Scan]:
        """The latest scan of each view of one stage: {view: scan}."""
        latest: dict[str, Scan] = {}
        for scan in self.filter(declaration_id=declaration_id, stage=stage).order_by("-captured_at", "-id"):
            latest.setdefault(scan.view, scan)
        return latest


class Scan(models.Model):
    class PreviewStatus(models.TextChoices):
        PENDING = "pending", _("pending")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="scans", verbose_name=_("declaration")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    view = models.CharField(_("view"), max_length=8, choices=View.choices, default=View.SINGLE)
    office = models.ForeignKey(CustomsOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    scanner_id = models.CharField(_("scanner ID"), max_length=64)
    captured_at = models.DateTimeField(_("captured at"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    # The stored original: the uploaded pixels, metadata removed (see validation.py).
    original = models.FileField(_("original"), upload_to=original_path, max_length=200)
    original_name = models.CharField(_("file name as uploaded"), max_length=200, blank=True)
    format = models.CharField(_("format"), max_length=8)  # PNG | JPEG | TIFF
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    mode = models.CharField(_("pixel mode"), max_length=8)
    bit_depth = models.PositiveSmallIntegerField(_("bits per sample"))
    size_bytes = models.PositiveBigIntegerField(_("stored size (bytes)"))
    # The uploader said the image is a dual-energy scanner's pseudo-colour (material colours): a colour image is
    # refused as a photograph without it (``validation.colour_share``).
    pseudo_colour = models.BooleanField(_("dual-energy pseudo-colour"), default=False)
    sha256 = models.CharField(_("SHA-256 of the stored original"), max_length=64, db_index=True)
    received_sha256 = models.CharField(_("SHA-256 of the file as received"), max_length=64, db_index=True)
    # The id of the earlier scan of another declaration with the same image
    # (``services._earlier_same_image``): an old scan reused so that a truck is never scanned, or one
    # pass of a truck carrying two declarations. Only the later scan says so; the earlier one finds
    # it by this column. A number, not a foreign key: a foreign key would tie the two declarations
    # into one operation for the archive (``declarations.archive`` takes every row pointing at an
    # operation's rows), which would remove the other, younger declaration's scans with it.
    repeats_scan = models.PositiveBigIntegerField(_("same image as the scan no."), null=True, blank=True, db_index=True)

    preview_status = models.CharField(
        _("preview status"), max_length=8, choices=PreviewStatus.choices, default=PreviewStatus.PENDING
    )
    preview_error = models.CharField(_("preview error"), max_length=300, blank=True)
    thumbnail = models.FileField(_("thumbnail"), upload_to=preview_path, max_length=200, blank=True)
    web_image = models.FileField(_("web-sized image"), upload_to=preview_path, max_length=200, blank=True)
    # Derived files are hashed when made too: they are served checked like the original (core/files.py).
    thumbnail_sha256 = models.CharField(_("SHA-256 of the thumbnail"), max_length=64, blank=True)
    web_image_sha256 = models.CharField(_("SHA-256 of the web-sized image"), max_length=64, blank=True)

    objects = ScanQuerySet.as_manager()

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [models.Index(fields=["declaration", "stage", "captured_at"], name="scan_decl_stage")]
        ordering = ["declaration_id", "stage", "captured_at", "id"]

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.stage} {format_jalali(self.captured_at, persian=is_persian())}"

    def audit_name(self) -> str:
        """The scan as the audit trail names it in the reader's language: its declaration's serial, isolated,
        and its stage («⁦1405-BZG-00010056⁩ · مبدأ»), never the declaration's row id and the stage's code."""
        return f"{serial_text(self.declaration.serial)} · {self.get_stage_display()}"

    @property
    def content_type(self) -> str:
        return {"PNG": "image/png", "JPEG": "image/jpeg", "TIFF": "image/tiff"}[self.format]

    @property
    def extension(self) -> str:
        return {"PNG": "png", "JPEG": "jpg", "TIFF": "tif"}[self.format]

    def download_name(self, kind: str = "") -> str:
        """The name a downloaded file of this scan gets: serial, stage, view (a single view is not
        named), the scan's number, and for a derived file its kind:
        ``1405-BZG-90000003_origin_top_scan-41.png``, ``…_scan-41_preview.jpg``. Needs ``declaration``."""
        view = "" if self.view == View.SINGLE else self.view
        stem = download_stem(self.declaration.serial, self.stage, view, f"scan-{self.pk}", kind)
        return f"{stem}.{'jpg' if kind else self.extension}"


class ComparisonQuerySet(ScopedQuerySet):
    scope_paths = ("declaration__origin", "declaration__destination")

    def pending_review(self):
        return self.filter(status=ScanComparison.Status.DONE, review=Review.PENDING)


class ScanComparison(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="scan_comparisons", verbose_name=_("declaration")
    )
    origin_scan = models.ForeignKey(Scan, on_delete=models.PROTECT, related_name="+", verbose_name=_("origin scan"))
    dest_scan = models.ForeignKey(Scan, on_delete=models.PROTECT, related_name="+", verbose_name=_("destination scan"))
    # The view compared (the destination scan's; a single view is compared with a side view).
    view = models.CharField(_("view"), max_length=8, choices=View.choices, default=View.SINGLE)
    status = models.CharField(_("job status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=500, blank=True)
    # The error as a message (``notifications.messages``' JSON: msgid and params) when the app wrote it (the
    # sweeper's reason for giving up), to be read in the reader's language; empty for an exception's own text.
    error_message = models.JSONField(_("error as a message"), default=dict, blank=True)

    score = models.FloatField(_("score"), null=True, blank=True)  # None when the scans could not be aligned
    # One view's verdict: never incomplete (that is of a declaration's pass, a view missing on one side).
    verdict = models.CharField(
        _("verdict"),
        max_length=12,
        choices=[(v, label) for v, label in Verdict.choices if v != Verdict.INCOMPLETE],
        blank=True,
        default="",
    )
    registered = models.BooleanField(_("scans aligned"), default=False)
    threshold = models.FloatField(_("threshold used"), null=True, blank=True)
    # [[x, y, w, h, score], ...] in origin pixels, best first.
    boxes = models.JSONField(_("changed regions"), default=list, blank=True)
    heatmap = models.FileField(_("change overlay"), upload_to=heatmap_path, max_length=200, blank=True)
    heatmap_sha256 = models.CharField(_("SHA-256 of the change overlay"), max_length=64, blank=True)
    details = models.JSONField(_("algorithm details"), default=dict, blank=True)
    # What produced the verdict, so that it can be recomputed from the stored images
    # (``manage.py scans_reproduce``): the comparison code's version and its tuned parameters.
    algorithm_version = models.CharField(_("algorithm version"), max_length=32, blank=True)
    algorithm_params = models.JSONField(_("algorithm parameters"), default=dict, blank=True)
    timings = models.JSONField(_("timings (s)"), default=dict, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Times a failed run was queued again (``services.comparison_retry``); the errors are in the audit trail.
    retries = models.PositiveSmallIntegerField(_("runs again"), default=0)

    review = models.CharField(_("review"), max_length=10, choices=Review.choices, blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_remark = models.TextField(_("review remark"), blank=True)

    objects = ComparisonQuerySet.as_manager()

    class Meta:
        verbose_name = _("scan comparison")
        verbose_name_plural = _("scan comparisons")
        ordering = ["declaration_id", "created_at", "id"]
        indexes = [models.Index(fields=["declaration", "created_at"], name="scancmp_decl_created")]
        constraints = [
            models.UniqueConstraint(fields=["origin_scan", "dest_scan"], name="scancmp_unique_pair"),
            models.CheckConstraint(condition=Q(review="") | Q(status="done"), name="scancmp_review_needs_result"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.get_verdict_display() or self.get_status_display()}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its declaration's serial, isolated, and its
        verdict's (else its state's) label."""
        shown = self.get_verdict_display() or self.get_status_display()
        return f"{serial_text(self.declaration.serial)} · {shown}"

    def heatmap_download_name(self) -> str:
        """``1405-BZG-90000003_heatmap_top_comparison-7.png`` (a single view is not named). Needs ``declaration``."""
        view = "" if self.view == View.SINGLE else self.view
        return download_stem(self.declaration.serial, "heatmap", view, f"comparison-{self.pk}") + ".png"

    @property
    def error_html(self) -> str:
        """Why it could not run, for a page: the app's own reason in the reader's language, an exception's
        text as it was recorded."""
        from django.utils.html import conditional_escape

        from notifications.messages import written

        message = self.error_message or {}
        shown = written(message.get("msgid", ""), message.get("params"), html=True, what=f"comparison {self.pk}")
        return shown if shown is not None else conditional_escape(self.error)

    @property
    def unaligned(self) -> bool:
        """The comparison ran but could not align the two images: it has no verdict and no change map (the
        overlay stored is the origin image alone), so a person compares the images by eye."""
        return self.status == self.Status.DONE and self.verdict == Verdict.UNREGISTERED

    @property
    def dest_boxes(self) -> list[list] | None:
        """The changed regions where the destination image has them: [[x, y, w, h, score], ...] in destination
        pixels (the image as stored, not mirrored), those that fall in its frame; None for a comparison made
        before they were recorded (its regions are known in origin pixels only)."""
        recorded = (self.details or {}).get("dest_boxes")
        return None if recorded is None else [b for b in recorded if b]

    @property
    def heat_scale(self) -> float:
        """Heat map pixels per origin pixel (the heat map is stored web-sized)."""
        return float(self.details.get("heatmap_scale", 1.0)) if self.details else 1.0

    @property
    def blind_percent(self) -> int | None:
        """Whole percent of the load beyond either scanner's saturation (the comparison cannot see
        there), when it reaches ``SCANS_SATURATED_WARN_SHARE``; else None."""
        share = (self.details or {}).get("saturated_share")
        if not isinstance(share, int | float) or share < settings.SCANS_SATURATED_WARN_SHARE:
            return None
        return round(100 * share)


class ReuseDecision(models.TextChoices):
    """What a person found looking at a scan that is the same image as another truck's scan."""

    EXPLAINED = "explained", _("explained")  # e.g. an honest re-upload: the signal stops
    CONFIRMED = "confirmed", _("confirmed")  # the truck was not scanned: the signal stays


class ReuseReviewQuerySet(ScopedQuerySet):
    scope_paths = ("declaration__origin", "declaration__destination")

    def current(self) -> ReuseReviewQuerySet:
        """The reviews no later review supersedes: one per finding reviewed, the decision that counts."""
        return self.exclude(Exists(ScanReuseReview.objects.filter(supersedes=OuterRef("pk"))))


class ScanReuseReview(models.Model):
    """A decision on one reuse finding: ``scan`` repeats another truck's scan (``Scan.repeats_scan``).
    A record of its own beside the scan, never edited (the scan and its finding are evidence). A decision
    is revised by a later review that ``supersedes`` it, a record of its own too: the first of a finding
    supersedes none, each supersedes at most one other and is superseded by at most one, so the history
    is a chain and its last (``ReuseReviewQuerySet.current``) counts (``reuse_reviews.reuse_review``)."""

    scan = models.ForeignKey(
        Scan, on_delete=models.PROTECT, related_name="reuse_reviews", verbose_name=_("scan reviewed")
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("revises the review"),
    )
    # The scan's declaration, kept here for the scope and the monthly return (no join through the scan).
    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="+", verbose_name=_("declaration")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReuseDecision.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    objects = ReuseReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("scan reuse review")
        verbose_name_plural = _("scan reuse reviews")
        ordering = ["declaration_id", "at", "id"]
        indexes = [models.Index(fields=["at"], name="scanreuse_review_at")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="explained") | ~Q(note=""), name="scanreuse_explained_has_note"
            ),
            # One first review per finding; a revision says why (its note).
            models.UniqueConstraint(
                fields=["scan"], condition=Q(supersedes__isnull=True), name="scanreuse_one_first_review"
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(note=""), name="scanreuse_revision_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scan_id}: {self.decision}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("scan__declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: the scan (``Scan.audit_name``) and the
        decision's label."""
        return f"{self.scan.audit_name()} · {self.get_decision_display()}"
