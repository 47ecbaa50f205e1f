"""A declaration's timeline: everything that happened to it, oldest first.

Sources: the declaration's own timestamps (for what no event records, e.g. rows
imported already departed), its ``DeclarationEvent`` rows, the django-auditlog
entries of the row, and whatever higher apps add through
``hooks.timeline_providers`` (plate reads, scans, comparisons, letters).
A fixed number of queries whatever the length of the history.

Who did something and from what source is read from the record of that moment (the
event, or the audit entry), never from the declaration's current fields: a later
transition must not rewrite who recorded an earlier one.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import offices_by_id
from core.text import arrow, format_number, isolate

from . import audit_text, hooks, idents
from .creation import source_ref_display, status_source_ref_display
from .hooks import TimelineItem
from .models import DeclarationEvent, Source, Status, TransitDeclaration, UnsettledReason

# The declaration's own timestamp → the event kind that records the same moment.
OWN_STAMPS = [
    ("departed_at", "depart", lambda: _("Departed")),
    ("arrived_at", "confirm_arrival", lambda: _("Arrival confirmed")),
    ("settled_at", "settle", lambda: _("Settled")),
    ("unsettled_at", "record_unsettled", lambda: _("Reason for not settling recorded")),
    ("cancelled_at", "cancel", lambda: _("Cancelled")),
    ("closed_at", "close", lambda: _("Closed")),
]
# Evidence summary → the provider kind that gives the full story when present.
EVIDENCE_STAMPS = [
    ("dest_first_read_at", "plate_read", lambda: _("First plate read at the destination"), ""),
    ("off_route_read_at", "plate_read", lambda: _("Plate read off the declared route"), "danger"),
    ("origin_scan_at", "scan", lambda: _("Origin scan"), ""),
    ("dest_scan_at", "scan", lambda: _("Destination scan"), ""),
]
EVENT_TITLES = {
    "depart": lambda: _("Departed"),
    "confirm_arrival": lambda: _("Arrival confirmed"),
    "settle": lambda: _("Settled"),
    "record_unsettled": lambda: _("Reason for not settling recorded"),
    "cancel": lambda: _("Cancelled"),
    "close": lambda: _("Closed"),
    "extend_deadline": lambda: _("Deadline extended"),
    "traffic_permit": lambda: _("Traffic permit recorded"),
    "traffic_permit_exit": lambda: _("Truck left the country (traffic permit closed)"),
    "register": lambda: _("Registered by hand (ICS unavailable)"),
    "register_integration": lambda: _("Registered by the ICS integration"),
    "plate_match_confirmed": lambda: _("Similar-plate read confirmed by a person"),
    "plate_match_rejected": lambda: _("Similar-plate read rejected by a person"),
    "plate_read_labelled": lambda: _("Plate read by a person from the photo"),
    # A read that came without a photo: the person typed the plate they confirmed at the gate or on the record.
    "plate_read_labelled_no_photo": lambda: _("Plate entered by a person"),
    "import": lambda: _("Imported"),
    "scan_review_accept": lambda: _("Scan comparison accepted"),
    "scan_review_escalate": lambda: _("Scan comparison escalated"),
    "scan_comparison_retried": lambda: _("Scan comparison run again"),
    "scan_reused": lambda: _("Scan is the same image as another declaration's scan"),
    "scan_reused_elsewhere": lambda: _("Scan uploaded again for another declaration"),
    "scan_reuse_explained": lambda: _("Reused scan reviewed: explained"),
    "scan_reuse_confirmed": lambda: _("Reused scan reviewed: confirmed"),
    "arrival_read_explained": lambda: _("Arrival without plate read explained"),
    "arrival_read_referred": lambda: _("Arrival without plate read not explained: referred to the inspector"),
    "letter_sent": lambda: _("Follow-up letter sent"),
    "letter_answered": lambda: _("Reply to a follow-up letter recorded"),
    "letter_reminder": lambda: _("Reminder letter proposed"),
    "letter_escalation": lambda: _("Escalation to headquarters"),
    "letter_withdrawn": lambda: _("Follow-up draft withdrawn"),
    "case_opened": lambda: _("Judicial case opened"),
    # The anti-smuggling rules (issue 15 §2).
    "arrival_serials": lambda: _("Serials found on arrival recorded"),
    "serial_discrepancy": lambda: _("Serial discrepancy opened"),
    "serial_discrepancy_resolved": lambda: _("Serial discrepancy resolved"),
    "settlement_override": lambda: _("Blocked settlement released by an override"),
    "imei_check": lambda: _("IMEI registry check recorded"),
    "transport_document": lambda: _("Transport document recorded"),
    "transport_document_discrepancy": lambda: _("Transport document differs from the declaration"),
    # foreign trucks (permit_checks)
    "permit_gate_stop": lambda: _("Stopped at the gate: no valid traffic permit"),
    "permit_waiver": lambda: _("Allowed to depart without a valid traffic permit"),
    "permit_stop": lambda: _("Breakdown or accident stop recorded on the permit"),
    "permit_off_route": lambda: _("Foreign truck off its permitted route"),
    "permit_wrong_exit": lambda: _("Foreign truck at a border other than its exit border"),
    "permit_overdrive": lambda: _("Foreign truck beyond its driving time"),
    "permit_gap": lambda: _("Foreign truck unseen too long, no TIR park stay"),
    "permit_goods_mismatch": lambda: _("Declared goods differ from the traffic permit"),
}
# A kind whose title depends on the door it came in by (the event's source, stored with it): an import
# sent as JSON through the API is no file.
SOURCE_TITLES: dict[tuple[str, str], Any] = {
    ("import", Source.API): lambda: _("Imported through the integration API"),
}
DANGER_EVENTS = frozenset(
    {
        "permit_gate_stop",
        "permit_off_route",
        "permit_wrong_exit",
        "permit_overdrive",
        "permit_gap",
        "permit_waiver",
        "scan_reuse_confirmed",
        "arrival_read_referred",
    }
)
# Events a provider shows already, with its link (the letter itself): one entry, not two.
PROVIDED_EVENTS = {
    "letter_sent": "letter",
    "letter_answered": "letter",
    "case_opened": "case",
    # scans tells it with the other declaration named and linked for those who may see it
    "scan_reused": "scan_reuse",
    "scan_reused_elsewhere": "scan_reuse",
}
# The events that register a declaration here: the registration's one entry («Registered here») takes
# their title, and neither they nor the audit trail's creation entry are told again beside it.
REGISTRATION_EVENTS = ("register", "register_integration", "import")
AUDIT_ACTIONS = {0: lambda: _("created"), 1: lambda: _("changed"), 2: lambda: _("deleted"), 3: lambda: _("accessed")}
AUDIT_FIELDS_SHOWN = 8
EMPTY = "—"


@dataclass
class _Recorded:
    """Who made a change and from what source, as recorded at that moment."""

    actor: str = ""
    source: str = ""


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _persian() -> bool:
    return (translation.get_language() or "fa").startswith("fa")


@functools.cache
def _stored_labels() -> dict[str, Any]:
    """Status and unsettled-reason labels, in every language, by their text: a transition's event
    keeps the label as its message in the language of whoever made it («در حال ترانزیت»)."""
    labels: dict[str, Any] = {}
    for choices in (Status, UnsettledReason):
        for member in choices:
            for language in ("fa", "en"):
                with translation.override(language):
                    labels[str(member.label)] = member.label
    return labels


def _event_message(message: str) -> str:
    """An event's message for the reader: a stored label in the reader's language, else as written."""
    label = _stored_labels().get(message)
    return str(label) if label is not None else message


def _event_detail(e: DeclarationEvent) -> str:
    """What an event says under its title, in the reader's language."""
    if e.kind == "import":
        return source_ref_display(e.message)
    if e.kind in PLATE_EVENTS and (plates := _plate_event_detail(e.kind, e.data or {})):
        return plates
    if e.message_msgid:
        return e.message_html()
    return _event_message(e.message)


def _title_kind(e: DeclarationEvent) -> str:
    """The kind whose title the event takes: a plate a person gave for a read without a photo was not read
    «from the photo» (``data["photo"]`` is kept since; an older event keeps its title)."""
    if e.kind == "plate_read_labelled" and (e.data or {}).get("photo") is False:
        return "plate_read_labelled_no_photo"
    return e.kind


def _plate_event_detail(kind: str, data: dict) -> str | None:
    """A plate read a person read or judged, as pages write plates (each isolated in its own direction, the
    arrow in the reading direction, numbers in the page's digits); None for an event that does not carry its
    plates (written before they were kept: its message is shown as it is)."""
    if "plate" not in data:
        return None
    office = data.get("office", "")
    if kind == "plate_read_labelled":
        before = idents.plate_text(data.get("before", "")) or EMPTY
        text = f"{before} {arrow()} {idents.plate_text(data['plate'], data.get('country', ''))}"
    else:
        read = idents.plate_text(data.get("read_plate", ""), data.get("read_country", "")) or EMPTY
        text = f"{read} ≈ {idents.plate_text(data['plate'])} ({format_number(data.get('score', 0), 2)})"
    if office:  # kept as its code («BZG»): named at display time, in the reader's language, as other entries
        named = next((o for o in offices_by_id().values() if o.code == office), None)
        text += f" · {named.name if named is not None else isolate(office)}"
    return text + (f": {data['note']}" if data.get("note") else "")


PLATE_EVENTS = frozenset({"plate_read_labelled", "plate_match_confirmed", "plate_match_rejected"})


def _source_text(source: str | None, ref: str | None, actor: str) -> str:
    """``ICS export (file.csv)``: the source's label, with its reference unless that only repeats a name."""
    if not source:
        return ""
    label = str(Source(source).label) if source in Source.values else source
    ref = status_source_ref_display(source, ref)
    return f"{label} ({ref})" if ref and ref not in (actor, label) else label


_raw = audit_text.raw


def build(declaration: TransitDeclaration, user) -> list[TimelineItem]:
    events = list(DeclarationEvent.objects.filter(declaration=declaration).select_related("actor"))
    entries = _audit_entries(declaration)
    registered = _registered(declaration, events, entries)
    registration = next((e for e in events if e.kind in REGISTRATION_EVENTS), None)
    audit = _audit_pairs(entries, events)
    made_with = ""
    if registration is not None:
        # The registration's own audit entry (what the declaration was made with) is told under it.
        made_with = next((item.detail for entry, item in audit if entry.action == LogEntry.Action.CREATE), "")
        audit = [(entry, item) for entry, item in audit if entry.action != LogEntry.Action.CREATE]
    items = [
        TimelineItem(at=declaration.declared_at, kind="declared", title=_("Declared")),
        TimelineItem(
            at=declaration.created_at,
            kind="import",
            title=(SOURCE_TITLES.get((registration.kind, registration.source)) or EVENT_TITLES[registration.kind])()
            if registration is not None
            else _("Registered here"),
            detail=made_with,
            actor=registered.actor,
            source=registered.source,
        ),
    ]
    provided: list[TimelineItem] = []
    for provider in hooks.timeline_providers:
        provided.extend(provider(declaration, user) or [])
    provided_kinds = {i.kind for i in provided}
    kinds = {e.kind for e in events}
    for e in events:
        if PROVIDED_EVENTS.get(e.kind) in provided_kinds or e is registration:
            continue
        said = e.message_text()  # in the reader's language (a row from before message ids: as stored)
        titled = SOURCE_TITLES.get((e.kind, e.source)) or EVENT_TITLES.get(_title_kind(e))
        # An event of a kind with no title of its own is titled by what it says (a case's milestone).
        heading = titled() if titled else (e.message_html() if said else e.kind.replace("_", " "))
        # A user's event with no user was made by the system itself (the daily follow-up, a job).
        actor = _person(e.actor) or (_("the system") if e.source == Source.USER else "")
        items.append(
            TimelineItem(
                at=e.at,
                kind=e.kind,
                title=heading,
                detail=_event_detail(e) if titled and said.rstrip(".") != heading.rstrip(".") else "",
                actor=actor,
                source=_source_text(e.source, "", actor) if e.source != Source.USER or e.actor else "",
                severity="danger" if e.kind in DANGER_EVENTS else "",
            )
        )
    for field, kind, title in OWN_STAMPS:
        at = getattr(declaration, field)
        if at and kind not in kinds:
            recorded = _stamp_recorded(declaration, field, entries, registered)
            items.append(TimelineItem(at=at, kind=kind, title=title(), actor=recorded.actor, source=recorded.source))
    for field, kind, title, severity in EVIDENCE_STAMPS:
        at = getattr(declaration, field)
        if at and kind not in provided_kinds:
            items.append(TimelineItem(at=at, kind=kind, title=title(), severity=severity))
    items.extend(provided)
    items.extend(item for _entry, item in audit)
    return sorted(items, key=lambda i: i.at)


def _audit_entries(declaration: TransitDeclaration) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(TransitDeclaration)
    return list(
        LogEntry.objects.filter(content_type=content_type, object_id=declaration.pk)
        .select_related("actor")
        .order_by("timestamp", "pk")
    )


def _state_after(declaration, entries: list[LogEntry], index: int, name: str):
    """The value of field ``name`` right after audit entry ``index`` (-1: at creation).

    The entry's own new value if it changed the field; else the old value of the next
    change; else the current value (nothing changed it since)."""
    if index >= 0:
        changes = entries[index].changes_dict or {}
        if name in changes:
            return _raw(changes[name][1])
    for entry in entries[index + 1 :]:
        changes = entry.changes_dict or {}
        if name in changes:
            return _raw(changes[name][0])
    return getattr(declaration, name)


def _recorded_after(declaration, entries: list[LogEntry], index: int) -> _Recorded:
    actor = _person(entries[index].actor) if index >= 0 else ""
    source = _state_after(declaration, entries, index, "status_source")
    ref = _state_after(declaration, entries, index, "status_source_ref")
    return _Recorded(actor=actor, source=_source_text(source, ref, actor))


def _registered(declaration, events: list[DeclarationEvent], entries: list[LogEntry]) -> _Recorded:
    """Who registered the declaration here and from what source: the import event if any,
    else the audit entry of its creation, else the source it had before any later change."""
    imported = next((e for e in events if e.kind == "import"), None)
    if imported is not None:
        actor = _person(imported.actor)
        return _Recorded(actor=actor, source=_source_text(imported.source, imported.message, actor))
    created = next((i for i, entry in enumerate(entries) if entry.action == LogEntry.Action.CREATE), None)
    return _recorded_after(declaration, entries, -1 if created is None else created)


def _stamp_recorded(declaration, field: str, entries: list[LogEntry], registered: _Recorded) -> _Recorded:
    """Who recorded a timestamp no event records: the audit entry that set it, or the registration."""
    for index in range(len(entries) - 1, -1, -1):
        changes = entries[index].changes_dict or {}
        if field in changes and _raw(changes[field][1]) is not None:
            if entries[index].action == LogEntry.Action.CREATE:
                return registered
            return _recorded_after(declaration, entries, index)
    return registered


# --- audit entries in words ----------------------------------------------------------------------


# The lifecycle moves: each writes the row (one audit entry) and an event telling the same change.
TRANSITION_EVENTS = frozenset(kind for _stamp, kind, _title in OWN_STAMPS)


def _written_at(value) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(str(_raw(value)))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)  # auditlog keeps times as naive UTC


def _told_by_event(entry: LogEntry, moves: set[tuple[Any, dt.datetime]]) -> bool:
    """The entry is the row's write of a lifecycle move whose event the timeline shows already: the same
    author and the same status time (the move's time, which the event keeps as its own)."""
    try:
        changed = (entry.changes_dict or {}).get("status_changed_at")
    except Exception:  # stored text that is no JSON
        return False
    if not (isinstance(changed, list | tuple) and len(changed) == 2):
        return False
    return (entry.actor_id, _written_at(changed[1])) in moves


def _audit_items(entries: list[LogEntry], events: list[DeclarationEvent] | None = None) -> list[TimelineItem]:
    """Each audit entry of the declaration in words, as the audit trail writes it (``audit_text``); an
    entry that only writes a lifecycle move the timeline tells as its event is not told twice (the audit
    trail keeps it)."""
    return [item for _entry, item in _audit_pairs(entries, events)]


def _audit_pairs(
    entries: list[LogEntry], events: list[DeclarationEvent] | None = None
) -> list[tuple[LogEntry, TimelineItem]]:
    """``_audit_items``, each with its entry."""
    moves = {(e.actor_id, e.at) for e in events or () if e.kind in TRANSITION_EVENTS}
    entries = [entry for entry in entries if not _told_by_event(entry, moves)]
    writer = audit_text.ChangeWriter()
    writer.load(entries, TransitDeclaration)  # one query per related model, not one per row
    return [
        (
            entry,
            TimelineItem(
                at=entry.timestamp,
                kind="audit",
                title=_("Audit: record %(action)s") % {"action": AUDIT_ACTIONS.get(entry.action, str)()},
                detail=("؛ " if _persian() else "; ").join(writer.lines(entry, AUDIT_FIELDS_SHOWN, TransitDeclaration)),
                actor=_person(entry.actor),
            ),
        )
        for entry in entries
    ]


def _audit_changes(entry: LogEntry) -> list[tuple[str, Any]]:
    """The entry's changes worth a line (``audit_text.ChangeWriter.changes``)."""
    return audit_text.ChangeWriter().changes(entry, TransitDeclaration)
