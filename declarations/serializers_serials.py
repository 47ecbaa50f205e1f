"""API shapes of the anti-smuggling rules (issue 15 §2): input per action, and their answers."""

from __future__ import annotations

from rest_framework import serializers

from core.api import ChoiceField, JalaliDateField

from .models import RegistryResult, SerialKind, TransportDocument
from .serials import MAX_VALUES


class ArrivalSerialsIn(serializers.Serializer):
    values = serializers.ListField(
        child=serializers.CharField(max_length=60), min_length=1, max_length=MAX_VALUES, help_text="serials found"
    )
    kind = ChoiceField(choices=SerialKind.choices, default=SerialKind.SERIAL)


class ArrivalSerialsOut(serializers.Serializer):
    declared = serializers.IntegerField()
    found = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="declared, not found")
    extra = serializers.ListField(child=serializers.CharField(), help_text="found, not declared")
    discrepancy_open = serializers.BooleanField()


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ImeiCheckIn(serializers.Serializer):
    imei = serializers.CharField(max_length=40)
    result = ChoiceField(choices=RegistryResult.choices)
    checked_on = JalaliDateField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TransportDocumentIn(serializers.Serializer):
    number = serializers.CharField(max_length=40)
    issued_on = JalaliDateField()
    origin = serializers.CharField(max_length=40, help_text="office code or place")
    destination = serializers.CharField(max_length=40, help_text="office code or place")
    route = serializers.ListField(child=serializers.CharField(max_length=16), required=False, default=list)
    goods_description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3, required=False, allow_null=True, min_value=0)
    gross_weight_kg = serializers.DecimalField(
        max_digits=14, decimal_places=3, required=False, allow_null=True, min_value=0
    )


class TransportDocumentOut(serializers.ModelSerializer):
    class Meta:
        model = TransportDocument
        fields = [
            "id",
            "number",
            "issued_on",
            "origin",
            "destination",
            "route",
            "goods_description",
            "quantity",
            "gross_weight_kg",
            "differences",
            "recorded_at",
        ]


class SettlementBlockOut(serializers.Serializer):
    key = serializers.CharField(
        help_text="serial_discrepancy | scan_unreviewed | scan_unaligned | scan_escalated | dup_waybill | imei_invalid"
        " | serial_shared | scan_reuse_unreviewed | scan_reuse_confirmed | seals_broken | seal_numbers | weight (the last three recorded at arrival)"
    )
    field = serializers.CharField()
    message = serializers.CharField()
    overridden = serializers.BooleanField()
