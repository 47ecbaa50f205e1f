"""ANPR reports: small generator classes with a period, rows, and CSV/XLSX formatters.

Each report is limited to what the user may see: reads per office count the
reads at the user's offices, arrival evidence counts arrivals at the user's
destination offices, plate history follows ``PlateRead.objects.for_user``.

A file is forwarded by e-mail and must say what it is. The XLSX opens with a title block (the report,
its period in Jalali, the scope it covers, when and by whom it was made), then the table with its header
row. The CSV stays the table alone, header first, for the programs that read it; its file name carries
the period and the scope (``filename``), as the XLSX's does, and the sort its rows were asked in (the title block
of the XLSX and the PDF names it too, ``sort_line``).

The PDF is for reading and forwarding: in the language of the person who asked, as the XLSX and the CSV
are (it is no official paper, unlike the letters and the monthly return, which stay Persian), right to
left in Persian, the same title block, dates in Jalali and numbers in the language's digits; identifiers
(plates, serials, camera and office codes) through the pages' identifier helpers (``declarations.idents``),
each isolated so that it is drawn in its own order. It holds the first ``PDF_MAX_ROWS`` rows and says when the table goes on in the XLSX.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, localised_name
from core.dates import TEHRAN, format_jalali
from core.exports import Progress
from core.files import export_filename
from core.text import digits, headings, is_persian, percent, sheet_title
from core.xlsx import append_title_block, made_lines, office_label
from declarations import idents
from declarations.cells import SafeCsvWriter, safe_row
from declarations.models import ARRIVED_STATUSES, TransitDeclaration
from declarations.selectors import scope_key

from .models import (
    PERSON,
    Camera,
    LabelReason,
    MatchState,
    PlateLabel,
    PlateRead,
    confidence_percent,
    engine_label,
)

MAX_ROWS = 100_000  # an export is a file for a person, not a database dump
PROGRESS_EVERY = 2000  # rows between two reports of a job's progress (``core.exports``)
# The period a report, a plate's history and a vehicle page's reads cover when none is asked for: the last
# 30 days (Tehran), today included.
DEFAULT_DAYS = 30


def default_days() -> tuple[dt.date, dt.date]:
    """The first and the last day of the period a report covers when none is asked for."""
    today = timezone.now().astimezone(TEHRAN).date()
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


PDF_MAX_ROWS = 300  # WeasyPrint lays out ~60 table rows a second here (built by the worker); the rest is in the XLSX

# How each kind of identifier column is shown on the page and in the PDF (``declarations.idents``).
_IDENT_HTML: dict[str, Callable[[Any], str]] = {
    "plate": idents.plate_html,
    "serial": idents.serial_html,
    "camera": idents.camera_html,
    "code": lambda value: idents.ident_html("code", str(value)),
}


class Report:
    do_not_call_in_templates = True  # pages list the classes themselves
    code = ""
    title = _("report")
    explanation: Any = ""  # what the columns mean (lazy text), said under the title on the page
    headers: list = []
    # Columns holding identifiers, by kind (``_IDENT_HTML``: plate, serial, camera, code): each isolated on
    # the page and in the PDF, read left to right as written in the XLSX (a plate in its Persian form on
    # the page and in the PDF, as the camera's text in the XLSX).
    identifiers: dict[int, str] = {}
    # Columns a person reads otherwise than they are stored, by kind: "engine" (its code) as its label, in
    # every file as on the page (``export_rows``); "confidence" (a fraction) as a whole percentage, as the
    # page shows it, in the PDF and the XLSX. The CSV, a table for programs, keeps the stored fraction.
    readable: dict[int, str] = {}
    sortable = False  # the page sorts its rows by a column (``sorted_rows``)
    # The column (from 0) and the direction the page was sorted by when a file was asked from it
    # (``sorted_by``): the CSV, the XLSX and the PDF hold the rows in the page's order.
    sort: int | None = None
    descending = False
    # Office code columns → the column holding the office's name (None: the rows have none). The XLSX writes each
    # office in one cell, its name followed by its code (``core.xlsx.office_label``), as every XLSX does; the page,
    # the PDF and the CSV keep their columns.
    offices: dict[int, int | None] = {}

    def __init__(self, user, start: dt.datetime, end: dt.datetime):
        self.user, self.start, self.end = user, start, end

    @classmethod
    def is_available_to(cls, user) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.is_active)

    def rows(self) -> Iterable[list]:
        raise NotImplementedError

    @property
    def identifier_columns(self) -> tuple[int, ...]:
        return tuple(sorted(self.identifiers))

    def cells_html(self, row: list) -> list[SafeString]:
        """One row as the page and the PDF show it, in the active language's digits: an identifier through
        its helper (serials one by one), yes/no in words, an empty cell as a dash."""
        out = []
        for i, value in enumerate(row):
            kind = self.identifiers.get(i)
            if value is None or value == "":
                out.append(SafeString("—"))
            elif value is True or value is False:
                out.append(format_html("{}", gettext("yes") if value else gettext("no")))
            elif self.readable.get(i) == "engine":
                out.append(format_html("{}", engine_label(value)))
            elif self.readable.get(i) == "confidence":
                out.append(format_html("{}", percent(confidence_percent(value))))
            elif kind == "serial":
                out.append(format_html_join(idents.list_separator(), "{}", ((s,) for s in _serials(value))))
            elif kind:
                out.append(format_html("{}", _IDENT_HTML[kind](value)))
            else:
                out.append(format_html("{}", digits(value)))
        return out

    @property
    def last_day(self) -> dt.datetime:
        """The period's last day (``end`` is the start of the day after it)."""
        return self.end - dt.timedelta(days=1)

    def scope(self) -> tuple[str, str, str]:
        """The part of the country the report covers: (in the page's language, its code, for a file name)."""
        key = scope_key(self.user)
        if key == "national":
            return gettext("National"), "", "national"
        if key.startswith("province:"):
            province = self.user.province
            return gettext("Province: %(name)s") % {"name": province}, province.code, f"province-{province.code}"
        if key.startswith("office:"):
            office = self.user.office
            return gettext("Office: %(name)s") % {"name": office}, office.code, f"office-{office.code}"
        return gettext("No scope"), "", "none"

    def subject(self) -> list[tuple[str, str]]:
        """What the rows are about beyond the period and scope, as (label, identifier) lines (a plate)."""
        return []

    @classmethod
    def sort_label(cls, column: int, descending: bool) -> str:
        """A sort as the page's header names it, with its direction («قرائت‌ها (نزولی)»)."""
        direction = gettext("descending") if descending else gettext("ascending")
        return f"{cls.headers[column]} ({direction})"

    def sort_line(self) -> list[tuple[str, str]]:
        """The title block's line naming the sort the file's rows are in (``sorted_by``), as the exports page
        names it («مرتب‌شده بر پایهٔ: قرائت‌ها (نزولی)»); none for rows in the report's own order."""
        if self.sort is None or not 0 <= self.sort < len(self.headers):
            return []
        return [(gettext("sorted by"), self.sort_label(self.sort, self.descending))]

    def sort_slug(self) -> str:
        """The sort in a file name, Latin whatever the page's language: ``by-reads-desc``; "" if unsorted."""
        if not self.sort_line():
            return ""
        with override("en"):
            column = slugify(str(self.headers[self.sort or 0]))
        return f"by-{column}-{'desc' if self.descending else 'asc'}"

    def filename(self, ext: str) -> str:
        """``<code>[-<plate>][-by-<column>-<asc|desc>]_<first day>_<last day>_<scope>.<ext>``
        (``core.files.export_filename``), e.g. ``anpr-reads-per-office-day_1404-05-01_1404-05-30_office-THR.csv``,
        ``anpr-camera-corrections-by-reads-desc_…``: the CSV says what it is, and how its rows are sorted, by its
        name, and files of two sorts of one report are not the same name."""
        what = "-".join([self.code, *(value for _label, value in self.subject()), *filter(None, [self.sort_slug()])])
        days = (self.start.astimezone(TEHRAN).date(), self.last_day.astimezone(TEHRAN).date())
        return export_filename(what, ext, period=days, then=self.scope()[2])

    def pdf_head(self) -> list[tuple[str, SafeString]]:
        """The XLSX's title block as the PDF writes it, (label, value) after the title: dates in Jalali with
        Persian digits, the scope's code and the plate isolated."""
        scope, scope_code, _slug = self.scope()
        return [
            (gettext("period from"), format_html("{}", digits(_day(self.start)))),
            (gettext("period to"), format_html("{}", digits(_day(self.last_day)))),
            (
                gettext("scope"),
                format_html("{} {}", scope, _IDENT_HTML["code"](scope_code))
                if scope_code
                else format_html("{}", scope),
            ),
            *((label, format_html("{}", idents.plate_html(value))) for label, value in self.subject()),
            *((label, format_html("{}", value)) for label, value in self.sort_line()),
            (gettext("made at"), format_html("{}", format_jalali(timezone.now(), persian=is_persian()))),
            (gettext("made by"), format_html("{}", self.user.get_full_name() or self.user.get_username())),
        ]

    def to_pdf(self, progress: Progress | None = None) -> bytes:
        """The report as an A4 document (landscape: the tables are wide) in the active language, the asker's
        (an export job runs in the language of the page it was asked from): the title block, then the
        first ``PDF_MAX_ROWS`` rows, saying so when there are more. ``progress(rows, rows)`` once the rows
        are laid out: the rows the file holds (an export job's «rows written»)."""
        from core.pdf import font_face_css, html_to_pdf

        rows: list[list[SafeString]] = []
        more = False
        for row in self.file_rows():
            if len(rows) == PDF_MAX_ROWS:
                more = True
                break
            rows.append(self.cells_html(row))
        html = render_to_string(
            "anpr/report_pdf.html",
            {
                "fonts": font_face_css(),
                "title": str(self.title),
                "explanation": str(self.explanation),  # what the columns mean, as the page says under its title
                "head": self.pdf_head(),
                "headers": headings(self.headers),
                "rows": rows,
                "more": more,
                "limit": digits(PDF_MAX_ROWS),
            },
        )
        if progress:
            progress(len(rows), len(rows))
        return html_to_pdf(html)

    def title_block(self) -> list[tuple[list, tuple[int, ...]]]:
        """The lines the XLSX opens with, above the table, each (cells, the columns holding an identifier):
        the title, then label and value; dates in Jalali with Latin digits, as the table's cells write them.
        Identifiers (the scope's code, a plate) are cells of their own that read left to right."""
        scope, scope_code, _slug = self.scope()
        return [
            ([str(self.title)], ()),
            ([gettext("period from"), _day(self.start)], ()),
            ([gettext("period to"), _day(self.last_day)], ()),
            ([gettext("scope"), scope, scope_code] if scope_code else [gettext("scope"), scope], (2,)),
            *(([label, value], (1,)) for label, value in self.subject()),
            *(([label, value], ()) for label, value in self.sort_line()),
            *made_lines(self.user),
            # What the columns mean, as the page says under its title.
            *([([gettext("about the columns"), str(self.explanation)], ())] if self.explanation else []),
        ]

    def sorted_rows(self, column: int | None, descending: bool) -> list[list]:
        """The rows sorted by one column (empty cells last either way); as given when ``column`` is None."""
        rows = list(self.rows())
        if column is None or not 0 <= column < len(self.headers):
            return rows
        present = [r for r in rows if r[column] is not None]
        present.sort(key=lambda r: r[column], reverse=descending)
        return present + [r for r in rows if r[column] is None]

    def sorted_by(self, column: int | None, descending: bool) -> Report:
        """The report whose files hold the rows sorted as the page asked (``?sort=N&dir=desc``)."""
        if self.sortable:
            self.sort, self.descending = column, descending
        return self

    def file_rows(self) -> Iterable[list]:
        """The rows in the order of the page the file was asked from (``sorted_by``)."""
        return self.sorted_rows(self.sort, self.descending) if self.sort is not None else self.rows()

    def export_rows(self) -> Iterable[list]:
        """The rows as a file carries them: a yes/no cell reads «بله»/«خیر» as on the page, not True/False;
        who read the plate by its label («خوانش خود دوربین»), as the page and the PDF name it, not the code."""
        engines = [i for i, kind in self.readable.items() if kind == "engine"]
        for row in self.file_rows():
            out = [gettext("yes") if v is True else gettext("no") if v is False else v for v in row]
            for i in engines:
                if out[i] not in (None, ""):
                    out[i] = engine_label(out[i])
            yield out

    def to_csv(self, progress: Progress | None = None) -> bytes:
        """UTF-8 with a BOM so that Excel opens Persian text correctly; no cell runs as a formula.
        ``progress(done, None)`` every ``PROGRESS_EVERY`` rows and once at the end, as ``to_xlsx``."""
        out = io.StringIO()
        writer = SafeCsvWriter(out)
        writer.writerow(headings(self.headers))
        done = 0
        for row in self.export_rows():
            writer.writerow(row)
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, None)
        if progress:
            progress(done, None)
        return ("\ufeff" + out.getvalue()).encode()

    def to_xlsx(self, progress: Progress | None = None) -> bytes:
        """The title block, then the table; ``progress(done, None)`` every ``PROGRESS_EVERY`` rows and once at
        the end with the rows written (an export job's «rows written»)."""
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet_title(str(self.title)))
        ws.sheet_view.rightToLeft = is_persian()  # as the page it came from
        ([title], _none), *lines = self.title_block()
        append_title_block(ws, title, lines, safe=safe_row)  # then the table, its header row first
        headers = headings(self.headers)
        for code, name in self.offices.items():
            headers[code] = headers[name] if name is not None else headings([gettext("office")])[0]
        drop = {name for name in self.offices.values() if name is not None}
        ltr = tuple(i for i in self.identifier_columns if i not in self.offices)
        names = _office_names() if any(name is None for name in self.offices.values()) else {}
        ws.append([h for i, h in enumerate(headers) if i not in drop])
        done = 0
        for row in self.export_rows():
            safe = self._xlsx_readable(ws, safe_row(row))  # openpyxl writes text starting with "=" as a formula
            for code, name in self.offices.items():
                label = office_label(safe[name] if name is not None else names.get(safe[code]), safe[code])
                safe[code] = safe_row([label])[0]
            cells = idents.xlsx_ltr_cells(ws, safe, ltr) if ltr else safe
            ws.append([c for i, c in enumerate(cells) if i not in drop] if drop else cells)
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, None)
        if progress:
            progress(done, None)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def _xlsx_readable(self, ws, row: list) -> list:
        """The ``readable`` columns of a row as the XLSX writes them (the engine already by its label,
        ``export_rows``): the confidence a number (sorted and summed as one) shown as the page's whole
        percentage (``87%``)."""
        from openpyxl.cell import WriteOnlyCell

        for i, kind in self.readable.items():
            if row[i] is None or row[i] == "":
                continue
            if kind == "confidence" and (whole := confidence_percent(row[i])) is not None:
                cell = WriteOnlyCell(ws, value=float(whole) / 100)
                # as the page shows it: a read just below the review threshold keeps its decimals (94.7%)
                places = 0 if isinstance(whole, int) else -int(whole.as_tuple().exponent)
                cell.number_format = "0." + "0" * places + "%" if places else "0%"
                row[i] = cell
        return row


def _office_names() -> dict[str, str]:
    """Each office's name in the active language, by code."""
    return {
        code: localised_name(fa, en) for code, fa, en in CustomsOffice.objects.values_list("code", "name_fa", "name_en")
    }


def _day(value) -> str:
    return format_jalali(value, with_time=False, persian=False) if value else ""


def _serials(value) -> list:
    """The serials of a cell that lists them (space-separated), each isolated."""
    return [idents.serial_html(s) for s in str(value).split()]


class ReadsPerOfficeDay(Report):
    code = "anpr-reads-per-office-day"
    title = _("Plate reads per office per day")
    headers = [_("day"), _("office code"), _("office"), _("reads"), _("matched to a declaration"), _("no plate text")]
    identifiers = {1: "code"}
    offices = {1: 2}

    def queryset(self):
        return (
            PlateRead.objects.filter(self.user.scope_q("office"))
            .filter(captured_at__gte=self.start, captured_at__lt=self.end)
            .annotate(day=TruncDate("captured_at", tzinfo=TEHRAN))
            .values("day", "office__code", "office__name_fa", "office__name_en")
            .annotate(
                reads=Count("id"),
                matched=Count("id", filter=Q(match_state=MatchState.MATCHED)),
                no_plate=Count("id", filter=Q(match_state=MatchState.NO_PLATE)),
            )
            .order_by("day", "office__code")
        )

    def rows(self):
        for r in self.queryset()[:MAX_ROWS]:
            name = localised_name(r["office__name_fa"], r["office__name_en"])
            yield [_day(r["day"]), r["office__code"], name, r["reads"], r["matched"], r["no_plate"]]


class ArrivalEvidence(Report):
    code = "anpr-arrival-evidence"
    title = _("Arrivals with plate evidence per office")
    headers = [_("office code"), _("office"), _("has camera"), _("arrivals"), _("with a plate read"), _("share %")]
    identifiers = {0: "code"}
    offices = {0: 1}

    def queryset(self):
        return (
            TransitDeclaration.objects.filter(self.user.scope_q("destination"))
            .filter(status__in=ARRIVED_STATUSES, arrived_at__gte=self.start, arrived_at__lt=self.end)
            .values("destination__code", "destination__name_fa", "destination__name_en", "destination__has_anpr")
            .annotate(arrivals=Count("id"), with_read=Count("id", filter=Q(dest_first_read_at__isnull=False)))
            .order_by("destination__code")
        )

    def rows(self):
        for r in self.queryset():
            share = round(100 * r["with_read"] / r["arrivals"], 1) if r["arrivals"] else None
            yield [
                r["destination__code"],
                localised_name(r["destination__name_fa"], r["destination__name_en"]),
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
        _("country"),
        _("engine"),
        _("confidence"),
        _("declarations"),
        _("declarations outside your scope"),
    ]
    # The plate's country in a column of its own (ISO code): the same text is another truck in another
    # country, as the pages say with «34ABC123 (TR)».
    identifiers = {1: "code", 2: "camera", 3: "plate", 4: "code", 7: "serial"}
    offices = {1: None}
    readable = {5: "engine", 6: "confidence"}

    def __init__(self, user, start, end, plate: str):
        super().__init__(user, start, end)
        self.plate = plate

    def queryset(self):
        return (
            PlateRead.objects.for_user(self.user)
            .sightings_of(self.plate, self.start, self.end)
            .select_related("camera", "office")
            .with_matches_for(self.user)
            .with_label()
            .order_by("-captured_at", "-id")
        )

    def rows(self):
        for read in self.queryset()[:MAX_ROWS]:
            labelled = read.label_plate is not None  # by a person: their plate and country are the read's now
            plate = read.label_plate if labelled else read.display_text
            yield [
                format_jalali(read.captured_at, persian=False),
                read.office.code,
                read.camera.code,
                plate,
                (read.label_country if labelled else read.country) if plate else "",
                PERSON if labelled else read.engine,  # who read the plate in effect, as the page badges it
                read.shown_confidence,  # none for a photo nothing was read from («—»), not 0 %
                " ".join(m.declaration.serial for m in read.visible_matches),
                read.matches_outside_scope,  # counted, not named
            ]

    def subject(self) -> list[tuple[str, str]]:
        return [(gettext("plate"), self.plate)]


# The reasons a correction is counted under: not «not read from the photo», a photo nothing was read from (a person's
# plate for it is a first reading, counted as «read by a person (nothing read before)», never a correction).
CORRECTED_BY_REASON = [k for k in LabelReason if k != LabelReason.UNREADABLE]


def _reason_heading(kind: LabelReason) -> Any:
    """What a «corrected: …» column names: the review queue's tab the read was in; for «other» (no reason of the
    queue held for it, a person opened it from another page) where it was, not «looked at by a person», which
    beside «reviewed» says nothing."""
    return _("outside the review queue") if kind == LabelReason.OTHER else kind.label


class CameraCorrections(Report):
    """How often people had to correct each camera's reads: a camera badly placed or dirty shows as a
    high share. A read counts once, by its latest label (``PlateLabel``: corrected or not), under the
    reason its first label gives (why it came to the review queue); reads and labels are those captured in the period at the user's offices.
    A read the reader gave no text for (its first label's «before» empty) was read by a person, not corrected:
    counted apart, so that reviewed = corrected + confirmed + read by a person. One it read in part
    (``PlateRead.ocr_partial``, the steady places shown to the person) was read, incompletely: the person
    completed it, so it is corrected, counted in its own «corrected» column rather than under a reason."""

    code = "anpr-camera-corrections"
    title = _("Plate reads corrected by people, per camera")
    explanation = _(
        "Reads: the camera's reads in the period. Reviewed: those a person read the plate of, each once, by the"
        " latest reading. Corrected: the person's plate differs from the camera's or the reader's text, or the"
        " reader read the plate only in part. Confirmed as read: it is the same. Read by a person (nothing read"
        " before): the camera and the reader gave no text, not even in part, so nothing was corrected. Reviewed ="
        " corrected + confirmed + read by a person. Each «corrected» column with a reason beside it counts the"
        " corrected reads that were in that reason's tab of the review queue; «corrected: outside the review"
        " queue» counts those a person opened from another page (a camera's, a plate's) while no reason of the"
        " queue held for them; «corrected: read in part» counts those the reader read only some characters of"
        " (shown to the person), which the person completed."
    )
    headers = [
        _("office"),
        _("camera"),
        _("reads"),
        _("reviewed"),
        _("corrected"),
        _("corrected % of reads"),
        _("corrected % of reviewed"),
        *[format_lazy("{}: {}", _("corrected"), _reason_heading(k)) for k in CORRECTED_BY_REASON],
        format_lazy("{}: {}", _("corrected"), _("read in part")),
        _("confirmed as read"),
        _("read by a person (nothing read before)"),
    ]
    identifiers = {1: "camera"}  # the camera's code, as it sends it
    sortable = True

    def rows(self):
        period = Q(captured_at__gte=self.start, captured_at__lt=self.end)
        reads = dict(
            PlateRead.objects.filter(self.user.scope_q("office"))
            .filter(period)
            .values("camera_id")
            .annotate(n=Count("id"))
            .values_list("camera_id", "n")
        )
        newer = PlateLabel.objects.filter(read=OuterRef("read")).filter(
            Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id"))
        )
        # The reason of the read's first label: why it came to a person (a later look may have stored another).
        first = PlateLabel.objects.filter(read=OuterRef("read")).order_by("at", "id")
        latest = (
            PlateLabel.objects.filter(self.user.scope_q("office"))
            .filter(period)
            .filter(~Q(Exists(newer)))
            .annotate(first_reason=Subquery(first.values("reason")[:1]))
            .annotate(first_before=Subquery(first.values("plate_before")[:1]))
            # the places the reader read steadily of a read it gave no plate for (shown to the person)
            .annotate(
                partial=Subquery(
                    PlateRead.objects.filter(pk=OuterRef("read_id"), captured_at=OuterRef("captured_at")).values(
                        "ocr_partial"
                    )[:1]
                )
            )
        )
        reviewed: dict[int, int] = {}
        corrected: dict[tuple[int, str], int] = {}
        confirmed: dict[int, int] = {}
        first_read: dict[int, int] = {}  # nothing read before: read by a person, not corrected
        in_part: dict[int, int] = {}  # read in part before: completed by a person, so corrected
        for row in (
            latest.values("camera_id", "first_reason", "corrected", "first_before", "partial")
            .annotate(n=Count("read_id", distinct=True))
            .values("camera_id", "first_reason", "corrected", "first_before", "partial", "n")
        ):
            reviewed[row["camera_id"]] = reviewed.get(row["camera_id"], 0) + row["n"]
            if not row["first_before"] and row["partial"]:
                in_part[row["camera_id"]] = in_part.get(row["camera_id"], 0) + row["n"]
            elif not row["first_before"]:
                first_read[row["camera_id"]] = first_read.get(row["camera_id"], 0) + row["n"]
            elif not row["corrected"]:
                confirmed[row["camera_id"]] = confirmed.get(row["camera_id"], 0) + row["n"]
            else:
                key = (row["camera_id"], row["first_reason"])
                corrected[key] = corrected.get(key, 0) + row["n"]
        cameras = Camera.objects.for_user(self.user).select_related("office").order_by("office__code", "code")
        for camera in cameras:
            n_reads, n_reviewed = reads.get(camera.pk, 0), reviewed.get(camera.pk, 0)
            if not n_reads and not n_reviewed:
                continue
            by_kind = [corrected.get((camera.pk, k.value), 0) for k in CORRECTED_BY_REASON]
            n_corrected = sum(corrected.get((camera.pk, k.value), 0) for k in LabelReason) + in_part.get(camera.pk, 0)
            yield [
                str(camera.office),  # its name, as people call it (the camera's code carries the office's)
                camera.code,
                n_reads,
                n_reviewed,
                n_corrected,
                round(100 * n_corrected / n_reads, 1) if n_reads else None,
                round(100 * n_corrected / n_reviewed, 1) if n_reviewed else None,
                *by_kind,
                in_part.get(camera.pk, 0),
                confirmed.get(camera.pk, 0),
                first_read.get(camera.pk, 0),
            ]


REPORTS = {r.code: r for r in (ReadsPerOfficeDay, ArrivalEvidence, CameraCorrections)}
