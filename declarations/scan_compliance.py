"""The scan compliance figures of an office (directive point 2), each a filter on the declarations table and
its evidence summary alone: ``scans`` counts them per office for the dashboard's panel and the return
(``scans.selectors.compliance``), and the declaration list shows the rows of one (``?compliance=…``), so a
figure and the list it links to select the same declarations.

Origin side (per origin office): departures in the window from an office with a scanner, since the scanner
went into service (as the origin-scan-missing signal); of them, those whose origin scan was captured no later
than ``SIGNAL_ORIGIN_SCAN_HOURS`` after departure, and the others (scanned late, or not at all). Destination
side (per destination office): arrivals in the window at an office with a scanner, since its scanner went into
service; of them, those whose comparison was reviewed (accepted or escalated), and the others.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .models import Review

ORIGIN, DESTINATION = "origin", "destination"

REVIEWED = Q(comparison_review__in=(Review.ACCEPTED, Review.ESCALATED))


def departed_q(start: dt.datetime | None = None, end: dt.datetime | None = None) -> Q:
    """Departed in ``start <= departed_at < end`` (either bound may be open) from an office with a scanner in
    service at the time."""
    q = Q(departed_at__isnull=False, origin__has_scanner=True) & (
        Q(origin__scanner_since__isnull=True) | Q(departed_at__gte=F("origin__scanner_since"))
    )
    if start is not None:
        q &= Q(departed_at__gte=start)
    if end is not None:
        q &= Q(departed_at__lt=end)
    return q


def arrived_q(start: dt.datetime | None = None, end: dt.datetime | None = None) -> Q:
    """Arrived in ``start <= arrived_at < end`` at an office with a scanner in service at the time."""
    q = Q(arrived_at__isnull=False, destination__has_scanner=True) & (
        Q(destination__scanner_since__isnull=True) | Q(arrived_at__gte=F("destination__scanner_since"))
    )
    if start is not None:
        q &= Q(arrived_at__gte=start)
    if end is not None:
        q &= Q(arrived_at__lt=end)
    return q


def scanned_in_time_q(hours: int | None = None) -> Q:
    """The origin scan captured no later than ``hours`` (``SIGNAL_ORIGIN_SCAN_HOURS``) after departure."""
    hours = settings.SIGNAL_ORIGIN_SCAN_HOURS if hours is None else hours
    return Q(origin_scan_at__lte=F("departed_at") + dt.timedelta(hours=hours))


def not_scanned_in_time_q(hours: int | None = None) -> Q:
    """Scanned later than that, or never (a departure without a scan is counted here, not lost to a NULL)."""
    hours = settings.SIGNAL_ORIGIN_SCAN_HOURS if hours is None else hours
    return Q(origin_scan_at__isnull=True) | Q(origin_scan_at__gt=F("departed_at") + dt.timedelta(hours=hours))


# key → (the side whose office counts it, its label in the list's filter)
FIGURES = {
    "departed": (ORIGIN, _("departed (origin with a scanner)")),
    "scanned_in_time": (ORIGIN, _("origin scan in time")),
    "not_scanned_in_time": (ORIGIN, _("origin scan late or missing")),
    "arrived": (DESTINATION, _("arrived (destination with a scanner)")),
    "reviewed": (DESTINATION, _("comparison reviewed")),
    # Not the dashboard's «Scan comparison awaiting review» (a comparison made, awaiting a person, any arrival):
    # here the arrivals of the window whose comparison no one accepted or escalated, none made yet included.
    "not_reviewed": (DESTINATION, _("arrived, no reviewed comparison (none yet or awaiting review)")),
}


def figure_q(key: str, start: dt.datetime | None = None, end: dt.datetime | None = None) -> Q:
    """The declarations one figure counts, in the window (an office's: filter by origin or destination, as
    ``FIGURES[key][0]`` says)."""
    if key == "departed":
        return departed_q(start, end)
    if key == "scanned_in_time":
        return departed_q(start, end) & scanned_in_time_q()
    if key == "not_scanned_in_time":
        return departed_q(start, end) & not_scanned_in_time_q()
    if key == "arrived":
        return arrived_q(start, end)
    if key == "reviewed":
        return arrived_q(start, end) & REVIEWED
    if key == "not_reviewed":
        return arrived_q(start, end) & ~REVIEWED
    raise KeyError(key)
