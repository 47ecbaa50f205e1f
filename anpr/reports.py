"""ANPR reports: small generator classes with a period, rows, and CSV/XLSX formatters.

Each report is limited to what the user may see: reads per office count the
reads at the user's offices, arrival evidence counts arrivals at the user's
destination offices, plate history follows ``PlateRead.objects.for_user``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from core.dates import TEHRAN, format_jalali
from declarations import idents
from declarations.cells import SafeCsvWriter, safe_row
from declarations.models import ARRIVED_STATUSES, TransitDeclaration, Vehicle

from .models import MatchState, PlateRead

MAX_ROWS = 100_000  # an export is a file for a person, not a database dump


class Report:
    do_not_call_in_templates = True  # pages list the classes themselves
    code = ""
    title = _("report")
    headers: list = []
    identifier_columns: tuple[int, ...] = ()  # plates, serials: read left to right in the XLSX

    def __init__(self, user, start: dt.datetime, end: dt.datetime):
        self.user, self.start, self.end = user, start, end

    @classmethod
    def is_available_to(cls, user) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.is_active)

    def rows(self) -> Iterable[list]:
        raise NotImplementedError

    def filename(self, ext: str) -> str:
        return f"{self.code}-{format_jalali(self.start, with_time=False, persian=False).replace('/', '')}.{ext}"

    def to_csv(self) -> bytes:
        """UTF-8 with a BOM so that Excel opens Persian text correctly; no cell runs as a formula."""
        out = io.StringIO()
        writer = SafeCsvWriter(out)
        writer.writerow([str(h) for h in self.headers])
        writer.writerows(self.rows())
        return ("\ufeff" + out.getvalue()).encode()

    def to_xlsx(self) -> bytes:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(str(self.title)[:31])
        ws.sheet_view.rightToLeft = True
        ws.append([str(h) for h in self.headers])
        for row in self.rows():
            safe = safe_row(row)  # openpyxl writes text starting with "=" as a formula
            ws.append(idents.xlsx_ltr_cells(ws, safe, self.identifier_columns) if self.identifier_columns else safe)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _day(value) -> str:
    return format_jalali(value, with_time=False, persian=False) if value else ""


class ReadsPerOfficeDay(Report):
    code = "anpr-reads-per-office-day"
    title = _("Plate reads per office per day")
    headers = [_("day"), _("office code"), _("office"), _("reads"), _("matched to a declaration"), _("no plate text")]

    def queryset(self):
        return (
            PlateRead.objects.filter(self.user.scope_q("office"))
            .filter(captured_at__gte=self.start, captured_at__lt=self.end)
            .annotate(day=TruncDate("captured_at", tzinfo=TEHRAN))
            .values("day", "office__code", "office__name_fa")
            .annotate(
                reads=Count("id"),
                matched=Count("id", filter=Q(match_state=MatchState.MATCHED)),
                no_plate=Count("id", filter=Q(match_state=MatchState.NO_PLATE)),
            )
            .order_by("day", "office__code")
        )

    def rows(self):
        for r in self.queryset()[:MAX_ROWS]:
            yield [_day(r["day"]), r["office__code"], r["office__name_fa"], r["reads"], r["matched"], r["no_plate"]]


class ArrivalEvidence(Report):
    code = "anpr-arrival-evidence"
    title = _("Arrivals with plate evidence per office")
    headers = [_("office code"), _("office"), _("has camera"), _("arrivals"), _("with a plate read"), _("share %")]

    def queryset(self):
        return (
            TransitDeclaration.objects.filter(self.user.scope_q("destination"))
            .filter(status__in=ARRIVED_STATUSES, arrived_at__gte=self.start, arrived_at__lt=self.end)
            .values("destination__code", "destination__name_fa", "destination__has_anpr")
            .annotate(arrivals=Count("id"), with_read=Count("id", filter=Q(dest_first_read_at__isnull=False)))
            .order_by("destination__code")
        )

    def rows(self):
        for r in self.queryset():
            share = round(100 * r["with_read"] / r["arrivals"], 1) if r["arrivals"] else None
            yield [
                r["destination__code"],
                r["destination__name_fa"],
                bool(r["destination__has_anpr"]),
                r["arrivals"],
                r["with_read"],
                share,
            ]


class PlateHistory(Report):
    """Every sighting of a truck: reads of the plate, and reads matched to it despite a misread.

    The declarations a read matched are named only when the user may see them; the others are
    counted in their own column (an office may know the truck is on another office's declaration,
    not which one)."""

    code = "anpr-plate-history"
    title = _("Plate sighting history")
    headers = [
        _("captured at"),
        _("office"),
        _("camera"),
        _("plate text"),
        _("engine"),
        _("confidence"),
        _("declarations"),
        _("declarations outside your scope"),
    ]
    identifier_columns = (3, 6)

    def __init__(self, user, start, end, plate: str):
        super().__init__(user, start, end)
        self.plate = plate

    def queryset(self):
        # Vehicle ids first: an OR of two indexed columns, no join over the reads table.
        vehicles = list(Vehicle.objects.filter(plate=self.plate).values_list("id", flat=True))
        return (
            PlateRead.objects.for_user(self.user)
            .filter(Q(plate=self.plate) | Q(vehicle_id__in=vehicles))
            .filter(captured_at__gte=self.start, captured_at__lt=self.end)
            .select_related("camera", "office")
            .with_matches_for(self.user)
            .order_by("-captured_at", "-id")
        )

    def rows(self):
        for read in self.queryset()[:MAX_ROWS]:
            yield [
                format_jalali(read.captured_at, persian=False),
                read.office.code,
                read.camera.code,
                read.display_text,
                read.engine,
                read.confidence,
                " ".join(m.declaration.serial for m in read.visible_matches),
                read.matches_outside_scope,  # counted, not named
            ]

    def filename(self, ext: str) -> str:
        return f"{self.code}-{self.plate}.{ext}"


REPORTS = {r.code: r for r in (ReadsPerOfficeDay, ArrivalEvidence)}
