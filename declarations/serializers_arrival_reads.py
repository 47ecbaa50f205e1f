"""API shapes of the reviews of an «arrival without plate read» (``arrival_reads``): input and output apart."""

from __future__ import annotations

from rest_framework import serializers

from core.api import ChoiceField

from .arrival_reads import note_error
from .models import ArrivalReadReason, ArrivalReadReview


class ArrivalReadReviewIn(serializers.Serializer):
    reason = ChoiceField(
        choices=ArrivalReadReason.choices,
        help_text="Why the destination's camera has no read of the truck; `refer`: not explained, the signal "
        "stays and the provinces' inspectors are told.",
    )
    note = serializers.CharField(
        max_length=2000,
        help_text="At least 10 letters or digits: what was found and how it was checked (for a revision, why); "
        "punctuation marks are not counted.",
    )
    supersedes = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text="To revise the decision: the id of the review that counts now (`current`). A review revised "
        "meanwhile is refused (409); without it, a declaration already reviewed is refused too.",
    )
    outage = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        max_length=40,
        help_text="Only with `camera_down`: the outage known at the arrival's time it names (`problem:<id>`, a "
        "plate-reader system problem open then; `camera:<id>`, a camera silent or out of service then); "
        "empty for none of them. Left out, the first known is named.",
    )

    def validate_note(self, value: str) -> str:
        value = value.strip()
        if problem := note_error(value):
            raise serializers.ValidationError(problem)
        return value


class ArrivalReadReviewOut(serializers.ModelSerializer):
    explains = serializers.BooleanField(help_text="Whether the decision explains the arrival (every reason but refer).")
    current = serializers.SerializerMethodField(help_text="The review that counts: no later review supersedes it.")
    by = serializers.SerializerMethodField(help_text="Who reviewed it, by name (the username when no name is kept).")
    by_id = serializers.IntegerField(allow_null=True, help_text="The reviewer's user id.")

    class Meta:
        model = ArrivalReadReview
        fields = [
            "id",
            "declaration",
            "reason",
            "explains",
            "outage_ref",
            "outage",
            "note",
            "by",
            "by_id",
            "at",
            "supersedes",
            "current",
        ]

    def get_by(self, review) -> str:
        user = review.by
        return (user.get_full_name() or user.username) if user else ""

    def get_current(self, review) -> bool:
        if hasattr(review, "current"):  # read through ``arrival_reads.history``
            return bool(review.current)
        return not ArrivalReadReview.objects.filter(supersedes=review).exists()
