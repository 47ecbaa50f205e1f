"""Plate-reader reports and a plate's sighting history as CSV, XLSX or PDF, built by the worker (``core.exports``).

The page's CSV, XLSX and PDF buttons start an export job (kind ``anpr-report``) with the page's query as
asked (period, sort, plate) and the report's code; the worker builds the same file the request used to
(``Report.to_csv`` / ``to_xlsx`` / ``to_pdf``: the title block, RTL, identifiers isolated; the CSV, a table
for programs, without them), for the person who asked, in the language of the page. None is built in the
request: a report reads up to ``reports.MAX_ROWS`` sightings, seconds of a web worker's time.
"""

from __future__ import annotations

from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core import dates, text
from core.exports import ExportRefused
from core.forms import read_filters
from core.text import digits
from declarations import idents

from . import reports
from .forms import ReportFilter

KIND = "anpr-report"
JOB_FORMATS = ("csv", "xlsx", "pdf")  # every format, built by the worker


def report_for(job) -> reports.Report:
    """The report a job asked for, as its user may see it now, over the period asked."""
    from .views import _period

    request = RequestFactory().get("/", QueryDict(job.query))
    request.user = job.user
    start, end, errors = _period(request)
    if errors:
        raise ExportRefused(_("The period asked is not valid; open the report and ask for the file again."))
    code = job.params.get("report", "")
    if code == reports.PlateHistory.code:
        return reports.PlateHistory(job.user, start, end, job.params.get("plate", ""))
    cls = reports.REPORTS.get(code)
    if cls is None or not cls.is_available_to(job.user):
        raise ExportRefused(_("This report is not available to you."))
    # Sorted as the page it was asked from (``?sort=N&dir=desc``), checked as the page checks it.
    _form, data = read_filters(ReportFilter, request, columns=len(cls.headers) if cls.sortable else 0)
    report = cls(job.user, start, end)
    return report.sorted_by(data["sort"], data["dir"] == "desc") if data else report


def build(job, out, progress) -> str:
    report = report_for(job)
    # The files report the rows they hold: the job's «rows written» (a PDF holds the first PDF_MAX_ROWS).
    if job.fmt == "csv":
        out.write(report.to_csv(progress))
    else:
        out.write(report.to_pdf(progress) if job.fmt == "pdf" else report.to_xlsx(progress))
    return report.filename(job.fmt)


def back(job) -> str:
    """The page the file was asked from, with its filters (the format left out)."""
    query = QueryDict(job.query, mutable=True)
    query.pop("format", None)
    code = job.params.get("report", "")
    url = reverse("anpr:plates") if code == reports.PlateHistory.code else reverse("anpr:report", args=[code])
    return f"{url}?{query.urlencode()}" if query else url


def shown(job) -> list[tuple[str, SafeString]]:
    """The filters as the report's page writes them: the plate through its helper, the period in Jalali in
    the reader's digits (however it was typed, or came in a link), as the declarations' export writes its
    dates."""
    query = QueryDict(job.query)
    out: list[tuple[str, SafeString]] = []
    if plate := job.params.get("plate"):
        out.append((_("plate"), format_html("{}", idents.plate_html(plate))))
    for name, label in (("from", _("period from")), ("to", _("period to"))):
        if value := query.get(name, "").strip():
            out.append((label, _day_html(value)))
    if (sort := query.get("sort", "")).isdigit():
        out.append(_sort_shown(job.params.get("report", ""), int(sort), query.get("dir") == "desc"))
    return out


def _sort_shown(code: str, column: int, descending: bool) -> tuple[str, SafeString]:
    """The sort as the page's header names it and its direction («مرتب‌شده بر پایهٔ: اصلاح‌شده (نزولی)»), not a
    column's number nobody sees on the page; a number outside the report's columns (a link typed by hand), as asked."""
    cls = reports.REPORTS.get(code)
    if cls is None or not cls.sortable or column >= len(cls.headers):
        return _("sorted by column"), format_html("{}", digits(column + 1))
    return _("sorted by"), format_html("{}", cls.sort_label(column, descending))  # as the files name it


def _day_html(value: str) -> SafeString:
    """A day of the period as asked: in Jalali in the reader's digits (``1405-8-15`` in Latin digits is
    «۱۴۰۵/۰۸/۱۵» on a Persian page); a day the report refused, as typed."""
    try:
        day = dates.parse_jalali_date(value)
    except ValueError:
        return format_html('<bdi dir="ltr">{}</bdi>', value)
    return format_html('<bdi dir="ltr">{}</bdi>', dates.format_jalali(day, with_time=False, persian=text.is_persian()))
