"""Transit declarations and what they are about: carriers, goods, arrival, permits.

A declaration also carries a small *evidence summary* (first plate read at the
destination, origin scan time, comparison verdict, duplicate flags ...) that
``anpr`` and ``scans`` keep current through ``declarations.evidence``; every
monitoring signal is then a filter on this one table (see ``monitoring.py``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, ScopedQuerySet
from core.dates import format_jalali
from core.text import digits, is_persian, isolate
from notifications.messages import Message, msgid_of, params_to_json, stored_copy, written

from .. import plates


class TransportCompany(models.Model):
    name = models.CharField(_("name"), max_length=200)
    registration_no = models.CharField(_("registration number"), max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=2, default="IR")
    # One file per person (AML regulation, Arts. 12-13 and 34): searched by these (``persons``).
    national_id = models.CharField(
        _("legal-entity national ID"), max_length=11, blank=True, db_index=True, help_text=_("11 digits (شناسه ملی)")
    )
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True, db_index=True)

    class Meta:
        verbose_name = _("transport company")
        verbose_name_plural = _("transport companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """The carrier (حامل): a truck, identified by its canonical plate and nationality."""

    plate = models.CharField(_("plate"), max_length=16)
    country = models.CharField(_("nationality"), max_length=2, default="IR")
    trailer_plate = models.CharField(_("trailer plate"), max_length=16, blank=True)
    company = models.ForeignKey(
        TransportCompany, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("transport company")
    )

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [models.UniqueConstraint(fields=["country", "plate"], name="vehicle_unique_plate")]
        indexes = [models.Index(fields=["plate"])]

    def __str__(self) -> str:
        return self.display_plate

    def clean(self) -> None:
        try:
            self.plate = plates.canonical_plate(self.plate, self.country)
        except plates.PlateError as exc:
            raise ValidationError({"plate": str(exc)}) from exc

    @property
    def is_foreign(self) -> bool:
        return self.country != "IR"

    @property
    def display_plate(self) -> str:
        return (
            plates.Plate(self.plate, self.country).display()
            if not self.is_foreign
            else f"{self.plate} ({self.country})"
        )


class Driver(models.Model):
    name = models.CharField(_("name"), max_length=150)
    national_id = models.CharField(_("national ID"), max_length=10, blank=True, db_index=True)
    passport_no = models.CharField(_("passport number"), max_length=30, blank=True)
    country = models.CharField(_("nationality"), max_length=2, default="IR")
    # A foreign national's number in Iran (کد فراگیر اتباع خارجی), and the postal code of the address.
    foreign_national_no = models.CharField(_("foreign-national number"), max_length=20, blank=True, db_index=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True, db_index=True)

    class Meta:
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")

    def __str__(self) -> str:
        return self.name


class RouteTimeLimit(models.Model):
    """Allowed transit time from one office to another; the default applies when none is set."""

    origin = models.ForeignKey(CustomsOffice, on_delete=models.CASCADE, related_name="+", verbose_name=_("origin"))
    destination = models.ForeignKey(
        CustomsOffice, on_delete=models.CASCADE, related_name="+", verbose_name=_("destination")
    )
    hours = models.PositiveIntegerField(_("allowed hours"))

    class Meta:
        verbose_name = _("route time limit")
        verbose_name_plural = _("route time limits")
        constraints = [models.UniqueConstraint(fields=["origin", "destination"], name="route_limit_unique")]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination}: {self.hours}h"

    @classmethod
    def hours_for(cls, origin_id: int, destination_id: int) -> int:
        row = cls.objects.filter(origin_id=origin_id, destination_id=destination_id).values_list("hours", flat=True)
        return row[0] if row else settings.TRANSIT_DEFAULT_LIMIT_HOURS


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    IN_TRANSIT = "in_transit", _("in transit")
    ARRIVED = "arrived", _("arrived")
    SETTLED = "settled", _("settled")
    UNSETTLED = "unsettled", _("unsettled")
    CANCELLED = "cancelled", _("cancelled")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (Status.REGISTERED, Status.IN_TRANSIT, Status.ARRIVED, Status.UNSETTLED)
ARRIVED_STATUSES = (Status.ARRIVED, Status.SETTLED, Status.UNSETTLED)
# Departed: the origin's scan is expected of these (the origin-scan-missing signal).
SCANNED_STATUSES = (Status.IN_TRANSIT, *ARRIVED_STATUSES)


class UnsettledReason(models.TextChoices):
    DUPLICATE_WAYBILL = "duplicate_waybill", _("duplicate waybill")
    DOCUMENT_DISCREPANCY = "document_discrepancy", _("document discrepancy")
    SEAL_DISCREPANCY = "seal_discrepancy", _("seal discrepancy")
    QUANTITY_DISCREPANCY = "quantity_discrepancy", _("quantity/weight discrepancy")
    SCAN_DISCREPANCY = "scan_discrepancy", _("scan discrepancy")
    SERIAL_MISMATCH = "serial_mismatch", _("goods serial/IMEI mismatch")
    SYSTEM_PROBLEM = "system_problem", _("system problem")
    OTHER = "other", _("other")


class Source(models.TextChoices):
    ICS = "ics", _("ICS export")
    USER = "user", _("entered by user")
    HAND = "hand", _("entered by hand (ICS unavailable)")
    API = "api", _("integration API")
    OUTSIDE = "outside", _("recorded from outside the system")
    SEED = "seed", _("demo data")


class Verdict(models.TextChoices):
    NONE = "", _("none")
    CONSISTENT = "consistent", _("consistent")
    SUSPICIOUS = "suspicious", _("suspicious")
    UNREGISTERED = "unregistered", _("could not align")
    # Of a declaration's summary only (``scans.services.combined_outcome``): a view one side scanned has no
    # counterpart on the other side yet, so part of the truck was never compared.
    INCOMPLETE = "incomplete", _("incomplete: a view not compared")


class Review(models.TextChoices):
    NONE = "", _("none")
    PENDING = "pending", _("awaiting review")
    ACCEPTED = "accepted", _("accepted")
    ESCALATED = "escalated", _("escalated")


# A flag of the summary that may withhold the settlement (``serials.settlement_blocks``): a comparison awaiting
# review that found a change or could not align, a waybill used twice, an invalid IMEI, a serial on another open
# declaration. The monthly return finds the waiting declarations it blocked by it (``reports.returns``), through
# the partial index ``decl_origin_held``: a few thousand of a province's hundred thousand open rows.
MAY_HOLD_SETTLEMENT = (
    Q(comparison_verdict__in=[Verdict.SUSPICIOUS, Verdict.UNREGISTERED], comparison_review=Review.PENDING)
    | Q(dup_waybill=True)
    | Q(invalid_imei=True)
    | Q(dup_goods_serial=True)
)


class DeclarationQuerySet(ScopedQuerySet):
    scope_paths = ("origin", "destination")

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: dt.datetime | None = None):
        """In transit past the deadline with no arrival: derived, never stored."""
        return self.filter(status=Status.IN_TRANSIT, deadline__lt=now or timezone.now())

    def with_office(self, office_id: int, role: str = "any"):
        if role == "origin":
            return self.filter(origin_id=office_id)
        if role == "destination":
            return self.filter(destination_id=office_id)
        return self.filter(Q(origin_id=office_id) | Q(destination_id=office_id))

    def in_province(self, province_id: int):
        return self.filter(Q(origin__province_id=province_id) | Q(destination__province_id=province_id))


class TransitDeclaration(models.Model):
    serial = models.CharField(_("serial"), max_length=32, unique=True)
    declared_at = models.DateTimeField(_("declared at"), db_index=True)
    # FK indexes led by a composite index are dropped: every index costs each of 10M inserts.
    origin = models.ForeignKey(
        CustomsOffice,
        on_delete=models.PROTECT,
        related_name="departures",
        verbose_name=_("origin office"),
        db_index=False,
    )
    destination = models.ForeignKey(
        CustomsOffice,
        on_delete=models.PROTECT,
        related_name="arrivals",
        verbose_name=_("destination office"),
        db_index=False,
    )
    # Office codes in order, origin first and destination last.
    route = models.JSONField(_("planned route"), default=list, blank=True)
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("vehicle"), db_index=False
    )
    vehicle_country = models.CharField(_("vehicle nationality"), max_length=2, default="IR")
    # The trailer this trip pulled: a tractor pulls different trailers on different trips, so it is the
    # declaration's (the vehicle keeps the last one known). NULL on rows stored before it was kept here, so
    # that "no trailer given" ("") and "not recorded on this row" stay apart without rewriting old rows.
    trailer_plate = models.CharField(_("trailer plate"), max_length=16, blank=True, null=True, default=None)
    driver = models.ForeignKey(
        Driver, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("driver"), db_index=False
    )
    company = models.ForeignKey(
        TransportCompany, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("transport company")
    )
    waybill_no = models.CharField(_("waybill number"), max_length=40, blank=True, db_index=True)
    seal_numbers = models.JSONField(_("seal numbers"), default=list, blank=True)
    container_numbers = models.JSONField(_("container numbers"), default=list, blank=True)
    mrn = models.CharField(_("movement reference number"), max_length=18, blank=True)
    guarantee_ref = models.CharField(_("guarantee reference"), max_length=40, blank=True)
    guarantee_amount = models.DecimalField(_("guarantee amount (rial)"), max_digits=20, decimal_places=0, default=0)
    # Amounts left empty are stored as 0 (the import's and the form's default): 0 there reads «—»
    # (``core.text.amount``), on the declaration's page as in the audit trail and its XLSX.
    ZERO_IS_NONE = ("guarantee_amount",)
    deadline = models.DateTimeField(_("transit deadline"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    unsettled_reason = models.CharField(
        _("unsettled reason"), max_length=24, choices=UnsettledReason.choices, blank=True
    )
    unsettled_note = models.CharField(_("unsettled reason details"), max_length=500, blank=True)
    # A note the system wrote (a proposal accepted as the reason), kept as a message id and parameters and
    # written in the reader's language (``unsettled_note_html``); ``unsettled_note`` keeps it written in
    # the project's language. Empty for a person's own words and for a row from before.
    unsettled_note_msgid = models.TextField(_("unsettled reason details: message id"), blank=True)
    unsettled_note_params = models.JSONField(_("unsettled reason details: parameters"), default=dict, blank=True)
    unsettled_at = models.DateTimeField(_("reason recorded at"), null=True, blank=True)

    # Where the current status came from and how fresh it is.
    status_source = models.CharField(_("status source"), max_length=8, choices=Source.choices, default=Source.USER)
    status_source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("status changed by"),
    )

    # Evidence summary, kept by anpr and scans through declarations.evidence.
    dest_first_read_at = models.DateTimeField(_("first plate read at destination"), null=True, blank=True)
    last_read_at = models.DateTimeField(_("last plate read"), null=True, blank=True)
    last_read_office = models.ForeignKey(
        CustomsOffice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("last read office"),
    )
    off_route_read_at = models.DateTimeField(_("off-route read seen at"), null=True, blank=True)
    origin_scan_at = models.DateTimeField(_("origin scan at"), null=True, blank=True)
    dest_scan_at = models.DateTimeField(_("destination scan at"), null=True, blank=True)
    comparison_verdict = models.CharField(
        _("scan comparison"), max_length=12, choices=Verdict.choices, blank=True, default=""
    )
    comparison_review = models.CharField(_("comparison review"), max_length=10, choices=Review.choices, blank=True)
    # The summary above follows the current comparison; an escalation of an earlier one still stands (it withholds
    # the settlement until released), so the ``scan_suspicious`` signal keeps it by this flag, never cleared.
    scan_escalated = models.BooleanField(_("a scan comparison escalated"), default=False)
    dup_waybill = models.BooleanField(_("waybill used twice"), default=False)
    dup_goods_serial = models.BooleanField(_("goods serial in two open declarations"), default=False)
    dup_vehicle = models.BooleanField(_("truck on two open declarations"), default=False)
    # A scan of this declaration is the same image as a scan of another truck's declaration
    # (``scans.services``, through ``evidence.note_scan_reused``): its truck may never have been scanned.
    # Cleared once each such scan was reviewed and explained (``scans.reuse_reviews``); a confirmed one keeps it.
    scan_reused = models.BooleanField(_("scan of another truck reused"), default=False)
    # A confirmed arrival without a plate read at the destination that the review counting explains
    # (``arrival_reads.arrival_read_review``, through ``evidence.note_arrival_read_explained``): it leaves the
    # ``arrival_without_read`` signal; a «refer» revision puts it back. A read arriving later clears the signal anyway.
    arrival_read_explained = models.BooleanField(_("arrival without plate read explained"), default=False)
    permit_expires_at = models.DateTimeField(_("traffic permit expires"), null=True, blank=True)
    # Kept at import and registration (``covered.goods_flags``) and when headquarters edit the covered goods.
    covered_without_serials = models.BooleanField(_("covered goods without serials"), default=False)
    invalid_imei = models.BooleanField(_("invalid IMEI declared"), default=False)
    # Foreign trucks (the traffic-permit rules, ``permits``): the permit's number (empty: none
    # recorded), and what the checks of its sightings found (``evidence.note_permit_sightings``).
    permit_no = models.CharField(_("traffic permit number"), max_length=40, blank=True, default="")
    permit_overdrive_at = models.DateTimeField(_("driving beyond the limit seen at"), null=True, blank=True)
    permit_gap_at = models.DateTimeField(_("unexplained stop seen at"), null=True, blank=True)
    permit_goods_mismatch = models.BooleanField(_("goods differ from the traffic permit"), default=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("transit declaration")
        verbose_name_plural = _("transit declarations")
        indexes = [
            models.Index(fields=["status", "deadline"], name="decl_status_deadline"),
            models.Index(fields=["origin", "status", "declared_at"], name="decl_origin_status"),
            models.Index(fields=["destination", "status", "declared_at"], name="decl_dest_status"),
            # A truck's declarations by status; with the settlement time, those settled since a plate read was
            # taken, which the read still matches (``anpr.sightings._matchable``): one range per truck.
            models.Index(fields=["vehicle", "status", "settled_at"], name="decl_vehicle_status_settled"),
            models.Index(fields=["-declared_at", "-id"], name="decl_declared_desc"),
            models.Index(fields=["settled_at"], name="decl_settled_at"),
            models.Index(fields=["status_changed_at"], name="decl_status_changed"),
            # Partial indexes: the signal lists are tiny slices of a huge table.
            # The overdue list, newest first: in-transit rows only, the deadline read from the index.
            models.Index(
                fields=["-declared_at", "-id"],
                name="decl_transit_declared",
                include=["deadline"],
                condition=Q(status=Status.IN_TRANSIT),
            ),
            # ... and only the open ones, as the signals ask (monitoring.PARTIAL_INDEXED).
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_dup_waybill",
                condition=Q(dup_waybill=True, status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_dup_serial",
                condition=Q(dup_goods_serial=True, status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_transit_dup_vehicle",
                condition=Q(dup_vehicle=True, status=Status.IN_TRANSIT),
            ),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_offroute",
                condition=Q(off_route_read_at__isnull=False, status__in=OPEN_STATUSES),
            ),
            # ``scan_suspicious``: a suspicious comparison, or an escalated one of any kind, current or earlier.
            models.Index(
                fields=["declared_at"],
                name="decl_sig_suspicious",
                condition=Q(comparison_verdict="suspicious")
                | Q(comparison_review="escalated")
                | Q(scan_escalated=True),
            ),
            models.Index(fields=["declared_at"], name="decl_sig_review", condition=Q(comparison_review="pending")),
            models.Index(fields=["declared_at"], name="decl_sig_scan_reused", condition=Q(scan_reused=True)),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_uncovered",
                condition=Q(covered_without_serials=True, status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_bad_imei",
                condition=Q(invalid_imei=True, status__in=OPEN_STATUSES),
            ),
            # Evidence missing since the office's equipment went into service: one range per office
            # (monitoring._per_office) instead of every row that never had a read or a scan.
            models.Index(
                fields=["destination", "arrived_at"],
                name="decl_sig_arrived_unread",
                # Not narrowed to the unexplained ones (``arrival_read_explained``): anpr's review queue reads
                # it for every arrival still without a read, and the explained ones are few.
                condition=Q(dest_first_read_at__isnull=True, status__in=ARRIVED_STATUSES),
            ),
            models.Index(
                fields=["origin", "departed_at"],
                name="decl_sig_departed_unscanned",
                condition=Q(origin_scan_at__isnull=True, status__in=SCANNED_STATUSES),
            ),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_overdrive",
                condition=Q(permit_overdrive_at__isnull=False, status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_permit_gap",
                condition=Q(permit_gap_at__isnull=False, status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["origin", "settled_at"], name="decl_origin_held", condition=MAY_HOLD_SETTLEMENT),
            models.Index(
                fields=["declared_at"],
                name="decl_sig_open_permit_goods",
                condition=Q(permit_goods_mismatch=True, status__in=OPEN_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(origin=models.F("destination")), name="decl_origin_ne_destination"),
        ]

    def __str__(self) -> str:
        return self.serial

    def clean(self) -> None:
        if self.origin_id and self.origin_id == self.destination_id:
            raise ValidationError({"destination": _("Destination must differ from origin.")})

    def unsettled_note_text(self) -> str:
        """The unsettled note in the active language, as plain text (as stored when it keeps no message)."""
        shown = written(self.unsettled_note_msgid, self.unsettled_note_params, html=False, what=f"note {self.pk}")
        return self.unsettled_note if shown is None else shown

    def unsettled_note_html(self) -> SafeString | str:
        """The same for a page: escaped, identifiers isolated (a stored text is escaped by the template)."""
        shown = written(self.unsettled_note_msgid, self.unsettled_note_params, html=True, what=f"note {self.pk}")
        return self.unsettled_note if shown is None else shown

    def declared_gross_weight_kg(self) -> Decimal | None:
        """The goods' declared gross weight, None when unknown: a line's weight left empty is stored 0
        (``GoodsItem.ZERO_IS_NONE``), and with none declared the page shows «—», so a weight found on arrival
        or written on a transport document differs from nothing. Runs a query."""
        total = self.goods.aggregate(total=models.Sum("gross_weight_kg"))["total"]
        return total if total else None

    @property
    def trailer_plate_shown(self) -> str:
        """The trailer of this trip: its own, else (a row stored before declarations kept theirs) the
        vehicle's last known one. Reads the vehicle: a query unless it was selected with the declaration."""
        return self.vehicle.trailer_plate if self.trailer_plate is None else self.trailer_plate

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return (
            self.status == Status.IN_TRANSIT and self.deadline is not None and self.deadline < (now or timezone.now())
        )

    @property
    def settled_on_time(self) -> bool | None:
        if not self.settled_at or not self.deadline:
            return None
        return bool(self.arrived_at and self.arrived_at <= self.deadline)


class GoodsItem(models.Model):
    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.CASCADE, related_name="goods", verbose_name=_("declaration")
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    hs_code = models.CharField(_("HS code"), max_length=12)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=16)
    gross_weight_kg = models.DecimalField(_("gross weight (kg)"), max_digits=14, decimal_places=3)
    value = models.DecimalField(_("value (USD)"), max_digits=16, decimal_places=2, default=0)
    serials = models.JSONField(_("goods serials / IMEIs"), default=list, blank=True)
    ZERO_IS_NONE = ("gross_weight_kg", "value")  # stored 0 when left empty (``TransitDeclaration.ZERO_IS_NONE``)

    class Meta:
        verbose_name = _("goods item")
        verbose_name_plural = _("goods items")
        ordering = ["declaration", "line_no"]
        constraints = [models.UniqueConstraint(fields=["declaration", "line_no"], name="goods_unique_line")]

    def __str__(self) -> str:
        return f"{self.hs_code} {self.description}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its declaration's serial, isolated, its line
        in the reader's digits and the start of its description, isolated (never the HS code alone)."""
        from declarations.idents import serial_text

        line = gettext("line %(n)s") % {"n": digits(self.line_no)}
        what = isolate(Truncator(self.description).chars(40), "auto")
        return " · ".join(part for part in (serial_text(self.declaration.serial), line, what) if part)


class GoodsSerial(models.Model):
    """One goods serial or IMEI, indexed so that a serial in two open declarations is found fast."""

    value = models.CharField(_("serial / IMEI"), max_length=40, db_index=True)
    is_imei = models.BooleanField(_("IMEI"), default=False)
    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.CASCADE, related_name="goods_serials", verbose_name=_("declaration")
    )
    goods_item = models.ForeignKey(GoodsItem, on_delete=models.CASCADE, related_name="+", verbose_name=_("goods item"))

    class Meta:
        verbose_name = _("goods serial")
        verbose_name_plural = _("goods serials")

    def __str__(self) -> str:
        return self.value


def evidence_upload_to(instance: ArrivalConfirmation, filename: str) -> str:
    # The service passes a random name (``uploads.stored_name``); the client's is kept in ``evidence_name``.
    return f"evidence/{instance.declaration_id}/{filename}"


class ArrivalConfirmation(models.Model):
    declaration = models.OneToOneField(
        TransitDeclaration, on_delete=models.CASCADE, related_name="arrival", verbose_name=_("declaration")
    )
    office = models.ForeignKey(CustomsOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("office"))
    confirmed_at = models.DateTimeField(_("arrived at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("confirmed by")
    )
    seals_intact = models.BooleanField(_("seals intact"), default=True)
    seal_numbers_found = models.JSONField(_("seal numbers found"), default=list, blank=True)
    gross_weight_found_kg = models.DecimalField(
        _("gross weight found (kg)"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    remarks = models.TextField(_("remarks"), blank=True)
    # The destination has a camera but no read of the truck there: why the arrival is confirmed anyway.
    unseen_reason = models.CharField(_("why the truck was not seen at the gate"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.USER)
    # An arrival recorded from outside the system must carry its evidence (a scanned document).
    evidence = models.FileField(_("evidence document"), upload_to=evidence_upload_to, blank=True)
    evidence_name = models.CharField(_("file name as uploaded"), max_length=200, blank=True)
    evidence_sha256 = models.CharField(_("SHA-256 of the evidence document"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("arrival confirmation")
        verbose_name_plural = _("arrival confirmations")

    def __str__(self) -> str:
        return f"{self.declaration} @ {self.office}"


class TrafficPermit(models.Model):
    """پروانه تردد of a foreign truck (executive regulation of the foreign-vehicle traffic law, Art. 2, 6,
    8, 10, 11): entry and exit border, route (office codes in order, along T.I.R roads), route length,
    trip time, driving time per driver, the fuel-price-difference receipt paid before issue, the
    documents checked at entry, the goods it covers. The ``*_at`` findings are written by
    ``permits.permit_check_sightings`` from the truck's camera sightings; never typed."""

    permit_no = models.CharField(_("permit number"), max_length=40, unique=True)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="permits", verbose_name=_("vehicle"))
    declaration = models.ForeignKey(
        TransitDeclaration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="permits",
        verbose_name=_("declaration"),
    )
    entry_office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("entry border")
    )
    exit_office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("exit border")
    )
    route = models.JSONField(_("route"), default=list, blank=True)
    route_km = models.PositiveIntegerField(_("route length (km)"), null=True, blank=True)
    allowed_hours = models.PositiveIntegerField(_("allowed trip time (hours)"))
    drivers = models.PositiveSmallIntegerField(_("drivers"), default=1)
    driving_hours_per_driver = models.PositiveSmallIntegerField(
        _("allowed driving per driver in 24 hours (hours)"), default=10
    )
    issued_at = models.DateTimeField(_("issued at"))
    exited_at = models.DateTimeField(_("exited at"), null=True, blank=True)
    exit_source = models.CharField(_("exit recorded from"), max_length=8, blank=True, default="")
    # Art. 8: the fuel-price difference is paid before the permit is issued.
    fuel_receipt_no = models.CharField(_("fuel-price difference receipt number"), max_length=40, blank=True)
    fuel_receipt_date = models.DateField(_("fuel-price difference receipt date"), null=True, blank=True)
    fuel_receipt_amount = models.DecimalField(
        _("fuel-price difference paid (rial)"), max_digits=16, decimal_places=0, null=True, blank=True
    )
    # Art. 10: what the driver must carry, checked at entry (the permit itself is this record).
    has_international_licence = models.BooleanField(_("international driving licence"), default=False)
    has_insurance_card = models.BooleanField(_("international insurance card"), default=False)
    has_tax_booklet = models.BooleanField(_("international tax booklet"), default=False)
    # Art. 13: the goods the permit covers; a difference from the declaration's goods is a signal.
    goods_description = models.CharField(_("goods on the permit"), max_length=300, blank=True)
    goods_weight_kg = models.DecimalField(
        _("goods weight on the permit (kg)"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # What the checks of the sightings found (first time each), with its explanation in ``findings``.
    off_route_at = models.DateTimeField(_("left the permitted route at"), null=True, blank=True)
    overdrive_at = models.DateTimeField(_("driving beyond the limit seen at"), null=True, blank=True)
    gap_at = models.DateTimeField(_("unexplained stop seen at"), null=True, blank=True)
    findings = models.JSONField(_("findings of the sighting checks"), default=dict, blank=True)

    class Meta:
        verbose_name = _("traffic permit")
        verbose_name_plural = _("traffic permits")
        indexes = [models.Index(fields=["issued_at"], name="permit_issued_at")]

    def __str__(self) -> str:
        return self.permit_no

    @property
    def expires_at(self) -> dt.datetime:
        return self.issued_at + dt.timedelta(hours=self.allowed_hours)

    @property
    def missing_documents(self) -> list[str]:
        """Art. 10 documents not seen at entry, as their labels."""
        return [
            str(getattr(self._meta.get_field(name), "verbose_name", name))
            for name in ("has_international_licence", "has_insurance_card", "has_tax_booklet")
            if not getattr(self, name)
        ]

    @property
    def missing_document_labels(self) -> list[str]:
        """The same, as message ids (written in the reader's language when read)."""
        return [
            msgid_of(getattr(self._meta.get_field(name), "verbose_name", name))
            for name in ("has_international_licence", "has_insurance_card", "has_tax_booklet")
            if not getattr(self, name)
        ]

    @property
    def fuel_receipt_recorded(self) -> bool:
        return bool(self.fuel_receipt_no and self.fuel_receipt_date and self.fuel_receipt_amount is not None)


class DeadlineExtension(models.Model):
    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("declaration")
    )
    old_deadline = models.DateTimeField(_("old deadline"), null=True)
    new_deadline = models.DateTimeField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.new_deadline:%Y-%m-%d}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its declaration's serial, isolated, and the new deadline in Jalali."""
        from declarations.idents import serial_text

        return f"{serial_text(self.declaration.serial)} · {format_jalali(self.new_deadline, persian=is_persian())}"


class DeclarationEvent(models.Model):
    """The declaration's own timeline: every transition and evidence, with who and where from."""

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.CASCADE, related_name="events", verbose_name=_("declaration")
    )
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("actor")
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.USER)
    # What the event says is written when the timeline is read, in the reader's language
    # (``notifications.messages``): its message id and parameters. ``message`` keeps it written in the
    # project's language (the admin, the audit); a row from before the message ids (empty
    # ``message_msgid``) and a person's own words (a remark, a reason) are shown as stored there.
    message = models.CharField(_("message"), max_length=500, blank=True)
    message_msgid = models.TextField(_("message id"), blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("declaration event")
        verbose_name_plural = _("declaration events")
        indexes = [models.Index(fields=["declaration", "at"])]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.kind}"

    @staticmethod
    def message_fields(message: Message | str) -> dict[str, Any]:
        """The fields that keep ``message``: a message's id, parameters and stored copy; words as written."""
        if not isinstance(message, Message):
            return {"message": message[:500], "message_msgid": "", "params": {}}
        return {
            "message": stored_copy(message)[:500],
            "message_msgid": message.msgid,
            "params": params_to_json(message.params),
        }

    def message_text(self) -> str:
        """What the event says in the active language, as plain text (its stored text when it keeps no message)."""
        shown = written(self.message_msgid, self.params, html=False, what=f"declaration event {self.pk}")
        return self.message if shown is None else shown

    def message_html(self) -> SafeString | str:
        """The same for a page: escaped, identifiers isolated (a stored text is escaped by the template)."""
        shown = written(self.message_msgid, self.params, html=True, what=f"declaration event {self.pk}")
        return self.message if shown is None else shown


class ImportState(models.TextChoices):
    QUEUED = "queued", _("waiting for the worker")
    RUNNING = "running", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportBatch(models.Model):
    """One import of an ICS export (file, API call): who, what file, and the summary it returned.

    A page or API import is queued (the file stored, or the API's records kept as JSON text) and
    run by the worker (``import_jobs``); ``processed`` of ``total`` declarations say how far it
    is. The ``import_ics`` command imports in the caller: its batch is done when it is written."""

    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.ICS)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("imported by")
    )
    at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=ImportState.choices, default=ImportState.DONE)
    # The uploaded file as received (its SHA-256 above, checked again before the worker reads it).
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    # The API's records waiting for the worker, as JSON text (escaped: no NUL reaches the database);
    # emptied when the import ends (the report keeps what became of each).
    payload = models.TextField(_("records waiting"), blank=True, editable=False)
    total = models.PositiveIntegerField(_("declarations in the file"), default=0)
    processed = models.PositiveIntegerField(_("declarations processed"), default=0)
    error = models.TextField(_("why it failed"), blank=True)
    # When the worker claimed it: a claim older than the import's time limit is a dead worker's.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.filename or self.source} {format_jalali(self.at, persian=is_persian())}"  # Tehran time

    @property
    def waiting(self) -> bool:
        """Not finished yet: the page keeps asking."""
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, self.processed * 100 // self.total) if self.total else 0
