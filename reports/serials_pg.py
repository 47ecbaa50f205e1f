"""PostgreSQL fast path for the unsettled serial list: the database formats the rows.

Nationally the list runs to about a million rows; formatting a row in Python (dates to
Jalali, CSV quoting, XML escaping) costs tens of microseconds, i.e. tens of seconds. Here
one query returns, per declaration, its finished CSV line and its finished XLSX ``<row>``,
and Python only copies text into the two files. Jalali dates come from a table of days built
once in Python (jdatetime), ten bytes a day, read in SQL at the offset of the Tehran day.

It must produce what the Python path (``exports.serial_cells``) produces: the same rule
for the reason (``returns.reason_key``), the same days past the deadline, the same
neutralised formulas (``declarations.cells``), the same CSV quoting (csv.writer's
QUOTE_MINIMAL) and XML escaping. A PostgreSQL test compares the two.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import queue
import threading
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connection

from accounts.models import CustomsOffice, Province
from core.dates import TEHRAN
from core.xlsx import office_label
from declarations.cells import safe_cell, safe_cell_sql
from declarations.models import TransitDeclaration

from . import returns
from .labels import REASON_LABELS, jalali_of_date
from .xlsx_stream import LTR_STYLE, cell_xml

CHUNK = 2_000  # rows per fetch: bounds memory (a row is ~1.5 kB of CSV + XML)
# What ``xlsx_stream._esc`` drops: control characters XML 1.0 does not allow (a list for translate()).
_CONTROL = "".join(chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32)))


class _Params(dict):
    """Named parameters: ``p(value)`` gives a placeholder that may appear any number of times."""

    def __call__(self, value) -> str:
        name = f"p{len(self)}"
        self[name] = value
        return f"%({name})s"


def _jalali_days(end: dt.datetime) -> tuple[dt.date, list[str]]:
    first = TransitDeclaration.objects.order_by("declared_at").values_list("declared_at", flat=True).first()
    base = (first.astimezone(TEHRAN).date() if first else end.date()) - dt.timedelta(days=1)
    last = max(end, dt.datetime.now(dt.UTC)).date() + dt.timedelta(days=400)
    days = (last - base).days + 1
    return base, [jalali_of_date(base + dt.timedelta(days=i)) for i in range(days)]


def _csv(x: str) -> str:
    """csv.writer QUOTE_MINIMAL: quote when the field holds a comma, a quote or a line break."""
    return f"""(CASE WHEN {x} ~ '[",\\r\\n]' THEN '"' || replace({x}, '"', '""') || '"' ELSE {x} END)"""


def _xml_text(x: str, p: _Params, style: int = 0) -> str:
    """The inline-string cell of free text: escaped, control characters dropped (as ``_esc``);
    with ``style``, as ``cell_xml(value, style)`` writes it."""
    esc = f"translate(replace(replace(replace({x}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), {p(_CONTROL)}, '')"
    # Escaping costs microseconds a row (translate() most); nearly every value needs none.
    esc = f"(CASE WHEN {x} ~ {p(f'[&<>{_CONTROL}]')} THEN {esc} ELSE {x} END)"
    s = f' s="{style}"' if style else ""
    return (
        f"(CASE WHEN {x} = '' THEN '<c{s}/>' ELSE "
        f"""'<c t="inlineStr"{s}><is><t xml:space="preserve">' || {esc} || '</t></is></c>' END)"""
    )


def _csv_field(value: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


def _office_cells(p: _Params) -> tuple[str, str]:
    """Arrays of each office's finished CSV field (its code) and XLSX cell (``name (code)``, as
    ``exports.serial_sheet`` writes it), indexed by office id: the 37 offices are formatted once here
    instead of once per row in the database."""
    offices = {pk: (code, name) for pk, code, name in CustomsOffice.objects.values_list("pk", "code", "name_fa")}
    size = max(offices, default=0)
    csv_cells = [_csv_field(safe_cell(offices.get(i, ("", ""))[0])) for i in range(1, size + 1)]
    xml_cells = [cell_xml(office_label(*reversed(offices.get(i, ("", ""))))) for i in range(1, size + 1)]
    return f"({p(csv_cells)}::text[])", f"({p(xml_cells)}::text[])"


def serial_lines(
    start: dt.datetime, end: dt.datetime, province: Province | None
) -> Iterator[tuple[str, str, float | None, str]]:
    """(CSV line with CRLF, XLSX ``<row>``, seconds from the deadline's clock stop to the deadline
    (``exports._margin``), serial) per unsettled declaration, by serial, streamed; the last two rank
    the PDF's most overdue.

    Three layers: the month's unsettled rows with their raw columns, sorted by serial while
    they are narrow (a sort of the finished text would spill hundreds of MB nationally); the
    Jalali dates, reason and note of each (a fixed-width day table read by offset, no join);
    then the text of both files. OFFSET 0 keeps each layer's expressions computed once."""
    # Ordered by serial (byte order); office ids here, their cells come from ``_office_cells``.
    inner = returns.unsettled_rows(start, end, province).values_list(
        "serial", "origin_id", "destination_id", *returns.UNSETTLED_FIELDS
    )
    try:
        inner_sql, inner_params = inner.query.sql_with_params()
    except EmptyResultSet:  # a province without offices
        return
    base, jalali = _jalali_days(end)
    assert all(len(j) == 10 for j in jalali)  # YYYY/MM/DD: the table is read by offset
    table = "".join(jalali).encode()
    base_sql = f"DATE '{base.isoformat()}'"  # a date we computed, not input
    p = _Params()
    o_csv, o_xml = _office_cells(p)

    # Outer layer: reason key and label as one finished piece each (known keys); others escaped.
    keyed_csv = " ".join(f"WHEN {p(k)} THEN {p(_csv_field(k) + ',' + _csv_field(v))}" for k, v in REASON_LABELS.items())
    unknown = safe_cell_sql("v.rkey")  # a reason outside the list, shown as it is stored
    keyed_csv = f"(CASE v.rkey {keyed_csv} ELSE {_csv(unknown)} || ',' || {_csv(unknown)} END)"
    csv_line = ", ',', ".join(
        [
            _csv("v.serial_cell"),
            f"{o_csv}[v.origin_id]",
            f"{o_csv}[v.destination_id]",
            "v.jdecl",
            "v.jdead",
            "v.jarr",
            "COALESCE(v.days::text, '')",
            keyed_csv,
            _csv("v.note"),
            "COALESCE(v.waited::text, '')",
        ]
    )

    def date_cell(x: str) -> str:
        return f"""(CASE WHEN {x} = '' THEN '<c/>' ELSE '<c t="inlineStr"><is><t xml:space="preserve">' || {x} || '</t></is></c>' END)"""

    keyed_xml = " ".join(f"WHEN {p(k)} THEN {p(cell_xml(k) + cell_xml(v))}" for k, v in REASON_LABELS.items())
    keyed_xml = f"(CASE v.rkey {keyed_xml} ELSE {_xml_text(unknown, p)} || {_xml_text(unknown, p)} END)"
    cells = ", ".join(
        [
            _xml_text("v.serial_cell", p, LTR_STYLE),
            f"{o_xml}[v.origin_id]",
            f"{o_xml}[v.destination_id]",
            date_cell("v.jdecl"),
            date_cell("v.jdead"),
            date_cell("v.jarr"),
            "(CASE WHEN v.days IS NULL THEN '<c/>' ELSE '<c><v>' || v.days || '</v></c>' END)",
            keyed_xml,
            _xml_text("v.note", p),
            "(CASE WHEN v.waited IS NULL THEN '<c/>' ELSE '<c><v>' || v.waited || '</v></c>' END)",
        ]
    )
    outer = (
        f"SELECT concat({csv_line}, E'\\r\\n'), concat('<row>', {cells}, '</row>'), "  # noqa: S608 (ours)
        "extract(epoch FROM v.deadline - v.stop)::float8, v.serial "
    )

    # Middle layers: each date's Tehran day once, then its Jalali text, the reason and the note.
    tbl, e = p(table), p(end)

    # Iran has kept UTC+03:30 all year since September 2022: from 2023 on the Tehran day is
    # plain arithmetic on the epoch (as labels.jday does); earlier dates ask the zone database.
    base_day = (base - dt.date(1970, 1, 1)).days

    def day(col: str) -> str:
        return (
            f"(CASE WHEN u.{col} >= TIMESTAMPTZ '2023-01-01 00:00+03:30' "
            f"THEN floor((date_part('epoch', u.{col}) + 12600) / 86400)::int - {base_day} "
            f"ELSE (u.{col} AT TIME ZONE 'Asia/Tehran')::date - {base_sql} END) AS {col}_day"
        )

    def jd(col: str) -> str:
        return (
            f"(CASE WHEN d.{col} IS NULL THEN '' WHEN d.{col}_day BETWEEN 0 AND {len(jalali) - 1} "
            f"THEN convert_from(substring({tbl}::bytea FROM d.{col}_day * 10 + 1 FOR 10), 'UTF8') "
            f"ELSE to_char(d.{col} AT TIME ZONE 'Asia/Tehran', 'YYYY-MM-DD') END)"
        )

    recorded = f"(u.unsettled_reason <> '' AND (u.unsettled_at IS NULL OR u.unsettled_at < {e})) AS recorded"
    stop = returns.clock_stop_sql("d.arrived_at", e)  # the deadline's clock stops at arrival
    days = returns.days_past_sql("d.deadline", stop)  # the rule of returns.days_past_deadline
    waited = returns.days_since_arrival_sql("d.arrived_at", e)
    key = (
        f"(CASE WHEN d.recorded THEN d.unsettled_reason WHEN d.arrived_at < {e} THEN 'awaiting_settlement' "
        f"WHEN {returns.overdue_sql('d.deadline', e)} THEN 'overdue' WHEN d.departed_at < {e} THEN 'in_transit' "
        "ELSE 'not_departed' END)"
    )
    # The list is the month's end as it stood: an arrival after it is not there yet.
    arrival = f"(CASE WHEN d.arrived_at < {e} THEN {jd('arrived_at')} ELSE '' END)"
    note = f"(CASE WHEN d.recorded THEN {safe_cell_sql('d.unsettled_note')} ELSE '' END)"
    # Django's positional placeholders become named ones (a literal % is already %% there).
    parts = inner_sql.split("%s")
    assert len(parts) == len(inner_params) + 1
    inner_sql = parts[0] + "".join(p(v) + part for v, part in zip(inner_params, parts[1:], strict=True))
    with_days = (
        f"SELECT u.*, {day('declared_at')}, {day('deadline')}, {day('arrived_at')}, {recorded} "  # noqa: S608
        f"FROM ({inner_sql}) u OFFSET 0"
    )
    middle = (
        f"SELECT d.serial, {safe_cell_sql('d.serial')} AS serial_cell, d.origin_id, d.destination_id, {jd('declared_at')} AS jdecl, "  # noqa: S608
        f"{jd('deadline')} AS jdead, {arrival} AS jarr, {days} AS days, {key} AS rkey, "
        f"{note} AS note, {waited} AS waited, {stop} AS stop, d.deadline FROM ({with_days}) d OFFSET 0"
    )
    # No ORDER BY out here: the rows keep the order of the innermost query (by serial, byte
    # order), which sorted them while they were narrow; the loop below checks it holds.
    sql = f"{outer} FROM ({middle}) v"
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, p)
        last = ""
        for rows in _prefetched(cursor):
            for row in rows:
                if row[3] <= last:  # a plan that reordered rows: never a wrong list, a loud failure
                    raise RuntimeError(f"the serial list came out of order at {row[3]}")
                last = row[3]
                yield row
    finally:
        cursor.close()


def _prefetched(cursor, depth: int = 4) -> Iterator[list]:
    """The cursor's chunks, fetched by a second thread: PostgreSQL formats the next rows while
    this one writes and compresses the last (a plain loop leaves one side idle at a time).
    Only that thread touches the cursor until it has finished or been stopped."""
    chunks: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item) -> None:
        while not stop.is_set():  # the reader may have stopped reading
            try:
                chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def fetch() -> None:
        try:
            while not stop.is_set():
                rows = cursor.fetchmany(CHUNK)
                hand_over(rows)
                if not rows:
                    return
        except BaseException as exc:  # raised in the reader
            hand_over(exc)

    fetcher = threading.Thread(target=fetch, name="serial-list-fetch", daemon=True)
    fetcher.start()
    try:
        while True:
            rows = chunks.get()
            if isinstance(rows, BaseException):
                raise rows
            if not rows:
                return
            yield rows
    finally:
        stop.set()
        fetcher.join()  # before the cursor is closed
