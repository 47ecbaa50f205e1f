"""Reading ICS export files (CSV, XLSX, JSON) into numbered raw rows; the format is taken from the content."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from core.dates import ascii_digits, date_example
from core.errors import DomainError
from core.text import isolate

from .import_validation import number

MAX_XLSX_ENTRIES = 1000  # a workbook of one sheet has about a dozen parts
GOODS_ALIASES = {"serials": "goods_serials", "line_no": "goods_line", "line": "goods_line"}
# The serial of the import template's example row (``import_template.example_row``): valid in every other way,
# so that the template shows what a row holds, and never imported (it was stored as a real declaration when a
# filled template still held it). Of the Jalali year the template is made in (``example_serial``); refused of any
# year, a template downloaded last year being filled this year.
EXAMPLE_SERIAL_RE = re.compile(r"\d{4}-EXAMPLE-0001")


def example_serial() -> str:
    """The example row's serial: ``1405-EXAMPLE-0001`` in 1405 (the year of ``dates.date_example``)."""
    return f"{date_example()[:4]}-EXAMPLE-0001"


class ImportFileError(DomainError):
    """The file as a whole cannot be read (format, encoding, size)."""


def read_file(data: bytes, filename: str) -> Iterator[tuple[int, dict]]:
    """(row number, raw row dict) from a CSV, XLSX or JSON export; the format is taken from the content."""
    max_bytes = settings.IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise ImportFileError(
            _("file is %(size)s MB; the limit is %(limit)s MB")
            % {"size": number(len(data) // 1024 // 1024), "limit": number(max_bytes // 1024 // 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("file is empty"))
    if data[:4] == b"PK\x03\x04":
        return _not_empty(_without_example(_read_xlsx(data)), records=False)
    head = data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1]
    if head in (b"[", b"{"):
        return _not_empty(_without_example(_read_json(data)), records=True)
    if filename.lower().endswith((".xlsx", ".json")):
        raise ImportFileError(_("'%(name)s' does not contain what its name says") % {"name": filename})
    if _is_binary(data):
        raise ImportFileError(
            _("'%(name)s' is not a CSV, XLSX or JSON export (it holds binary data, an image or a document?)")
            % {"name": filename}
        )
    return _not_empty(_without_example(_read_csv(data, filename)), records=False)


def _not_empty(rows: Iterator[tuple[int, dict]], *, records: bool) -> Iterator[tuple[int, dict]]:
    """The rows, the file refused as a whole (``ImportFileError``) when it has none: a header alone (or a JSON
    list with no record) was taken as a finished import of nothing. Found at the first row, so ``check_file``
    refuses it before a batch is queued."""
    empty = True
    for item in rows:
        empty = False
        yield item
    if empty:
        if records:
            raise ImportFileError(_("the file holds no declarations; send at least one record"))
        raise ImportFileError(_("the file has no data rows; put at least one row under the column headers."))


def _without_example(rows: Iterator[tuple[int, dict]]) -> Iterator[tuple[int, dict]]:
    """The rows, the file refused as a whole (``ImportFileError`` naming the row) at the template's example row:
    the file is read whole before any of it is written, so nothing of it is imported."""
    for row, data in rows:
        serial = data.get("serial")
        if isinstance(serial, str) and EXAMPLE_SERIAL_RE.fullmatch(ascii_digits(serial).strip().upper()):
            raise ImportFileError(
                _(
                    "row %(row)s is the template's example (serial %(serial)s), not a declaration: delete it and "
                    "import the file again; nothing was imported"
                )
                % {"row": number(row), "serial": isolate(serial.strip())}
            )
        yield row, data


def _is_binary(data: bytes) -> bool:
    """A file whose start holds control characters no text export has (a NUL, the bytes an image,
    a PDF or an archive open with) is no CSV, whatever its encoding; a UTF-16 text (its NULs
    behind a byte-order mark) is told its encoding instead."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return any(b < 0x20 and b not in b"\t\n\r\x0c" for b in head) or head.startswith(b"\xff\xd8\xff")


def check_file(data: bytes, filename: str) -> str:
    """The file as a whole, before it is stored for the worker: ``ImportFileError`` when it cannot
    be read (size, encoding, a damaged or hostile workbook, JSON nested too deep, a header without
    the required columns). Reads up to its first row, so a problem deeper in a workbook is found by
    the worker (and the batch fails saying so). Returns the format: "csv", "xlsx" or "json"."""
    rows = read_file(data, filename)
    next(rows, None)
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    return "json" if data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"[", b"{") else "csv"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("file is not UTF-8 (bad byte at offset %(offset)s); export it from ICS as UTF-8")
            % {"offset": number(exc.start)}
        ) from None


def _read_csv(data: bytes, filename: str) -> Iterator[tuple[int, dict]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError(_("file is binary, not CSV"))
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = [c for c in ("serial", "origin", "destination", "plate") if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFileError(_("CSV header lacks the column(s): %(columns)s") % {"columns": ", ".join(missing)})
        for i, row in enumerate(reader, start=2):  # row 1 is the header
            yield i, {k.strip(): (v or "").strip() for k, v in row.items() if k}
    except csv.Error as exc:
        # The whole file is read before any of it is written: a row that cannot be read stops it all.
        raise ImportFileError(_csv_problem(str(exc), filename, reader.reader.line_num)) from None


def _csv_problem(problem: str, filename: str, line: int) -> str:
    where = {"name": filename, "line": number(line), "limit": number(csv.field_size_limit())}
    if "field larger than field limit" in problem:
        return (
            _("'%(name)s', line %(line)s: a field is longer than %(limit)s characters; this is not a CSV export of ICS")
            % where
        )
    return _("'%(name)s', line %(line)s cannot be read as CSV (a quote left open?); export it from ICS again") % where


def _check_zip(data: bytes) -> None:
    """An XLSX is a zip: what its entries unpack to is checked before anything inflates them (a
    deflate bomb: a few hundred KB that unpack to gigabytes). Python's zipfile never inflates an
    entry past the size its directory declares, so the declared sizes are the bound."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ImportFileError(
            _("not a readable XLSX workbook (%(problem)s)") % {"problem": exc.__class__.__name__}
        ) from None
    unpacked = sum(e.file_size for e in entries)
    limit = settings.IMPORT_MAX_UNZIPPED_BYTES
    if len(entries) > MAX_XLSX_ENTRIES or unpacked > limit:
        raise ImportFileError(
            _("the workbook unpacks to %(size)s MB in %(n)s parts, more than the %(limit)s MB allowed (a zip bomb?)")
            % {
                "size": number(unpacked // 1024 // 1024),
                "n": number(len(entries)),
                "limit": number(limit // 1024 // 1024),
            }
        )


def _read_xlsx(data: bytes) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    _check_zip(data)
    try:
        # Formulas as written, not their cached results: a formula cell is refused, never read empty.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(
            _("not a readable XLSX workbook (%(problem)s)") % {"problem": exc.__class__.__name__}
        ) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows()
    header = [str(c.value).strip() if c.value is not None else "" for c in next(rows, [])]
    missing = [c for c in ("serial", "origin", "destination", "plate") if c not in header]
    if missing:
        raise ImportFileError(_("sheet header lacks the column(s): %(columns)s") % {"columns": ", ".join(missing)})
    for i, cells in enumerate(rows, start=2):
        if all(c.value is None for c in cells):
            continue
        raw: dict = {}
        formulas: list[tuple[str, str]] = []  # each formula cell under its column; the row's other cells still checked
        for j, (h, c) in enumerate(zip(header, cells)):
            if not h:
                continue
            if c.data_type == "f":
                cell = f"{get_column_letter(j + 1)}{i}"
                message = _("%(cell)s holds a formula: save the sheet with values only and import it again") % {
                    "cell": cell
                }
                if h == "serial":  # without its serial the row cannot be put with its declaration
                    raise ImportFileError(message)
                formulas.append((h, message))
                raw[h] = ""
            else:
                raw[h] = _cell(c.value)
        if formulas:
            raw["__formulas__"] = formulas
        yield i, raw


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _read_json(data: bytes) -> Iterator[tuple[int, dict]]:
    try:
        doc = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("not valid JSON: %(problem)s at line %(line)s") % {"problem": exc.msg, "line": number(exc.lineno)}
        ) from None
    except RecursionError:
        raise ImportFileError(_("not valid JSON: nested too deeply")) from None
    records = doc.get("declarations") if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise ImportFileError(_('JSON must be a list of declarations or {"declarations": [...]}'))
    return iter_records(records)


class _BadValue(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def iter_records(records: list) -> Iterator[tuple[int, dict]]:
    """JSON/API records (one per declaration, goods nested) flattened to rows; row = 1-based index. Each row
    carries its record's index (``__record__``): a record sent twice is two declarations to ``group_rows``,
    not one with its goods lines twice.

    A record that is not an object, goods that are not a list of objects, or a value that is not
    text, a number or a list of them gives one row carrying the problem (``__error__``)."""
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            yield i, {"__error__": _("record is not an object")}
            continue
        try:
            flat = {k: _json_value(k, v) for k, v in rec.items() if k != "goods"}
            goods = rec.get("goods") or [{}]
            if not isinstance(goods, list):
                raise _BadValue("goods", _("goods must be a list"))
            lines = []
            for n, g in enumerate(goods, start=1):
                if not isinstance(g, dict):
                    raise _BadValue("goods", _("goods line %(line)s is not an object") % {"line": number(n)})
                line = {**flat, **{GOODS_ALIASES.get(k, k): _json_value(k, v) for k, v in g.items()}}
                line.setdefault("goods_line", str(n))
                lines.append(line)
        except _BadValue as exc:
            serial = rec.get("serial")
            yield (
                i,
                {
                    "serial": serial if isinstance(serial, str) else "",
                    "__error__": exc.message,
                    "__field__": exc.field,
                    "__record__": str(i),
                },
            )
            continue
        for line in lines:
            yield i, {**line, "__record__": str(i)}


def _json_value(key: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        if not all(isinstance(x, str | int | float) for x in v):
            raise _BadValue(str(key)[:64], _("must be text, a number or a list of them"))
        return "|".join(str(x) for x in v)
    if isinstance(v, dict):
        raise _BadValue(str(key)[:64], _("must be text, a number or a list of them"))
    return str(v).strip()
