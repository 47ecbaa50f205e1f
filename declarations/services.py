"""Every change of a declaration's state goes through one function here.

Each transition: checks the move against ``TRANSITIONS`` and the user's right to
make it, locks the row, changes it in a transaction, records who/when/where-from
(``status_source``), writes a timeline event, and lets django-auditlog keep the
field-level trail. An illegal move raises ``IllegalTransition``; nothing changes.

The ``note_*`` functions are the hook through which ``anpr`` and ``scans`` keep
the declaration's evidence summary current (they never write the table directly).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.models import CustomsOffice, Role, User
from core import uploads
from core.audit import actor
from core.errors import FileRejected, IllegalTransition, InvalidInput, NotAllowed

from . import selectors
from .models import (
    OPEN_STATUSES,
    ArrivalConfirmation,
    DeadlineExtension,
    DeclarationEvent,
    GoodsSerial,
    Review,
    RouteTimeLimit,
    Source,
    Status,
    TrafficPermit,
    TransitDeclaration,
    UnsettledReason,
    Verdict,
)

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "depart": (frozenset({Status.REGISTERED}), Status.IN_TRANSIT),
    "confirm_arrival": (frozenset({Status.IN_TRANSIT}), Status.ARRIVED),
    "settle": (frozenset({Status.ARRIVED, Status.UNSETTLED}), Status.SETTLED),
    "record_unsettled": (frozenset({Status.ARRIVED, Status.UNSETTLED}), Status.UNSETTLED),
    "cancel": (frozenset({Status.REGISTERED}), Status.CANCELLED),
    "close": (frozenset({Status.IN_TRANSIT, Status.UNSETTLED}), Status.CLOSED),
}
# Which office acts: the origin departs and cancels; the destination confirms and settles.
ACTING_OFFICE = {
    "depart": "origin",
    "cancel": "origin",
    "confirm_arrival": "destination",
    "settle": "destination",
    "record_unsettled": "destination",
    "close": None,
}


# How an action reads inside an error message ("Cannot <name> declaration X").
ACTION_NAMES = {
    "depart": pgettext_lazy("action in a sentence", "record the departure of"),
    "confirm_arrival": pgettext_lazy("action in a sentence", "confirm the arrival of"),
    "settle": pgettext_lazy("action in a sentence", "settle"),
    "record_unsettled": pgettext_lazy("action in a sentence", "record why it cannot settle"),
    "cancel": pgettext_lazy("action in a sentence", "cancel"),
    "close": pgettext_lazy("action in a sentence", "close"),
}


def can_perform(user: User | None, declaration: TransitDeclaration, action: str) -> bool:
    """May this user take this action on this declaration (ignoring its current status)?"""
    if user is None:  # the system itself (ICS import, a task)
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if action == "close":
        # Closing after a judicial case: headquarters or the province's inspector.
        return user.role == Role.INSPECTOR and user.province_id in (
            declaration.origin.province_id,
            declaration.destination.province_id,
        )
    side = ACTING_OFFICE[action]
    office_id = declaration.origin_id if side == "origin" else declaration.destination_id
    if user.role in (Role.OFFICE, Role.INTEGRATION) and user.office_id:
        return user.office_id == office_id
    return user.role == Role.INTEGRATION and user.is_national


def allowed_actions(user: User | None, declaration: TransitDeclaration) -> list[str]:
    return [
        action
        for action, (sources, _to) in TRANSITIONS.items()
        if declaration.status in sources and can_perform(user, declaration, action)
    ]


def _transition(
    declaration: TransitDeclaration,
    action: str,
    *,
    by: User | None,
    at: dt.datetime | None,
    source: str,
    source_ref: str = "",
    message: str = "",
    data: dict | None = None,
    extra: dict | None = None,
) -> TransitDeclaration:
    """Steps: 1 lock the row; 2 check the move and the right; 3 write; 4 event. Call inside atomic."""
    sources, target = TRANSITIONS[action]
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    if locked.status not in sources:
        raise IllegalTransition(
            _("Cannot %(action)s declaration %(serial)s: it is %(status)s.")
            % {"action": ACTION_NAMES[action], "serial": locked.serial, "status": locked.get_status_display()},
            fields={"status": locked.status},
        )
    if not can_perform(by, locked, action):
        raise NotAllowed(
            _("You may not %(action)s declaration %(serial)s.")
            % {"action": ACTION_NAMES[action], "serial": locked.serial}
        )
    now = timezone.now()
    at = at or now
    if at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("The time %(at)s is in the future.") % {"at": at}, fields={"at": str(at)})
    locked.status = target
    locked.status_source = source
    locked.status_source_ref = source_ref or (f"{by.get_full_name() or by.username}" if by else "")
    locked.status_changed_at = at
    locked.status_changed_by = by
    fields = ["status", "status_source", "status_source_ref", "status_changed_at", "status_changed_by", "updated_at"]
    for name, value in (extra or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    with actor(by):
        locked.save(update_fields=fields)
    DeclarationEvent.objects.create(
        declaration=locked,
        at=at,
        kind=action,
        actor=by,
        source=source,
        message=message or locked.get_status_display(),
        data={**(data or {}), "source_ref": source_ref} if source_ref else (data or {}),
    )
    # Whoever moved it (page, API, import, task), the dashboards of its scopes recount.
    transaction.on_commit(lambda: selectors.invalidate_for(locked))
    declaration.refresh_from_db()
    return locked


def deadline_for(origin_id: int, destination_id: int, departed_at: dt.datetime) -> dt.datetime:
    return departed_at + dt.timedelta(hours=RouteTimeLimit.hours_for(origin_id, destination_id))


@transaction.atomic
def declaration_depart(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
) -> TransitDeclaration:
    at = at or timezone.now()
    extra = {"departed_at": at}
    if declaration.deadline is None:
        extra["deadline"] = deadline_for(declaration.origin_id, declaration.destination_id, at)
    result = _transition(declaration, "depart", by=by, at=at, source=source, source_ref=source_ref, extra=extra)
    refresh_vehicle_flag([result.vehicle_id])
    return result


@transaction.atomic
def declaration_confirm_arrival(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    at: dt.datetime | None = None,
    office: CustomsOffice | None = None,
    seals_intact: bool = True,
    seal_numbers_found: Iterable[str] = (),
    gross_weight_found_kg=None,
    remarks: str = "",
    source: str = Source.USER,
    source_ref: str = "",
    evidence=None,
) -> TransitDeclaration:
    """Record the arrival (اعلام وصول). From outside the system it must carry evidence.

    The evidence document is checked by its content (PDF, JPEG or PNG; ``core.uploads``)
    before anything is written, and stored under a random name with its SHA-256.
    """
    at = at or timezone.now()
    if source == Source.OUTSIDE and not evidence:
        raise InvalidInput(
            _("An arrival recorded from outside the system needs its evidence document."),
            fields={"evidence": "required"},
        )
    checked = check_evidence(evidence, field="evidence") if evidence else None
    if declaration.departed_at and at < declaration.departed_at:
        raise InvalidInput(_("Arrival cannot be before departure."), fields={"at": str(at)})
    office = office or declaration.destination
    result = _transition(
        declaration,
        "confirm_arrival",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        extra={"arrived_at": at},
        data={"office": office.code, "seals_intact": seals_intact},
    )
    confirmation = ArrivalConfirmation(
        declaration=result,
        office=office,
        confirmed_at=at,
        confirmed_by=by,
        seals_intact=seals_intact,
        seal_numbers_found=list(seal_numbers_found),
        gross_weight_found_kg=gross_weight_found_kg,
        remarks=remarks,
        source=source,
    )
    if checked is not None:
        confirmation.evidence_name = (getattr(evidence, "name", "") or "")[-200:]
        confirmation.evidence_sha256 = checked.sha256
        confirmation.evidence.save(uploads.stored_name(checked.kind), ContentFile(checked.data), save=False)
    try:
        with actor(by):
            confirmation.save()
    except BaseException:
        if confirmation.evidence:
            confirmation.evidence.delete(save=False)
        raise
    refresh_vehicle_flag([result.vehicle_id])
    return result


def check_evidence(file, *, field: str) -> uploads.CheckedFile:
    """An evidence document checked by content (PDF, JPEG, PNG); ``FileRejected`` naming the field otherwise."""
    try:
        return uploads.check_upload(
            file,
            kinds=uploads.DOCUMENT_KINDS,
            max_bytes=settings.UPLOAD_MAX_BYTES,
            max_pixels=settings.EVIDENCE_MAX_PIXELS,
            field=field,
        )
    except uploads.UploadRejected as exc:
        raise FileRejected.from_upload(exc, field=field) from exc


@transaction.atomic
def declaration_settle(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
    remarks: str = "",
) -> TransitDeclaration:
    at = at or timezone.now()
    return _transition(
        declaration,
        "settle",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        message=remarks,
        extra={"settled_at": at},
    )


@transaction.atomic
def declaration_record_unsettled(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    reason: str,
    note: str = "",
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
) -> TransitDeclaration:
    """Record why an arrived declaration cannot be settled (directive point 8)."""
    if reason not in UnsettledReason.values:
        raise InvalidInput(_("Unknown reason '%(reason)s'.") % {"reason": reason}, fields={"reason": reason})
    if reason == UnsettledReason.OTHER and not note.strip():
        raise InvalidInput(_("Reason 'other' needs an explanation."), fields={"note": "required"})
    at = at or timezone.now()
    return _transition(
        declaration,
        "record_unsettled",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        message=str(UnsettledReason(reason).label),
        data={"reason": reason, "note": note},
        extra={"unsettled_reason": reason, "unsettled_note": note[:500], "unsettled_at": at},
    )


@transaction.atomic
def declaration_cancel(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    reason: str,
    at: dt.datetime | None = None,
    source: str = Source.USER,
    source_ref: str = "",
) -> TransitDeclaration:
    if not reason.strip():
        raise InvalidInput(_("A cancellation needs a reason."), fields={"reason": "required"})
    at = at or timezone.now()
    return _transition(
        declaration,
        "cancel",
        by=by,
        at=at,
        source=source,
        source_ref=source_ref,
        message=reason,
        extra={"cancelled_at": at},
    )


@transaction.atomic
def declaration_close(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    remarks: str,
    at: dt.datetime | None = None,
    source: str = Source.USER,
) -> TransitDeclaration:
    """Close a declaration whose unsettled or overdue case ended (e.g. a judicial decision)."""
    if not remarks.strip():
        raise InvalidInput(_("Closing needs remarks on how the case ended."), fields={"remarks": "required"})
    at = at or timezone.now()
    return _transition(
        declaration,
        "close",
        by=by,
        at=at,
        source=source,
        message=remarks,
        extra={"closed_at": at},
    )


@transaction.atomic
def declaration_extend_deadline(
    *,
    declaration: TransitDeclaration,
    by: User | None,
    new_deadline: dt.datetime,
    reason: str,
) -> TransitDeclaration:
    locked = TransitDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if locked.status not in (Status.REGISTERED, Status.IN_TRANSIT):
        raise IllegalTransition(_("Only a declaration not yet arrived can have its deadline extended."))
    if not reason.strip():
        raise InvalidInput(_("An extension needs a reason."), fields={"reason": "required"})
    if locked.deadline and new_deadline <= locked.deadline:
        raise InvalidInput(
            _("The new deadline must be later than the current one."), fields={"new_deadline": "too early"}
        )
    DeadlineExtension.objects.create(
        declaration=locked, old_deadline=locked.deadline, new_deadline=new_deadline, reason=reason, by=by
    )
    locked.deadline = new_deadline
    with actor(by):
        locked.save(update_fields=["deadline", "updated_at"])
    DeclarationEvent.objects.create(
        declaration=locked,
        at=timezone.now(),
        kind="extend_deadline",
        actor=by,
        message=reason,
        data={"new_deadline": new_deadline.isoformat()},
    )
    declaration.refresh_from_db()
    return locked


# --- Evidence summary: called by anpr and scans ----------------------------------------------


def _signals_moved(declaration_ids: Iterable[int]) -> None:
    """Evidence changed what a monitoring signal counts for these declarations: the cached dashboard
    figures of their scopes are dropped once the change commits, as a transition's are."""
    rows = TransitDeclaration.objects.filter(pk__in=list(declaration_ids)).values_list("origin_id", "destination_id")
    offices = {office for pair in rows for office in pair}
    if offices:
        transaction.on_commit(lambda: selectors.invalidate_offices(offices))


def note_plate_read(*, declaration_id: int, office_id: int, at: dt.datetime, on_route: bool) -> None:
    """A plate read matched this declaration. Conditional UPDATEs: safe to repeat and to race.

    The first read at the destination and the first read off the route move signals (the dashboard's
    counts are dropped); a later read on the way only updates the last sighting."""
    qs = TransitDeclaration.objects.filter(pk=declaration_id)
    qs.filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=at)).update(
        last_read_at=at, last_read_office_id=office_id
    )
    moved = (
        qs.filter(destination_id=office_id)
        .filter(Q(dest_first_read_at__isnull=True) | Q(dest_first_read_at__gt=at))
        .update(dest_first_read_at=at)
    )
    if not on_route:
        moved += qs.filter(Q(off_route_read_at__isnull=True) | Q(off_route_read_at__gt=at)).update(off_route_read_at=at)
    if moved:
        _signals_moved([declaration_id])


def note_plate_reads(reads: Iterable[tuple[int, int, dt.datetime, bool]]) -> None:
    """Many matched reads at once, ``(declaration_id, office_id, at, on_route)`` each: the same
    result as ``note_plate_read`` for every one, in four statements instead of up to three per
    declaration (a camera's batch of 1,000 reads touches hundreds of declarations).

    The rows are locked in ascending id order first, ``FOR NO KEY UPDATE``: concurrent batches wait
    for each other in one order, and a lock that still lets other transactions check foreign keys
    to these rows. (``FOR UPDATE`` deadlocked two camera batches: each, committing, checked its
    matches' foreign keys with a key-share lock on the rows the other held ``FOR UPDATE``.)"""
    reads = list(reads)
    if not reads:
        return
    if connection.vendor != "postgresql":
        for declaration_id, office_id, at, on_route in sorted(reads, key=lambda r: r[0]):
            note_plate_read(declaration_id=declaration_id, office_id=office_id, at=at, on_route=on_route)
        return
    latest: dict[int, tuple[dt.datetime, int]] = {}
    first_at_office: dict[tuple[int, int], dt.datetime] = {}
    first_off_route: dict[int, dt.datetime] = {}
    for declaration_id, office_id, at, on_route in reads:
        if declaration_id not in latest or at > latest[declaration_id][0]:
            latest[declaration_id] = (at, office_id)
        key = (declaration_id, office_id)
        if key not in first_at_office or at < first_at_office[key]:
            first_at_office[key] = at
        if not on_route and (declaration_id not in first_off_route or at < first_off_route[declaration_id]):
            first_off_route[declaration_id] = at
    from psycopg2.extras import execute_values

    table = connection.ops.quote_name(TransitDeclaration._meta.db_table)
    with connection.cursor() as wrapper:
        cur = wrapper.cursor  # psycopg2's own cursor, for execute_values
        cur.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", [sorted(latest)])  # noqa: S608
        execute_values(
            cur,
            f"UPDATE {table} t SET last_read_at = v.at, last_read_office_id = v.office "  # noqa: S608
            "FROM (VALUES %s) v(id, at, office) "
            "WHERE t.id = v.id AND (t.last_read_at IS NULL OR t.last_read_at < v.at)",
            [(d, at, office) for d, (at, office) in latest.items()],
            template="(%s, %s::timestamptz, %s)",
        )
        # Only the row of the declaration's own destination office joins, so one per target row.
        moved = execute_values(
            cur,
            f"UPDATE {table} t SET dest_first_read_at = v.at "  # noqa: S608
            "FROM (VALUES %s) v(id, office, at) "
            "WHERE t.id = v.id AND t.destination_id = v.office "
            "AND (t.dest_first_read_at IS NULL OR t.dest_first_read_at > v.at) RETURNING t.id",
            [(d, office, at) for (d, office), at in first_at_office.items()],
            template="(%s, %s, %s::timestamptz)",
            fetch=True,
        )
        if first_off_route:
            moved += execute_values(
                cur,
                f"UPDATE {table} t SET off_route_read_at = v.at "  # noqa: S608
                "FROM (VALUES %s) v(id, at) "
                "WHERE t.id = v.id AND (t.off_route_read_at IS NULL OR t.off_route_read_at > v.at) RETURNING t.id",
                list(first_off_route.items()),
                template="(%s, %s::timestamptz)",
                fetch=True,
            )
    if moved:
        _signals_moved({row[0] for row in moved})


def note_scan(*, declaration_id: int, stage: str, at: dt.datetime) -> None:
    field = {"origin": "origin_scan_at", "destination": "dest_scan_at"}[stage]
    moved = (
        TransitDeclaration.objects.filter(pk=declaration_id)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": at}))
        .update(**{field: at})
    )
    if moved:
        _signals_moved([declaration_id])


def note_comparison(*, declaration_id: int, verdict: str, review: str = Review.PENDING) -> None:
    if verdict not in Verdict.values or review not in Review.values:
        raise InvalidInput(f"bad verdict/review {verdict!r}/{review!r}")
    moved = (
        TransitDeclaration.objects.filter(pk=declaration_id)
        .exclude(comparison_verdict=verdict, comparison_review=review)
        .update(comparison_verdict=verdict, comparison_review=review)
    )
    if moved:
        _signals_moved([declaration_id])


def note_event(
    *,
    declaration_id: int,
    kind: str,
    at: dt.datetime,
    actor: User | None = None,
    message: str = "",
    data: dict | None = None,
    source: str = Source.USER,
) -> DeclarationEvent:
    """A higher app's event worth keeping on the declaration's own timeline (a scan, a letter)."""
    return DeclarationEvent.objects.create(
        declaration_id=declaration_id, kind=kind, at=at, actor=actor, message=message, data=data or {}, source=source
    )


# --- Duplicate flags ---------------------------------------------------------------------------


def refresh_waybill_flag(waybills: Iterable[str]) -> None:
    """Flag every declaration whose waybill number is used by another declaration."""
    waybills = {w for w in waybills if w}
    if not waybills:
        return
    from django.db.models import Count

    dup = set(
        TransitDeclaration.objects.filter(waybill_no__in=waybills)
        .values("waybill_no")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("waybill_no", flat=True)
    )
    if dup:
        TransitDeclaration.objects.filter(waybill_no__in=dup, dup_waybill=False).update(dup_waybill=True)


def refresh_serial_flag(values: Iterable[str]) -> None:
    """Flag open declarations that share a goods serial/IMEI with another open declaration."""
    values = set(values)
    if not values:
        return
    rows = GoodsSerial.objects.filter(value__in=values, declaration__status__in=OPEN_STATUSES).values_list(
        "value", "declaration_id"
    )
    seen: dict[str, set[int]] = {}
    for value, decl_id in rows:
        seen.setdefault(value, set()).add(decl_id)
    flagged = {d for ids in seen.values() if len(ids) > 1 for d in ids}
    if flagged:
        TransitDeclaration.objects.filter(pk__in=flagged, dup_goods_serial=False).update(dup_goods_serial=True)


def refresh_vehicle_flag(vehicle_ids: Iterable[int]) -> None:
    """A truck is on two open declarations at once when two are in transit together."""
    for vid in set(vehicle_ids):
        ids = list(
            TransitDeclaration.objects.filter(vehicle_id=vid, status=Status.IN_TRANSIT).values_list("id", flat=True)[
                :50
            ]
        )
        flagged = ids if len(ids) > 1 else []
        TransitDeclaration.objects.filter(vehicle_id=vid, dup_vehicle=True).exclude(pk__in=flagged).update(
            dup_vehicle=False
        )
        if flagged:
            TransitDeclaration.objects.filter(pk__in=flagged, dup_vehicle=False).update(dup_vehicle=True)


def refresh_flags_for(declaration_ids: Iterable[int]) -> None:
    ids = list(declaration_ids)
    decls = TransitDeclaration.objects.filter(pk__in=ids)
    refresh_waybill_flag(decls.values_list("waybill_no", flat=True))
    refresh_serial_flag(GoodsSerial.objects.filter(declaration_id__in=ids).values_list("value", flat=True))
    refresh_vehicle_flag(decls.values_list("vehicle_id", flat=True))


def permit_expiry_for(declaration: TransitDeclaration) -> dt.datetime | None:
    permit = declaration.permits.order_by("-issued_at").first()
    return permit.expires_at if permit and not permit.exited_at else None


# --- Traffic permits of foreign trucks ------------------------------------------------------


@transaction.atomic
def traffic_permit_record(
    *,
    declaration: TransitDeclaration,
    permit_no: str,
    entry_office: CustomsOffice,
    exit_office: CustomsOffice,
    allowed_hours: int,
    issued_at: dt.datetime,
    route: list[str] | None = None,
    by: User | None = None,
) -> TrafficPermit:
    """Record the پروانه تردد of a foreign truck; its expiry becomes the declaration's permit signal clock."""
    if declaration.vehicle_country == "IR":
        raise InvalidInput(_("Only a foreign truck carries a traffic permit."), fields={"vehicle": "IR"})
    if not 1 <= allowed_hours <= 24 * 60:
        raise InvalidInput(_("Allowed trip time must be 1 hour to 60 days."), fields={"allowed_hours": allowed_hours})
    if TrafficPermit.objects.filter(permit_no=permit_no).exists():
        raise InvalidInput(_("Permit %(no)s is already recorded.") % {"no": permit_no}, fields={"permit_no": permit_no})
    with actor(by):
        permit = TrafficPermit.objects.create(
            permit_no=permit_no,
            vehicle_id=declaration.vehicle_id,
            declaration=declaration,
            entry_office=entry_office,
            exit_office=exit_office,
            route=route or [],
            allowed_hours=allowed_hours,
            issued_at=issued_at,
        )
    TransitDeclaration.objects.filter(pk=declaration.pk).update(permit_expires_at=permit.expires_at)
    note_event(
        declaration_id=declaration.pk,
        kind="traffic_permit",
        at=issued_at,
        actor=by,
        message=f"{permit_no}: {entry_office.code} → {exit_office.code}, {allowed_hours}h",
    )
    return permit


@transaction.atomic
def traffic_permit_exit(*, permit: TrafficPermit, at: dt.datetime, by: User | None = None) -> TrafficPermit:
    """The truck left the country: its permit stops counting."""
    permit.exited_at = at
    with actor(by):
        permit.save(update_fields=["exited_at"])
    if permit.declaration_id:
        TransitDeclaration.objects.filter(pk=permit.declaration_id).update(permit_expires_at=None)
    return permit
