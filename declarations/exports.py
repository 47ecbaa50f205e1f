"""CSV and XLSX of the filtered declaration list, with memory that stays flat.

Rows are read in chunks through a server-side cursor (``iterator``) as flat
tuples (``values_list``), never as model instances. Both files are built by the worker as an export job
(``core.exports``, kind ``declarations``), never in the request: a country's list is hundreds of thousands
of rows, seconds to minutes of work that would hold one of the few web workers (one per core) and be cut
off by its time limit. The person follows the job's progress on its page, is told when the file is
ready and downloads the stored file from there. Text that a spreadsheet would run as a formula (an
imported company name ``=HYPERLINK(...)``) is neutralised (``cells.safe_row``) in both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import router
from django.http import QueryDict
from django.shortcuts import redirect
from django.test import RequestFactory
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import countries, dates, exports, text, xlsx
from core.files import export_filename

from . import idents, plates
from .cells import safe_row
from .filters import DEFAULT_SORT, DeclarationFilter
from .models import Status, TransitDeclaration, UnsettledReason
from .views import filtered, invalid_filters_page

EXPORT_KIND = "declarations"
MAX_ROWS = 1_000_000  # an XLSX sheet holds 1,048,576 rows
CHUNK = 2000
FIELDS = [
    ("serial", lambda: _("serial")),
    ("declared_at", lambda: _("declared at")),
    ("origin__code", lambda: _("origin office")),
    ("destination__code", lambda: _("destination office")),
    ("vehicle__plate", lambda: _("plate")),
    ("vehicle_country", lambda: _("nationality")),
    ("company__name", lambda: _("transport company")),
    ("waybill_no", lambda: _("waybill number")),
    ("status", lambda: _("status")),
    ("departed_at", lambda: _("departed at")),
    ("deadline", lambda: _("transit deadline")),
    ("arrived_at", lambda: _("arrived at")),
    ("settled_at", lambda: _("settled at")),
    ("unsettled_reason", lambda: _("unsettled reason")),
]
# Each office's name follows its code, in the export's language (a code alone means nothing to most readers).
OFFICE_NAMES = {
    "origin__code": lambda: _("origin office name"),
    "destination__code": lambda: _("destination office name"),
}
# A coded column is written by its label in the export's language, as the pages show it («ترکیه», «مغایرت
# پلمپ»), its code in a column of its own after it (for programs and filters), as the monthly return does.
CODED = {
    "vehicle_country": (lambda: _("nationality code"), lambda code: str(countries.COUNTRY_NAMES.get(code, code))),
    "unsettled_reason": (
        lambda: _("unsettled reason code"),
        lambda code: str(dict(UnsettledReason.choices).get(code, code)),
    ),
}
IDENTIFIER_FIELDS = ("serial", "waybill_no")  # plain text, read left to right
# The plate: stored canonical (95م48159), written as the pages show it (``idents.plate_display``) in both
# files; the CSV, read by programs too, keeps the stored form in a column of its own after it.
PLATE_FIELD, COUNTRY_FIELD = "vehicle__plate", "vehicle_country"
DATE_FIELDS = {"declared_at", "departed_at", "deadline", "arrived_at", "settled_at"}


def _fields() -> list[tuple[str, Callable[[], str]]]:
    """FIELDS with each office's name after its code, in the active language, and each coded column's code
    after its label (named ``<field>:code``)."""
    suffix = "name_fa" if text.is_persian() else "name_en"
    out: list[tuple[str, Callable[[], str]]] = []
    for name, label in FIELDS:
        out.append((name, label))
        if name in OFFICE_NAMES:
            out.append((name.replace("code", suffix), OFFICE_NAMES[name]))
        if name in CODED:
            out.append((f"{name}:code", CODED[name][0]))
    return out


def _rows(qs):
    """Header, then one list of display values per declaration (Jalali dates, status and coded columns'
    labels, each code in its own column after its label)."""
    fields = _fields()
    names = [name for name, _label in fields]
    yield text.headings(label() for _name, label in fields)
    status_labels = dict(Status.choices)
    date_idx = [i for i, name in enumerate(names) if name in DATE_FIELDS]
    status_idx = names.index("status")
    coded = sorted(
        (names.index(name), CODED[name][1]) for name in CODED
    )  # left to right: each insert keeps the next in place
    read = [name for name in names if not name.endswith(":code")]
    for values in qs.values_list(*read)[:MAX_ROWS].iterator(chunk_size=CHUNK):
        row = list(values)
        for i, label in coded:  # the label where the code was, the code after it
            code = row[i] or ""
            row[i : i + 1] = [label(code) if code else "", code]
        for i in date_idx:
            row[i] = dates.format_jalali(row[i], persian=False) if row[i] else ""
        row[status_idx] = str(status_labels.get(row[status_idx], row[status_idx]))
        yield safe_row("" if v is None else v for v in row)


def _export_qs(request):
    f = filtered(request)
    if f.is_bound and not f.is_valid():
        return None
    sort = (f.form.cleaned_data.get("sort") if f.is_bound else None) or DEFAULT_SORT
    return f.qs.order_by(sort, "-pk" if sort.startswith("-") else "pk")


def _filename(ext: str) -> str:
    return export_filename("declarations", ext)


@login_required
def export_csv(request):
    """The filtered list as CSV, built by the worker as the XLSX is (``export_xlsx``)."""
    return _export(request, "csv")


def write_csv(qs, out, progress=None) -> int:
    """The declarations of ``qs`` as CSV (UTF-8 with a BOM: spreadsheet programs then read the Persian text
    as UTF-8), a header and one line per declaration, written to ``out``; returns how many rows.
    ``progress(done, total)`` is called every ``CHUNK`` rows (the worker's export job shows it)."""
    total = min(qs.count(), MAX_ROWS) if progress else None
    text_out = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text_out)
    names = [name for name, _label in _fields()]
    plate, country = names.index(PLATE_FIELD), names.index(f"{COUNTRY_FIELD}:code")
    rows = _rows(qs)
    header = next(rows)
    writer.writerow([*header[: plate + 1], *text.headings([_("plate as stored")]), *header[plate + 1 :]])
    done = 0
    for row in rows:
        shown = idents.plate_display(row[plate], row[country]) if row[plate] else ""
        writer.writerow([*row[:plate], shown, *row[plate:]])
        done += 1
        if progress and done and done % CHUNK == 0:
            progress(done, total)
    if progress:
        progress(done, total)
    text_out.flush()
    text_out.detach()  # ``out`` stays open: the job stores it
    return done


def write_xlsx(qs, out, progress=None, *, head: list[xlsx.Line]) -> int:
    """The declarations of ``qs`` as an XLSX sheet written to ``out`` below the title block whose lines are
    ``head`` (``core.xlsx``: the filters, when and by whom); returns how many rows.

    ``progress(done, total)`` is called every ``CHUNK`` rows (the worker's export job shows it)."""
    total = min(qs.count(), MAX_ROWS) if progress else None
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("declarations")[:31])
    # A Persian sheet reads right to left, as the page it came from; its identifiers stay LTR cells.
    sheet.sheet_view.rightToLeft = text.is_persian()
    xlsx.append_title_block(sheet, _("Declarations"), head, safe=safe_row)
    fields = [name for name, _label in _fields()]
    # Each office in one cell, its name followed by its code (``core.xlsx.office_label``); the CSV keeps both.
    offices = {fields.index(code): fields.index(code) + 1 for code in OFFICE_NAMES}
    names = [name for i, name in enumerate(fields) if i - 1 not in offices]
    ltr = [names.index(n) for n in IDENTIFIER_FIELDS]
    plate, country = names.index(PLATE_FIELD), names.index(f"{COUNTRY_FIELD}:code")

    def in_sheet(row: list) -> list:
        for code, name in offices.items():
            row[code] = xlsx.office_label(row[name], row[code])
        return [value for i, value in enumerate(row) if i - 1 not in offices]

    rows = _rows(qs)
    sheet.append([label for i, label in enumerate(next(rows)) if i - 1 not in offices])
    done = 0
    for row in rows:
        row = in_sheet(row)
        cells = idents.xlsx_ltr_cells(sheet, row, ltr)
        cells[plate] = idents.xlsx_plate_cell(sheet, row[plate], row[country])
        sheet.append(cells)
        done += 1
        if progress and done % CHUNK == 0:
            progress(done, total)
    if progress:
        progress(done, total)
    workbook.save(out)
    return done


@login_required
def export_xlsx(request):
    """The filtered list as XLSX, built by the worker (``core.exports``)."""
    return _export(request, "xlsx")


def _export(request, fmt: str):
    """Start the export job of the filtered list in ``fmt``: the page of the job follows its progress and
    gives the file when it is ready. Filters that are not valid get the list with its errors."""
    f = filtered(request)
    if f.is_bound and not f.is_valid():
        return invalid_filters_page(request, f)
    job = exports.start(request, kind=EXPORT_KIND, fmt=fmt, query=_query(request))
    return redirect("core:export-job", pk=job.pk)


def build(job, out, progress) -> str:
    """The builder of the export job (``core.exports``): the list as ``job.user`` sees it under the filters
    as asked (``job.query``), in the sort the page had, as CSV or XLSX (``job.fmt``)."""
    request = RequestFactory().get("/", QueryDict(job.query))
    request.user = job.user
    found = _export_qs(request)
    if found is None:
        raise exports.ExportRefused(_("The filters asked are not valid; open the list and ask for the file again."))
    qs = found.using(router.db_for_read(TransitDeclaration))
    if job.fmt == "csv":
        write_csv(qs, out, progress)
    else:
        write_xlsx(qs, out, progress, head=xlsx.job_lines(job))
    return _filename(job.fmt)


def shown(job) -> list[tuple[str, SafeString]]:
    """The filters of a job (``job.query``) as the list's filter form shows them, in the reader's language:
    each by its field's label, a choice by its label, an office or province by its name, a date in Jalali,
    a search through its identifier's helper (a plate in its Persian form, else a serial). A value the form
    no longer takes (an office since removed) is written as asked."""
    form = DeclarationFilter(QueryDict(job.query), queryset=TransitDeclaration.objects.none()).form
    form.is_valid()
    out: list[tuple[str, SafeString]] = []
    for name, field in form.fields.items():
        raw = form.data.get(name, "").strip()
        if not raw:
            continue
        value = form.cleaned_data.get(name) if name not in form.errors else None
        out.append((str(field.label), _shown_value(name, field, raw, value)))
    return out


def _shown_value(name: str, field, raw: str, value) -> SafeString:
    if value in (None, ""):  # refused by the form: as asked
        return format_html('<bdi dir="ltr">{}</bdi>', raw)
    if name == "q":
        return _search_html(raw)
    if isinstance(field, forms.ModelChoiceField):
        return format_html("{}", str(value))  # offices and provinces by their name in the reader's language
    if isinstance(field, forms.ChoiceField):
        # A ChoiceField normalises its choices to (value, label) pairs; the stubs give the input's types.
        labels = dict(cast(Iterable[tuple[Any, Any]], field.choices))
        return format_html("{}", str(labels.get(value, value)))
    if isinstance(value, dt.datetime):
        return format_html("{}", dates.format_jalali(value, persian=text.is_persian()))
    if isinstance(value, dt.date):
        return format_html("{}", dates.format_jalali(value, with_time=False, persian=text.is_persian()))
    return format_html("<bdi>{}</bdi>", raw)  # a company or a nationality, as typed


def _search_html(raw: str) -> SafeString:
    """The search box's text: an Iranian plate in its Persian form, anything else (a serial, a waybill or seal
    number, a foreign plate) left to right as typed."""
    try:
        plate = plates.guess_plate(raw)
    except plates.PlateError:
        plate = None
    if plate is not None and plate.is_iranian:
        return format_html("{}", idents.plate_html(plate.text, plate.country))
    return format_html("{}", idents.serial_html(raw))


def _query(request) -> str:
    """The filters of the export as asked (the audit entry keeps them: what was taken)."""
    return request.GET.urlencode()[:2000]
