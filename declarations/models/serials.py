"""The household-appliance anti-smuggling rules (issue 15 §2): covered goods, serials found on arrival
and their discrepancies, settlement overrides, IMEI registry checks, transport documents.

Every row here is evidence or a decision about evidence: nothing is edited after it is written. A
discrepancy is resolved by a new ``DiscrepancyResolution`` row (who, why); a transport document
corrected by a newer document; a registry check repeated by a newer check. The services that write
them are in ``declarations/serials.py`` and ``declarations/transport_docs.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .core import Source, TransitDeclaration

# The regulation's groups (``covered_data.GROUPS``) as the reader's language names them.
GROUP_LABELS = {"alef": _("Group A"), "be": _("Group B"), "jim": _("Group C")}


class CoveredGroup(models.Model):
    """A group (الف، ب، ج) of goods whose serials became mandatory on a date, after its notice."""

    code = models.CharField(_("group"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    mandatory_from = models.DateField(_("serials mandatory from"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("covered goods group")
        verbose_name_plural = _("covered goods groups")
        ordering = ["mandatory_from", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The group in the reader's language: one of the regulation's by its code, another by its name."""
        label = GROUP_LABELS.get(self.code)
        return self.name if label is None else str(label)


class Identifier(models.TextChoices):
    SERIAL = "serial", _("serial number")
    IMEI = "imei", _("IMEI")


class CoveredGoods(models.Model):
    """One HS code prefix of a covered group: goods under it must carry serials (or IMEIs)."""

    group = models.ForeignKey(CoveredGroup, on_delete=models.PROTECT, related_name="codes", verbose_name=_("group"))
    hs_prefix = models.CharField(_("HS code prefix"), max_length=10, unique=True)
    description = models.CharField(_("description"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=8, choices=Identifier.choices, default=Identifier.SERIAL)

    class Meta:
        verbose_name = _("covered goods")
        verbose_name_plural = _("covered goods")
        ordering = ["group__mandatory_from", "hs_prefix"]

    # Why it is being removed (``covered.goods_remove``), for the deletion's audit entry: no column, the row
    # goes.
    removal_reason = ""

    def __str__(self) -> str:
        return f"{self.hs_prefix} {self.description}"

    def get_additional_data(self) -> dict | None:
        """What django-auditlog keeps with an entry beside the changes: the reason of a removal."""
        return {"reason": self.removal_reason} if self.removal_reason else None


class SerialKind(models.TextChoices):
    SERIAL = "serial", _("serial / IMEI")
    TRACKING = "tracking", _("tracking ID (goods without a serial)")


class ArrivalSerial(models.Model):
    """A serial (or a tracking ID, for goods without one: note 2) the destination found on arrival (Art. 24)."""

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.CASCADE, related_name="arrival_serials", verbose_name=_("declaration")
    )
    value = models.CharField(_("serial / IMEI / tracking ID"), max_length=40)
    kind = models.CharField(_("kind"), max_length=8, choices=SerialKind.choices, default=SerialKind.SERIAL)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.USER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("serial found on arrival")
        verbose_name_plural = _("serials found on arrival")
        constraints = [models.UniqueConstraint(fields=["declaration", "value"], name="arrival_serial_unique")]

    def __str__(self) -> str:
        return self.value


class SerialDiscrepancy(models.Model):
    """The serials found on arrival differ from the declared ones: what is missing, what is extra.
    Open until a ``DiscrepancyResolution`` names who resolved it and why; settlement waits."""

    declaration = models.ForeignKey(
        TransitDeclaration,
        on_delete=models.CASCADE,
        related_name="serial_discrepancies",
        verbose_name=_("declaration"),
    )
    missing = models.JSONField(_("declared, not found"), default=list, blank=True)
    extra = models.JSONField(_("found, not declared"), default=list, blank=True)
    found_count = models.PositiveIntegerField(_("serials found"), default=0)
    declared_count = models.PositiveIntegerField(_("serials declared"), default=0)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("opened by")
    )

    class Meta:
        verbose_name = _("serial discrepancy")
        verbose_name_plural = _("serial discrepancies")
        ordering = ["opened_at", "id"]

    def __str__(self) -> str:
        return f"{self.declaration_id}: -{len(self.missing)} +{len(self.extra)}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its declaration's serial, isolated."""
        from declarations.idents import serial_text

        return serial_text(self.declaration.serial)

    @property
    def is_open(self) -> bool:
        return not hasattr(self, "resolution")


class DiscrepancyResolution(models.Model):
    """Who resolved a serial discrepancy and why (the discrepancy itself is never edited)."""

    discrepancy = models.OneToOneField(
        SerialDiscrepancy, on_delete=models.CASCADE, related_name="resolution", verbose_name=_("discrepancy")
    )
    reason = models.CharField(_("why"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("resolved by")
    )
    at = models.DateTimeField(_("resolved at"), auto_now_add=True)
    superseded = models.BooleanField(_("superseded by a later count"), default=False)

    class Meta:
        verbose_name = _("discrepancy resolution")
        verbose_name_plural = _("discrepancy resolutions")

    def __str__(self) -> str:
        return f"{self.discrepancy_id}: {self.reason[:40]}"


class SettlementOverride(models.Model):
    """An authorised person released the settlement despite what blocked it (``covers``: the blocks)."""

    declaration = models.ForeignKey(
        TransitDeclaration,
        on_delete=models.CASCADE,
        related_name="settlement_overrides",
        verbose_name=_("declaration"),
    )
    covers = models.JSONField(_("blocks overridden"), default=list)
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("settlement override")
        verbose_name_plural = _("settlement overrides")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {', '.join(self.covers)}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its declaration's serial, isolated."""
        from declarations.idents import serial_text

        return serial_text(self.declaration.serial)


class RegistryResult(models.TextChoices):
    REGISTERED = "registered", _("registered in the IMEI registry")
    NOT_REGISTERED = "not_registered", _("not registered")
    BLOCKED = "blocked", _("reported stolen or blocked")


class ImeiRegistryCheck(models.Model):
    """The result of checking one IMEI against the national registry (همتا), with the date it was checked."""

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.CASCADE, related_name="imei_checks", verbose_name=_("declaration")
    )
    imei = models.CharField(_("IMEI"), max_length=40)
    result = models.CharField(_("result"), max_length=16, choices=RegistryResult.choices)
    checked_on = models.DateField(_("checked on"))
    reference = models.CharField(_("registry reference"), max_length=100, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("IMEI registry check")
        verbose_name_plural = _("IMEI registry checks")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.imei}: {self.result}"


class TransportDocument(models.Model):
    """The transport document (سند حمل, e.g. the CMR consignment note) with its own origin, destination,
    route, goods and quantity (Art. 12, note 1). ``differences`` is what differed from the declaration
    when it was recorded; a correction is a newer document, the latest one counts."""

    declaration = models.ForeignKey(
        TransitDeclaration,
        on_delete=models.CASCADE,
        related_name="transport_documents",
        verbose_name=_("declaration"),
    )
    number = models.CharField(_("document number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    origin = models.CharField(_("origin"), max_length=40)
    destination = models.CharField(_("destination"), max_length=40)
    route = models.JSONField(_("route"), default=list, blank=True)
    goods_description = models.CharField(_("goods description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, null=True, blank=True)
    gross_weight_kg = models.DecimalField(
        _("gross weight (kg)"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    differences = models.JSONField(_("differences from the declaration"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.USER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("transport document")
        verbose_name_plural = _("transport documents")
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["recorded_at"], name="transport_doc_recorded")]

    def __str__(self) -> str:
        return self.number

    @property
    def places(self) -> list[str]:
        """Origin and destination as the document names them, for the ``route`` filter."""
        return [self.origin, self.destination]


__all__ = [
    "ArrivalSerial",
    "CoveredGoods",
    "CoveredGroup",
    "DiscrepancyResolution",
    "Identifier",
    "ImeiRegistryCheck",
    "RegistryResult",
    "SerialDiscrepancy",
    "SerialKind",
    "SettlementOverride",
    "TransportDocument",
]
