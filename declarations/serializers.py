"""API serializers: output shapes, and separate input serializers for each action."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import CustomsOffice
from core.api import (
    JALALI_DATETIME_EXAMPLE,
    JALALI_DATETIME_HELP,
    ChoiceField,
    JalaliDateField,
    JalaliDateTimeField,
    JalaliDateTimeText,
)
from core.text import digits, isolate

from . import identifiers
from .import_validation import seal_character_message
from .models import GoodsItem, Status, TrafficPermit, TransitDeclaration, UnsettledReason, Vehicle
from .serializers_serials import SettlementBlockOut

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
    trailer_plate = serializers.CharField(
        source="trailer_plate_shown",
        read_only=True,
        help_text="the trailer of this trip (vehicle.trailer_plate is the last one known of the truck)",
    )
    company = serializers.CharField(source="company.name", default=None, allow_null=True)
    driver = serializers.CharField(source="driver.name", default=None, allow_null=True)
    signals = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    settlement_blocks = serializers.SerializerMethodField()

    class Meta(DeclarationListOut.Meta):
        fields = [
            *DeclarationListOut.Meta.fields,
            "route",
            "vehicle",
            "trailer_plate",
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
            "scan_escalated",
            "dup_waybill",
            "dup_goods_serial",
            "dup_vehicle",
            "scan_reused",
            "arrival_read_explained",
            "permit_expires_at",
            "covered_without_serials",
            "invalid_imei",
            "settlement_blocks",
            "signals",
            "allowed_actions",
            "goods",
        ]

    def get_signals(self, obj) -> list[str]:
        from .selectors import signals_of

        return [s.key for s in signals_of(obj)]

    @extend_schema_field(SettlementBlockOut(many=True))
    def get_settlement_blocks(self, obj) -> list[dict]:
        """What withholds the release (an arrived declaration): each block, and whether an override covers it."""
        from .serials import settlement_blocks

        if obj.status not in (Status.ARRIVED, Status.UNSETTLED):
            return []
        return [
            {"key": b.key, "field": b.field, "message": b.message, "overridden": b.overridden}
            for b in settlement_blocks(obj)
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        from .services import allowed_actions

        request = self.context.get("request")
        return allowed_actions(request.user, obj) if request else []


class ImportIn(serializers.Serializer):
    """What OPTIONS describes of the import's body (the schema gives it as the list itself, also taken)."""

    records = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=5000,
        help_text="declaration records (goods nested), as the ICS JSON export: at most 5000; the list may also be "
        "sent as the body itself",
    )


class ImportResultOut(serializers.Serializer):
    """An import batch: while ``state`` is queued or running, ``processed`` of ``total``
    declarations; once done, its counts and each rejected record (row, field, message)."""

    batch = serializers.IntegerField(allow_null=True)
    state = ChoiceField(choices=["queued", "running", "done", "failed"])
    status_url = serializers.URLField(help_text="GET it until state is done or failed")
    total = serializers.IntegerField(help_text="declarations in the request (0 until the worker has read it)")
    processed = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.ListField(
        child=serializers.DictField(),
        help_text="each problem of a refused record: row (its index, from 1), field (the column) and message, and "
        "serial when the record has one that reads as a serial; a record with several bad fields is listed once for each. A problem of one goods line of a record with "
        "several also has line (its place in the record's goods, from 1), and its message names it",
    )
    exceptions = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(
        child=serializers.DictField(),
        help_text="each column the import does not read (row: the first record that has it, field: its name, "
        "message): its values were ignored, the records imported without them",
    )
    error = serializers.CharField(help_text="why a failed import failed (nothing of it was imported)")


# --- input -------------------------------------------------------------------------------------


class AtIn(serializers.Serializer):
    at = JalaliDateTimeField(
        required=False,
        allow_null=True,
        help_text=f"Jalali {JALALI_DATETIME_EXAMPLE} (Tehran time, any digit script) or ISO 8601; default now. Not in "
        "the future, nor before the declaration's earlier times (declared, departed, arrived, reason recorded)",
    )


class DepartIn(AtIn):
    pass


class TextListField(serializers.ListField):
    """A JSON list of texts: an element that is not text (``7`` became «7») is refused, and one repeating an
    earlier (after ``normalise``, the validator's own reading) is refused, each under its index."""

    def __init__(self, *, normalise=lambda value: value.strip(), **kwargs):
        kwargs.setdefault("child", serializers.CharField())
        self.normalise = normalise
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list):
            for index, value in enumerate(data):
                if not isinstance(value, str):
                    raise serializers.ValidationError(
                        {index: [_("element %(index)s is not text: write it in quotes") % {"index": digits(index + 1)}]}
                    )
        values = super().to_internal_value(data)
        first: dict[str, int] = {}
        for index, value in enumerate(values):
            key = self.normalise(value)
            if key and key in first:
                raise serializers.ValidationError(
                    {
                        index: [
                            _("element %(index)s (“%(value)s”) repeats element %(first)s")
                            % {
                                "index": digits(index + 1),
                                "value": isolate(value.strip()),
                                "first": digits(first[key] + 1),
                            }
                        ]
                    }
                )
            first.setdefault(key, index)
        return values


def _container_key(value: str) -> str:
    try:
        return identifiers.validate_container_number(value)
    except ValueError:
        return value.strip().upper()


class SealListField(TextListField):
    """Seal numbers as a JSON list: each element is one seal, at most ``SEAL_MAX_LENGTH`` characters. An element
    holding a separator («S 1;S2») is refused naming its index, not split into three seals (the text form,
    one string, may hold several)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.CharField(max_length=identifiers.SEAL_MAX_LENGTH))
        kwargs.setdefault("help_text", "one seal number per element (no spaces, commas or semicolons inside one)")
        kwargs.setdefault("normalise", lambda value: "".join(identifiers.seal_numbers(value)))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        for index, value in enumerate(values):
            if identifiers.SEAL_SEPARATOR.search(value.strip()):  # under its index, as a too-long element is
                raise serializers.ValidationError(
                    {
                        index: [
                            _(
                                "element %(index)s (“%(value)s”) holds a separator (a space, comma or semicolon): "
                                'in the list each element is one seal, e.g. ["S1", "S2"]'
                            )
                            % {"index": digits(index + 1), "value": isolate(value.strip())}
                        ]
                    }
                )
            if identifiers.seal_character_problem(value.strip()):  # as the form and the import refuse it
                raise serializers.ValidationError({index: [seal_character_message(value.strip(), index + 1)]})
        return values


class ConfirmArrivalIn(AtIn):
    seals_intact = serializers.BooleanField(default=True)
    seal_numbers_found = SealListField(required=False)
    gross_weight_found_kg = serializers.DecimalField(
        max_digits=14, decimal_places=3, required=False, allow_null=True, min_value=0
    )
    remarks = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    unseen_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="required when the destination has a plate reader and no read of the truck there",
    )


class SettleIn(AtIn):
    remarks = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class RecordReasonIn(AtIn):
    reason = ChoiceField(choices=UnsettledReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


# A person's reason for a move, checked by the service as the page checks it (``services.check_written_reason``).
WRITTEN_REASON = (
    "at least 10 letters or digits (punctuation is not counted); an integration account's words are kept as sent"
)


class CancelIn(AtIn):
    reason = serializers.CharField(max_length=500, help_text=f"why the declaration is cancelled; {WRITTEN_REASON}")


class CloseIn(AtIn):
    remarks = serializers.CharField(max_length=500, help_text=f"how the case ended; {WRITTEN_REASON}")


class ExtendDeadlineIn(serializers.Serializer):
    new_deadline = JalaliDateTimeField(
        help_text=(
            f"Jalali {JALALI_DATETIME_EXAMPLE} (Tehran time) or ISO 8601, later than the current deadline and at most "
            "the route's allowed time after it (after now when it has passed)"
        )
    )
    reason = serializers.CharField(max_length=500, help_text=f"why the deadline is extended; {WRITTEN_REASON}")


class EveryBadFieldSerializer(serializers.Serializer):
    """DRF's checks of each field; when one refuses, the import's validator still reads the record's other
    columns, so that the 400 names every bad field at once (a blank description and a quantity below zero),
    not DRF's first and, once corrected, the validator's."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            refused = exc.detail
            if not isinstance(data, dict) or not isinstance(refused, dict):
                raise
            found = {**self._column_errors(data, skip=refused), **refused}
            raise serializers.ValidationError({name: found[name] for name in self.fields if name in found}) from None

    def _column_errors(self, data: dict, *, skip) -> dict[str, list[str]]:
        """The validator's messages for the columns sent as text or lists of text, leaving out those in ``skip``."""
        from .import_validation import RowInvalid

        row = {}
        for name in self.fields:
            value = data.get(name, "")
            if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
                value = ";".join(str(v) for v in value)
            if name != "goods" and name not in skip and isinstance(value, str | int | float):
                row[name] = str(value)
        try:
            self._check(row)
        except RowInvalid as exc:
            return {name: said for name, said in exc.by_field().items() if name in row}
        return {}

    def _check(self, row: dict) -> None:
        raise NotImplementedError


class GoodsLineIn(EveryBadFieldSerializer):
    hs_code = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.CharField(help_text="a number, more than zero")
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    gross_weight_kg = serializers.CharField(required=False, allow_blank=True, default="")
    value = serializers.CharField(required=False, allow_blank=True, default="", help_text="USD")
    goods_serials = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)

    def validate(self, attrs):
        """The import's own check of a goods line, so that an error names its line: ``goods[1].quantity``."""
        from .import_validation import RowInvalid, Validator

        line = {k: ";".join(v) if isinstance(v, list) else str(v) for k, v in attrs.items()}
        try:
            Validator().goods_line(line)
        except RowInvalid as exc:  # each bad column of the line
            raise serializers.ValidationError(exc.by_field()) from None
        return attrs

    def _check(self, row: dict) -> None:
        from .import_validation import Validator

        Validator().goods_line(row)


class RegisterIn(EveryBadFieldSerializer):
    """A declaration registered by hand while ICS is down: the import's columns, checked by its validator."""

    serial = serializers.CharField(max_length=32, help_text="4–32 letters, digits, / or - (the stored column's length)")
    declared_at = JalaliDateTimeText(
        help_text=f"{JALALI_DATETIME_HELP}; at most DECLARATION_MAX_BACKDATE_DAYS (7 by default) days back and "
        "not before the end of a month whose monthly return was submitted (older: by the ICS import)"
    )
    origin = serializers.CharField(help_text="office code")
    destination = serializers.CharField(help_text="office code")
    route = TextListField(normalise=lambda value: value.strip().upper(), required=False, default=list)
    plate = serializers.CharField(max_length=32, help_text="as typed or read, e.g. 12ب34567 or 34ABC123")
    plate_country = serializers.CharField(required=False, default="IR", max_length=2)
    trailer_plate = serializers.CharField(required=False, allow_blank=True, default="")
    driver_name = serializers.CharField(required=False, allow_blank=True, default="")
    driver_national_id = serializers.CharField(required=False, allow_blank=True, default="")
    driver_passport = serializers.CharField(required=False, allow_blank=True, default="")
    company_name = serializers.CharField(required=False, allow_blank=True, default="")
    company_reg_no = serializers.CharField(required=False, allow_blank=True, default="")
    waybill_no = serializers.CharField(required=False, allow_blank=True, default="")
    seals = SealListField(required=False, default=list)
    containers = TextListField(normalise=_container_key, required=False, default=list)
    mrn = serializers.CharField(required=False, allow_blank=True, default="")
    guarantee_ref = serializers.CharField(required=False, allow_blank=True, default="")
    guarantee_amount = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = JalaliDateTimeText(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"{JALALI_DATETIME_HELP}; not before declared_at; empty: set at departure from the offices' "
        "transit time",
    )
    goods = GoodsLineIn(many=True, allow_empty=False)

    def validate_goods(self, lines: list[dict]) -> list[dict]:
        """A serial or IMEI given on two goods lines is refused at the second: ``goods[1].goods_serials``."""
        from . import identifiers
        from .import_validation import repeated_serial_message

        repeated = identifiers.repeated_serial((n, g.get("goods_serials") or []) for n, g in enumerate(lines, 1))
        if repeated is not None:
            value, first, again = repeated
            errors: list[dict] = [{} for _line in lines]
            errors[again - 1] = {"goods_serials": [repeated_serial_message(value, first, again)]}
            raise serializers.ValidationError(errors)
        return lines

    def _check(self, row: dict) -> None:
        """The declaration's columns (goods are checked line by line by ``GoodsLineIn``)."""
        from .import_validation import Validator

        Validator(by_hand=True).declaration(0, [row])

    def row_and_goods(self) -> tuple[dict[str, str], list[dict[str, str]]]:
        """The import's columns as text (lists joined by its separator)."""
        data = dict(self.validated_data)
        goods = data.pop("goods")
        row = {k: ";".join(v) if isinstance(v, list) else str(v) for k, v in data.items()}
        lines = [
            {"goods_line": str(n), **{k: ";".join(v) if isinstance(v, list) else str(v) for k, v in g.items()}}
            for n, g in enumerate(goods, 1)
        ]
        return row, lines


class PermitOut(serializers.ModelSerializer):
    entry_office = serializers.CharField(source="entry_office.code")
    exit_office = serializers.CharField(source="exit_office.code")
    plate = serializers.CharField(source="vehicle.plate")
    expires_at = serializers.DateTimeField()
    validity = serializers.SerializerMethodField()
    hours_left = serializers.SerializerMethodField()

    class Meta:
        model = TrafficPermit
        fields = [
            "id",
            "permit_no",
            "declaration",
            "plate",
            "entry_office",
            "exit_office",
            "route",
            "allowed_hours",
            "route_km",
            "drivers",
            "driving_hours_per_driver",
            "issued_at",
            "expires_at",
            "exited_at",
            "exit_source",
            "fuel_receipt_no",
            "fuel_receipt_date",
            "fuel_receipt_amount",
            "has_international_licence",
            "has_insurance_card",
            "has_tax_booklet",
            "goods_description",
            "goods_weight_kg",
            "off_route_at",
            "overdrive_at",
            "gap_at",
            "findings",
            "validity",
            "hours_left",
        ]

    def get_validity(self, obj) -> str:
        from .permits import validity

        return validity(obj).state

    def get_hours_left(self, obj) -> int | None:
        from .permits import validity

        return validity(obj).hours_left


class PermitIn(serializers.Serializer):
    declaration = serializers.IntegerField()
    permit_no = serializers.CharField(max_length=40)
    entry_office = serializers.CharField(help_text="office code")
    exit_office = serializers.CharField(help_text="office code")
    allowed_hours = serializers.IntegerField(min_value=1, max_value=24 * 60)
    issued_at = JalaliDateTimeField()
    route = TextListField(
        normalise=lambda value: value.strip().upper(),
        required=False,
        default=list,
        help_text="office codes in order, each once; empty: the declaration's route",
    )
    route_km = serializers.IntegerField(min_value=1, max_value=10_000, required=False, allow_null=True, default=None)
    drivers = serializers.IntegerField(min_value=1, max_value=4, required=False, default=1)
    driving_hours_per_driver = serializers.IntegerField(min_value=1, max_value=10, required=False, default=10)
    fuel_receipt_no = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    fuel_receipt_date = JalaliDateField(required=False, allow_null=True, default=None)
    fuel_receipt_amount = serializers.DecimalField(
        max_digits=16, decimal_places=0, min_value=0, required=False, allow_null=True, default=None
    )
    has_international_licence = serializers.BooleanField(required=False, default=False)
    has_insurance_card = serializers.BooleanField(required=False, default=False)
    has_tax_booklet = serializers.BooleanField(required=False, default=False)
    goods_description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    goods_weight_kg = serializers.DecimalField(
        max_digits=14, decimal_places=3, required=False, allow_null=True, default=None
    )

    def validate_entry_office(self, value):
        return _office(value)

    def validate_exit_office(self, value):
        return _office(value)


class PermitExitIn(serializers.Serializer):
    at = JalaliDateTimeField(
        required=False,
        allow_null=True,
        help_text=f"{JALALI_DATETIME_HELP}; default now",
    )


def _office(code: str) -> CustomsOffice:
    office = CustomsOffice.objects.filter(code=code.strip().upper()).first()
    if office is None:
        raise serializers.ValidationError(_("unknown office code '%(code)s'") % {"code": identifiers.typed(code)})
    return office


class ImportRecordIn(RegisterIn):
    """One record of the import's body as the schema describes it (``importer.COLUMNS``, goods nested): a
    registration's fields and the status ICS gives it. The importer checks the records, not this serializer."""

    status = serializers.ChoiceField(
        choices=Status.choices, required=False, help_text="the status in ICS; the import walks the declaration to it"
    )
    status_at = JalaliDateTimeText(
        required=False, allow_blank=True, default="", help_text=f"{JALALI_DATETIME_HELP}; when it took that status"
    )
    departed_at = JalaliDateTimeText(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"{JALALI_DATETIME_HELP}; when it left the origin: required with status arrived, settled or "
        "unsettled when no departure is recorded yet",
    )
    unsettled_reason = serializers.ChoiceField(
        choices=UnsettledReason.choices, required=False, allow_blank=True, help_text="with status unsettled"
    )
    unsettled_note = serializers.CharField(required=False, allow_blank=True, default="")
