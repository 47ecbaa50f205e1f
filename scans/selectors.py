"""Reads of scans: compliance per office (dashboard panel, monthly return), and which scans are the
same image as another declaration's (the scans' pages, the viewer, the timeline)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import CustomsOffice
from core.dates import format_jalali
from core.text import digits, is_persian
from declarations import idents, scan_compliance

from .models import ReuseDecision, Scan, ScanReuseReview, Stage


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


# --- the same image on two declarations ----------------------------------------------------------


@dataclass
class Reuse:
    """One scan's image is also a scan of another declaration, as a page tells ``user`` of it.

    ``later``: the other scan repeats this one (uploaded after it); else this one repeats it.
    ``visible``: the user may see the other declaration; if not, the page says only that it is
    another declaration's scan and whether of the same truck, not which one (no serial, no link)."""

    scan_id: int
    other: Scan
    later: bool
    same_truck: bool
    visible: bool
    # The decision recorded on the scan that repeats the other (``scans.reuse_reviews``), if any.
    review: ScanReuseReview | None = None

    @property
    def severity(self) -> str:
        """Another truck's scan: the fraud pattern (``danger``), until a review explains it; the same truck,
        or explained: a note (``info``)."""
        explained = self.review is not None and self.review.decision == ReuseDecision.EXPLAINED
        return "info" if self.same_truck or explained else "danger"

    @property
    def url(self) -> str:
        return reverse("scans:declaration", args=[self.other.declaration_id]) if self.visible else ""

    @property
    def text(self) -> str:
        other = self.other
        if not self.visible:
            if self.later:
                return (
                    _(
                        "This image was uploaded again as a scan of another declaration of the same truck (outside your offices)."
                    )
                    if self.same_truck
                    else _(
                        "This image was uploaded again as a scan of another declaration, of another truck (outside your offices)."
                    )
                )
            return (
                _(
                    "Same image as a scan of another declaration of the same truck (outside your offices): "
                    "one pass scanned for two declarations."
                )
                if self.same_truck
                else _(
                    "Same image as a scan of another declaration, of another truck (outside your offices): "
                    "this declaration's truck may never have been scanned."
                )
            )
        values = {
            "stage": Stage(other.stage).label,
            "id": digits(other.pk),
            "serial": idents.serial_text(other.declaration.serial),
            "plate": idents.plate_text(other.declaration.vehicle.plate, other.declaration.vehicle.country),
            "at": format_jalali(other.uploaded_at, persian=is_persian()),
        }
        if self.later:
            if self.same_truck:
                text = _(
                    "This image was uploaded again on %(at)s as the %(stage)s scan no. %(id)s of declaration "
                    "%(serial)s, of the same truck: one pass scanned for two declarations."
                )
            else:
                text = _(
                    "This image was uploaded again on %(at)s as the %(stage)s scan no. %(id)s of declaration "
                    "%(serial)s, another truck (%(plate)s): a scan reused for a truck that was not scanned?"
                )
        elif self.same_truck:
            text = _(
                "Same image as the %(stage)s scan no. %(id)s of declaration %(serial)s, of the same truck, "
                "uploaded on %(at)s: one pass scanned for two declarations."
            )
        else:
            text = _(
                "Same image as the %(stage)s scan no. %(id)s of declaration %(serial)s, another truck "
                "(%(plate)s), uploaded on %(at)s: this declaration's truck may never have been scanned."
            )
        return text % values


def reuses(scans: list[Scan], user) -> dict[int, list[Reuse]]:
    """``{scan id: [Reuse, ...]}`` for the scans whose image is also another declaration's scan, each
    either way (this scan repeats an earlier one; a later one repeats this one), each with its review. At most
    five queries."""
    ids = [s.pk for s in scans]
    if not ids:
        return {}
    related = ("declaration__vehicle", "uploaded_by")
    pairs: list[tuple[Scan, Scan, bool]] = []  # (this scan, the other, later)
    repeated = {s.repeats_scan for s in scans if s.repeats_scan}
    # (an earlier scan since archived and removed is no longer told of)
    earlier = Scan.objects.select_related(*related).in_bulk(repeated) if repeated else {}
    for scan in scans:
        if scan.repeats_scan in earlier:
            pairs.append((scan, earlier[scan.repeats_scan], False))
    by_id = {s.pk: s for s in scans}
    for later in Scan.objects.filter(repeats_scan__in=ids).select_related(*related).order_by("id"):
        pairs.append((by_id[later.repeats_scan], later, True))
    if not pairs:
        return {}
    trucks = dict(Scan.objects.filter(pk__in=ids).values_list("pk", "declaration__vehicle_id"))
    seen = set(
        Scan.objects.for_user(user)
        .filter(pk__in={o.pk for _s, o, _l in pairs})
        .values_list("declaration_id", flat=True)
    )
    repeating = {other.pk if later else scan.pk for scan, other, later in pairs}
    reviews = {r.scan_id: r for r in ScanReuseReview.objects.filter(scan_id__in=repeating).current()}
    found: dict[int, list[Reuse]] = {}
    for scan, other, later in pairs:
        found.setdefault(scan.pk, []).append(
            Reuse(
                scan_id=scan.pk,
                other=other,
                later=later,
                same_truck=other.declaration.vehicle_id == trucks[scan.pk],
                visible=other.declaration_id in seen,
                review=reviews.get(other.pk if later else scan.pk),
            )
        )
    return found
