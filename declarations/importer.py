"""Import declarations from ICS exports (CSV, XLSX, JSON) or the API.

Contract:
- Idempotent on serial: the same file twice changes nothing the second time.
- A stored declaration whose export *content* differs (offices, plate, waybill, goods ...)
  is rejected with the differing fields named: a serial is never silently rewritten.
- A later export whose *status* is ahead of ours is applied through the lifecycle
  services (depart, confirm arrival, settle ...) with the export as the source, and so is
  a new declaration past registration (stored registered, then walked): every rule of the
  pages applies (times in order, an arrival no sooner than the trip, settlement blocks);
  the departure's own time (``departed_at``) is needed when the import records an arrival too;
  one we cannot reach forward (ICS says in transit, we hold it arrived) becomes a
  reconciliation exception, listed in the summary and kept on the batch.
- A bad row is reported with its row number, field and reason; it does not stop
  or corrupt the others. New declarations are written in chunks, each with its
  goods in one transaction, so nothing is half-written.

Row layout (CSV/XLSX: one row per goods line, declaration columns repeated; JSON:
one object per declaration with a ``goods`` list) is described by ``COLUMNS``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core import audit
from core.api import field_label
from core.dates import format_jalali
from core.errors import DomainError, InvalidInput
from core.models import Via
from core.text import digits

from . import idents, services
from .creation import create_declarations, driver_name_refusals, import_source_ref
from .import_formats import ImportFileError, iter_records, read_file
from .import_validation import Parsed, RowInvalid, Validator, numbered_groups, stored_fingerprint
from .models import ImportBatch, ImportState, Source, Status, TransitDeclaration

__all__ = ["COLUMNS", "ImportFileError", "ImportSummary", "import_file", "import_records", "import_rows"]

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
    "departed_at",
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
CHUNK = 2000
# What a row may carry besides ``COLUMNS``: a JSON record's goods list, and the readers' own notes (``__error__``...).
KNOWN = frozenset(COLUMNS) | {"goods"}
MAX_UNKNOWN = (
    20  # unknown columns named in one batch's warnings: a record of a thousand made-up keys is not listed whole
)

# A new row in these statuses is written as the export gives it; in any other, it is stored registered and
# walked to its status through the services (``_create_walked``). Closed follows a judicial case held in ICS,
# which no move here can repeat.
WRITTEN_AS_IS = frozenset({Status.REGISTERED, Status.CLOSED})

# How to walk forward from our status to the export's: the services to call in order.
FORWARD: dict[tuple[str, str], list[str]] = {
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


@dataclass
class RowError:
    row: int
    field: str
    message: str
    line: int | None = None  # the goods line of the record (1-based) the error is about, when it has several
    # The record's first row, when the error sits on a later one (a file's goods line): one record, counted once.
    record: int | None = None
    # The record's serial, when it has one the import reads (``Validator.serial``): a refused row is found by it.
    serial: str = ""

    def as_dict(self) -> dict:
        return {
            k: v
            for k, v in self.__dict__.items()
            if k != "record" and (k != "line" or v is not None) and (k != "serial" or v)
        }


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
    rejected: list[RowError] = field(default_factory=list)  # a record with several bad columns: one each
    exceptions: list[Exception_] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)  # each unknown column, at the first row that has it
    batch_id: int | None = None

    @property
    def rejected_rows(self) -> int:
        """How many records were refused (``rejected`` may name several columns of one)."""
        return len({e.record or e.row for e in self.rejected})

    def as_dict(self) -> dict:
        """The report, its rows in the file's order: a row refused when read and one refused when written
        (outside the scope, stored differently) are found in the order of the file, a row's columns in theirs."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [e.as_dict() for e in sorted(self.rejected, key=lambda e: e.row)],
            "exceptions": [e.__dict__ for e in sorted(self.exceptions, key=lambda e: e.row)],
            "warnings": [e.as_dict() for e in self.warnings],
            "batch": self.batch_id,
        }


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
    batch: ImportBatch | None = None,
) -> ImportSummary:
    """Import numbered raw rows as one batch (``batch``: one queued by ``import_jobs``, else a new
    one). The batch's ``processed`` of ``total`` declarations moves after each chunk (its own
    UPDATE, committed at once: a page polling it sees the import advance); the batch is done,
    with its counts and report, when this returns."""
    summary = ImportSummary()
    # The batch first: every change below names it as its source, with the importing user as actor.
    if batch is None:
        batch = ImportBatch.objects.create(filename=filename[:200], sha256=sha256, source=source, by=by)
    summary.batch_id = batch.pk
    source_ref = import_source_ref(batch.pk, source_ref)
    summary.warnings = unknown_columns(rows)
    validator = Validator()
    parsed: list[Parsed] = []
    seen: dict[str, tuple[int, Parsed]] = {}  # serial -> its first row and record
    groups = list(numbered_groups(rows))
    serials = _serials_by_row(validator, groups)
    progress = ImportBatch.objects.filter(pk=batch.pk)
    progress.update(total=len(groups), processed=0)
    for numbers, group in groups:
        row = numbers[0]
        try:
            p = validator.declaration(row, group)
        except RowInvalid as exc:  # each bad column of the record, named; a goods line's on its own row
            for f, m in exc.errors:
                line = exc.lines.get((f, m))
                at = numbers[line - 1] if line else row
                summary.rejected.append(RowError(at, f, m, line, row if at != row else None))
            continue
        if p.serial in seen:  # the first is kept; the repeat is reported on its own row, with both rows
            first, kept = seen[p.serial]
            values = {"serial": idents.serial_text(p.serial), "first": digits(first), "again": digits(row)}
            if kept.fingerprint() != p.fingerprint():
                message = _(
                    "serial %(serial)s appears twice in this batch with different content (rows %(first)s and "
                    "%(again)s): the first is kept"
                )
            else:
                message = _(
                    "serial %(serial)s is repeated in this batch (rows %(first)s and %(again)s): the first is kept"
                )
            summary.rejected.append(RowError(row, "serial", message % values))
            continue
        seen[p.serial] = (row, p)
        parsed.append(p)

    # Every audit entry below names the batch as its interface (with the request's address and user).
    processed = len(groups) - len(parsed)  # refused or repeated before anything is written
    progress.update(processed=processed)
    with audit.interface(Via.IMPORT, f"batch {batch.pk}"), audit.actor(by):
        for start in range(0, len(parsed), CHUNK):
            chunk = parsed[start : start + CHUNK]
            _write_chunk(chunk, summary, by=by, source=source, source_ref=source_ref)
            processed += len(chunk)
            progress.update(processed=processed)

    for error in summary.rejected:  # each refused row named by its serial too, whichever check refused it
        error.serial = error.serial or serials.get(error.row, "")
    batch.created, batch.updated, batch.unchanged = summary.created, summary.updated, summary.unchanged
    batch.rejected, batch.report = summary.rejected_rows, summary.as_dict()
    batch.state, batch.finished_at, batch.payload = ImportState.DONE, timezone.now(), ""
    batch.total = batch.processed = len(groups)
    batch.save(
        update_fields=[
            "created",
            "updated",
            "unchanged",
            "rejected",
            "report",
            "state",
            "finished_at",
            "payload",
            "total",
            "processed",
        ]
    )
    return summary


def _serials_by_row(validator: Validator, groups: list[tuple[list[int], list[dict]]]) -> dict[int, str]:
    """Each row's record's serial as the import reads it, for every row of the record (a goods line's error
    sits on its own row); none for a record whose serial is missing or no serial (its error quotes it)."""
    serials: dict[int, str] = {}
    for numbers, group in groups:
        text = group[0].get("serial")
        try:
            serial = validator.serial(text) if isinstance(text, str) else ""
        except RowInvalid:
            serial = ""
        if serial:
            serials.update(dict.fromkeys(numbers, serial))
    return serials


def unknown_columns(rows: list[tuple[int, dict]]) -> list[RowError]:
    """A warning for each column the import does not read, at the first row that has it (at most
    ``MAX_UNKNOWN``): ignored, and said so. Not a refusal: an ICS export that adds a column is still read;
    but a misspelt column (``destinaton``) is no longer silently dropped."""
    found: dict[str, int] = {}
    for row, data in rows:
        for name in data:
            if name not in KNOWN and not name.startswith("__") and name not in found:
                found[name] = row
                if len(found) == MAX_UNKNOWN:
                    break
        if len(found) == MAX_UNKNOWN:
            break
    message = _("this import does not read this column: its values were ignored")
    return [RowError(row, name[:64], message) for name, row in found.items()]


def _write_chunk(chunk: list[Parsed], summary: ImportSummary, *, by, source: str, source_ref: str) -> None:
    existing = {
        d.serial: d
        for d in TransitDeclaration.objects.filter(serial__in=[p.serial for p in chunk])
        .select_related("origin", "destination", "vehicle")
        .prefetch_related("goods")
    }
    new = []
    misnamed = driver_name_refusals([p for p in chunk if p.serial not in existing])
    for p in chunk:
        if p.serial not in existing:
            refused = _refuse_new(p, by)
            if p.row in misnamed and not refused:  # the typed name is not the one on file for the national ID
                refused = [RowError(p.row, "driver_name", misnamed[p.row])]
            if refused:
                summary.rejected.extend(refused)
            elif p.status in WRITTEN_AS_IS:
                new.append(p)
            else:
                _create_walked(p, summary, by=by, source=source, source_ref=source_ref)
            continue
        if not _sees(by, existing[p.serial]):
            # Nothing of a declaration the importer may not open: not its content, not its status.
            summary.rejected.append(_outside_scope(p, by))
            continue
        _reconcile(p, existing[p.serial], summary, by=by, source=source, source_ref=source_ref)
    if not new:
        return
    try:
        with transaction.atomic():
            created = create_declarations(new, by=by, source=source, source_ref=source_ref)
        summary.created += created
    except IntegrityError:
        # A concurrent import took some serials: fall back to one declaration per transaction.
        for p in new:
            try:
                with transaction.atomic():
                    summary.created += create_declarations([p], by=by, source=source, source_ref=source_ref)
            except IntegrityError:
                message = _("another import stored this serial at the same moment; import the file again")
                summary.rejected.append(RowError(p.row, "serial", message))


def _sees(user, declaration: TransitDeclaration) -> bool:
    """The pages' scope rule: the importer may open the declaration (its origin or its destination).
    No user is the system itself (the import_ics command)."""
    if user is None:
        return True
    return user.is_active and (user.can_see_office(declaration.origin) or user.can_see_office(declaration.destination))


def _scope_name(user) -> str:
    if user.role == Role.INSPECTOR or (user.role == Role.INTEGRATION and user.province_id):
        return _("the offices of your province")
    if user.office_id:
        return _("your office (%(code)s)") % {"code": user.office.code}
    return _("no office (your account has none)")


def _outside_scope(p: Parsed, user) -> RowError:
    """The one answer for a row outside the importer's scope, whether its serial is stored or not:
    it names the importer's scope, never what we hold. Its column is chosen from the row alone: the
    origin when the row's own offices are outside the scope (what to correct), else the serial (the row
    is within it, the serial is a declaration of others)."""
    row_is_outside = not (user.can_see_office(p.origin) or user.can_see_office(p.destination))
    return RowError(
        p.row,
        "origin" if row_is_outside else "serial",
        _("Declaration %(serial)s is outside your scope: you may import only declarations from or to %(scope)s.")
        % {"serial": idents.serial_text(p.serial), "scope": _scope_name(user)},
    )


def _reconcile(p: Parsed, d: TransitDeclaration, summary: ImportSummary, *, by, source: str, source_ref: str) -> None:
    ours, theirs = stored_fingerprint(d), p.fingerprint()
    if ours != theirs:
        # Under each differing column (goods: the goods lines' HS codes and quantities, named "goods").
        serial = idents.serial_text(p.serial)
        for name in (k for k in ours if ours[k] != theirs[k]):
            message = _("serial %(serial)s is stored with different %(fields)s") % {
                "serial": serial,
                "fields": field_label(name),
            }
            summary.rejected.append(RowError(p.row, name, message))
        return
    if p.status == d.status:
        summary.unchanged += 1
        return
    steps = FORWARD.get((d.status, p.status))
    if not steps:
        summary.exceptions.append(
            Exception_(
                p.row,
                p.serial,
                d.status,
                p.status,
                _("export says %(theirs)s; we hold %(ours)s")
                % {"theirs": Status(p.status).label, "ours": Status(d.status).label},
            )
        )
        return
    refused = _refusals(p, d, steps, by)
    if refused:
        summary.rejected.extend(refused)
        return
    try:
        with transaction.atomic():
            _walk(p, d, steps, by=by, source=source, source_ref=source_ref)
        summary.updated += 1
    except _Refused as exc:
        summary.rejected.append(exc.error)
    except DomainError as exc:
        summary.exceptions.append(Exception_(p.row, p.serial, d.status, p.status, str(exc)))


class _Refused(Exception):
    """A move of the row refused for what the row says (a time, a block): the row is refused, nothing kept."""

    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def _create_walked(p: Parsed, summary: ImportSummary, *, by, source: str, source_ref: str) -> None:
    """A new declaration ICS reports past registration: stored registered, then walked to its status through
    the services (``FORWARD``), each move checked as the pages' are (its time, the trip, settlement blocks,
    the permit gate), all in one transaction: refused (a block too: there is nothing held to reconcile), nothing
    of it is kept. Its rights and its departure time are checked before (``_refuse_new``)."""
    steps = FORWARD[(Status.REGISTERED, p.status)]
    try:
        with transaction.atomic():
            start = dataclasses.replace(p, status=Status.REGISTERED, status_at=None)
            create_declarations([start], by=by, source=source, source_ref=source_ref)
            d = TransitDeclaration.objects.select_related("origin", "destination").get(serial=p.serial)
            try:
                _walk(p, d, steps, by=by, source=source, source_ref=source_ref)
            except DomainError as exc:  # nothing held to reconcile with: the row is refused
                raise _Refused(RowError(p.row, "status", str(exc))) from exc
        summary.created += 1
    except _Refused as exc:
        summary.rejected.append(exc.error)
    except IntegrityError:
        message = _("another import stored this serial at the same moment; import the file again")
        summary.rejected.append(RowError(p.row, "serial", message))


def _missing_departure(p: Parsed, steps: list[str]) -> RowError | None:
    """The import records both the departure and the arrival: it needs the departure's own time, or the
    arrival would follow it in no time at all (the pages refuse one sooner than the route's shortest trip)."""
    if "depart" in steps and "confirm_arrival" in steps and p.departed_at is None:
        return RowError(
            p.row,
            "departed_at",
            _(
                "is required when the status is %(status)s and no departure is recorded here: the arrival is "
                "measured from the departure"
            )
            % {"status": Status(p.status).label},
        )
    return None


def _walk(p: Parsed, d: TransitDeclaration, steps: list[str], *, by, source: str, source_ref: str) -> None:
    """Each move of ``steps`` through its service, at its time: the departure at ``departed_at`` (or, reported
    in transit, at the status time), every later move at the status time, or now when the row has none. A time
    the services refuse (out of order, an arrival sooner than the trip) raises ``_Refused`` naming the row's
    column; another domain error (a settlement block) is the caller's."""
    end = p.status_at or timezone.now()
    for step in steps:
        at = (p.departed_at or end) if step == "depart" else end
        column = "departed_at" if step == "depart" and p.departed_at else "status_at"
        try:
            _apply(step, d, p, by=by, at=at, source=source, source_ref=source_ref)
        except services.NotAllowed as exc:
            raise _Refused(RowError(p.row, "status", str(exc))) from exc
        except InvalidInput as exc:
            raise _Refused(RowError(p.row, column if "at" in exc.fields else "status", str(exc))) from exc


def _refuse_new(p: Parsed, by) -> list[RowError]:
    """A new declaration: the importer must be on its origin or destination, and have the right to
    each move its status implies (ICS says settled: depart, confirm the arrival, settle)."""
    draft = TransitDeclaration(serial=p.serial, origin=p.origin, destination=p.destination)
    if not _sees(by, draft):
        return [_outside_scope(p, by)]
    steps = FORWARD.get((Status.REGISTERED, p.status), [])
    if p.status == Status.CLOSED:
        steps = ["close"]
    return _refusals(p, draft, steps, by)


def _refusals(p: Parsed, d: TransitDeclaration, steps: list[str], by) -> list[RowError]:
    """Every problem of the row's moves at once, in the columns' order: a move the importer may not make
    (``status``) and a departure time the moves need (``departed_at``), so one correction fixes both."""
    return [e for e in (_refuse_steps(p, d, steps, by), _missing_departure(p, steps)) if e is not None]


def _refuse_steps(p: Parsed, d: TransitDeclaration, steps: list[str], by) -> RowError | None:
    """The lifecycle's rule (services.can_perform) for each move, checked before anything is written."""
    for step in steps:
        if not services.can_perform(by, d, step):
            message = _("You may not %(action)s declaration %(serial)s.") % {
                "action": services.ACTION_NAMES[step],
                "serial": idents.serial_text(p.serial),
            }
            return RowError(p.row, "status", message)
    return None


def _apply(step: str, d: TransitDeclaration, p: Parsed, *, by, at, source: str, source_ref: str) -> None:
    """A move from an export, made by the importing user with the import batch as its source."""
    common = {"declaration": d, "by": by, "at": at, "source": source, "source_ref": source_ref}
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
