"""API serializers: output shapes, and separate input serializers for each action."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import CustomsOffice

from .models import GoodsItem, TransitDeclaration, UnsettledReason, Vehicle

# --- output ------------------------------------------------------------------------------------


class OfficeOut(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")

    class Meta:
        model = CustomsOffice
        fields = ["id", "code", "name_fa", "name_en", "province", "kind", "has_anpr", "has_scanner"]


class VehicleOut(serializers.ModelSerializer):
    display_plate = serializers.CharField()

    class Meta:
        model = Vehicle
        fields = ["id", "plate", "country", "display_plate", "trailer_plate", "company"]


class DeclarationListOut(serializers.ModelSerializer):
    origin = serializers.CharField(source="origin.code")
    destination = serializers.CharField(source="destination.code")
    plate = serializers.CharField(source="vehicle.plate")
    vehicle_id = serializers.IntegerField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = TransitDeclaration
        fields = [
            "id",
            "serial",
            "declared_at",
            "origin",
            "destination",
            "plate",
            "vehicle_id",
            "vehicle_country",
            "waybill_no",
            "status",
            "departed_at",
            "deadline",
            "arrived_at",
            "settled_at",
            "is_overdue",
        ]

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()


class GoodsOut(serializers.ModelSerializer):
    class Meta:
        model = GoodsItem
        fields = ["line_no", "hs_code", "description", "quantity", "unit", "gross_weight_kg", "value", "serials"]


class DeclarationDetailOut(DeclarationListOut):
    goods = GoodsOut(many=True, read_only=True)
    vehicle = VehicleOut(read_only=True)
    company = serializers.CharField(source="company.name", default=None, allow_null=True)
    driver = serializers.CharField(source="driver.name", default=None, allow_null=True)
    signals = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(DeclarationListOut.Meta):
        fields = [
            *DeclarationListOut.Meta.fields,
            "route",
            "vehicle",
            "driver",
            "company",
            "seal_numbers",
            "container_numbers",
            "mrn",
            "guarantee_ref",
            "guarantee_amount",
            "unsettled_reason",
            "unsettled_note",
            "status_source",
            "status_source_ref",
            "status_changed_at",
            "dest_first_read_at",
            "last_read_at",
            "off_route_read_at",
            "origin_scan_at",
            "dest_scan_at",
            "comparison_verdict",
            "comparison_review",
            "dup_waybill",
            "dup_goods_serial",
            "dup_vehicle",
            "permit_expires_at",
            "signals",
            "allowed_actions",
            "goods",
        ]

    def get_signals(self, obj) -> list[str]:
        from .selectors import signals_of

        return [s.key for s in signals_of(obj)]

    def get_allowed_actions(self, obj) -> list[str]:
        from .services import allowed_actions

        request = self.context.get("request")
        return allowed_actions(request.user, obj) if request else []


class ImportResultOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.ListField(child=serializers.DictField())
    exceptions = serializers.ListField(child=serializers.DictField())
    batch = serializers.IntegerField(allow_null=True)


# --- input -------------------------------------------------------------------------------------


class AtIn(serializers.Serializer):
    at = serializers.DateTimeField(required=False, allow_null=True, help_text="ISO 8601; default now")


class DepartIn(AtIn):
    pass


class ConfirmArrivalIn(AtIn):
    seals_intact = serializers.BooleanField(default=True)
    seal_numbers_found = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    gross_weight_found_kg = serializers.DecimalField(
        max_digits=14, decimal_places=3, required=False, allow_null=True, min_value=0
    )
    remarks = serializers.CharField(required=False, allow_blank=True, default="")


class SettleIn(AtIn):
    remarks = serializers.CharField(required=False, allow_blank=True, default="")


class RecordReasonIn(AtIn):
    reason = serializers.ChoiceField(choices=UnsettledReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ImportIn(serializers.Serializer):
    """A JSON list of declaration records (the importer's JSON layout, goods nested)."""

    records = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=5000)
    source_ref = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
