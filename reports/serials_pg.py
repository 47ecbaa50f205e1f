"""PostgreSQL fast path for the unsettled serial list: the database formats the rows.

Nationally the list runs to about a million rows; formatting a row in Python (dates to
Jalali, CSV quoting, XML escaping) costs tens of microseconds, i.e. tens of seconds. Here
one query returns, per declaration, its finished CSV line and its finished XLSX ``<row>``,
and Python only copies text into the two files. Jalali dates come from a day → text array
built once in Python (jdatetime) and indexed by the Tehran day in SQL.

It must produce what the Python path (``exports._serial_cells``) produces: the same rule
for the reason (``returns.reason_key``), the same days past the deadline, the same CSV
quoting (csv.writer's QUOTE_MINIMAL) and XML escaping. A PostgreSQL test compares the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F

from accounts.models import Province
from declarations.models import TransitDeclaration
from transit_monitor.dates import TEHRAN

from . import returns

CHUNK = 2_000  # rows per fetch: bounds memory (a row is ~1.5 kB of CSV + XML)
_CONTROL = "[\x01-\x08\x0b\x0c\x0e-\x1f]"


class _Params(list):
    def __call__(self, value) -> str:
        self.append(value)
        return "%s"


def _jalali_days(end: dt.datetime) -> tuple[dt.date, list[str]]:
    from .exports import _jalali_of_date

    first = TransitDeclaration.objects.order_by("declared_at").values_list("declared_at", flat=True).first()
    base = (first.astimezone(TEHRAN).date() if first else end.date()) - dt.timedelta(days=1)
    last = max(end, dt.datetime.now(dt.UTC)).date() + dt.timedelta(days=400)
    days = (last - base).days + 1
    return base, [_jalali_of_date(base + dt.timedelta(days=i)) for i in range(days)]


def _csv(x: str) -> str:
    """csv.writer QUOTE_MINIMAL: quote when the field holds a comma, a quote or a line break."""
    return f"""(CASE WHEN {x} ~ '[",\\r\\n]' THEN '"' || replace({x}, '"', '""') || '"' ELSE {x} END)"""


def _xml_text(x: str, p: _Params, *, control: bool = False) -> str:
    esc = f"replace(replace(replace({x}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    if control:
        esc = f"regexp_replace({esc}, {p(_CONTROL)}, '', 'g')"
    return (
        f"(CASE WHEN {x} = '' THEN '<c/>' ELSE "
        f"""'<c t="inlineStr"><is><t xml:space="preserve">' || {esc} || '</t></is></c>' END)"""
    )


def serial_lines(
    start: dt.datetime, end: dt.datetime, province: Province | None
) -> Iterator[tuple[str, str, float | None, str]]:
    """(CSV line with CRLF, XLSX ``<row>``, deadline as epoch seconds, serial) per unsettled
    declaration, by serial, streamed; the last two rank the PDF's most overdue."""
    from .exports import REASON_LABELS

    inner = (
        returns.unsettled_rows(start, end, province)
        .order_by()
        .annotate(o_code=F("origin__code"), d_code=F("destination__code"))
        .values_list(
            "serial",
            "o_code",
            "d_code",
            "declared_at",
            "deadline",
            "arrived_at",
            "departed_at",
            "unsettled_reason",
            "unsettled_at",
            "unsettled_note",
        )
    )
    try:
        inner_sql, inner_params = inner.query.sql_with_params()
    except EmptyResultSet:  # a province without offices
        return
    base, jalali = _jalali_days(end)
    # One parameter list, filled in the order the placeholders appear in the final SQL text.
    # The Jalali day texts come first (the CTE opens the query); a hash join looks them up.
    p = _Params()
    jal = (
        "WITH jal AS MATERIALIZED (SELECT t.s, (t.i - 1)::int AS off "  # noqa: S608
        f"FROM unnest({p(jalali)}::text[]) WITH ORDINALITY AS t(s, i)) "
    )
    csv_line = " || ',' || ".join(
        [
            *(_csv(c) for c in ("v.serial", "v.o_code", "v.d_code")),
            "v.jdecl",
            "v.jdead",
            "v.jarr",
            "COALESCE(v.days::text, '')",
            *(_csv(c) for c in ("v.rkey", "v.lbl", "v.note")),
        ]
    )
    cells = " || ".join(
        [
            _xml_text("v.serial", p, control=True),
            _xml_text("v.o_code", p),
            _xml_text("v.d_code", p),
            _xml_text("v.jdecl", p),
            _xml_text("v.jdead", p),
            _xml_text("v.jarr", p),
            "(CASE WHEN v.days IS NULL THEN '<c/>' ELSE '<c><v>' || v.days || '</v></c>' END)",
            _xml_text("v.rkey", p),
            _xml_text("v.lbl", p),
            _xml_text("v.note", p, control=True),
        ]
    )
    label = (
        "(CASE w.rkey " + " ".join(f"WHEN {p(k)} THEN {p(v)}" for k, v in REASON_LABELS.items()) + " ELSE w.rkey END)"
    )

    base_sql = f"DATE '{base.isoformat()}'"  # a date we computed, not input

    def jd(col: str, alias: str) -> str:
        return (
            f"(CASE WHEN u.{col} IS NULL THEN '' ELSE "
            f"COALESCE({alias}.s, to_char(u.{col} AT TIME ZONE 'Asia/Tehran', 'YYYY-MM-DD')) END)"
        )

    def join(col: str, alias: str) -> str:
        return f" LEFT JOIN jal {alias} ON {alias}.off = ((u.{col} AT TIME ZONE 'Asia/Tehran')::date - {base_sql})"

    def recorded() -> str:
        return f"(u.unsettled_reason <> '' AND (u.unsettled_at IS NULL OR u.unsettled_at < {p(end)}))"

    days = (
        f"(CASE WHEN u.deadline < {p(end)} THEN floor(extract(epoch FROM ({p(end)} - u.deadline)) / 86400)::bigint END)"
    )
    key = (
        f"(CASE WHEN {recorded()} THEN u.unsettled_reason WHEN u.arrived_at < {p(end)} THEN 'awaiting_settlement' "
        f"WHEN u.deadline < {p(end)} THEN 'overdue' WHEN u.departed_at < {p(end)} THEN 'in_transit' "
        "ELSE 'not_departed' END)"
    )
    note = f"(CASE WHEN {recorded()} THEN u.unsettled_note ELSE '' END)"
    p.extend(inner_params)
    mid = (
        # Fragments are ours and every value is a parameter.
        f"SELECT u.serial, u.o_code, u.d_code, {jd('declared_at', 'j1')} AS jdecl, "  # noqa: S608
        f"{jd('deadline', 'j2')} AS jdead, {jd('arrived_at', 'j3')} AS jarr, "
        f"{days} AS days, {key} AS rkey, {note} AS note, u.deadline AS deadline_ts "
        f"FROM ({inner_sql}) u" + join("declared_at", "j1") + join("deadline", "j2") + join("arrived_at", "j3")
    )
    select = (
        f"SELECT {csv_line} || E'\\r\\n', '<row>' || {cells} || '</row>', "  # noqa: S608
        "extract(epoch FROM v.deadline_ts)::float8, v.serial "
        f"FROM (SELECT w.*, {label} AS lbl FROM ({mid}) w) v ORDER BY v.serial"
    )
    sql = jal + select
    # The lookups make the planner overestimate rows, which switches JIT compilation on:
    # seconds of compiling for a query that runs in a fraction of that. Off for this query.
    with connection.cursor() as setting:
        setting.execute("SET jit = off")
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, p)
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                return
            yield from rows
    finally:
        cursor.close()
        with connection.cursor() as setting:
            setting.execute("RESET jit")
