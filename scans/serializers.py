"""API shapes of scans: separate input and output serializers, no logic."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import JALALI_DATETIME_HELP, ChoiceField, JalaliDateTimeField, UploadField

from .models import ReuseDecision, Scan, ScanComparison, ScanReuseReview, Stage, View
from .reuse_reviews import note_missing
from .services import REMARK_MAX_LENGTH


class ScanListQuery(serializers.Serializer):
    """The list's filter: a declaration's id, within the id column's range."""

    declaration = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ScanUploadIn(serializers.Serializer):
    declaration = serializers.IntegerField()
    stage = ChoiceField(choices=Stage.choices)
    view = ChoiceField(
        choices=View.choices,
        default=View.SINGLE,
        help_text="single, or top / side of a dual-view scanner: each view is compared with the same view",
    )
    scanner_id = serializers.CharField(max_length=64)
    captured_at = JalaliDateTimeField(
        help_text=f"{JALALI_DATETIME_HELP}; at most 1 minute ahead of the server's clock (CAPTURE_CLOCK_SKEW), within "
        "the declaration's journey"
    )
    file = UploadField()
    pseudo_colour = serializers.BooleanField(
        default=False,
        help_text="true for a dual-energy scanner's image in material colours; a colour image is refused (code "
        "colour) without it, an X-ray scan being greyscale",
    )


PENDING = "pending"


class ReuseOut(serializers.Serializer):
    repeats_scan = serializers.IntegerField(help_text="The earlier scan, of another truck, with the same image.")
    review = ChoiceField(
        choices=[PENDING, *ReuseDecision.values],
        help_text="The decision of the review that counts (GET reuse-reviews/ for all), pending before one.",
    )


class ScanOut(serializers.ModelSerializer):
    office = serializers.CharField(source="office.code")
    original_url = serializers.SerializerMethodField()
    reuse = serializers.SerializerMethodField(
        help_text="Set when the scan is the same image as an earlier scan of another truck (a reuse finding)."
    )

    class Meta:
        model = Scan
        fields = [
            "id",
            "declaration",
            "stage",
            "view",
            "office",
            "scanner_id",
            "captured_at",
            "uploaded_at",
            "format",
            "width",
            "height",
            "mode",
            "bit_depth",
            "pseudo_colour",
            "size_bytes",
            "sha256",
            "received_sha256",
            "preview_status",
            "original_url",
            "reuse",
        ]

    def get_original_url(self, scan) -> str:
        return reverse("scans-api-original", args=[scan.pk])

    @extend_schema_field(ReuseOut(allow_null=True))
    def get_reuse(self, scan) -> dict | None:
        if scan.repeats_scan is None:
            return None
        if not hasattr(scan, "reuse_decision"):  # one scan, not read through ``with_reuse``
            scan = Scan.objects.with_reuse().get(pk=scan.pk)
        if scan.reuse_same_truck:  # one pass of a truck carrying two declarations: no reuse
            return None
        return {"repeats_scan": scan.repeats_scan, "review": scan.reuse_decision or PENDING}


class ComparisonOut(serializers.ModelSerializer):
    class Meta:
        model = ScanComparison
        fields = [
            "id",
            "declaration",
            "origin_scan",
            "dest_scan",
            "view",
            "status",
            "error",
            "score",
            "verdict",
            "registered",
            "threshold",
            "boxes",
            "details",
            "algorithm_version",
            "algorithm_params",
            "timings",
            "created_at",
            "finished_at",
            "review",
            "reviewed_by",
            "reviewed_at",
            "review_remark",
        ]


class ReviewIn(serializers.Serializer):
    decision = ChoiceField(choices=["accept", "escalate"])
    remark = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REMARK_MAX_LENGTH,
        help_text="Required to escalate, and to accept a comparison that could not align the images "
        "(verdict 'unregistered'): that the images were compared by eye, and what was seen.",
    )


class ReuseReviewIn(serializers.Serializer):
    decision = ChoiceField(choices=ReuseDecision.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Required to explain a reuse (how it is explained), and to revise a decision (why).",
    )
    supersedes = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text="To revise the decision: the id of the review that counts now (``current``). A review "
        "revised meanwhile is refused (409); without it, a finding already reviewed is refused too.",
    )

    def validate(self, attrs):
        """A missing note is named as the other fields' errors are («note: …»), not only by the service."""
        if missing := note_missing(attrs["decision"], attrs.get("note", ""), attrs.get("supersedes")):
            raise serializers.ValidationError({"note": [missing]})
        return attrs


class ReuseReviewOut(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The review that counts: no later review supersedes it.")
    by = serializers.SerializerMethodField(help_text="Who reviewed it, by name (the username when no name is kept).")
    by_id = serializers.IntegerField(allow_null=True, help_text="The reviewer's user id.")

    class Meta:
        model = ScanReuseReview
        fields = ["id", "scan", "declaration", "decision", "note", "by", "by_id", "at", "supersedes", "current"]

    def get_by(self, review) -> str:
        user = review.by
        return (user.get_full_name() or user.username) if user else ""

    def get_current(self, review) -> bool:
        superseded = self.context.get("superseded")
        if superseded is None:
            return not ScanReuseReview.objects.filter(supersedes=review).exists()
        return review.pk not in superseded
