"""A declaration's timeline: everything that happened to it, oldest first.

Sources: the declaration's own timestamps (for what no event records, e.g. rows
imported already departed), its ``DeclarationEvent`` rows, the django-auditlog
entries of the row, and whatever higher apps add through
``hooks.timeline_providers`` (plate reads, scans, comparisons, letters).
A fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from . import hooks
from .hooks import TimelineItem
from .models import DeclarationEvent, TransitDeclaration

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
    "import": lambda: _("Imported"),
}
AUDIT_ACTIONS = {0: lambda: _("created"), 1: lambda: _("changed"), 2: lambda: _("deleted"), 3: lambda: _("accessed")}


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def build(declaration: TransitDeclaration, user) -> list[TimelineItem]:
    items = [
        TimelineItem(at=declaration.declared_at, kind="declared", title=_("Declared")),
        TimelineItem(
            at=declaration.created_at,
            kind="import",
            title=_("Registered here (%(source)s)") % {"source": declaration.get_status_source_display()}
            if declaration.status_source
            else _("Registered here"),
        ),
    ]
    events = list(DeclarationEvent.objects.filter(declaration=declaration).select_related("actor"))
    kinds = {e.kind for e in events}
    for e in events:
        title = EVENT_TITLES.get(e.kind, lambda e=e: e.kind.replace("_", " "))()
        items.append(
            TimelineItem(
                at=e.at,
                kind=e.kind,
                title=title,
                detail=e.message if e.message != title else "",
                actor=_person(e.actor) or e.get_source_display(),
            )
        )
    for field, kind, title in OWN_STAMPS:
        at = getattr(declaration, field)
        if at and kind not in kinds:
            items.append(TimelineItem(at=at, kind=kind, title=title(), detail=declaration.status_source_ref))
    provided: list[TimelineItem] = []
    for provider in hooks.timeline_providers:
        provided.extend(provider(declaration, user) or [])
    provided_kinds = {i.kind for i in provided}
    for field, kind, title, severity in EVIDENCE_STAMPS:
        at = getattr(declaration, field)
        if at and kind not in provided_kinds:
            items.append(TimelineItem(at=at, kind=kind, title=title(), severity=severity))
    items.extend(provided)
    items.extend(_audit_items(declaration))
    return sorted(items, key=lambda i: i.at)


def _audit_items(declaration: TransitDeclaration) -> list[TimelineItem]:
    content_type = ContentType.objects.get_for_model(TransitDeclaration)
    entries = LogEntry.objects.filter(content_type=content_type, object_id=declaration.pk).select_related("actor")
    meta = TransitDeclaration._meta
    items = []
    for entry in entries:
        changes = entry.changes_dict or {}
        parts = []
        for name, values in list(changes.items())[:8]:
            try:
                label = str(getattr(meta.get_field(name), "verbose_name", name))
            except FieldDoesNotExist:  # a field since removed still shows by its name
                label = name
            if isinstance(values, list | tuple) and len(values) == 2:
                parts.append(f"{label}: {values[0]} → {values[1]}")
            else:
                parts.append(label)
        items.append(
            TimelineItem(
                at=entry.timestamp,
                kind="audit",
                title=_("Audit: record %(action)s") % {"action": AUDIT_ACTIONS.get(entry.action, str)()},
                detail="; ".join(parts),
                actor=_person(entry.actor),
            )
        )
    return items
