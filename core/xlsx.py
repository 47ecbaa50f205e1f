"""What every XLSX a person takes away has in common: the title block it opens with, and how it names an office.

An office is written in one cell as the monthly return and its PDF write it: its name in the file's language
followed by its code, ``Bazargan (BZG)`` / ``گمرک بازرگان (BZG)`` (``office_label``); the code alone when
it names no office we know. The CSVs, tables for programs, keep the code in a column of its own.

A file is forwarded by e-mail and must say what it is on its own: its title in bold, then a line per
filter (label, value) as the page that asked for it named them, when it was made and by whom, a blank
row, then the table with its header row. The ANPR reports (``anpr.reports.Report.to_xlsx``), the
declaration list and the system problems (their export jobs, ``job_title_block``) write it here.

Core imports no app: the cells' formula guard (``declarations.cells.safe_row``) is handed in.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext

from core.dates import format_jalali
from core.text import strip_isolates

# A line of the block: its cells (label, value, …) and the columns holding an identifier (read left to right).
Line = tuple[list, tuple[int, ...]]
# The cell alignment of an identifier in a right-to-left sheet (``declarations.idents.XLSX_LTR``).
LTR = {"horizontal": "left", "readingOrder": 1}


def office_label(name: str | None, code: str | None) -> str:
    """An office (or a province) as every XLSX writes it: ``گمرک بازرگان (BZG)``; the code alone without a name."""
    if not code:
        return name or ""
    return f"{name} ({code})" if name else code


def made_lines(user, now=None) -> list[Line]:
    """When the file was made (Jalali, Latin digits, as the table's dates) and by whom (by name)."""
    made_by = user.get_full_name() or user.get_username()
    return [
        ([gettext("made at"), format_jalali(now or timezone.now(), persian=False)], ()),
        ([gettext("made by"), made_by], ()),
    ]


def filter_lines(shown: Iterable[tuple[str, str]]) -> list[Line]:
    """The filters as the export's page shows them (``core.exports.Kind.filters_of``: label, HTML) as plain
    text lines; a value the page isolates left to right (an identifier, a value as typed) reads left to right.
    No filter at all: one line saying so."""
    lines: list[Line] = [
        ([str(label), strip_isolates(html.unescape(strip_tags(value)))], (1,) if 'dir="ltr"' in value else ())
        for label, value in shown
    ]
    return lines or [([gettext("filters"), gettext("none")], ())]


def job_lines(job) -> list[Line]:
    """The block's lines of an export job's file (``core.exports``): its filters as asked, when it was made and
    by whom (``job.user``)."""
    from core.exports import kind_of

    kind = kind_of(job.kind)
    return [*filter_lines(kind.filters_of(job) if kind else []), *made_lines(job.user)]


def append_title_block(ws, title: str, lines: Iterable[Line], *, safe: Callable[[Sequence], list]) -> None:
    """Write the block at the top of openpyxl's write-only sheet ``ws``: ``title`` in bold, each line with its
    identifiers' cells reading left to right, then a blank row (the table follows, its header row first).
    ``safe`` neutralises text a spreadsheet would run as a formula (``declarations.cells.safe_row``)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    heading = WriteOnlyCell(ws, value=safe([title])[0])
    heading.font = Font(bold=True)
    ws.append([heading])
    alignment = Alignment(**LTR)
    for cells, ltr in lines:
        row: list = safe(cells)
        for i in ltr:
            if i < len(row) and row[i] not in (None, ""):
                cell = WriteOnlyCell(ws, value=row[i])
                cell.alignment = alignment
                row[i] = cell
        ws.append(row)
    ws.append([])
