"""One office's part of a monthly return, as its office staff download it (``views.return_download``).

A province's return is stored whole (XLSX, CSV, PDF, each with its SHA-256); office staff get only their
office's part: the part's own figures (``figures["offices"][code]``) and the rows of the stored CSV's serial
list whose origin is their office, exactly as the snapshot holds them, whatever has changed since. The part
is never stored with the return:

- its CSV streams in the request (``csv_lines``): the figure rows, then the office's serial rows as they are
  read from the stored CSV, so nothing waits for the whole list and memory stays flat;
- its XLSX and PDF are built by the worker as an export job (``core.exports``, kind ``return-part``; the
  return, its version and the office are the job's filters) and downloaded from the job's page.

Both read the stored CSV only after checking its SHA-256: a CSV altered since the return was built gives no
file (the request answers 409, the job fails saying why) and opens a problem for the IT office.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.http import QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import CustomsOffice
from core.exports import ExportRefused
from core.files import stored_intact
from core.text import digits
from declarations.cells import SafeCsvWriter, safe_cell

from .exports import PDF_SERIAL_LIMIT, csv_head, figure_sheets, render_pdf, return_signer, serial_sheet
from .models import MonthlyReturn
from .xlsx_stream import XlsxWriter

KIND = "return-part"
JOB_FORMATS = ("xlsx", "pdf")  # built by the worker; the CSV streams in the request


def filename(snap: MonthlyReturn, office: str, fmt: str) -> str:
    """``return-1404-05-WAZ-BZG-v1.xlsx``: the return, the office, the version."""
    scope = snap.province.code if snap.province else "IR"
    return f"return-{snap.year}-{snap.month:02d}-{scope}-{office}-v{snap.version}.{fmt}"


def job_query(snap: MonthlyReturn, office: str) -> str:
    """The job's filters: the return, its version and the office whose part it is."""
    return urlencode({"return": str(snap.pk), "version": str(snap.version), "office": office})


def office_rows(csv_file, code: str) -> Iterator[list]:
    """The serial rows of a stored return CSV (binary file) whose origin office is ``code``: the
    office's part of the list exactly as the snapshot holds it, whatever has changed since."""
    origin = safe_cell(code)
    reader = csv.reader(io.TextIOWrapper(csv_file, encoding="utf-8-sig", newline=""))
    for row in reader:  # the figure rows, up to the blank line before the serial table
        if not row:
            break
    next(reader, None)  # the serial table's header
    for row in reader:
        if len(row) > 1 and row[1] == origin:
            cells: list[str | int | None] = list(row)
            cells[6] = int(row[6]) if row[6] else None  # days past the deadline, a number again
            yield cells


class _Echo:
    """A file that hands back what is written to it: each CSV line goes out as it is made."""

    def write(self, value: str) -> str:
        return value


def csv_lines(snap: MonthlyReturn, part: dict) -> Iterator[str]:
    """The part as CSV, line by line (a BOM first: Excel then reads the Persian text as UTF-8): its figure
    rows, then its serial rows as they are read from the stored CSV, which the caller has checked. The
    stored file is opened when the first line is asked for and closed after the last."""
    head = io.StringIO(newline="")
    csv_head(SafeCsvWriter(head), part)
    yield "\ufeff" + head.getvalue()
    writer = SafeCsvWriter(_Echo())
    with snap.csv.storage.open(snap.csv.name, "rb") as stored:
        for row in office_rows(stored, part["office"]):
            yield writer.writerow(row)


def write_part(part: dict, rows: list[list], fmt: str, out, *, version: int, snap: MonthlyReturn | None = None) -> int:
    """One office's part of a return as ``fmt`` (xlsx, pdf) into the binary stream ``out``: its own
    figures and its rows of the serial list (the PDF, the ``PDF_SERIAL_LIMIT`` longest past their
    deadline). Returns how many serial rows the file holds."""
    if fmt == "xlsx":
        with XlsxWriter(out) as wb:
            serial_sheet(wb, rows)
            figure_sheets(wb, part)
        return len(rows)
    # Longest past the deadline first, as MostOverdue picks them: by the days past (counted at arrival for an
    # arrived declaration), then those not past by their deadline (the Jalali dates sort as text).
    most = sorted(rows, key=lambda r: (r[6] == "", -int(r[6] or 0), r[4] == "", r[4], r[0]))[:PDF_SERIAL_LIMIT]
    # Signed as the return is: by who submitted it, on the day (not yet signed while it is a draft).
    signer, signed_at = None, None
    if snap is not None and snap.submitted_by is not None:
        signer, signed_at = return_signer(snap.submitted_by, part), snap.submitted_at
    out.write(render_pdf(part, version=version, serials=most, signer=signer, signed_at=signed_at))
    return len(most)


def build(job, out, progress) -> str:
    """The builder of the export job (``core.exports``): the part asked for (``job.query``), made from the
    return's stored CSV once its SHA-256 is checked, for ``job.user`` if the part is still theirs."""
    query = QueryDict(job.query)
    pk, office = query.get("return", ""), query.get("office", "")
    snap = (
        MonthlyReturn.objects.for_user(job.user).select_related("province", "submitted_by").filter(pk=pk).first()
        if pk.isdigit()
        else None
    )
    if snap is None:
        raise ExportRefused(_("This return is no longer one you may read."))
    part = snap.figures_for(job.user)
    if part.get("office") != office:  # moved to another office, or now reads returns whole
        raise ExportRefused(_("This office's part of the return is no longer yours; open the return and ask again."))
    if not stored_intact(snap.csv, sha256=snap.csv_sha256, office_id=job.user.office_id):
        raise ExportRefused(
            _(
                "The return's stored CSV, which this part is made from, was changed or removed after the return "
                "was built (its SHA-256 no longer matches the one recorded): no file is made from it. The IT "
                "office has been told."
            )
        )
    with snap.csv.storage.open(snap.csv.name, "rb") as stored:
        rows = list(office_rows(stored, office))
    written = write_part(part, rows, job.fmt, out, version=snap.version, snap=snap)
    progress(written, written)
    return filename(snap, office, job.fmt)


def back(job) -> str:
    """The return's page."""
    pk = QueryDict(job.query).get("return", "")
    return reverse("reports:return", args=[int(pk)]) if pk.isdigit() else reverse("reports:returns")


def shown(job) -> list[tuple[str, SafeString]]:
    """The filters as the return's page names them, in the reader's language: the return (its month and
    province), its version, the office by name."""
    query = QueryDict(job.query)
    out: list[tuple[str, SafeString]] = []
    pk, version, code = query.get("return", ""), query.get("version", ""), query.get("office", "")
    snap = MonthlyReturn.objects.select_related("province").filter(pk=pk).first() if pk.isdigit() else None
    if snap is not None:
        out.append((_("Monthly return"), format_html("{} — {}", snap.period_label, snap.scope_label)))
    if version.isdigit():
        out.append((_("version"), format_html("{}", digits(int(version)))))
    if code:
        office = CustomsOffice.objects.filter(code=code).first()
        out.append((_("office"), format_html("{}", office.name) if office else format_html("<bdi>{}</bdi>", code)))
    return out
