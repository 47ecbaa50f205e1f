"""The system-problem register as a queue: states as tabs with their counts and the list's filters, the order
each tab is worked in, and the XLSX/CSV export of a tab (every text cell formula-safe).

The CSV goes out as it is made, row by row, in the request (``csv_lines``): it holds nothing in memory. The
XLSX cannot be streamed (a zip whose sheet is written last): it is built by the worker as an export job
(``core.exports``, kind ``problems``, the tab as its filter), and the person downloads it from the job's
page (``build_xlsx``)."""

from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import exports, xlsx
from core.dates import format_jalali
from core.files import export_filename
from core.forms import ListFilterForm
from core.text import headings, is_persian
from declarations import idents
from declarations.cells import SafeCsvWriter, safe_row
from declarations.models import TransitDeclaration

from .models import ProblemStatus, SystemProblem

OPEN = "open"
# Tab → the statuses it holds; "open" (new and acknowledged) is what IT works from, so the default.
TABS: dict[str, tuple[str, ...]] = {
    OPEN: (ProblemStatus.NEW, ProblemStatus.ACKNOWLEDGED),
    ProblemStatus.NEW: (ProblemStatus.NEW,),
    ProblemStatus.ACKNOWLEDGED: (ProblemStatus.ACKNOWLEDGED,),
    ProblemStatus.RESOLVED: (ProblemStatus.RESOLVED,),
    "all": tuple(ProblemStatus.values),
}
EXPORT_LIMIT = 20_000
EXPORT_KIND = "problems"
CHUNK = 2000


class QueueFilterForm(ListFilterForm):
    """The list's ``?status=`` (a tab; open when not given) and ``?format=csv|xlsx`` (the tab's export)."""

    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", "—"), *((t, t) for t in TABS)])
    format = forms.ChoiceField(label=_("format"), required=False, choices=[("", "—"), ("csv", "CSV"), ("xlsx", "XLSX")])


def tab_label(tab: str) -> str:
    """A tab's name as its link says it, in the active language."""
    labels = {OPEN: _("open"), **dict(ProblemStatus.choices), "all": _("all")}
    return str(labels.get(tab, tab))


def queue(user, tab: str):
    """The problems of a tab in the user's scope: open ones oldest first (the longest waiting on
    top) by the time the list's «since» column shows (when the problem began, not when it was reported: the
    demo's problems were reported at one time), then by number; resolved ones the latest resolved first."""
    qs = (
        SystemProblem.objects.for_user(user)
        .filter(status__in=TABS.get(tab, TABS[OPEN]))
        .select_related("office", "assigned_to", "reported_by")
    )
    is_resolved = Case(
        When(status=ProblemStatus.RESOLVED, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return qs.annotate(_resolved=is_resolved).order_by(
        "_resolved", F("resolved_at").desc(nulls_first=True), "since", "pk"
    )


def counts(user) -> dict[str, int]:
    """Problems per state in the user's scope, and the open ones: one query."""
    agg = SystemProblem.objects.for_user(user).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in ProblemStatus.values}
    )
    agg[OPEN] = agg[ProblemStatus.NEW] + agg[ProblemStatus.ACKNOWLEDGED]
    agg["all"] = agg[OPEN] + agg[ProblemStatus.RESOLVED]
    return agg


def person(user) -> str:
    """A person by name (the username only when the account has no name)."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


HEADERS = [
    _("number"),
    _("system"),
    _("symptom"),
    _("office code"),
    _("office"),
    _("since"),
    _("reported at"),
    _("reported by"),
    _("status"),
    _("assigned to"),
    _("acknowledged at"),
    _("resolved at"),
    _("description"),
    _("resolution"),
    _("declarations affected"),
]


OFFICE_CODE = 3  # the office's code column, its name after it


SERIALS = len(HEADERS) - 1  # the declarations affected: their serials, plain text read left to right


def rows(problems):
    """One list of display values per problem (at most ``EXPORT_LIMIT``), read ``CHUNK`` at a time, with the
    serials of the declarations the reporter named (one query a chunk)."""
    affected = Prefetch("declarations", queryset=TransitDeclaration.objects.only("pk", "serial").order_by("serial"))
    for p in problems[:EXPORT_LIMIT].prefetch_related(affected).iterator(chunk_size=CHUNK):
        yield [
            p.pk,
            str(p.get_system_display()),
            str(p.get_symptom_display()),
            p.office.code,
            p.office.name,  # in the file's language, as the page names it
            format_jalali(p.since, persian=False),
            format_jalali(p.reported_at, persian=False),
            person(p.reported_by),
            str(p.get_status_display()),
            person(p.assigned_to),
            format_jalali(p.acknowledged_at, persian=False),
            format_jalali(p.resolved_at, persian=False),
            p.description_text(),
            p.resolution,
            "; ".join(d.serial for d in p.declarations.all()),
        ]


class _Echo:
    """A file that hands back what is written to it: each CSV line goes out as it is made."""

    def write(self, value: str) -> str:
        return value


def csv_lines(problems) -> Iterator[str]:
    """The CSV, line by line: UTF-8 with a BOM (Excel reads the Persian text); no cell runs as a formula."""
    writer = SafeCsvWriter(_Echo())
    yield "\ufeff" + writer.writerow(headings(HEADERS))
    for row in rows(problems):
        yield writer.writerow(row)


def write_xlsx(problems, out, progress=None, *, head: list[xlsx.Line]) -> int:
    """The problems as an XLSX sheet written to ``out`` below the title block whose lines are ``head``
    (``core.xlsx``: the tab, when and by whom); returns how many. ``progress(done, total)`` every ``CHUNK``
    problems (the export job's page shows it)."""
    from openpyxl import Workbook

    total = min(problems.count(), EXPORT_LIMIT) if progress else None
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("System problems"))[:31])
    ws.sheet_view.rightToLeft = is_persian()  # as the page it came from
    xlsx.append_title_block(ws, str(_("System problems")), head, safe=safe_row)
    # The office in one cell, its name followed by its code (``core.xlsx.office_label``); the CSV keeps both.
    ws.append([h for i, h in enumerate(headings(HEADERS)) if i != OFFICE_CODE])
    done = 0
    for row in rows(problems):
        row[OFFICE_CODE + 1] = xlsx.office_label(row[OFFICE_CODE + 1], row[OFFICE_CODE])
        del row[OFFICE_CODE]
        # openpyxl writes text starting with "=" as a formula; the serials' cell reads left to right
        ws.append(idents.xlsx_ltr_cells(ws, safe_row(row), [SERIALS - 1]))
        done += 1
        if progress and done % CHUNK == 0:
            progress(done, total)
    if progress:
        progress(done, total)
    wb.save(out)
    return done


def filename(tab: str, fmt: str) -> str:
    """``system-problems-<tab>_1405-09-14_2343.xlsx``: the tab, when it was made (``core.files.export_filename``)."""
    return export_filename(f"system-problems-{tab}", fmt)


def build_xlsx(job, out, progress) -> str:
    """The builder of the export job (``core.exports``): the tab asked for (``job.query``), as ``job.user``
    sees it when the file is built, as the page would have written it."""
    form = QueueFilterForm(QueryDict(job.query))
    if not form.is_valid():
        raise exports.ExportRefused(
            gettext("The filters asked are not valid; open the list and ask for the file again.")
        )
    tab = form.cleaned_data["status"] or OPEN
    write_xlsx(queue(job.user, tab), out, progress, head=xlsx.job_lines(job))
    return filename(tab, "xlsx")
