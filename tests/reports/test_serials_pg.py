"""The PostgreSQL fast path of the serial list produces exactly what the Python path produces."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from core.dates import TEHRAN, jalali_month_bounds
from declarations.models import Status, UnsettledReason
from reports import exports, returns
from reports.labels import place_label, place_names
from reports.xlsx_stream import XlsxWriter
from tests.factories import DeclarationFactory

DAY = dt.timedelta(days=1)


def _as_sheet(cells: list) -> list:
    """A row of the serial list as the XLSX writes it: each office «name (code)» (``exports.serial_sheet``)."""
    offices = place_names()["office"]
    return [cells[0], place_label(cells[1], offices), place_label(cells[2], offices), *cells[3:]]


S, E = jalali_month_bounds(1404, 5)


@pytest.fixture
def tricky(bazargan, tehran, sarakhs):
    notes = ['مغایرت "پلمپ", شماره ۱', "خط اول\r\nخط دوم", "a < b & c > d", "bell\x07here", ""]
    out = []
    for i, note in enumerate(notes):
        out.append(
            DeclarationFactory(
                serial=f"P{i:03d},x" if i == 0 else f"P{i:03d}",
                origin=bazargan if i % 2 else sarakhs,
                destination=tehran,
                declared_at=dt.datetime(2019, 6, 1, 23, 45, tzinfo=TEHRAN) + i * DAY,  # summer time then
                departed_at=S - 40 * DAY,
                deadline=None if i == 4 else S - i * 7 * DAY - dt.timedelta(minutes=1),
                arrived_at=S - DAY if i == 2 else None,
                status=Status.UNSETTLED if note else Status.IN_TRANSIT,
                unsettled_reason=UnsettledReason.OTHER if note else "",
                unsettled_at=(E + DAY) if i == 3 else S - DAY,
                unsettled_note=note,
            )
        )
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + DAY, status=Status.REGISTERED, serial="P999"
    )
    return out


@pytest.mark.postgres
def test_it_formats_the_serial_list_in_the_database_exactly_as_python_does(tricky, west_az):
    from reports.serials_pg import serial_lines

    for province in (None, west_az):
        python_csv = io.StringIO()
        w = csv.writer(python_csv)
        python_cells = []
        for row in returns.iter_unsettled(S, E, province):
            cells = exports.serial_cells(row)
            w.writerow(cells)
            python_cells.append(cells)
        lines = list(serial_lines(S, E, province))
        assert "".join(c for c, *_ in lines) == python_csv.getvalue()

        books = []
        for rows in ([_as_sheet(c) for c in python_cells], [x for _c, x, *_ in lines]):
            buf = io.BytesIO()
            with XlsxWriter(buf) as wb:
                wb.sheet("s", rows)
            books.append([[c if c is not None else "" for c in r] for r in openpyxl.load_workbook(buf)["s"].values])
        assert books[0] == books[1]
        assert len(books[0]) == (6 if province is None else 3)
    # West Azerbaijan's rows: a recorded reason, one recorded only after the month, a new registration.
    assert sorted(r[7] for r in python_cells) == ["not_departed", "other", "overdue"]


@pytest.mark.postgres
def test_a_reader_that_stops_early_leaves_the_connection_usable(tricky, monkeypatch):
    """The chunks are fetched by a second thread; a reader that stops after the first row must
    not leave that thread holding the cursor (a hang, or a connection in use)."""
    from django.db import connection

    from reports import serials_pg

    monkeypatch.setattr(serials_pg, "CHUNK", 1)
    lines = serials_pg.serial_lines(S, E, None)
    first = next(lines)
    lines.close()
    assert first[3] == min(r[3] for r in serials_pg.serial_lines(S, E, None))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.postgres
def test_the_database_neutralises_formulas_as_python_does(bazargan, tehran, west_az):
    from reports.serials_pg import serial_lines

    for i, (serial, reason, note) in enumerate(
        [("=1+1", UnsettledReason.OTHER, '=HYPERLINK("x")'), ("@A1", "=foo", ""), ("\tP3", "", "")]
    ):
        DeclarationFactory(
            serial=serial,
            origin=bazargan,
            destination=tehran,
            declared_at=S - (10 + i) * DAY,
            status=Status.UNSETTLED if reason else Status.IN_TRANSIT,
            unsettled_reason=reason,
            unsettled_at=S - DAY if reason else None,
            unsettled_note=note,
        )
    python_csv = io.StringIO()
    python_cells = [exports.serial_cells(row) for row in returns.iter_unsettled(S, E, west_az)]
    csv.writer(python_csv).writerows(python_cells)
    lines = list(serial_lines(S, E, west_az))
    assert "".join(c for c, *_ in lines) == python_csv.getvalue()
    assert sorted(c[0] for c in python_cells) == ["'\tP3", "'=1+1", "'@A1"]
    assert {c[9] for c in python_cells} == {'\'=HYPERLINK("x")', ""}
    assert {c[7] for c in python_cells} == {"other", "'=foo", "not_departed"}
    buf = io.BytesIO()
    with XlsxWriter(buf) as wb:
        wb.sheet("s", [x for _c, x, *_ in lines])
    book = [[c if c is not None else "" for c in r] for r in openpyxl.load_workbook(buf)["s"].values]
    assert book == [[c if c is not None else "" for c in _as_sheet(r)] for r in python_cells]
