"""What the foreign-truck rules need beside the traffic permit (``core.TrafficPermit``).

- ``RoadDistance``: road kilometres between two customs offices, shipped (``road_distances``) and
  editable by headquarters and the IT office in the admin; the driving-time checks read it.
- ``TirPark``: the register of TIR parks, where a foreign truck may stop (Art. 12); a camera at a
  park (``anpr.Camera.tir_park``) records the truck's stays there.
- ``PermitStop``: a breakdown or accident stop recorded on the permit with who confirmed it (Art. 12
  note 3); it explains a gap between sightings.
- ``PermitWaiver``: an authorised person's reasoned permission for one foreign truck to depart
  without a valid permit (Art. 6 note: customs stops it otherwise).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice

from .core import TrafficPermit, TransitDeclaration

__all__ = ["PermitStop", "PermitWaiver", "RoadDistance", "TirPark"]


class RoadDistance(models.Model):
    """Road distance between two offices, one row per pair in either order (looked up both ways)."""

    office_a = models.ForeignKey(CustomsOffice, on_delete=models.CASCADE, related_name="+", verbose_name=_("office"))
    office_b = models.ForeignKey(
        CustomsOffice, on_delete=models.CASCADE, related_name="+", verbose_name=_("other office")
    )
    km = models.PositiveIntegerField(_("road distance (km)"))

    class Meta:
        verbose_name = _("road distance")
        verbose_name_plural = _("road distances")
        ordering = ["office_a__code", "office_b__code"]
        constraints = [
            models.UniqueConstraint(fields=["office_a", "office_b"], name="road_distance_unique_pair"),
            models.CheckConstraint(condition=~Q(office_a=models.F("office_b")), name="road_distance_two_offices"),
        ]

    def __str__(self) -> str:
        return f"{self.office_a.code} – {self.office_b.code}: {self.km} km"

    def clean(self) -> None:
        if self.office_a_id and self.office_a_id == self.office_b_id:
            raise ValidationError({"office_b": _("Choose two different offices.")})
        reverse = RoadDistance.objects.filter(office_a_id=self.office_b_id, office_b_id=self.office_a_id)
        if self.office_a_id and self.office_b_id and reverse.exclude(pk=self.pk).exists():
            raise ValidationError(_("This pair is already listed the other way round; edit that row."))

    @classmethod
    def table(cls) -> dict[tuple[int, int], int]:
        """Every distance, keyed both ways: ``{(office_id, office_id): km}`` (one query)."""
        out: dict[tuple[int, int], int] = {}
        for a, b, km in cls.objects.values_list("office_a_id", "office_b_id", "km"):
            out[(a, b)] = out[(b, a)] = km
        return out


class TirPark(models.Model):
    """A TIR park (تیرپارک): a designated stop for foreign trucks (Art. 12)."""

    name = models.CharField(_("name"), max_length=150)
    office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="tir_parks", verbose_name=_("nearest customs office")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("TIR park")
        verbose_name_plural = _("TIR parks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("A latitude is between -90 and 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("A longitude is between -180 and 180.")})


class PermitStop(models.Model):
    """A stop off the TIR parks the regulation allows (breakdown, accident), with who confirmed it."""

    class Kind(models.TextChoices):
        BREAKDOWN = "breakdown", _("breakdown")
        ACCIDENT = "accident", _("accident")

    permit = models.ForeignKey(
        TrafficPermit, on_delete=models.PROTECT, related_name="stops", verbose_name=_("traffic permit")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField(_("stopped at"))
    ended_at = models.DateTimeField(_("moved on at"), null=True, blank=True)
    office = models.ForeignKey(
        CustomsOffice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nearest customs office"),
    )
    place = models.CharField(_("place"), max_length=200)
    confirmed_by = models.CharField(
        _("confirmed by"), max_length=200, help_text=_("Who confirmed the stop: name and authority (police, road).")
    )
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("permit stop")
        verbose_name_plural = _("permit stops")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.permit_id} {self.kind} {self.started_at:%Y-%m-%d}"


class PermitWaiver(models.Model):
    """Permission for a foreign truck to depart without a valid permit, by an authorised person."""

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="permit_waivers", verbose_name=_("declaration")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("authorised by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        verbose_name = _("permit waiver")
        verbose_name_plural = _("permit waivers")

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.reason[:40]}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its declaration's serial, isolated."""
        from declarations.idents import serial_text

        return serial_text(self.declaration.serial)
