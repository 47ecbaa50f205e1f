"""Reads of scans that other apps use: compliance per office (dashboard panel, monthly return)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from accounts.models import CustomsOffice
from declarations import scan_compliance


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
    (``compared``) and was reviewed, accepted or escalated (``reviewed``). ``origin_not_in_time`` and
    ``not_reviewed`` are the rest of each side (the declaration list's ``?compliance=`` selects every
    figure's rows: ``declarations.scan_compliance``).

    ``offices`` keeps the departures from and the arrivals at these offices only.

    Two grouped COUNT queries on the declarations table and its evidence summary only (no
    join over scans), so it stays cheap on 10M declarations. Returns
    ``{office_id: {"office_code", "office_name", "departed", ..., "origin_scan_share",
    "review_share"}}``; a share is None when its denominator is 0.
    """
    qs = declarations_qs.order_by()
    departures, arrivals = qs, qs
    if offices is not None:  # these offices' departures and arrivals (indexed by office and time)
        departures, arrivals = qs.filter(origin_id__in=offices), qs.filter(destination_id__in=offices)
    # The figures' conditions are written once, in declarations (the list a figure links to uses them too).
    origin_rows = (
        departures.filter(scan_compliance.departed_q(start, end))
        .values("origin_id")
        .annotate(
            departed=Count("id"),
            origin_scanned=Count("id", filter=Q(origin_scan_at__isnull=False)),
            origin_scanned_in_time=Count("id", filter=scan_compliance.scanned_in_time_q(within_hours)),
        )
    )
    dest_rows = (
        arrivals.filter(scan_compliance.arrived_q(start, end))
        .values("destination_id")
        .annotate(
            arrived=Count("id"),
            compared=Count("id", filter=~Q(comparison_verdict="")),
            reviewed=Count("id", filter=scan_compliance.REVIEWED),
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
        entry["origin_not_in_time"] = entry["departed"] - entry["origin_scanned_in_time"]  # late or never scanned
        entry["not_reviewed"] = entry["arrived"] - entry["reviewed"]
        entry["origin_scan_share"] = _share(entry["origin_scanned_in_time"], entry["departed"])
        entry["review_share"] = _share(entry["reviewed"], entry["arrived"])
    return result


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
