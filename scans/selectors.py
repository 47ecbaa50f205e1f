"""Reads of scans that other apps use: compliance per office (dashboard panel, monthly return)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from accounts.models import CustomsOffice
from declarations.models import Review


def compliance(
    declarations_qs: QuerySet,
    start: dt.datetime,
    end: dt.datetime,
    *,
    within_hours: int | None = None,
    offices: list[int] | None = None,
) -> dict[int, dict]:
    """Scan compliance per office over ``start <= t < end`` (directive point 2).

    Origin side, per origin office with a scanner: declarations that departed in the period
    (``departed``), of which an origin scan was captured no later than ``within_hours`` after
    departure (``origin_scanned_in_time``; default ``SIGNAL_ORIGIN_SCAN_HOURS``) or at all
    (``origin_scanned``). Destination side, per destination office with a scanner:
    declarations that arrived in the period (``arrived``), of which a comparison exists
    (``compared``) and was reviewed, accepted or escalated (``reviewed``).

    ``offices`` keeps the departures from and the arrivals at these offices only.

    Two grouped COUNT queries on the declarations table and its evidence summary only (no
    join over scans), so it stays cheap on 10M declarations. Returns
    ``{office_id: {"office_code", "office_name", "departed", ..., "origin_scan_share",
    "review_share"}}``; a share is None when its denominator is 0.
    """
    hours = settings.SIGNAL_ORIGIN_SCAN_HOURS if within_hours is None else within_hours
    qs = declarations_qs.order_by()
    departures, arrivals = qs, qs
    if offices is not None:  # these offices' departures and arrivals (indexed by office and time)
        departures, arrivals = qs.filter(origin_id__in=offices), qs.filter(destination_id__in=offices)
    origin_rows = (
        # as the signals do: only since the office's scanner went into service
        departures.filter(departed_at__gte=start, departed_at__lt=end, origin__has_scanner=True)
        .filter(Q(origin__scanner_since__isnull=True) | Q(departed_at__gte=F("origin__scanner_since")))
        .values("origin_id")
        .annotate(
            departed=Count("id"),
            origin_scanned=Count("id", filter=Q(origin_scan_at__isnull=False)),
            origin_scanned_in_time=Count(
                "id", filter=Q(origin_scan_at__lte=F("departed_at") + dt.timedelta(hours=hours))
            ),
        )
    )
    dest_rows = (
        arrivals.filter(arrived_at__gte=start, arrived_at__lt=end, destination__has_scanner=True)
        .filter(Q(destination__scanner_since__isnull=True) | Q(arrived_at__gte=F("destination__scanner_since")))
        .values("destination_id")
        .annotate(
            arrived=Count("id"),
            compared=Count("id", filter=~Q(comparison_verdict="")),
            reviewed=Count("id", filter=Q(comparison_review__in=(Review.ACCEPTED, Review.ESCALATED))),
        )
    )
    empty = {
        "departed": 0,
        "origin_scanned": 0,
        "origin_scanned_in_time": 0,
        "arrived": 0,
        "compared": 0,
        "reviewed": 0,
    }
    result: dict[int, dict] = {}
    for row in origin_rows:
        entry = result.setdefault(row.pop("origin_id"), dict(empty))
        entry.update(row)
    for row in dest_rows:
        entry = result.setdefault(row.pop("destination_id"), dict(empty))
        entry.update(row)
    names = CustomsOffice.objects.filter(pk__in=result).values_list("pk", "code", "name_fa", "name_en")
    for pk, code, name, name_en in names:
        entry = result[pk]
        entry["office_code"] = code
        entry["office_name"] = name  # the return's sheet is a Persian document
        entry["office_name_en"] = name_en
        entry["origin_scan_share"] = _share(entry["origin_scanned_in_time"], entry["departed"])
        entry["review_share"] = _share(entry["reviewed"], entry["arrived"])
    return result


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
