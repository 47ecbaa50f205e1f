"""Exports of a monthly return: JSON, CSV, XLSX (all streaming the serial list) and PDF.

The unsettled serial list can run to a million rows nationally: JSON, CSV and XLSX stream
it from a server-side cursor straight into the file, so memory stays flat as data grows.
The PDF is for reading: it carries every figure and the ``PDF_SERIAL_LIMIT`` serials longest
past their deadline, and says the full list is in the XLSX/CSV.

Labels (``labels``) are Persian: the return is an official Persian document for headquarters,
like the letters. Dates in CSV/XLSX are Jalali with ASCII digits (sortable, machine-readable); the
PDF uses Persian digits. The CSV, read by programs, gives its period, province, office and standing as
codes (``period_rows``, ``scope_rows``). An office's part of a province's return, made from its stored CSV,
is ``reports.parts``.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter

from accounts.models import CustomsOffice, Province
from casework.models import authority_with_branch
from core.dates import format_jalali, jalali_month_bounds, persian_digits, to_tehran
from core.pdf import font_face_css, html_to_pdf
from core.text import digits, format_number
from declarations import idents
from declarations.cells import SafeCsvWriter, safe_row

from . import page_labels, returns
from .labels import (
    AGE_LABELS,
    AGE_NOTE,
    BALANCE_LABELS,
    FOREIGN_TRUCK_LABELS,
    MILESTONE_LABELS,
    MILESTONE_METRIC_LABELS,
    REASON_LABELS,
    SCAN_REUSE_LABELS,
    SERIAL_HEADER,
    SERIAL_RULES_LABELS,
    STANDING_HEAD,
    in_name_order,
    jday,
    jday_iso,
    place_label,
    place_names,
    standing,
)
from .xlsx_stream import XlsxWriter

SERIAL_SHEET = "سریال‌های تسویه‌نشده"
PDF_SERIAL_LIMIT = 100  # WeasyPrint lays out ~100 table rows a second on a busy core
PDF_CASE_LIMIT = 100  # the month's opened cases, and its case actions, the PDF names (the XLSX lists them all)


def serial_cells(row: dict) -> list:
    """One row of the serial list; text that a spreadsheet would run as a formula (an imported
    serial or note) neutralised, as ``serials_pg`` does in SQL."""
    return safe_row(
        [
            row["serial"],
            row["origin"],
            row["destination"],
            jday(row["declared_at"]),
            jday(row["deadline"]),
            jday(row["arrived_at"]),
            row["days_past_deadline"],
            row["reason"],
            REASON_LABELS.get(row["reason"], row["reason"]),
            row["note"],
            row["days_since_arrival"],
        ]
    )


class _Desc:
    """Reverses the order of a key, so that heapq's min-heap keeps the largest key on top."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __lt__(self, other: _Desc) -> bool:
        return self.key > other.key


class MostOverdue:
    """The ``limit`` serials longest past their deadline (those without a deadline last, ties by
    serial), picked while an export streams the whole list: the PDF needs no second sorted query."""

    def __init__(self, limit: int = PDF_SERIAL_LIMIT):
        self.limit = limit
        self._heap: list[tuple[_Desc, str | list]] = []  # the cells, or the CSV line that holds them

    def offer(self, margin: float | None, serial: str, cells: str | list) -> None:
        """``margin``: seconds from when the deadline's clock stopped to the deadline (``_margin``)."""
        key = (margin is None, margin or 0.0, serial)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, (_Desc(key), cells))
        elif key < self._heap[0][0].key:
            heapq.heapreplace(self._heap, (_Desc(key), cells))

    def cells(self) -> list[list]:
        """The kept rows as ``serial_cells`` gives them, most overdue first."""
        rows = sorted(self._heap, key=lambda item: item[0].key)
        return [next(csv.reader([c])) if isinstance(c, str) else c for _k, c in rows]


def _bounds(figures: dict) -> tuple[dt.datetime, dt.datetime, Province | None]:
    """The period the figures were counted over (a provisional return ends at its cut-off)."""
    start, end = jalali_month_bounds(figures["year"], figures["month"])
    if figures.get("provisional"):
        end = dt.datetime.fromisoformat(figures["end"])
    province = Province.objects.get(code=figures["province"]) if figures["province"] else None
    return start, end, province


def serial_rows(figures: dict) -> Iterator[dict]:
    start, end, province = _bounds(figures)
    return returns.iter_unsettled(start, end, province)


def summary_rows(figures: dict) -> list[tuple[str, str, str, object]]:
    """(section, key, label, value) for every scalar figure."""
    rows: list[tuple[str, str, str, object]] = []
    for k, label in BALANCE_LABELS.items():
        rows.append(("balance", k, label.strip(), figures[k]))
    for k, v in figures["unsettled_by_reason"].items():
        rows.append(("by_reason", k, REASON_LABELS[k], v))
    for k, v in figures["unsettled_by_age"].items():
        rows.append(("by_age", k, AGE_LABELS[k], v))
    rows += [
        (section, k, page_labels.in_persian(page_labels.ACTIVITY, (section, k)), figures[section][k])
        for section, k in page_labels.ACTIVITY
    ]
    rows += [
        (section, k, page_labels.in_persian(page_labels.SHARES, (section, k)), figures[section][k])
        for section, k in page_labels.SHARES
    ]
    rows += milestone_rows(figures)
    # The anti-smuggling rules' own section (returns.serial_rules); absent from returns built before it.
    rules = figures.get("rules_serials")
    if rules is not None:
        rows += [("rules_serials", k, SERIAL_RULES_LABELS[k], rules[k]) for k in returns.SERIAL_RULES_KEYS]
    # Reused scans and their reviews (returns.scan_reuse); absent from returns built before it.
    reuse = figures.get("scan_reuse")
    if reuse is not None:
        rows += [("scan_reuse", k, SCAN_REUSE_LABELS[k], reuse[k]) for k in returns.SCAN_REUSE_KEYS]
    rows += [
        ("foreign_trucks", key, label, figures["foreign_trucks"][key])
        for key, label in FOREIGN_TRUCK_LABELS.items()
        if "foreign_trucks" in figures  # a return built before these figures existed
    ]
    return rows


# --- cases by milestone (smuggling regulation) ----------------------------------------------------


def milestone_rows(figures: dict) -> list[tuple[str, str, str, object]]:
    """(section, key, label, value) of the return's section "cases by milestone": ``kind:metric``.
    A return built before the section existed has none."""
    by_kind = figures.get("case_milestones") or {}
    return [
        (
            "case_milestones",
            f"{kind}:{metric}",
            f"{MILESTONE_LABELS[kind]} — {MILESTONE_METRIC_LABELS[metric]}",
            by_kind[kind][metric],
        )
        for kind in [*returns.MILESTONE_KINDS, "total"]
        if kind in by_kind
        for metric in returns.MILESTONE_METRICS
    ]


def milestone_table(figures: dict) -> list[list]:
    """One row per milestone kind (and the total): its label, then each metric."""
    by_kind = figures.get("case_milestones") or {}
    return [
        [MILESTONE_LABELS[kind], *(by_kind[kind][m] for m in returns.MILESTONE_METRICS)]
        for kind in [*returns.MILESTONE_KINDS, "total"]
        if kind in by_kind
    ]


# --- end of cases by milestone --------------------------------------------------------------------


# --- JSON -------------------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def write_json(figures: dict, out) -> int:
    """Figures plus the full ``unsettled_serials`` list, streamed into the text stream ``out``."""
    head = json.dumps(figures, ensure_ascii=False, indent=1)
    out.write(head[:-1].rstrip() + ',\n "unsettled_serials": [')
    n = 0
    for row in serial_rows(figures):
        out.write(
            ("\n  " if n == 0 else ",\n  ") + json.dumps({k: _iso(v) for k, v in row.items()}, ensure_ascii=False)
        )
        n += 1
    out.write("\n ]\n}\n")
    return n


# --- CSV --------------------------------------------------------------------------------------


def period_rows(figures: dict) -> list[list[str]]:
    """The CSV's period, for programs: the Jalali month as a code (``1404-05``), then the instants it runs
    from and to, Gregorian ISO 8601 in Tehran time (the end exclusive: the next month's first instant, or a
    provisional return's cut-off), each labelled with its Jalali day in ASCII digits (``1404/05/01``), as the
    serial list's dates are: the value stays ISO for programs, the label reads as the XLSX and PDF date it. No
    month name: the XLSX and PDF, the official Persian papers, name the month in Persian."""
    start, end = jalali_month_bounds(figures["year"], figures["month"])
    if figures.get("provisional"):
        end = to_tehran(dt.datetime.fromisoformat(figures["end"]))
    code = f"{figures['year']}-{figures['month']:02d}"
    return [
        ["return", "period", code, code],
        ["return", "start", jday(start), start.isoformat()],
        ["return", "end", jday(end), end.isoformat()],
    ]


def scope_rows(figures: dict) -> list[list[str]]:
    """The CSV's province (``IR``: the nation), office (an office's part) and standing, for programs: codes, in
    the label column as in the value column as the period's rows have them. No name stored at build and no
    sentence: the XLSX and PDF name them in Persian (``figure_sheets``, ``render_pdf``)."""
    province = figures["province"] or "IR"
    provisional = "yes" if figures.get("provisional") else "no"
    return [
        ["return", "province", province, province],
        *([["return", "office", figures["office"], figures["office"]]] if figures.get("office") else []),
        ["return", "provisional", provisional, provisional],
    ]


def csv_head(w, figures: dict) -> None:
    w.writerow(["section", "key", "label", "value"])
    w.writerows(period_rows(figures))
    w.writerows(scope_rows(figures))
    w.writerows(summary_rows(figures))
    for p in figures.get("provinces", []):
        for k in returns.BALANCE_KEYS:
            w.writerow([f"province:{p['province']}", k, BALANCE_LABELS[k].strip(), p[k]])
    w.writerow([])
    w.writerow(SERIAL_HEADER)


def write_csv(figures: dict, out) -> int:
    """Two blocks: ``section,key,label,value`` figure rows, a blank line, then the serial table."""
    w = SafeCsvWriter(out)
    csv_head(w, figures)
    n = 0
    for row in serial_rows(figures):
        w.writerow(serial_cells(row))
        n += 1
    return n


# --- XLSX -------------------------------------------------------------------------------------


def write_xlsx(figures: dict, fileobj, *, csv_out=None, most_overdue: MostOverdue | None = None) -> int:
    """The workbook; with ``csv_out`` (a text stream) the CSV is written in the same pass over
    the serial list, so a snapshot build reads the list from the database once, and with
    ``most_overdue`` the PDF's serials are picked in that pass too."""
    start, end, province = _bounds(figures)
    return write_files(lambda: figures, start, end, province, fileobj, csv_out=csv_out, most_overdue=most_overdue)


def write_files(
    get_figures: Callable[[], dict],
    start: dt.datetime,
    end: dt.datetime,
    province: Province | None,
    fileobj,
    *,
    csv_out=None,
    most_overdue: MostOverdue | None = None,
) -> int:
    """XLSX (and CSV) with the serial list streamed first and the figures asked for after it,
    so that they can be counted meanwhile (``services.return_build``). The serial sheet is
    written first but stays the last tab; the CSV's serial block waits in a temporary file
    until its head of figures is written."""
    serial_cells: Iterator
    body = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="") if csv_out is not None else None
    try:
        if connection.vendor == "postgresql":
            # The database formats each row (reports/serials_pg.py): about a microsecond of Python a row.
            from .serials_pg import serial_lines

            serial_cells = _tee_lines(serial_lines(start, end, province), body, most_overdue)
        else:
            rows = returns.iter_unsettled(start, end, province)
            serial_cells = _tee_rows(rows, SafeCsvWriter(body) if body else None, most_overdue, end)
        with XlsxWriter(fileobj) as wb:
            n = serial_sheet(wb, serial_cells)
            figures = get_figures()
            # every case and action of the month, read as the figures were counted (the figures keep a few)
            figure_sheets(wb, figures, cases=returns.case_lists(start, end, province))
        if body is not None:
            csv_head(SafeCsvWriter(csv_out), figures)
            body.seek(0)
            shutil.copyfileobj(body, csv_out, 1 << 20)
        return n
    finally:
        if body is not None:
            body.close()


def serial_sheet(wb: XlsxWriter, rows) -> int:
    """The serial list's sheet, the last tab, as every file of a return writes it (the whole return's and
    an office's part): its serials read left to right, each office as «name (code)» (the CSV keeps the
    codes). Returns rows written."""
    offices = place_names()["office"]

    def labelled(rows):
        for row in rows:
            if row.__class__ is str:  # finished by PostgreSQL (serials_pg), its offices labelled there
                yield row
            else:
                yield [row[0], place_label(row[1], offices), place_label(row[2], offices), *row[3:]]

    return wb.sheet(
        SERIAL_SHEET,
        labelled(rows),
        header=SERIAL_HEADER,
        widths=[18, 10, 10, 12, 12, 12, 14, 20, 28, 40, 14],
        position=100,
        ltr_columns=[0],
    )


def figure_sheets(wb: XlsxWriter, figures: dict, *, cases: tuple[Iterable[dict], Iterable[dict]] | None = None) -> None:
    """The figures' sheets. ``cases``: every case opened and every action of the month (``returns.case_lists``,
    streamed when a return is built); else the figures' own lists (an office's part, made from the stored
    return), which keep ``returns.CASE_LIST_LIMIT`` of each: a list cut there says so in the sheet."""
    names = place_names()
    head = [
        ("دوره", figures["label"]),
        ("حوزه", figures["province_name"]),
        *(
            [("گمرک (سهم آن از گزارش استان)", place_label(figures["office"], names["office"]))]
            if figures.get("office")
            else []
        ),
        (STANDING_HEAD, standing(figures)),
        ("روزهای پس از مهلت", AGE_NOTE),
    ]
    wb.sheet(
        "خلاصه",
        [*head, *((label, value) for _s, _k, label, value in summary_rows(figures))],
        header=["شرح", "مقدار"],
        widths=[40, 16],
    )
    if figures.get("provinces"):
        wb.sheet(
            "استان‌ها",
            (
                [place_label(p["province"], names["province"]), *(p[k] for k in returns.BALANCE_KEYS)]
                for p in in_name_order(figures["provinces"], "province", names["province"])
            ),
            header=["استان", *(BALANCE_LABELS[k].strip() for k in returns.BALANCE_KEYS)],
        )
    wb.sheet(
        "پرونده‌های قضایی",
        case_sheet_rows(figures, cases),
        header=["نوع", "شماره پرونده", "سریال اظهارنامه", "تاریخ", "مرجع / اقدام", "ارزش کالا (ریال)"],
        ltr_columns=[1, 2],
    )
    wb.sheet(
        "مهلت‌های پرونده‌های قاچاق",
        milestone_table(figures),
        header=["مرحله (آیین‌نامه اجرایی قانون مبارزه با قاچاق)", *MILESTONE_METRIC_LABELS.values()],
        widths=[60, 14, 14, 14, 14, 14],
    )
    compliance_rows: list[list] = [
        *(
            [
                "اسکن",
                place_label(o["office"], names["office"]),
                o["departed"],
                o["origin_scanned_in_time"],
                o["arrived"],
                o["reviewed"],
            ]
            for o in in_name_order(figures["scan_compliance"]["offices"], "office", names["office"])
        ),
        *(
            ["پلاک‌خوان", place_label(o["office"], names["office"]), "", "", o["arrived"], o["sighted"]]
            for o in in_name_order(figures["plate_compliance"]["offices"], "office", names["office"])
        ),
    ]
    if not compliance_rows:  # an empty sheet would read as a failed export
        compliance_rows = [["—", "در این ماه هیچ گمرکی اسکنر یا پلاک‌خوانی در خدمت نداشت.", "", "", "", ""]]
    wb.sheet(
        "انطباق",
        compliance_rows,
        header=["نوع", "گمرک", "اعزام", "اسکن به‌موقع", "وصول", "بررسی‌شده / رؤیت پلاک"],
    )


def case_sheet_rows(figures: dict, cases: tuple[Iterable[dict], Iterable[dict]] | None) -> Iterator[list]:
    """The rows of the sheet «پرونده‌های قضایی»: each case opened, then each action, oldest first. Made from the
    figures' lists, a list that stops short of its count ends with a row saying how many of how many it holds."""
    kept = figures["cases"]
    opened, actions = cases if cases is not None else (kept["opened_list"], kept["actions_list"])
    for c in opened:
        yield [
            "تشکیل",
            c["file_number"],
            c["serial"],
            jday_iso(c["opened_on"]),
            case_authority(c),
            _rial(c["goods_value"]),
        ]
    if cases is None and kept["opened"] > len(kept["opened_list"]):
        yield ["—", "", "", "", cut_note(len(kept["opened_list"]), kept["opened"], "پرونده"), ""]
    for a in actions:
        yield ["اقدام", a["file_number"], a["serial"], jday_iso(a["on"]), a["action"], ""]
    if cases is None and kept["actions"] > len(kept["actions_list"]):
        yield ["—", "", "", "", cut_note(len(kept["actions_list"]), kept["actions"], "اقدام"), ""]


def cut_note(shown: int, count: int, what: str) -> str:
    """An office's part whose list of the month's cases or actions stops short of its count, in Persian: how many
    of how many it holds, and where they all are (the province's return lists them all)."""
    return (
        f"{format_number(shown, persian=True)} از {format_number(count, persian=True)} {what} در این فهرست آمده "
        "است؛ همهٔ آن‌ها در فایل XLSX گزارش استان است."
    )


def case_authority(case: dict) -> str:
    """A judicial case of the figures by its authority and branch, as the case page names it («دادگاه انقلاب ماکو
    شعبهٔ ۲»), in Persian as the workbook is; a return built before its branch was kept names the authority alone."""
    with translation.override("fa"):
        return authority_with_branch(case["authority"], case.get("branch", ""))


def _rial(text) -> int | str:
    """A stored amount in rials (the figures keep it as text, as JSON does a Decimal) as a number cell."""
    try:
        return int(Decimal(text))
    except (InvalidOperation, TypeError, ValueError):
        return ""


def _tee_lines(lines: Iterator[tuple], csv_out, most_overdue: MostOverdue | None) -> Iterator[str]:
    write = csv_out.write if csv_out is not None else None
    offer = most_overdue.offer if most_overdue is not None else None
    for csv_line, xml_row, margin, serial in lines:
        if write:
            write(csv_line)
        if offer:
            offer(margin, serial, csv_line)  # parsed back into cells for the few rows kept
        yield xml_row


def _margin(row: dict, end: dt.datetime) -> float | None:
    """Seconds from the clock's stop (arrival, else the end: ``returns.clock_stop``) to the deadline: the
    fewer, the longer past it; None without a deadline."""
    deadline = row["deadline"]
    if deadline is None:
        return None
    return (deadline - returns.clock_stop(row["arrived_at"], end)).total_seconds()


def _tee_rows(rows: Iterator[dict], w, most_overdue: MostOverdue | None, end: dt.datetime) -> Iterator[list]:
    for row in rows:
        cells = serial_cells(row)
        if w is not None:
            w.writerow(cells)
        if most_overdue is not None:
            most_overdue.offer(_margin(row, end), row["serial"], cells)
        yield cells


# --- PDF --------------------------------------------------------------------------------------


def most_overdue_cells(figures: dict, limit: int = PDF_SERIAL_LIMIT) -> list[list]:
    """The PDF's serials by their own query, when no export pass picked them."""
    start, end, province = _bounds(figures)
    rows = returns.iter_unsettled(start, end, province, limit=limit, most_overdue_first=True)
    return [serial_cells(row) for row in rows]


def return_number(figures: dict, version: int) -> str:
    """The return's number on its cover: scope, Jalali month and version (``WAZ-1404-05-v2``, ``IR-…`` for the
    nation), one per version built, as its files are named; Latin, an identifier."""
    return f"{figures['province'] or 'IR'}-{figures['year']}-{figures['month']:02d}-v{version}"


def return_copies(figures: dict) -> list[str]:
    """The cover's رونوشت: a province's return to the province's customs offices (their figures are in it); the
    national return, headquarters' own, to the provinces' inspections."""
    if not figures["province"]:
        return ["بازرسی‌های گمرک استان‌ها"]
    offices = CustomsOffice.objects.filter(province__code=figures["province"]).order_by("code")
    if figures.get("office"):
        offices = offices.filter(code=figures["office"])
    return list(offices.values_list("name_fa", flat=True))


def return_signer(user, figures: dict) -> dict[str, str]:
    """Who signs the cover: the person who submitted (or finalised) the return, their title and the office
    they sign for."""
    office = f"بازرسی گمرک استان {figures['province_name']}" if figures["province"] else "دفتر ترانزیت گمرک ایران"
    title = user.title or ""
    # «بازرس گمرک استان …» above «بازرسی گمرک استان …» says the place twice: the title names it already.
    place = figures["province_name"] if figures["province"] else "دفتر ترانزیت"
    if place and place in title:
        office = ""
    return {"name": user.get_full_name() or user.username, "title": title, "office": office}


def render_pdf(
    figures: dict,
    *,
    version: int | None = None,
    serials: list[list] | None = None,
    replaces: tuple[int, dt.datetime | None] | None = None,
    signer: dict[str, str] | None = None,
    signed_at: dt.datetime | None = None,
    cover_only: bool = False,
    pages: int | None = None,
) -> bytes:
    """The return as a letter: a cover in the official letter's form (signer, رونوشت), then the figures;
    ``serials``: the most overdue rows as ``serial_cells`` gives them (``MostOverdue.cells()`` of the
    export pass), else they are queried; ``replaces``: the version of the month already submitted when this
    one was built, and when (the letter says it takes its place). Its standing is the figures'
    (``labels.standing``), as the XLSX and the page give it. Built, it is not signed (the cover says so);
    ``signer`` and ``signed_at``: who submitted it and when (``sign_pdf``). ``cover_only``: the cover
    alone, its page footer counting ``pages``."""
    if serials is None:
        serials = [] if cover_only else most_overdue_cells(figures)
    # Serials stay in ASCII digits (identifiers to search for), isolated from the Persian text
    # around them; dates and counts in Persian.
    names = place_names()
    rows = [
        [
            idents.serial_html(c[0]),
            *(place_label(code, names["office"]) for code in c[1:3]),
            *(persian_digits(v) if v is not None else "" for v in c[4:7]),
            persian_digits(c[10]) if len(c) > 10 and c[10] not in (None, "") else "",
            c[8],
        ]
        for c in serials
    ]

    def fa(value) -> str:
        return format_number(value, persian=True)

    kept = figures["cases"]
    opened_cases = sorted(
        kept["opened_list"], key=lambda c: (c["opened_on"], returns.file_number_order(c["file_number"]))
    )
    opened_cases = opened_cases[:PDF_CASE_LIMIT]
    case_actions = sorted(kept["actions_list"], key=lambda a: (a["on"], returns.file_number_order(a["file_number"])))
    case_actions = case_actions[:PDF_CASE_LIMIT]

    with translation.override("fa"):
        html = render_to_string(
            "reports/return_pdf.html",
            {
                "f": figures,
                "fonts": font_face_css(),
                "version": version,
                "replaces": (
                    (
                        persian_digits(replaces[0]),
                        format_jalali(replaces[1], with_time=False) if replaces[1] is not None else "",
                    )
                    if replaces
                    else None
                ),
                "number": idents.ident_html("return", return_number(figures, version)) if version else "",
                # built now, or signed when submitted (a letter's date is when it is sent), in Persian digits
                "date": format_jalali(signed_at or timezone.now(), with_time=False),
                "signer": signer,
                "copies": return_copies(figures),
                "cover_only": cover_only,
                "pages": persian_digits(pages) if pages else "",
                "standing_head": STANDING_HEAD,
                "sections": page_labels.SECTIONS,  # read in Persian: rendered under translation.override("fa")
                "standing": standing(figures),
                "balance": [(BALANCE_LABELS[k], fa(figures[k])) for k in returns.BALANCE_KEYS],
                "reasons": [(REASON_LABELS[k], fa(v)) for k, v in figures["unsettled_by_reason"].items()],
                "ages": [(AGE_LABELS[k], fa(v)) for k, v in figures["unsettled_by_age"].items()],
                "age_note": AGE_NOTE,
                "others": [
                    (label, _pct(k, v, s, figures))
                    for s, k, label, v in summary_rows(figures)
                    if s not in ("balance", "by_reason", "by_age", "case_milestones", *OWN_SECTIONS)
                ],
                # the sections the page titles on their own, under the same titles (absent from older returns)
                "own_sections": [
                    (page_labels.SECTIONS[section], figures_of_section)
                    for section in OWN_SECTIONS
                    if (
                        figures_of_section := [
                            (label, _pct(k, v, s, figures)) for s, k, label, v in summary_rows(figures) if s == section
                        ]
                    )
                ],
                "milestone_heads": list(MILESTONE_METRIC_LABELS.values()),
                "milestones": [[row[0], *(fa(v) for v in row[1:])] for row in milestone_table(figures)],
                "provinces": [
                    [place_label(p["province"], names["province"]), *(fa(p[k]) for k in returns.BALANCE_KEYS)]
                    for p in in_name_order(figures.get("provinces", []), "province", names["province"])
                ],
                "balance_heads": [BALANCE_LABELS[k].strip() for k in returns.BALANCE_KEYS],
                # each case opened in the month, as the XLSX's sheet «پرونده‌های قضایی» names it, and each action of
                # the month: both oldest first (a return built before its lists were kept so had its cases newest
                # first), at most PDF_CASE_LIMIT of each, saying how many of how many (the XLSX lists them all)
                "opened_cases": [
                    (
                        c["file_number"],
                        c["serial"],
                        persian_digits(jday_iso(c["opened_on"])),
                        digits(case_authority(c), persian=True),
                        fa(c["goods_value"]),
                    )
                    for c in opened_cases
                ],
                "opened_count": fa(figures["cases"]["opened"]),
                "opened_more": figures["cases"]["opened"] > len(opened_cases),
                "opened_limit": fa(len(opened_cases)),
                "case_actions": [
                    (a["file_number"], a["serial"], persian_digits(jday_iso(a["on"])), a["action"])
                    for a in case_actions
                ],
                "actions_count": fa(figures["cases"]["actions"]),
                "actions_more": figures["cases"]["actions"] > len(case_actions),
                "actions_limit": fa(len(case_actions)),
                # the days columns by their short names (the note above the ages table says how they count)
                "serial_header": [
                    *SERIAL_HEADER[:3],
                    *(h.split(" (")[0] for h in (*SERIAL_HEADER[4:7], SERIAL_HEADER[10])),
                    SERIAL_HEADER[8],
                ],
                "serials": rows,
                "limit": fa(PDF_SERIAL_LIMIT),
                "more": figures["unsettled_count"] > len(rows),
                "count": fa(figures["unsettled_count"]),
            },
        )
    return html_to_pdf(html)


def sign_pdf(
    stored: bytes,
    figures: dict,
    *,
    version: int,
    replaces: tuple[int, dt.datetime | None] | None,
    signer: dict[str, str],
    signed_at: dt.datetime,
) -> bytes:
    """The built PDF ``stored`` with its cover signed: the cover rendered again with the signer, the date it was
    sent and the same number, and the pages after it kept as they were sealed (their figures and serials are
    the build's, never counted again)."""
    built = PdfReader(io.BytesIO(stored))
    cover = render_pdf(
        figures,
        version=version,
        replaces=replaces,
        signer=signer,
        signed_at=signed_at,
        cover_only=True,
        pages=len(built.pages),
    )
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(cover)).pages[0])
    for page in built.pages[1:]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Sections of figures the page and the PDF title each on its own (the others: «follow-up, cases, …»).
OWN_SECTIONS = ("rules_serials", "scan_reuse", "foreign_trucks")


def _pct(key: str, value, section: str = "", figures: dict | None = None) -> str:
    """A figure of the PDF in Persian: a share as ``۶۴٫۹٪`` (from its pair where the figures have it:
    ``page_labels.SHARE_OF``), a count grouped."""
    if value is None:
        return "—"
    if key.endswith("share"):
        pair = page_labels.SHARE_OF.get((section, key))
        counts = (figures or {}).get(section) or {}
        if pair is not None and counts.get(pair[1]):
            value = Decimal(counts[pair[0]]) / Decimal(counts[pair[1]])
        return format_number(value * 100, 1, persian=True) + "٪"
    return format_number(value, persian=True)
