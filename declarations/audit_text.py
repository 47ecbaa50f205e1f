"""What an audit entry changed, as a person reads it: one writer for the audit trail's page and XLSX
(``reports.audit``) and a declaration's timeline (``declarations.timeline``).

Fields by their verbose names in the reader's language; choices and an event's kind by their labels;
yes/no; times in Jalali, Tehran time, dates and numbers in the reader's digits (an amount, a decimal field, with its
thousands grouped as the pages write it); a related row by its name
(a declaration by its serial, a truck by its plate, a camera by its code, a person by name); JSON lists as their values (identifiers
isolated, as ``idents`` writes them in text); empty values («None», ``{}``, ``[]``, an amount stored as 0
when none was given) as «—». A reverse relation (auditlog writes a new row's as
``declarations.DeclarationEvent.None``) and a new row's id say nothing to a person and are left out; so do
the message id and parameters of a row that keeps a message (a timeline event, a problem the system opened),
whose kept copy, written in the site's language, is written again from them in the reader's. What is stored is never changed: this only writes it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import CustomsOffice
from core.countries import country_name
from core.dates import format_jalali
from core.text import (
    EMPTY,
    amount,
    arrow,
    digits,
    file_name_text,
    format_number,
    is_persian,
    isolate,
    stores_zero_for_none,
)
from notifications.messages import written

from . import hooks, idents, selectors
from .creation import source_ref_display
from .models import ArrivalReadReason, SerialKind, UnsettledReason, Verdict

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

# Fields holding a file's name (by name, in any model): «1405-BZG-…_preview.jpg» read «BZG-…_preview.jpg-1405»
# in a Persian line when left to the text around it.
FILE_NAMES = frozenset({"filename", "original_name", "evidence_name", "reply_document_name"})

# Identifier fields (by name, in any model), written through their kind's plain-text helper (isolated).
IDENTIFIERS: dict[str, Callable[[Any], str]] = {
    "serial": idents.serial_text,
    "waybill_no": idents.waybill_text,
    "mrn": idents.mrn_text,
    "permit_no": idents.serial_text,
    "guarantee_ref": idents.serial_text,
    "plate": idents.plate_text,
    "plate_raw": idents.plate_text,
    "trailer_plate": idents.plate_text,
    "ocr_raw": idents.plate_text,
    "plate_before": idents.plate_text,  # a plate label's: the plate as read before the person read it
}

# Fields that keep a route as office codes in order: written as the offices' names, as the pages write them.
ROUTES = frozenset({"route"})
# Fields that keep a country (a truck's or a person's nationality, a company's country) as its ISO code.
COUNTRIES = frozenset({"country", "vehicle_country"})


# Text a row keeps written in the project's language beside the message it says (``notifications.messages``:
# its id and parameters, written when read): the text's field → its message id's field. Its entry writes the
# message in the reader's language, and the id and parameters, which say nothing to a person, not at all.
# The text's field → (its message id's field, its parameters' field).
MESSAGE_COPIES = {
    "message": ("message_msgid", "params"),
    "description": ("description_msgid", "params"),
    "unsettled_note": ("unsettled_note_msgid", "unsettled_note_params"),
    "waived_note": ("waived_note_msgid", "waived_note_params"),
}


def raw(value):
    """An audit value as stored ("None" is how auditlog writes an empty field), or None."""
    return None if value in (None, "None", "") else value


def concrete_field(model, name: str) -> models.Field | None:
    """``model``'s field of that name; None for a field since removed or a reverse relation."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def is_reverse(model, name: str) -> bool:
    """A reverse relation (a declaration's scans, letters …): its rows have their own entries."""
    if model is None:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return not isinstance(field, models.Field)


def _model_of(entry: LogEntry):
    return entry.content_type.model_class() if entry.content_type_id else None


def event_title(value: str) -> str:
    """An event's kind by its title in the reader's language, as the timeline heads it; a kind with none as
    its words."""
    from .timeline import EVENT_TITLES  # the timeline titles each kind of event

    title = EVENT_TITLES.get(value)
    if title is None and value in KIND_TITLES:
        return str(KIND_TITLES[value])
    return str(title()) if title else value.replace("_", " ")


def _stored(entry: LogEntry) -> dict:
    """The entry's changes as stored; none for stored text that is no JSON (it is shown as it is)."""
    try:
        return entry.changes_dict or {}
    except Exception:
        return {}


def _person(user) -> str:
    """A person by name, isolated (a Latin name keeps its order in a Persian line)."""
    return isolate(user.get_full_name() or user.username, "auto") if user else ""


# What a timeline event keeps in its ``data`` (``services._transition``: codes and English keys, the record as
# written), labelled in the reader's language; a key not listed is written as stored.
EVENT_DATA_LABELS = {
    "office": gettext_lazy("office"),
    "seals_intact": gettext_lazy("seals intact"),
    "seen_at_gate": gettext_lazy("seen at the gate"),
    "unseen_reason": gettext_lazy("why the truck was not seen at the gate"),
    "reason": gettext_lazy("reason"),
    "note": gettext_lazy("note"),
    "new_deadline": gettext_lazy("new deadline"),
    "status": gettext_lazy("status"),
    "row": gettext_lazy("row"),
    "source": gettext_lazy("source"),
    "source_ref": gettext_lazy("import batch"),
    "kind": gettext_lazy("kind"),
    "verdict": gettext_lazy("verdict"),
    "remark": gettext_lazy("remark"),
    "decision": gettext_lazy("decision"),
    # the rows an event names by id (an arrival read's review and the one it revises, a reused scan, a case)
    "review": gettext_lazy("review no."),
    "supersedes": gettext_lazy("revises the review"),
    "outage": gettext_lazy("outage named"),
    "scan": gettext_lazy("scan no."),
    "repeats": gettext_lazy("same image as scan no."),
    "case": gettext_lazy("case"),
    "milestone": gettext_lazy("milestone"),
    "valuation": gettext_lazy("valuation no."),
    "comparison": gettext_lazy("scan comparison no."),
    # a scan comparison accepted by eye; a traffic permit's finding (``permit_checks``); a plate read a person read
    # or judged (``anpr``)
    "by_eye": gettext_lazy("accepted by eye (scans not aligned)"),
    "at": gettext_lazy("time"),
    "permit": gettext_lazy("permit no."),
    "from": gettext_lazy("from the office"),
    "to": gettext_lazy("to the office"),
    "exit": gettext_lazy("exit border"),
    "route": gettext_lazy("route"),
    "km": gettext_lazy("distance (km)"),
    "hours": gettext_lazy("hours"),
    "allowed_hours": gettext_lazy("allowed hours"),
    "driving_hours": gettext_lazy("driving hours"),
    "needed_hours": gettext_lazy("hours needed"),
    "expires_at": gettext_lazy("permit ends at"),
    "read": gettext_lazy("plate read no."),
    "label": gettext_lazy("label no."),
    "match": gettext_lazy("match"),
    "before": gettext_lazy("plate read before"),
    "plate": gettext_lazy("plate"),
    "country": gettext_lazy("country"),
    "read_plate": gettext_lazy("plate read by the camera"),
    "read_country": gettext_lazy("country of the read plate"),
    "score": gettext_lazy("score"),
}
# Keys that keep an office's code, a country's code, a plate or a time (ISO, UTC), written as the pages write them.
EVENT_DATA_OFFICES = frozenset({"office", "from", "to", "exit"})
EVENT_DATA_COUNTRIES = frozenset({"country", "read_country"})
EVENT_DATA_PLATES = frozenset({"plate", "before", "read_plate"})
EVENT_DATA_TIMES = frozenset({"at", "expires_at", "new_deadline"})
# A person's decision as the services above store it (``scans``' reuse reviews, ``anpr``'s match reviews):
# their labels, which ``declarations`` cannot import.
DECISIONS = {
    "explained": gettext_lazy("explained"),
    "confirmed": gettext_lazy("confirmed"),
    "rejected": gettext_lazy("rejected"),
    "added": gettext_lazy("added"),
}
# What a traffic permit's driving-time finding is (``trip``: ``kind``).
FINDING_KINDS = {
    "pace": gettext_lazy("pace of driving"),
    "trip_time": gettext_lazy("time left on the permit"),
}
# Codes an event keeps under a key, written by their labels (a reason not settled, an arrival read's reason).
EVENT_DATA_CHOICES: dict[str, Callable[[], dict[str, Any]]] = {
    "reason": lambda: {**dict(UnsettledReason.choices), **dict(ArrivalReadReason.choices)},
    "verdict": lambda: {k: v for k, v in Verdict.choices if k},
    "decision": lambda: DECISIONS,
    "match": lambda: DECISIONS,
    "kind": lambda: {**dict(SerialKind.choices), **FINDING_KINDS},
}
# Bulky technical values, summed up rather than dumped: a comparison's changed regions (each a box and its score)
# by how many; its algorithm's parameters by how many and their version (``ChangeWriter._params``).
ALGORITHM_PARAMS = "algorithm_params"


def _regions(data) -> str:
    if not isinstance(data, list) or not data:
        return EMPTY
    return ngettext("%(n)s region", "%(n)s regions", len(data)) % {"n": digits(len(data), persian=is_persian())}


BULKY: dict[str, Callable[[Any], str]] = {"boxes": _regions}

# Kinds of event the timeline heads by their message (no title of their own), named in the audit trail.
KIND_TITLES = {
    "case_milestone_done": gettext_lazy("Statutory milestone of a case done"),
    "case_milestone_overdue": gettext_lazy("Statutory milestone of a case overdue"),
    "case_valued": gettext_lazy("Goods of a case valued"),
}


def _event_data_value(key: str, value) -> str:
    """One value of an event's data: yes/no, an office by its name, an import batch in words, a number in the
    reader's digits; else as stored (isolated)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in (None, "", [], {}):
        return EMPTY
    if key in EVENT_DATA_OFFICES and isinstance(value, str):
        office = CustomsOffice.objects.filter(code=value).first()
        return str(office) if office is not None else isolate(value)
    if key == "route" and isinstance(value, list):
        names = selectors.route_names(str(c) for c in value if c not in (None, ""))
        return idents.list_separator().join(isolate(name, "auto") for name in names) or EMPTY
    if key in EVENT_DATA_COUNTRIES and isinstance(value, str):
        return country_name(value) or EMPTY
    if key in EVENT_DATA_PLATES and isinstance(value, str):
        return idents.plate_text(value) or EMPTY
    if key == "covers" and isinstance(value, list):  # an override's blocks (``settlement_override``)
        return covers_text(value)
    if key == "permit" and isinstance(value, str):
        return idents.serial_text(value)
    if key in EVENT_DATA_CHOICES and isinstance(value, str):
        label = EVENT_DATA_CHOICES[key]().get(value)
        if label is not None:
            return str(label)
    if key == "source_ref" and isinstance(value, str):
        return source_ref_display(value)
    if key == "outage" and isinstance(value, str):
        return hooks.outage_text(value)  # "problem:12": kept by an app above this one
    if key in EVENT_DATA_TIMES and isinstance(value, str):
        try:
            return format_jalali(dt.datetime.fromisoformat(value), persian=is_persian())
        except ValueError:
            return isolate(value)
    if isinstance(value, float):
        return significant(value)
    if isinstance(value, int):
        return digits(str(value), persian=is_persian())
    return _json_item(value)


def covers_text(refs: list) -> str:
    """The blocks an override released («scan_escalated:36») as the declaration's page names them: each block's
    title, with what exactly (a waybill, an IMEI, a record's number) after it."""
    from .serials import BLOCK_TITLES

    persian = is_persian()
    parts = []
    for ref in refs:
        key, _sep, arg = str(ref).partition(":")
        if key not in BLOCK_TITLES:
            parts.append(isolate(str(ref)))
            continue
        if key == "dup_waybill":
            what = idents.waybill_text(arg)
        elif key in ("imei_invalid", "serial_shared"):
            what = idents.goods_serial_text(arg)
        elif arg.isdigit():
            what = _("record no. %(n)s") % {"n": digits(arg, persian=persian)}
        else:
            what = isolate(arg) if arg else ""
        parts.append(f"{BLOCK_TITLES[key]} ({what})" if what else str(BLOCK_TITLES[key]))
    return idents.list_separator().join(parts) or EMPTY


def significant(value: float) -> str:
    """A measure (a score, a threshold) to 4 significant digits in the reader's digits: ۰٫۰۱۳۹۶, not
    ۰٫۰۱۳۹۶۴۴۲۲۵۸۸۹۶۶۲۰۵."""
    return format_number(float(f"{value:.4g}"), persian=is_persian(), group=False)


def _json_item(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_json_item(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return significant(value)
    return isolate(str(value))


def _named_rows(model):
    """``model``'s rows with those its name follows (its ``STR_RELATED``: an inspection is named by its
    office; its ``AUDIT_RELATED``: a scan by its declaration's serial), so that naming many costs no query each."""
    return model._default_manager.select_related(
        *getattr(model, "STR_RELATED", ()), *getattr(model, "AUDIT_RELATED", ())
    )


# Rows known by an identifier (a declaration by its serial, a truck by its plate, a camera by its code): their
# stored text is the identifier bare, which a line breaks at a hyphen («W3-» / «LATE-91983»); as a subject they are
# named as ``name_of`` names them, isolated, which the page holds on one line.
NAMED_BY_IDENTIFIER = frozenset({"TransitDeclaration", "Vehicle", "Camera"})


_LATIN_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9-]*(?: [A-Za-z0-9][A-Za-z0-9-]*)*")


def field_label(field: models.Field | None, name: str) -> str:
    """A field's label in the reader's language; in Persian its Latin words isolated («⁦IMEI⁩ نامعتبر در
    اظهارنامه»), or a label opening with one would turn its whole line left to right («نامعتبر در اظهارنامه:
    خیر IMEI»)."""
    label = str(field.verbose_name) if field is not None else name
    if not is_persian():
        return label
    return _LATIN_WORDS.sub(lambda m: isolate(m[0]), label)


def writes_own_values(model) -> bool:
    """A model whose rows write some of their stored values as their page does (an ``audit_value(name, value)``
    method, None for a value left to ``ChangeWriter.value``): a return's status depends on the return
    (headquarters' own, submitted, is «finalised», not «submitted to headquarters»: ``reports``' ``MonthlyReturn``)."""
    return model is not None and callable(getattr(model, "audit_value", None))


def names_itself(model) -> bool:
    """A model whose rows say who they are in the reader's words (an ``audit_name()`` method): their stored
    text (``str``, written once in its writer's language, with ids and codes) is not shown in its place."""
    return model is not None and callable(getattr(model, "audit_name", None))


# File fields whose stored name says what the file is (``return-1404-05-WAZ-v1.xlsx``), by model (by name: a row
# of an app above this one): the audit shows that name, not «file». Uploads are stored under random names.
NAMED_FILES: dict[str, frozenset[str]] = {"MonthlyReturn": frozenset({"xlsx", "pdf", "signed_pdf", "csv"})}


class ChangeWriter:
    """Writes entries' changes; keeps the names of the related rows it looked up, once per writer (an export
    of many entries asks again for no truck or person): a page's or a chunk's at once (``load``), else one
    query per row."""

    def __init__(self) -> None:
        self._names: dict[tuple[Any, str], str] = {}
        self._rows: dict[tuple[Any, str], Any] = {}  # the rows that write their own values (``writes_own_values``)

    # --- one entry ---------------------------------------------------------------------------------

    def changes(self, entry: LogEntry, model=None) -> list[tuple[str, Any]]:
        """The entry's changes worth a line, in its model's order of fields: no reverse relation, no id of
        a new row; on a creation only the fields it was made with, on a deletion those it had. ``model``:
        the entry's (by default, its content type's)."""
        model = model or _model_of(entry)
        order = {f.name: i for i, f in enumerate(model._meta.concrete_fields)} if model else {}
        try:
            stored = entry.changes_dict or {}
        except Exception:  # stored text that is no JSON
            return []
        items = sorted(
            ((k, v) for k, v in stored.items() if k != "id" and not is_reverse(model, k)),
            key=lambda kv: order.get(kv[0], len(order)),  # a field since removed: last
        )
        side = {LogEntry.Action.CREATE: 1, LogEntry.Action.DELETE: 0}.get(entry.action)
        if side is not None:
            items = [
                (k, v)
                for k, v in items
                if not (isinstance(v, list | tuple) and len(v) == 2 and self._empty(concrete_field(model, k), v[side]))
            ]
        return items

    def lines(self, entry: LogEntry, limit: int | None = None, model=None) -> list[str]:
        """Each change as «field: before → after» (the arrow in the reader's direction); a creation as
        «field: value», a deletion likewise with what it had; the first ``limit`` only if given."""
        model = model or _model_of(entry)
        changes = self.changes(entry, model)
        if not changes and entry.changes:
            try:
                entry.changes_dict  # noqa: B018 - text that is no JSON: shown as stored
            except Exception:
                return [str(entry.changes)]
        copies = {k: v for k, v in MESSAGE_COPIES.items() if concrete_field(model, v[0]) is not None}
        if copies:
            hidden = {name for pair in copies.values() for name in pair}
            changes = [(k, v) for k, v in changes if k not in hidden]
        lines = []
        for name, values in changes[:limit]:
            field = concrete_field(model, name)
            label = field_label(field, name)
            if not (isinstance(values, list | tuple) and len(values) == 2):
                lines.append(f"{label}: {self._many(values)}")  # a many-to-many change: the rows it names
                continue
            if name in copies:
                before, after = (self._message(entry, *copies[name], side, values[side]) for side in (0, 1))
            elif name == ALGORITHM_PARAMS:
                before, after = (self._params(entry, side, values[side]) for side in (0, 1))
            else:
                row = self._row(model, str(entry.object_pk)) if writes_own_values(model) else None
                before, after = (self._value_of(row, field, name, v) for v in values)
            if entry.action == LogEntry.Action.CREATE:
                lines.append(f"{label}: {after}")
            elif entry.action == LogEntry.Action.DELETE:
                lines.append(f"{label}: {before}")
            else:
                lines.append(f"{label}: {before} {arrow(rtl=is_persian())} {after}")
        return lines

    def _row(self, model, pk: str):
        """The row an entry is about, looked up once per writer (``load``: a page's at once); None if removed."""
        if (model, pk) not in self._rows:
            self._rows[model, pk] = _named_rows(model).filter(pk=pk).first() if pk.isdigit() else None
        return self._rows[model, pk]

    def _value_of(self, row, field, name: str, value) -> str:
        """A stored value as ``row`` writes it (``writes_own_values``), else as ``value`` writes any field's."""
        if row is not None and (own := row.audit_value(name, raw(value))) is not None:
            return own
        return self.value(field, value)

    def _message(self, entry: LogEntry, msgid_field: str, params_field: str, side: int, copy) -> str:
        """One side of a kept text (``MESSAGE_COPIES``) in the reader's language, from the message id and
        parameters the entry stored beside it; the copy as stored when it has none (a person's own words, a
        row from before message ids, an update that left the id as it was)."""
        stored = _stored(entry)
        if (plates := self._plate_message(stored, side)) is not None:
            return plates
        ids, params = stored.get(msgid_field), stored.get(params_field)
        msgid = raw(ids[side]) if isinstance(ids, list | tuple) and len(ids) == 2 else None
        if msgid is not None:
            given = raw(params[side]) if isinstance(params, list | tuple) and len(params) == 2 else None
            try:
                values = json.loads(given) if isinstance(given, str) else (given or {})
            except ValueError:
                values = None
            if isinstance(values, dict):
                shown = written(msgid, values, html=False, what=f"audit entry {entry.pk}")
                if shown is not None:
                    return shown or EMPTY
        return self.value(None, copy) if raw(copy) is not None else EMPTY

    def _plate_message(self, stored: dict, side: int) -> str | None:
        """A plate read a person read or judged (``declarations.timeline.PLATE_EVENTS``), whose message is kept
        as its writer wrote it («87د86813 → 87د86613 @ BZG»: plates as typed, an office's code), written from the
        plates and office its data keeps, as the pages write them; None for any other entry."""
        from .timeline import PLATE_EVENTS

        kinds, data = stored.get("kind"), stored.get("data")
        if not (isinstance(kinds, list | tuple) and len(kinds) == 2 and raw(kinds[side]) in PLATE_EVENTS):
            return None
        values = self._list(raw(data[side])) if isinstance(data, list | tuple) and len(data) == 2 else None
        if not isinstance(values, dict) or "plate" not in values:
            return None
        if kinds[side] == "plate_read_labelled":
            before = idents.plate_text(values.get("before") or "") or EMPTY
            text = (
                f"{before} {arrow(rtl=is_persian())} {idents.plate_text(values['plate'], values.get('country') or '')}"
            )
        else:
            read = idents.plate_text(values.get("read_plate") or "", values.get("read_country") or "") or EMPTY
            score = values.get("score")
            shown = f" ({significant(score)})" if isinstance(score, float) else ""
            text = f"{read} ≈ {idents.plate_text(values['plate'])}{shown}"
        if values.get("office"):
            text += f" · {_event_data_value('office', values['office'])}"
        return text + (f": {values['note']}" if values.get("note") else "")

    def _params(self, entry: LogEntry, side: int, value) -> str:
        """An algorithm's parameters (some fifty constants) summed up as how many and the version they belong
        to (the entry's ``algorithm_version`` on that side, when it changed with them)."""
        data = self._list(raw(value))
        if not isinstance(data, dict) or not data:
            return EMPTY
        versions = _stored(entry).get("algorithm_version")
        version = raw(versions[side]) if isinstance(versions, list | tuple) and len(versions) == 2 else None
        n = digits(len(data), persian=is_persian())
        if version is None:
            return _("%(n)s parameters") % {"n": n}
        return _("%(n)s parameters (version %(version)s)") % {"n": n, "version": isolate(str(version))}

    def text(self, entry: LogEntry) -> str:
        """The lines in one cell: «…؛ …» in Persian, «…; …» in English."""
        return ("؛ " if is_persian() else "; ").join(self.lines(entry))

    # --- one value ---------------------------------------------------------------------------------

    def _empty(self, field, value) -> bool:
        if isinstance(field, models.ForeignKey | models.OneToOneField):
            return raw(value) is None  # no row looked up to know it
        return self.value(field, value) == EMPTY

    def _many(self, values) -> str:
        if isinstance(values, dict) and isinstance(values.get("objects"), list):
            return idents.list_separator().join(isolate(str(o)) for o in values["objects"]) or EMPTY
        return str(values)

    def value(self, field: models.Field | None, value) -> str:
        """A stored value as a person reads it: names, labels, Jalali Tehran times, "—" for empty."""
        value = raw(value)
        if value is None:
            return EMPTY
        text = str(value)
        persian = is_persian()
        if text in ("True", "False", "true", "false") or isinstance(value, bool):
            return _("yes") if text in ("True", "true") else _("no")
        if field is None:  # a field since removed, or logged by a service under its own name
            return digits(text, persian=persian) if _PLAIN_NUMBER.fullmatch(text) else text
        if isinstance(field, models.ForeignKey | models.OneToOneField):
            return self._related(field.related_model, text)
        if field.choices:
            return str(dict(field.flatchoices).get(text, text))
        if field.model.__name__ == "DeclarationEvent" and field.name == "kind":
            return event_title(text)
        if isinstance(field, models.BooleanField):
            return _("yes") if text in ("1",) else _("no")
        if isinstance(field, models.DateTimeField):
            try:
                at = dt.datetime.fromisoformat(text)
            except ValueError:
                return text
            # auditlog keeps times as naive UTC
            return format_jalali(at if at.tzinfo else at.replace(tzinfo=dt.UTC), persian=persian)
        if isinstance(field, models.DateField):
            try:
                return format_jalali(dt.date.fromisoformat(text), persian=persian)
            except ValueError:
                return text
        if isinstance(field, models.FileField):
            if field.name in NAMED_FILES.get(field.model.__name__, ()):  # a built file: named for what it holds
                return isolate(text.rsplit("/", 1)[-1])
            return _("file")  # an upload's stored path (a random name) says nothing to a person
        if isinstance(field, models.JSONField):
            if field.model.__name__ == "SettlementOverride" and field.name == "covers":
                return self._covers(value)
            if field.name in BULKY:
                return BULKY[field.name](self._list(value))
            if field.model.__name__ == "DeclarationEvent" and field.name == "data":
                return self._event_data(value)
            if field.name in ROUTES:
                return self._route(value)
            return self._json(value)
        if field.name in COUNTRIES:
            return country_name(text) or EMPTY
        if field.name in FILE_NAMES:  # a file's name as typed or built: left to right, its Persian words on their own
            return file_name_text(text) or EMPTY
        if field.name in IDENTIFIERS:  # in their own order in a right-to-left line, Latin digits as issued
            return IDENTIFIERS[field.name](text) or EMPTY
        if isinstance(field, models.DecimalField):  # an amount (rials, a weight): grouped, as the pages write it
            return amount(text, persian=persian, zero_is_none=stores_zero_for_none(field.model, field.name))
        if isinstance(field, models.FloatField):
            try:
                return significant(float(text))
            except ValueError:
                return text
        if isinstance(field, models.IntegerField | models.FloatField):
            if stores_zero_for_none(field.model, field.name):  # 0: no amount given
                return amount(text, persian=persian, group=False, zero_is_none=True)
            return digits(text, persian=persian)
        if field.name == "status_source_ref":
            return source_ref_display(text)  # an import batch named in the page's words
        if field.model.__name__ == "ArrivalReadReview" and field.name == "outage_ref":
            return hooks.outage_text(text)  # "problem:12", "camera:3": a row of an app above this one
        return text

    def _event_data(self, value) -> str:
        """A timeline event's data as "label: value" in the reader's language (``EVENT_DATA_LABELS``)."""
        data = value
        if isinstance(value, str):
            try:
                data = json.loads(value)
            except ValueError:
                return value
        if not isinstance(data, dict):
            return self._json(value)
        if not data:
            return EMPTY
        return idents.list_separator().join(
            f"{EVENT_DATA_LABELS.get(k, k)}: {_event_data_value(k, v)}" for k, v in data.items()
        )

    def _covers(self, value) -> str:
        refs = self._list(value)
        return covers_text(refs) if isinstance(refs, list) else self._json(value)

    def _route(self, value) -> str:
        """A route's office codes as the offices' names (``selectors.route_names``, as the declaration's page
        names them), each isolated; a code that names no office as it is."""
        codes = self._list(value)
        if not isinstance(codes, list):
            return self._json(value)
        names = selectors.route_names(str(c) for c in codes if c not in (None, ""))
        return idents.list_separator().join(isolate(name, "auto") for name in names) or EMPTY

    @staticmethod
    def _list(value):
        """A JSON value as stored: auditlog writes a list as its text, sometimes twice over."""
        data = value
        for _depth in range(2):
            if not isinstance(data, str):
                break
            try:
                data = json.loads(data)
            except ValueError:
                break
        return data

    def _json(self, value) -> str:
        data = value
        if isinstance(value, str):
            try:
                data = json.loads(value)
            except ValueError:
                return value
        if isinstance(data, str):  # a list stored as one text ("S81000, S81001")
            try:
                data = json.loads(data)
            except ValueError:
                pass
        if data in (None, "", [], {}):
            return EMPTY
        if isinstance(data, list):
            return idents.list_separator().join(_json_item(v) for v in data if v not in (None, ""))
        if isinstance(data, dict):
            return _json_item(data)
        return isolate(str(data))

    def _related(self, model, pk: str) -> str:
        key = (model, pk)
        if key not in self._names:
            obj = _named_rows(model).filter(pk=pk).first() if pk.isdigit() else None
            self._names[key] = self.name_of(obj) if obj is not None else f"#{digits(pk)}"
        return self._names[key]

    def row_name(self, model, pk: str) -> str:
        """``model``'s row of that id by name (``name_of``), as a change naming it reads; by its id if removed."""
        return self._related(model, pk)

    def subject_names(self, entries: Iterable[LogEntry]) -> dict[tuple[int, str], str]:
        """The rows ``entries`` are about, of the models that name themselves (``names_itself``) or are known by
        an identifier (``NAMED_BY_IDENTIFIER``), by (content type, id) as ``name_of`` names them; one query per
        model. A row since removed is left out (its entry keeps its stored text)."""
        wanted: dict[int, tuple[Any, set[str]]] = {}
        for entry in entries:
            model = _model_of(entry)
            named = names_itself(model) or (model is not None and model.__name__ in NAMED_BY_IDENTIFIER)
            if named and str(entry.object_pk).isdigit():
                wanted.setdefault(entry.content_type_id, (model, set()))[1].add(str(entry.object_pk))
        names: dict[tuple[int, str], str] = {}
        for kind, (model, ids) in wanted.items():
            for pk, obj in _named_rows(model).in_bulk([int(pk) for pk in ids]).items():
                names[kind, str(pk)] = self._names.setdefault((model, str(pk)), self.name_of(obj))
        return names

    def remember(self, model, names: dict[str, str]) -> None:
        """Names of ``model``'s rows by id, looked up by the caller in one query."""
        self._names.update({(model, pk): name for pk, name in names.items()})

    def load(self, entries: Iterable[LogEntry], model=None) -> None:
        """Look up at once the rows that the changes of ``entries`` (a page of them, a chunk of an export) point
        to, one query per related model, for their lines to name them without a query each, and the rows they
        are about that write their own values (``writes_own_values``), one query per such model; a row since
        removed is named by its id. ``model``: the entries' (by default, each one's content type's)."""
        wanted: dict[Any, set[str]] = {}
        own: dict[Any, set[str]] = {}  # rows that write their own values, by model
        for entry in entries:
            of = model or _model_of(entry)
            if writes_own_values(of) and str(entry.object_pk).isdigit():
                own.setdefault(of, set()).add(str(entry.object_pk))
            for name, values in _stored(entry).items():
                field = concrete_field(of, name)
                if isinstance(field, models.ForeignKey | models.OneToOneField) and isinstance(values, list | tuple):
                    ids = {str(v) for v in values if raw(v) is not None and str(v).isdigit()}
                    wanted.setdefault(field.related_model, set()).update(ids)
        for related, ids in wanted.items():
            ids = {pk for pk in ids if (related, pk) not in self._names}  # a chunk before looked them up
            if not ids:
                continue
            found = _named_rows(related).in_bulk([int(pk) for pk in ids])
            for pk in ids:
                obj = found.get(int(pk))
                self._names[related, pk] = self.name_of(obj) if obj is not None else f"#{digits(pk)}"
        for of, ids in own.items():
            ids = {pk for pk in ids if (of, pk) not in self._rows}
            rows = _named_rows(of).in_bulk([int(pk) for pk in ids]) if ids else {}
            self._rows.update({(of, pk): rows.get(int(pk)) for pk in ids})

    @staticmethod
    def name_of(obj) -> str:
        """A row as the pages name it: a declaration by its serial and a truck by its plate (isolated), a camera
        by its code, a person by name."""
        from .models import TransitDeclaration, Vehicle

        if names_itself(type(obj)):
            return obj.audit_name()
        if isinstance(obj, TransitDeclaration):
            return idents.serial_text(obj.serial)
        if isinstance(obj, Vehicle):
            return idents.plate_text(obj.plate, obj.country)
        if hasattr(obj, "get_full_name"):
            return _person(obj)
        if obj.__class__.__name__ == "Camera":
            return idents.camera_text(obj)
        return str(obj)
