"""Import declarations from ICS exports (CSV, XLSX, JSON) or the API.

Contract:
- Idempotent on serial: the same file twice changes nothing the second time.
- A stored declaration whose export *content* differs (offices, plate, waybill, goods ...)
  is rejected with the differing fields named: a serial is never silently rewritten.
- A later export whose *status* is ahead of ours is applied through the lifecycle
  services (depart, confirm arrival, settle ...) with the export as the source;
  one we cannot reach forward (ICS says in transit, we hold it arrived) becomes a
  reconciliation exception, listed in the summary and kept on the batch.
- A bad row is reported with its row number, field and reason; it does not stop
  or corrupt the others. New declarations are written in chunks, each with its
  goods in one transaction, so nothing is half-written.

Row layout (CSV/XLSX: one row per goods line, declaration columns repeated; JSON:
one object per declaration with a ``goods`` list) is described by ``COLUMNS``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CustomsOffice
from transit_monitor.dates import format_jalali, parse_datetime_any

from . import identifiers, plates, services
from .errors import DomainError
from .models import (
    DeclarationEvent,
    Driver,
    GoodsItem,
    GoodsSerial,
    ImportBatch,
    Source,
    Status,
    TransitDeclaration,
    TransportCompany,
    Vehicle,
)

COLUMNS = [
    # declaration
    "serial",
    "declared_at",
    "origin",
    "destination",
    "route",
    "plate",
    "plate_country",
    "trailer_plate",
    "driver_name",
    "driver_national_id",
    "driver_passport",
    "company_name",
    "company_reg_no",
    "waybill_no",
    "seals",
    "containers",
    "mrn",
    "guarantee_ref",
    "guarantee_amount",
    "deadline",
    "status",
    "status_at",
    "unsettled_reason",
    "unsettled_note",
    # goods line
    "goods_line",
    "hs_code",
    "description",
    "quantity",
    "unit",
    "gross_weight_kg",
    "value",
    "goods_serials",
]
GOODS_COLUMNS = [
    "goods_line",
    "hs_code",
    "description",
    "quantity",
    "unit",
    "gross_weight_kg",
    "value",
    "goods_serials",
]
GOODS_ALIASES = {"serials": "goods_serials", "line_no": "goods_line", "line": "goods_line"}
LIST_SEPARATOR = re.compile(r"[|;،]")
SERIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-]{3,31}$")
MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024)
CHUNK = 2000

# How to walk forward from our status to the export's: the services to call in order.
FORWARD = {
    (Status.REGISTERED, Status.IN_TRANSIT): ["depart"],
    (Status.REGISTERED, Status.ARRIVED): ["depart", "confirm_arrival"],
    (Status.REGISTERED, Status.SETTLED): ["depart", "confirm_arrival", "settle"],
    (Status.REGISTERED, Status.UNSETTLED): ["depart", "confirm_arrival", "record_unsettled"],
    (Status.REGISTERED, Status.CANCELLED): ["cancel"],
    (Status.IN_TRANSIT, Status.ARRIVED): ["confirm_arrival"],
    (Status.IN_TRANSIT, Status.SETTLED): ["confirm_arrival", "settle"],
    (Status.IN_TRANSIT, Status.UNSETTLED): ["confirm_arrival", "record_unsettled"],
    (Status.ARRIVED, Status.SETTLED): ["settle"],
    (Status.ARRIVED, Status.UNSETTLED): ["record_unsettled"],
    (Status.UNSETTLED, Status.SETTLED): ["settle"],
}


class ImportFileError(DomainError):
    """The file as a whole cannot be read (format, encoding, size)."""


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class Exception_:
    row: int
    serial: str
    ours: str
    theirs: str
    message: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    exceptions: list[Exception_] = field(default_factory=list)
    batch_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [e.__dict__ for e in self.rejected],
            "exceptions": [e.__dict__ for e in self.exceptions],
            "batch": self.batch_id,
        }


class RowInvalid(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class Parsed:
    """One declaration from the export, validated and canonical."""

    row: int
    serial: str
    declared_at: dt.datetime
    origin: CustomsOffice
    destination: CustomsOffice
    route: list[str]
    plate: str
    plate_country: str
    trailer_plate: str
    driver_name: str
    driver_national_id: str
    driver_passport: str
    company_name: str
    company_reg_no: str
    waybill_no: str
    seals: list[str]
    containers: list[str]
    mrn: str
    guarantee_ref: str
    guarantee_amount: Decimal
    deadline: dt.datetime | None
    status: str
    status_at: dt.datetime | None
    unsettled_reason: str
    unsettled_note: str
    goods: list[dict]

    def fingerprint(self) -> dict:
        """The content that must agree with what we hold (everything but the status)."""
        return {
            "declared_at": self.declared_at.replace(microsecond=0),
            "origin": self.origin.code,
            "destination": self.destination.code,
            "plate": f"{self.plate_country}:{self.plate}",
            "waybill_no": self.waybill_no,
            "goods": sorted((g["hs_code"], str(g["quantity"].normalize())) for g in self.goods),
        }


def stored_fingerprint(d: TransitDeclaration) -> dict:
    return {
        "declared_at": d.declared_at.replace(microsecond=0),
        "origin": d.origin.code,
        "destination": d.destination.code,
        "plate": f"{d.vehicle.country}:{d.vehicle.plate}",
        "waybill_no": d.waybill_no,
        "goods": sorted((g.hs_code, str(g.quantity.normalize())) for g in d.goods.all()),
    }


# --- Reading files ---------------------------------------------------------------------------


def read_file(data: bytes, filename: str) -> Iterator[tuple[int, dict]]:
    """(row number, raw row dict) from a CSV, XLSX or JSON export; the format is taken from the content."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"file is {len(data) // 1024 // 1024} MB; the limit is {MAX_BYTES // 1024 // 1024} MB")
    if not data.strip():
        raise ImportFileError("file is empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    head = data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1]
    if head in (b"[", b"{"):
        return _read_json(data)
    if filename.lower().endswith((".xlsx", ".json")):
        raise ImportFileError(f"'{filename}' does not contain what its name says")
    return _read_csv(data)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"file is not UTF-8 (bad byte at offset {exc.start}); export it from ICS as UTF-8"
        ) from None


def _read_csv(data: bytes) -> Iterator[tuple[int, dict]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError("file is binary, not CSV")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("serial", "origin", "destination", "plate") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFileError(f"CSV header lacks the column(s): {', '.join(missing)}")
    for i, row in enumerate(reader, start=2):  # row 1 is the header
        yield i, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _read_xlsx(data: bytes) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(f"not a readable XLSX workbook ({exc.__class__.__name__})") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    missing = [c for c in ("serial", "origin", "destination", "plate") if c not in header]
    if missing:
        raise ImportFileError(f"sheet header lacks the column(s): {', '.join(missing)}")
    for i, values in enumerate(rows, start=2):
        if values is None or all(v is None for v in values):
            continue
        yield i, {h: _cell(v) for h, v in zip(header, values) if h}


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
        raise ImportFileError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    records = doc.get("declarations") if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        raise ImportFileError('JSON must be a list of declarations or {"declarations": [...]}')
    return iter_records(records)


def iter_records(records: list) -> Iterator[tuple[int, dict]]:
    """JSON/API records (one per declaration, goods nested) flattened to rows; row = 1-based index."""
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            yield i, {"__error__": "record is not an object"}
            continue
        goods = rec.get("goods") or [{}]
        if not isinstance(goods, list):
            yield i, {**rec, "__error__": "goods must be a list"}
            continue
        for n, g in enumerate(goods, start=1):
            flat = {k: _json_value(v) for k, v in rec.items() if k != "goods"}
            if isinstance(g, dict):
                flat.update({GOODS_ALIASES.get(k, k): _json_value(v) for k, v in g.items()})
                flat.setdefault("goods_line", str(n))
            yield i, flat


def _json_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "|".join(str(x) for x in v)
    return str(v).strip()


# --- Validating ------------------------------------------------------------------------------


class Validator:
    """Validates rows into ``Parsed`` declarations; holds the lookups so each row costs no query."""

    def __init__(self) -> None:
        self.offices = {o.code: o for o in CustomsOffice.objects.all()}
        self.now = timezone.now()
        self.earliest = dt.datetime(2011, 3, 21, tzinfo=dt.UTC)  # 1390/01/01

    def office(self, code: str, name: str) -> CustomsOffice:
        if not code:
            raise RowInvalid(name, "is required")
        try:
            return self.offices[code.strip().upper()]
        except KeyError:
            raise RowInvalid(name, f"unknown office code '{code}'") from None

    def when(self, text: str, name: str, required: bool = True) -> dt.datetime | None:
        if not text:
            if required:
                raise RowInvalid(name, "is required")
            return None
        try:
            value = parse_datetime_any(text)
        except ValueError as exc:
            raise RowInvalid(name, str(exc)) from None
        if not (self.earliest <= value <= self.now + dt.timedelta(days=1)) and name != "deadline":
            raise RowInvalid(name, f"'{text}' is out of range (1390 to today)")
        return value

    def decimal(self, text: str, name: str, *, positive: bool = False, default: str | None = None) -> Decimal:
        if not text and default is not None:
            return Decimal(default)
        try:
            value = Decimal(text.replace(",", ""))
        except (InvalidOperation, AttributeError):
            raise RowInvalid(name, f"'{text}' is not a number") from None
        if value < 0 or (positive and value == 0) or not value.is_finite():
            raise RowInvalid(name, f"'{text}' must be {'more than' if positive else 'at least'} zero")
        return value

    def declaration(self, row: int, rows: list[dict]) -> Parsed:
        r = rows[0]
        if "__error__" in r:
            raise RowInvalid("record", r["__error__"])
        serial = r.get("serial", "").strip()
        if not SERIAL_RE.match(serial):
            raise RowInvalid("serial", f"'{serial}' is not a declaration serial (4–32 letters, digits, / or -)")
        for other in rows[1:]:
            for col in ("origin", "destination", "plate", "declared_at", "waybill_no"):
                if other.get(col, "") != r.get(col, ""):
                    raise RowInvalid(col, f"differs between the goods lines of serial {serial}")
        origin = self.office(r.get("origin", ""), "origin")
        destination = self.office(r.get("destination", ""), "destination")
        if origin.pk == destination.pk:
            raise RowInvalid("destination", "is the same office as the origin")
        route = [c.strip().upper() for c in LIST_SEPARATOR.split(r.get("route", "")) if c.strip()]
        for code in route:
            self.office(code, "route")
        route = route or [origin.code, destination.code]
        if route[0] != origin.code:
            route.insert(0, origin.code)
        if route[-1] != destination.code:
            route.append(destination.code)
        country = (r.get("plate_country") or "IR").strip().upper()
        try:
            plate = plates.canonical_plate(r.get("plate", ""), country)
        except plates.PlateError as exc:
            raise RowInvalid("plate", str(exc)) from None
        national_id = r.get("driver_national_id", "")
        if national_id:
            try:
                national_id = identifiers.validate_national_id(national_id)
            except ValueError as exc:
                raise RowInvalid("driver_national_id", str(exc)) from None
        mrn = r.get("mrn", "")
        if mrn:
            try:
                mrn = identifiers.validate_mrn(mrn)
            except ValueError as exc:
                raise RowInvalid("mrn", str(exc)) from None
        containers = []
        for c in LIST_SEPARATOR.split(r.get("containers", "")):
            if c.strip():
                try:
                    containers.append(identifiers.validate_container_number(c))
                except ValueError as exc:
                    raise RowInvalid("containers", str(exc)) from None
        status = (r.get("status") or Status.REGISTERED).strip().lower()
        if status not in Status.values:
            raise RowInvalid("status", f"'{status}' is not one of {', '.join(Status.values)}")
        declared_at = self.when(r.get("declared_at", ""), "declared_at")
        status_at = self.when(r.get("status_at", ""), "status_at", required=False)
        if status_at and status_at < declared_at:
            raise RowInvalid("status_at", "is before the declaration date")
        goods = [self.goods_line(g) for g in rows if any(g.get(c) for c in ("hs_code", "description"))]
        lines = [g["line_no"] for g in goods]
        if len(set(lines)) != len(lines):
            raise RowInvalid("goods_line", f"line numbers repeat in serial {serial}")
        return Parsed(
            row=row,
            serial=serial,
            declared_at=declared_at,
            origin=origin,
            destination=destination,
            route=route,
            plate=plate,
            plate_country=country,
            trailer_plate=r.get("trailer_plate", "")[:16],
            driver_name=r.get("driver_name", "")[:150],
            driver_national_id=national_id,
            driver_passport=r.get("driver_passport", "")[:30],
            company_name=r.get("company_name", "")[:200],
            company_reg_no=r.get("company_reg_no", "")[:40],
            waybill_no=r.get("waybill_no", "")[:40],
            seals=[s.strip() for s in LIST_SEPARATOR.split(r.get("seals", "")) if s.strip()],
            containers=containers,
            mrn=mrn,
            guarantee_ref=r.get("guarantee_ref", "")[:40],
            guarantee_amount=self.decimal(r.get("guarantee_amount", ""), "guarantee_amount", default="0"),
            deadline=self.when(r.get("deadline", ""), "deadline", required=False),
            status=status,
            status_at=status_at,
            unsettled_reason=r.get("unsettled_reason", ""),
            unsettled_note=r.get("unsettled_note", "")[:500],
            goods=goods,
        )

    def goods_line(self, g: dict) -> dict:
        hs = re.sub(r"[\s.]", "", g.get("hs_code", ""))
        if not re.fullmatch(r"\d{4,12}", hs):
            raise RowInvalid("hs_code", f"'{g.get('hs_code', '')}' is not an HS code (4–12 digits)")
        if not g.get("description"):
            raise RowInvalid("description", "is required for each goods line")
        try:
            line_no = int(g.get("goods_line") or 1)
        except ValueError:
            raise RowInvalid("goods_line", f"'{g.get('goods_line')}' is not a line number") from None
        serials = [s.strip() for s in LIST_SEPARATOR.split(g.get("goods_serials", "")) if s.strip()]
        return {
            "line_no": line_no,
            "hs_code": hs,
            "description": g["description"][:300],
            "quantity": self.decimal(g.get("quantity", ""), "quantity", positive=True),
            "unit": (g.get("unit") or "")[:16],
            "gross_weight_kg": self.decimal(g.get("gross_weight_kg", ""), "gross_weight_kg", default="0"),
            "value": self.decimal(g.get("value", ""), "value", default="0"),
            "serials": serials,
        }


def group_rows(rows: Iterable[tuple[int, dict]]) -> Iterator[tuple[int, list[dict]]]:
    """Consecutive rows of one serial form one declaration (exports list goods lines together)."""
    current: list[dict] = []
    first = 0
    for row, data in rows:
        if current and data.get("serial") == current[0].get("serial") and "__error__" not in data:
            current.append(data)
            continue
        if current:
            yield first, current
        current, first = [data], row
    if current:
        yield first, current


# --- Writing ---------------------------------------------------------------------------------


def import_file(data: bytes, filename: str, *, by=None, source: str = Source.ICS) -> ImportSummary:
    """Import one export file. File-level problems raise ImportFileError before anything is written."""
    rows = list(read_file(data, filename))  # fail on the whole file before writing any of it
    exported = format_jalali(timezone.now(), persian=False)
    ref = f"ICS export {filename} imported {exported}"
    return import_rows(
        rows, source_ref=ref, by=by, source=source, filename=filename, sha256=hashlib.sha256(data).hexdigest()
    )


def import_records(records: list, *, by=None, source: str = Source.API, source_ref: str = "API") -> ImportSummary:
    return import_rows(list(iter_records(records)), source_ref=source_ref, by=by, source=source)


def import_rows(
    rows: list[tuple[int, dict]],
    *,
    source_ref: str,
    by=None,
    source: str = Source.ICS,
    filename: str = "",
    sha256: str = "",
) -> ImportSummary:
    summary = ImportSummary()
    validator = Validator()
    parsed: list[Parsed] = []
    seen: dict[str, Parsed] = {}
    for row, group in group_rows(rows):
        try:
            p = validator.declaration(row, group)
        except RowInvalid as exc:
            summary.rejected.append(RowError(row, exc.field, exc.message))
            continue
        if p.serial in seen:
            if seen[p.serial].fingerprint() != p.fingerprint():
                summary.rejected.append(
                    RowError(row, "serial", f"serial {p.serial} appears twice with different content")
                )
            else:
                summary.unchanged += 1
            continue
        seen[p.serial] = p
        parsed.append(p)

    for start in range(0, len(parsed), CHUNK):
        _write_chunk(parsed[start : start + CHUNK], summary, by=by, source=source, source_ref=source_ref)

    batch = ImportBatch.objects.create(
        filename=filename[:200],
        sha256=sha256,
        source=source,
        by=by,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=len(summary.rejected),
        report=summary.as_dict(),
    )
    summary.batch_id = batch.pk
    return summary


def _write_chunk(chunk: list[Parsed], summary: ImportSummary, *, by, source: str, source_ref: str) -> None:
    existing = {
        d.serial: d
        for d in TransitDeclaration.objects.filter(serial__in=[p.serial for p in chunk])
        .select_related("origin", "destination", "vehicle")
        .prefetch_related("goods")
    }
    new = [p for p in chunk if p.serial not in existing]
    for p in chunk:
        if p.serial in existing:
            _reconcile(p, existing[p.serial], summary, by=by, source=source, source_ref=source_ref)
    if not new:
        return
    try:
        with transaction.atomic():
            created = _create(new, by=by, source=source, source_ref=source_ref)
        summary.created += created
    except IntegrityError:
        # A concurrent import took some serials: fall back to one declaration per transaction.
        for p in new:
            try:
                with transaction.atomic():
                    summary.created += _create([p], by=by, source=source, source_ref=source_ref)
            except IntegrityError as exc:
                summary.rejected.append(RowError(p.row, "serial", f"could not be stored: {exc}"))


def _reconcile(p: Parsed, d: TransitDeclaration, summary: ImportSummary, *, by, source: str, source_ref: str) -> None:
    ours, theirs = stored_fingerprint(d), p.fingerprint()
    if ours != theirs:
        fields = ", ".join(k for k in ours if ours[k] != theirs[k])
        summary.rejected.append(
            RowError(p.row, fields.split(", ")[0], f"serial {p.serial} is stored with different {fields}")
        )
        return
    if p.status == d.status:
        summary.unchanged += 1
        return
    steps = FORWARD.get((d.status, p.status))
    if not steps:
        summary.exceptions.append(
            Exception_(p.row, p.serial, d.status, p.status, f"export says {p.status}; we hold {d.status}")
        )
        return
    try:
        with transaction.atomic():
            at = p.status_at or timezone.now()
            for step in steps:
                _apply(step, d, p, at=at, source=source, source_ref=source_ref)
        summary.updated += 1
    except DomainError as exc:
        summary.exceptions.append(Exception_(p.row, p.serial, d.status, p.status, str(exc)))


def _apply(step: str, d: TransitDeclaration, p: Parsed, *, at, source: str, source_ref: str) -> None:
    """Transitions from an export are made by the system (by=None) with the export as their source."""
    common = {"declaration": d, "by": None, "at": at, "source": source, "source_ref": source_ref}
    if step == "depart":
        services.declaration_depart(**common)
    elif step == "confirm_arrival":
        services.declaration_confirm_arrival(**common)
    elif step == "settle":
        services.declaration_settle(**common)
    elif step == "record_unsettled":
        services.declaration_record_unsettled(
            **common, reason=p.unsettled_reason or "other", note=p.unsettled_note or "reported by ICS"
        )
    elif step == "cancel":
        services.declaration_cancel(**common, reason=p.unsettled_note or "cancelled in ICS")


def _create(new: list[Parsed], *, by, source: str, source_ref: str) -> int:
    """Bulk-create declarations with their vehicles, drivers, companies, goods and serials."""
    vehicles = _ensure_vehicles(new)
    companies = _ensure_companies(new)
    drivers = _ensure_drivers(new)
    now = timezone.now()
    decls = []
    for p in new:
        departed = p.status_at if p.status != Status.REGISTERED and p.status != Status.CANCELLED else None
        deadline = p.deadline or (services.deadline_for(p.origin.pk, p.destination.pk, departed) if departed else None)
        at = p.status_at or p.declared_at
        decls.append(
            TransitDeclaration(
                serial=p.serial,
                declared_at=p.declared_at,
                origin=p.origin,
                destination=p.destination,
                route=p.route,
                vehicle=vehicles[(p.plate_country, p.plate)],
                vehicle_country=p.plate_country,
                driver=drivers.get((p.driver_national_id, p.driver_passport, p.driver_name)),
                company=companies.get(p.company_reg_no),
                waybill_no=p.waybill_no,
                seal_numbers=p.seals,
                container_numbers=p.containers,
                mrn=p.mrn,
                guarantee_ref=p.guarantee_ref,
                guarantee_amount=p.guarantee_amount,
                deadline=deadline,
                status=p.status,
                departed_at=departed,
                arrived_at=at if p.status in (Status.ARRIVED, Status.SETTLED, Status.UNSETTLED) else None,
                settled_at=at if p.status == Status.SETTLED else None,
                cancelled_at=at if p.status == Status.CANCELLED else None,
                unsettled_reason=p.unsettled_reason if p.status == Status.UNSETTLED else "",
                unsettled_note=p.unsettled_note if p.status == Status.UNSETTLED else "",
                status_source=source,
                status_source_ref=source_ref[:200],
                status_changed_at=at,
                status_changed_by=by,
            )
        )
    TransitDeclaration.objects.bulk_create(decls, batch_size=1000)
    ids = dict(TransitDeclaration.objects.filter(serial__in=[p.serial for p in new]).values_list("serial", "id"))
    goods, events = [], []
    for p in new:
        events.append(
            DeclarationEvent(
                declaration_id=ids[p.serial],
                at=now,
                kind="import",
                actor=by,
                source=source,
                message=source_ref[:500],
                data={"status": p.status, "row": p.row},
            )
        )
        for g in p.goods:
            goods.append(
                GoodsItem(
                    declaration_id=ids[p.serial],
                    line_no=g["line_no"],
                    hs_code=g["hs_code"],
                    description=g["description"],
                    quantity=g["quantity"],
                    unit=g["unit"],
                    gross_weight_kg=g["gross_weight_kg"],
                    value=g["value"],
                    serials=g["serials"],
                )
            )
    GoodsItem.objects.bulk_create(goods, batch_size=1000)
    DeclarationEvent.objects.bulk_create(events, batch_size=1000)
    serial_rows = []
    with_serials = [g for g in goods if g.serials]
    if with_serials:
        item_ids = {
            (d, n): i
            for i, d, n in GoodsItem.objects.filter(
                declaration_id__in=[g.declaration_id for g in with_serials]
            ).values_list("id", "declaration_id", "line_no")
        }
        for g in with_serials:
            for value in g.serials:
                serial_rows.append(
                    GoodsSerial(
                        value=value[:40],
                        is_imei=len(value) == 15 and value.isdigit(),
                        declaration_id=g.declaration_id,
                        goods_item_id=item_ids[(g.declaration_id, g.line_no)],
                    )
                )
        GoodsSerial.objects.bulk_create(serial_rows, batch_size=1000)
    services.refresh_waybill_flag({p.waybill_no for p in new})
    services.refresh_serial_flag({s.value for s in serial_rows})
    services.refresh_vehicle_flag({d.vehicle_id for d in decls if d.status == Status.IN_TRANSIT})
    return len(new)


def _ensure_vehicles(new: list[Parsed]) -> dict[tuple[str, str], Vehicle]:
    keys = {(p.plate_country, p.plate): p for p in new}
    found = {(v.country, v.plate): v for v in Vehicle.objects.filter(plate__in={k[1] for k in keys})}
    missing = [
        Vehicle(country=c, plate=pl, trailer_plate=keys[(c, pl)].trailer_plate)
        for (c, pl) in keys
        if (c, pl) not in found
    ]
    if missing:
        Vehicle.objects.bulk_create(missing, ignore_conflicts=True)
        found = {(v.country, v.plate): v for v in Vehicle.objects.filter(plate__in={k[1] for k in keys})}
    return found


def _ensure_companies(new: list[Parsed]) -> dict[str, TransportCompany]:
    regs = {p.company_reg_no: p.company_name for p in new if p.company_reg_no}
    found = {c.registration_no: c for c in TransportCompany.objects.filter(registration_no__in=regs)}
    missing = [TransportCompany(registration_no=r, name=n or r) for r, n in regs.items() if r not in found]
    if missing:
        TransportCompany.objects.bulk_create(missing, ignore_conflicts=True)
        found = {c.registration_no: c for c in TransportCompany.objects.filter(registration_no__in=regs)}
    return found


def _ensure_drivers(new: list[Parsed]) -> dict[tuple[str, str, str], Driver]:
    out: dict[tuple[str, str, str], Driver] = {}
    ids = {p.driver_national_id for p in new if p.driver_national_id}
    by_id = {d.national_id: d for d in Driver.objects.filter(national_id__in=ids)}
    create = []
    for p in new:
        key = (p.driver_national_id, p.driver_passport, p.driver_name)
        if not p.driver_name or key in out:
            continue
        if p.driver_national_id and p.driver_national_id in by_id:
            out[key] = by_id[p.driver_national_id]
            continue
        d = Driver(
            name=p.driver_name,
            national_id=p.driver_national_id,
            passport_no=p.driver_passport,
            country="IR" if p.driver_national_id else p.plate_country,
        )
        create.append(d)
        out[key] = d
        if p.driver_national_id:
            by_id[p.driver_national_id] = d
    Driver.objects.bulk_create(create)  # PKs are set on PostgreSQL and SQLite 3.35+
    return out
