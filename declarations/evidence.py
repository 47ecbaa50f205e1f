"""The declaration's evidence summary: the one door through which ``anpr`` and ``scans`` keep it current.

The ``note_*`` functions are the hook through which ``anpr`` and ``scans`` keep
the declaration's evidence summary current (they never write the table directly).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F, Q

from accounts.models import User
from core.errors import InvalidInput
from notifications.messages import Message

from . import hooks, selectors
from .models import DeclarationEvent, Review, Source, TransitDeclaration, Verdict


def _signals_moved(declaration_ids: Iterable[int], *, by_person: bool = False) -> None:
    """Evidence changed what a monitoring signal counts for these declarations: their scopes' dashboard
    figures are recounted once the change commits and the figures are old enough (``evidence_moved``);
    ``by_person``: a person's judgement (a read corrected, a match rejected), recounted at the next view
    like a transition, so that whoever made it sees the count move when they go back to the dashboard."""
    rows = TransitDeclaration.objects.filter(pk__in=list(declaration_ids)).values_list("origin_id", "destination_id")
    offices = {office for pair in rows for office in pair}
    if offices:
        moved = selectors.invalidate_offices if by_person else selectors.evidence_moved
        transaction.on_commit(lambda: moved(offices))


def _of_the_trip(office_id: int, at: dt.datetime) -> Q:
    """The declarations a read at ``office_id`` taken ``at`` is a sighting of the trip of (``sighting_of_trip``)."""
    return Q(origin_id=office_id) | Q(departed_at__lte=at) | Q(departed_at__isnull=True, declared_at__lte=at)


def sighting_of_trip(*, office_id: int, at: dt.datetime, origin_id: int, trip_start: dt.datetime) -> bool:
    """Whether a read matched to a declaration may be its «last plate read», the sighting of its trip: one taken
    once the trip began (its departure, or its registration while it has none), or at its origin office (the
    truck at the gate it leaves by). A read before that elsewhere (at Astara before the truck left Bazargan) is
    the truck on its way to the trip, or on another one: matched and listed, but no evidence of this trip."""
    return office_id == origin_id or at >= trip_start


def note_plate_read(
    *,
    declaration_id: int,
    office_id: int,
    at: dt.datetime,
    on_route: bool,
    arrival: bool = True,
    sighting: bool = True,
) -> None:
    """A plate read matched this declaration. Conditional UPDATEs: safe to repeat and to race.

    The first read at the destination and the first read off the route move signals (the dashboard's
    counts are dropped); a later read on the way only updates the last sighting. ``arrival`` False: a read
    at the destination too early for the route (``services.shortest_trip``) is a sighting, no evidence of arrival.
    ``sighting`` False, or a read that is no sighting of the trip (``sighting_of_trip``: a departure recorded
    while it was being matched), is never the last read."""
    qs = TransitDeclaration.objects.filter(pk=declaration_id)
    if sighting:
        latest = Q(last_read_at__isnull=True) | Q(last_read_at__lt=at)
        qs.filter(latest, _of_the_trip(office_id, at)).update(last_read_at=at, last_read_office_id=office_id)
    moved = (
        qs.filter(destination_id=office_id)
        .filter(Q(dest_first_read_at__isnull=True) | Q(dest_first_read_at__gt=at))
        .update(dest_first_read_at=at)
        if arrival
        else 0
    )
    if not on_route:
        # Not before the departure: a departure recorded while the read was being matched (``note_departure``).
        moved += (
            qs.filter(Q(off_route_read_at__isnull=True) | Q(off_route_read_at__gt=at))
            .filter(Q(departed_at__isnull=True) | Q(departed_at__lte=at))
            .update(off_route_read_at=at)
        )
    if moved:
        _signals_moved([declaration_id])


def note_plate_reads(reads: Iterable[tuple]) -> None:
    """Many matched reads at once, ``(declaration_id, office_id, at, on_route[, arrival[, sighting]])`` each: the same
    result as ``note_plate_read`` for every one, in four statements instead of up to three per
    declaration (a camera's batch of 1,000 reads touches hundreds of declarations).

    The rows are locked in ascending id order first, ``FOR NO KEY UPDATE``: concurrent batches wait
    for each other in one order, and a lock that still lets other transactions check foreign keys
    to these rows. (``FOR UPDATE`` deadlocked two camera batches: each, committing, checked its
    matches' foreign keys with a key-share lock on the rows the other held ``FOR UPDATE``.)"""
    reads = [(*r, True, True)[:6] for r in reads]  # ``arrival`` and ``sighting`` True unless said
    if not reads:
        return
    if connection.vendor != "postgresql":
        for declaration_id, office_id, at, on_route, arrival, sighting in sorted(reads, key=lambda r: r[0]):
            note_plate_read(
                declaration_id=declaration_id,
                office_id=office_id,
                at=at,
                on_route=on_route,
                arrival=arrival,
                sighting=sighting,
            )
        return
    latest: dict[int, tuple[dt.datetime, int]] = {}
    first_at_office: dict[tuple[int, int], dt.datetime] = {}
    first_off_route: dict[int, dt.datetime] = {}
    for declaration_id, office_id, at, on_route, arrival, sighting in reads:
        if sighting and (declaration_id not in latest or at > latest[declaration_id][0]):
            latest[declaration_id] = (at, office_id)
        key = (declaration_id, office_id)
        if arrival and (key not in first_at_office or at < first_at_office[key]):
            first_at_office[key] = at
        if not on_route and (declaration_id not in first_off_route or at < first_off_route[declaration_id]):
            first_off_route[declaration_id] = at
    from psycopg2.extras import execute_values

    table = connection.ops.quote_name(TransitDeclaration._meta.db_table)
    with connection.cursor() as wrapper:
        cur = wrapper.cursor  # psycopg2's own cursor, for execute_values
        ids = sorted({r[0] for r in reads})  # every declaration touched, whether its last read moves or not
        cur.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", [ids])  # noqa: S608
        execute_values(
            cur,
            f"UPDATE {table} t SET last_read_at = v.at, last_read_office_id = v.office "  # noqa: S608
            "FROM (VALUES %s) v(id, at, office) "
            "WHERE t.id = v.id AND (t.last_read_at IS NULL OR t.last_read_at < v.at) "
            # A sighting of the trip only (``sighting_of_trip``); the caller passes the latest such read.
            "AND (t.origin_id = v.office OR t.departed_at <= v.at OR (t.departed_at IS NULL AND t.declared_at <= v.at))",
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
                "WHERE t.id = v.id AND (t.off_route_read_at IS NULL OR t.off_route_read_at > v.at) "
                "AND (t.departed_at IS NULL OR t.departed_at <= v.at) RETURNING t.id",
                list(first_off_route.items()),
                template="(%s, %s::timestamptz)",
                fetch=True,
            )
    if moved:
        _signals_moved({row[0] for row in moved})


def note_permit_sightings(declaration_ids: Iterable[int]) -> int:
    """Reads were matched to these declarations: check the foreign trucks' sightings against their
    traffic permits (route and exit border, driving time, stops; ``permit_checks``). Only declarations
    with an open permit cost more than one query. Returns the permits checked."""
    from .permit_checks import check_declarations

    ids = sorted(set(declaration_ids))
    return check_declarations(ids) if ids else 0


def gate_reads(declaration: TransitDeclaration, office=None, user: User | None = None) -> list[hooks.GateRead]:
    """The plate reads matched to the declaration (at ``office`` when given), oldest first, from the apps
    that registered in ``hooks.gate_reads`` (anpr). Rejected matches are included, marked."""
    reads = [r for provider in hooks.gate_reads for r in provider(declaration, office, user)]
    return sorted(reads, key=lambda r: r.at)


@transaction.atomic
def recompute_plate_evidence(*, declaration_id: int) -> bool:
    """Set the declaration's plate-read summary (last read, first read at the destination, first
    off-route read) again from the reads that still count, e.g. after a person rejected a similar-plate
    match. Unlike ``note_plate_read`` it can move a time later or clear it. Returns whether it changed."""
    declaration = TransitDeclaration.objects.select_for_update().get(pk=declaration_id)
    note_permit_sightings([declaration_id])  # a foreign truck's permit findings first: they count below
    declaration.refresh_from_db()
    reads = [r for r in gate_reads(declaration) if r.counts]
    departed = declaration.departed_at
    start = departed or declaration.declared_at
    trip = [
        r
        for r in reads
        if sighting_of_trip(office_id=r.office_id, at=r.at, origin_id=declaration.origin_id, trip_start=start)
    ]
    last = max(trip, key=lambda r: r.at, default=None)
    dest = [r.at for r in reads if r.office_id == declaration.destination_id and not r.too_early]
    # A read before the departure is the truck on its way to the trip, whatever its match was judged then.
    off = [r.at for r in reads if not r.on_route and (departed is None or r.at >= departed)]
    # A foreign truck off its permit's route counts too (``permit_checks``; the permit keeps it).
    off += [at for at in declaration.permits.values_list("off_route_at", flat=True) if at is not None]
    values = {
        "last_read_at": last.at if last else None,
        "last_read_office_id": last.office_id if last else None,
        "dest_first_read_at": min(dest, default=None),
        "off_route_read_at": min(off, default=None),
    }
    if all(getattr(declaration, k) == v for k, v in values.items()):
        return False
    TransitDeclaration.objects.filter(pk=declaration_id).update(**values)
    _signals_moved([declaration_id], by_person=True)  # its callers are a person's judgement of a read
    return True


def note_departure(*, declaration_id: int, at: dt.datetime, by: User | None) -> bool:
    """The declaration's departure was recorded, at ``at`` (perhaps late: the truck was read since). Its trip
    begins then, no longer at its registration, so a read taken before it, at an office its route does not
    name, was the truck on its way to the trip, not off its route. The ``hooks.trip_starts`` providers judge
    their matches again (anpr, audited as done by ``by``); when one changed, the plate-read summary is set
    again (``recompute_plate_evidence``: ``off_route_read_at`` may move later or clear). Inside the departure's
    transaction. The last read is set again too when it was taken before the departure at another office than
    the origin (``sighting_of_trip``). Returns whether the summary changed."""
    changed = sum(provider(declaration_id, at, by) for provider in hooks.trip_starts)
    # A last read before the departure, elsewhere than the origin, is no longer a sighting of the trip.
    earlier = TransitDeclaration.objects.filter(pk=declaration_id, last_read_at__lt=at).exclude(
        last_read_office_id=F("origin_id")
    )
    return recompute_plate_evidence(declaration_id=declaration_id) if changed or earlier.exists() else False


def note_scan(*, declaration_id: int, stage: str, at: dt.datetime) -> None:
    field = {"origin": "origin_scan_at", "destination": "dest_scan_at"}[stage]
    moved = (
        TransitDeclaration.objects.filter(pk=declaration_id)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": at}))
        .update(**{field: at})
    )
    if moved:
        _signals_moved([declaration_id])


def note_scan_reused(*, declaration_id: int, reused: bool = True, by_person: bool = False) -> None:
    """A scan of this declaration is the same image as a scan of another truck's declaration (the
    ``scan_reused`` signal), or with ``reused=False``, none such is left standing: each was looked at
    and explained by a person (``scans.reuse_reviews.reuse_review``, ``by_person``). A conditional UPDATE."""
    moved = TransitDeclaration.objects.filter(pk=declaration_id).exclude(scan_reused=reused).update(scan_reused=reused)
    if moved:
        _signals_moved([declaration_id], by_person=by_person)


def note_scan_escalated(*, declaration_id: int) -> None:
    """A comparison of this declaration was escalated (``scans.services.comparison_review``): the declaration
    stays on the ``scan_suspicious`` signal once a later comparison is the current one. Never cleared: an
    escalation is not undone. A person's judgement, recounted at the next view. A conditional UPDATE."""
    moved = TransitDeclaration.objects.filter(pk=declaration_id, scan_escalated=False).update(scan_escalated=True)
    if moved:
        _signals_moved([declaration_id], by_person=True)


def note_arrival_read_explained(*, declaration_id: int, explained: bool) -> None:
    """The review that counts on an arrival without plate read explains it, or (``explained=False``, «refer»)
    does not (``arrival_reads.arrival_read_review``): a person's judgement, recounted at the next view.
    A conditional UPDATE."""
    moved = (
        TransitDeclaration.objects.filter(pk=declaration_id)
        .exclude(arrival_read_explained=explained)
        .update(arrival_read_explained=explained)
    )
    if moved:
        _signals_moved([declaration_id], by_person=True)


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
    message: Message | str = "",
    data: dict | None = None,
    source: str = Source.USER,
) -> DeclarationEvent:
    """A higher app's event worth keeping on the declaration's own timeline (a scan, a letter).

    ``message``: a ``Message`` (``notifications.messages``), written when the timeline is read in the
    reader's language; text is a person's own words (a remark, a reason), shown as written."""
    return DeclarationEvent.objects.create(
        declaration_id=declaration_id,
        kind=kind,
        at=at,
        actor=actor,
        data=data or {},
        source=source,
        **DeclarationEvent.message_fields(message),
    )
