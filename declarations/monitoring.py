"""The monitoring signals of DESIGN.md, each a filter on the declarations table alone and,
beside it, the same check on one declaration in memory (``Signal.holds``).

``SIGNALS`` is ordered as the dashboard shows them. Every filter uses the
evidence summary on ``TransitDeclaration`` (kept by anpr and scans), so counts
never join the plate-read or scan tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice

from .models import ARRIVED_STATUSES, OPEN_STATUSES, SCANNED_STATUSES, Review, Status, TransitDeclaration, Verdict


@dataclass(frozen=True)
class Signal:
    """One monitoring signal, written once: ``q(now)`` selects its declarations in the database
    (lists, counts) and ``holds(d, now)`` checks one loaded declaration in memory (its page, the
    API; needs ``origin`` and ``destination`` loaded for the camera/scanner checks). The two sit
    side by side below and a test requires them to select the same declarations."""

    key: str
    label: Any  # a lazy translation
    severity: str  # "danger" | "warning" | "info"
    q: Callable[[dt.datetime], Q]
    holds: Callable[[TransitDeclaration, dt.datetime], bool]


def _overdue(now):
    return Q(status=Status.IN_TRANSIT, deadline__lt=now)


def _overdue_holds(d, now):
    return d.is_overdue(now)


def _per_office(field: str, flag: str, since: str, at: str) -> Q:
    """One branch per office with the equipment: ``<field> = office AND <at> >= its in-service date``.

    Spelt out per office rather than joined (``at >= office.since``): each branch is a range of the
    signal's partial index, where the join read every row without evidence (nearly all, in years of
    history) to keep the few after the camera or scanner went into service."""
    branches = Q(pk__in=[])
    for office_id, in_service in CustomsOffice.objects.filter(**{flag: True}).values_list("pk", since):
        branches |= Q(**{field: office_id}, **({f"{at}__gte": in_service} if in_service else {}))
    return branches


# Until a person explains it (``arrival_reads``: the review that counts explains it; «refer» does not).
def _arrival_without_read(now):
    # Only arrivals after the destination's camera went into service can have been read.
    return Q(status__in=ARRIVED_STATUSES, dest_first_read_at__isnull=True, arrival_read_explained=False) & _per_office(
        "destination_id", "has_anpr", "anpr_since", "arrived_at"
    )


def arrival_unread(d: TransitDeclaration) -> bool:
    """A confirmed arrival at a destination with a camera in service then, and no plate read there: what
    raises ``arrival_without_read`` until it is explained, and what a person may explain. Needs ``destination``."""
    since = d.destination.anpr_since
    return (
        d.status in ARRIVED_STATUSES
        and d.destination.has_anpr
        and not d.dest_first_read_at
        and (since is None or (d.arrived_at is not None and d.arrived_at >= since))
    )


def _arrival_without_read_holds(d, now):
    return arrival_unread(d) and not d.arrival_read_explained


def _read_without_arrival(now):
    return Q(
        status=Status.IN_TRANSIT,
        dest_first_read_at__lt=now - dt.timedelta(hours=settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS),
    )


def _read_without_arrival_holds(d, now):
    read_grace = dt.timedelta(hours=settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS)
    return (
        d.status == Status.IN_TRANSIT and d.dest_first_read_at is not None and d.dest_first_read_at < now - read_grace
    )


def _origin_scan_missing(now):
    return Q(
        status__in=SCANNED_STATUSES,
        origin_scan_at__isnull=True,
        departed_at__lt=now - dt.timedelta(hours=settings.SIGNAL_ORIGIN_SCAN_HOURS),
    ) & _per_office("origin_id", "has_scanner", "scanner_since", "departed_at")


def _origin_scan_missing_holds(d, now):
    scan_grace = dt.timedelta(hours=settings.SIGNAL_ORIGIN_SCAN_HOURS)
    return (
        d.status in SCANNED_STATUSES
        and d.origin.has_scanner
        and d.origin_scan_at is None
        and d.departed_at is not None
        and d.departed_at < now - scan_grace
        and (d.origin.scanner_since is None or d.departed_at >= d.origin.scanner_since)
    )


def _scan_not_reviewed(now):
    return Q(comparison_review=Review.PENDING)


def _scan_not_reviewed_holds(d, now):
    return d.comparison_review == Review.PENDING


# Suspicious until accepted; an escalated comparison of any kind counts here too: one that could not align
# the images, escalated, is a person finding them to differ (``detection`` proposes a scan discrepancy for
# both), so it stays before headquarters and the inspectors as an escalated suspicious one does.
# A suspicious comparison not accepted, or any comparison escalated: an escalation stands once a later scan
# is compared (``scan_escalated``), as it withholds the settlement until released.
def _scan_suspicious(now):
    return (
        (Q(comparison_verdict=Verdict.SUSPICIOUS) & ~Q(comparison_review=Review.ACCEPTED))
        | Q(comparison_review=Review.ESCALATED)
        | Q(scan_escalated=True)
    )


def _scan_suspicious_holds(d, now):
    return (
        (d.comparison_verdict == Verdict.SUSPICIOUS and d.comparison_review != Review.ACCEPTED)
        or d.comparison_review == Review.ESCALATED
        or d.scan_escalated
    )


# A comparison that could not align the two images has no verdict: not evidence of tampering, but the
# truck's scan is unverified until the destination looks at the images itself (its review ends it).
def _scan_unaligned(now):
    return Q(comparison_verdict=Verdict.UNREGISTERED, comparison_review=Review.PENDING)


def _scan_unaligned_holds(d, now):
    return d.comparison_verdict == Verdict.UNREGISTERED and d.comparison_review == Review.PENDING


def _scan_reused(now):
    return Q(scan_reused=True)


def _scan_reused_holds(d, now):
    return d.scan_reused


def _dup_waybill(now):
    return Q(dup_waybill=True, status__in=OPEN_STATUSES)


def _dup_waybill_holds(d, now):
    return d.dup_waybill and d.status in OPEN_STATUSES


def _dup_serial(now):
    return Q(dup_goods_serial=True, status__in=OPEN_STATUSES)


def _dup_serial_holds(d, now):
    return d.dup_goods_serial and d.status in OPEN_STATUSES


def _dup_vehicle(now):
    return Q(dup_vehicle=True, status=Status.IN_TRANSIT)


def _dup_vehicle_holds(d, now):
    return d.dup_vehicle and d.status == Status.IN_TRANSIT


def _off_route(now):
    return Q(off_route_read_at__isnull=False, status__in=OPEN_STATUSES)


def _off_route_holds(d, now):
    return d.off_route_read_at is not None and d.status in OPEN_STATUSES


def _permit_expired(now):
    return Q(status=Status.IN_TRANSIT, permit_expires_at__lt=now) & ~Q(vehicle_country="IR")


def _permit_expired_holds(d, now):
    return (
        d.status == Status.IN_TRANSIT
        and d.permit_expires_at is not None
        and d.permit_expires_at < now
        and d.vehicle_country != "IR"
    )


def _covered_without_serials(now):
    return Q(covered_without_serials=True, status__in=OPEN_STATUSES)


def _covered_without_serials_holds(d, now):
    return d.covered_without_serials and d.status in OPEN_STATUSES


def _invalid_imei(now):
    return Q(invalid_imei=True, status__in=OPEN_STATUSES)


def _invalid_imei_holds(d, now):
    return d.invalid_imei and d.status in OPEN_STATUSES


# --- foreign trucks (traffic-permit rules; ``permits``, ``permit_checks``) -------------------------


def _permit_missing(now):
    return Q(status__in=(Status.REGISTERED, Status.IN_TRANSIT), permit_no="") & ~Q(vehicle_country="IR")


def _permit_missing_holds(d, now):
    return d.status in (Status.REGISTERED, Status.IN_TRANSIT) and not d.permit_no and d.vehicle_country != "IR"


def _permit_overdrive(now):
    return Q(permit_overdrive_at__isnull=False, status__in=OPEN_STATUSES)


def _permit_overdrive_holds(d, now):
    return d.permit_overdrive_at is not None and d.status in OPEN_STATUSES


def _permit_gap(now):
    return Q(permit_gap_at__isnull=False, status__in=OPEN_STATUSES)


def _permit_gap_holds(d, now):
    return d.permit_gap_at is not None and d.status in OPEN_STATUSES


def _permit_goods(now):
    return Q(permit_goods_mismatch=True, status__in=OPEN_STATUSES)


def _permit_goods_holds(d, now):
    return d.permit_goods_mismatch and d.status in OPEN_STATUSES


SIGNALS: dict[str, Signal] = {
    s.key: s
    for s in [
        Signal("overdue", _("Overdue"), "danger", _overdue, _overdue_holds),
        Signal(
            "arrival_without_read",
            _("Arrival without plate read"),
            "warning",
            _arrival_without_read,
            _arrival_without_read_holds,
        ),
        Signal(
            "read_without_arrival",
            _("Plate read, no arrival"),
            "danger",
            _read_without_arrival,
            _read_without_arrival_holds,
        ),
        Signal(
            "origin_scan_missing", _("Origin scan missing"), "warning", _origin_scan_missing, _origin_scan_missing_holds
        ),
        # A comparison made and awaiting a person, whenever the truck arrived; the scan compliance panel's
        # «no reviewed comparison» counts otherwise (arrivals of its window, with no comparison yet too).
        Signal(
            "scan_not_reviewed",
            _("Scan comparison awaiting review"),
            "info",
            _scan_not_reviewed,
            _scan_not_reviewed_holds,
        ),
        Signal("scan_suspicious", _("Scan suspicious"), "danger", _scan_suspicious, _scan_suspicious_holds),
        Signal(
            "scan_unaligned",
            _("Scan images could not be compared"),
            "warning",
            _scan_unaligned,
            _scan_unaligned_holds,
        ),
        Signal("scan_reused", _("Scan of another truck reused"), "danger", _scan_reused, _scan_reused_holds),
        Signal("dup_waybill", _("Duplicate waybill"), "danger", _dup_waybill, _dup_waybill_holds),
        Signal("dup_serial", _("Duplicate goods serial/IMEI"), "danger", _dup_serial, _dup_serial_holds),
        Signal("dup_vehicle", _("Truck on two declarations"), "danger", _dup_vehicle, _dup_vehicle_holds),
        Signal("off_route", _("Off-route plate read"), "danger", _off_route, _off_route_holds),
        Signal("permit_expired", _("Foreign truck past permit"), "danger", _permit_expired, _permit_expired_holds),
        Signal(
            "covered_without_serials",
            _("Covered goods without serials"),
            "warning",
            _covered_without_serials,
            _covered_without_serials_holds,
        ),
        Signal("invalid_imei", _("Invalid IMEI declared"), "danger", _invalid_imei, _invalid_imei_holds),
        Signal("permit_missing", _("Foreign truck without permit"), "danger", _permit_missing, _permit_missing_holds),
        Signal(
            "permit_overdrive",
            _("Foreign truck beyond driving time"),
            "danger",
            _permit_overdrive,
            _permit_overdrive_holds,
        ),
        Signal(
            "permit_gap",
            _("Foreign truck stopped outside TIR parks"),
            "warning",
            _permit_gap,
            _permit_gap_holds,
        ),
        Signal("permit_goods", _("Goods differ from permit"), "warning", _permit_goods, _permit_goods_holds),
    ]
}


# Signals with a partial index of their own (migration 0006): a few thousand rows even nationally,
# so a list filtered by one reads that index in date order rather than one range per office.
# ``scan_unaligned`` reads that of ``scan_not_reviewed`` (pending review), of which it is a part.
PARTIAL_INDEXED = frozenset(
    {
        *("dup_waybill", "dup_serial", "dup_vehicle", "off_route", "scan_suspicious", "scan_not_reviewed"),
        *("scan_unaligned", "scan_reused"),
        *("covered_without_serials", "invalid_imei"),
    }
)


def signals_holding(d: TransitDeclaration, now: dt.datetime | None = None) -> list[Signal]:
    """The signals that hold for one loaded declaration, checked in memory (no query)."""
    now = now or timezone.now()
    return [sig for sig in SIGNALS.values() if sig.holds(d, now)]


def filter_signal(qs: QuerySet, key: str, now: dt.datetime | None = None) -> QuerySet:
    try:
        signal = SIGNALS[key]
    except KeyError:
        raise ValueError(f"unknown signal '{key}'") from None
    return qs.filter(signal.q(now or timezone.now()))


def signal_counts(qs: QuerySet, now: dt.datetime | None = None) -> dict[str, int]:
    """One COUNT per signal over an already-scoped queryset (each hits a partial or composite index)."""
    now = now or timezone.now()
    return {key: qs.filter(sig.q(now)).count() for key, sig in SIGNALS.items()}
