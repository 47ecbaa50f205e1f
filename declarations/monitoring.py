"""The monitoring signals of DESIGN.md, each a filter on the declarations table alone.

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

from .models import ARRIVED_STATUSES, OPEN_STATUSES, Review, Status, Verdict


@dataclass(frozen=True)
class Signal:
    key: str
    label: Any  # a lazy translation
    severity: str  # "danger" | "warning" | "info"
    q: Callable[[dt.datetime], Q]


def _overdue(now):
    return Q(status=Status.IN_TRANSIT, deadline__lt=now)


def _arrival_without_read(now):
    return Q(status__in=ARRIVED_STATUSES, destination__has_anpr=True, dest_first_read_at__isnull=True)


def _read_without_arrival(now):
    return Q(
        status=Status.IN_TRANSIT,
        dest_first_read_at__lt=now - dt.timedelta(hours=settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS),
    )


def _origin_scan_missing(now):
    return Q(
        status__in=(Status.IN_TRANSIT, *ARRIVED_STATUSES),
        origin__has_scanner=True,
        origin_scan_at__isnull=True,
        departed_at__lt=now - dt.timedelta(hours=settings.SIGNAL_ORIGIN_SCAN_HOURS),
    )


def _scan_not_reviewed(now):
    return Q(comparison_review=Review.PENDING)


def _scan_suspicious(now):
    return Q(comparison_verdict=Verdict.SUSPICIOUS) & ~Q(comparison_review=Review.ACCEPTED)


def _dup_waybill(now):
    return Q(dup_waybill=True, status__in=OPEN_STATUSES)


def _dup_serial(now):
    return Q(dup_goods_serial=True, status__in=OPEN_STATUSES)


def _dup_vehicle(now):
    return Q(dup_vehicle=True, status=Status.IN_TRANSIT)


def _off_route(now):
    return Q(off_route_read_at__isnull=False, status__in=OPEN_STATUSES)


def _permit_expired(now):
    return Q(status=Status.IN_TRANSIT, permit_expires_at__lt=now) & ~Q(vehicle_country="IR")


SIGNALS: dict[str, Signal] = {
    s.key: s
    for s in [
        Signal("overdue", _("Overdue"), "danger", _overdue),
        Signal("arrival_without_read", _("Arrival without plate read"), "warning", _arrival_without_read),
        Signal("read_without_arrival", _("Plate read, no arrival"), "danger", _read_without_arrival),
        Signal("origin_scan_missing", _("Origin scan missing"), "warning", _origin_scan_missing),
        Signal("scan_not_reviewed", _("Scan not reviewed"), "info", _scan_not_reviewed),
        Signal("scan_suspicious", _("Scan suspicious"), "danger", _scan_suspicious),
        Signal("dup_waybill", _("Duplicate waybill"), "danger", _dup_waybill),
        Signal("dup_serial", _("Duplicate goods serial/IMEI"), "danger", _dup_serial),
        Signal("dup_vehicle", _("Truck on two declarations"), "danger", _dup_vehicle),
        Signal("off_route", _("Off-route plate read"), "danger", _off_route),
        Signal("permit_expired", _("Foreign truck past permit"), "danger", _permit_expired),
    ]
}


# Signals with a partial index of their own (migration 0006): a few thousand rows even nationally,
# so a list filtered by one reads that index in date order rather than one range per office.
PARTIAL_INDEXED = frozenset(
    {"dup_waybill", "dup_serial", "dup_vehicle", "off_route", "scan_suspicious", "scan_not_reviewed"}
)


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
