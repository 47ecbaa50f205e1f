"""API shapes of scans: separate input and output serializers, no logic."""

from django.urls import reverse
from rest_framework import serializers

from core.api import UploadField

from .models import Scan, ScanComparison, Stage, View


class ScanListQuery(serializers.Serializer):
    """The list's filter: a declaration's id, within the id column's range."""

    declaration = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ScanUploadIn(serializers.Serializer):
    declaration = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    view = serializers.ChoiceField(
        choices=View.choices,
        default=View.SINGLE,
        help_text="single, or top / side of a dual-view scanner: each view is compared with the same view",
    )
    scanner_id = serializers.CharField(max_length=64)
    captured_at = serializers.DateTimeField()
    file = UploadField()


class ScanOut(serializers.ModelSerializer):
    office = serializers.CharField(source="office.code")
    original_url = serializers.SerializerMethodField()

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
            "size_bytes",
            "sha256",
            "received_sha256",
            "preview_status",
            "original_url",
        ]

    def get_original_url(self, scan) -> str:
        return reverse("scans-api-original", args=[scan.pk])


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
    decision = serializers.ChoiceField(choices=["accept", "escalate"])
    remark = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to escalate, and to accept a comparison that could not align the images "
        "(verdict 'unregistered'): that the images were compared by eye, and what was seen.",
    )
