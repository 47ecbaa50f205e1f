"""Sightings: matching plate reads to the open declarations of their trucks (and to those settled since the read).

Matching looks every read of a batch up with IN queries on the indexed plate and updates
declarations only through ``declarations.evidence.note_plate_reads``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, QuerySet
from django.utils import timezone

from accounts.models import User, forget_offices, offices_by_id
from core import jobs, metrics
from core.audit import actor
from core.dates import CLOCK_SKEW
from declarations import evidence
from declarations.models import OPEN_STATUSES, Status, TransitDeclaration, Vehicle
from declarations.services import shortest_trips

from . import matching
from .models import MatchState, PlateMatch, PlateRead, Recognition
from .retrying import atomic_retrying

# One matching task waiting at a time (``jobs.enqueue_collapsing``). The task says it has started
# before it claims, and claims every pending read (up to SWEEP): a read committed before that is
# taken by it; a read committed after queues the next task. Without it a burst of single reads
# queued one task per read, nearly all of which found nothing left to do. The flag's lifetime
# covers a task the broker lost; the beat sweep (``match_pending_reads``) covers the rest.
MATCH_JOB = "anpr:match"


def schedule_matching(read_ids: list[int]) -> None:
    """Queue matching (written in the caller's transaction, sent after its commit)."""
    from . import tasks

    jobs.enqueue_collapsing(MATCH_JOB, tasks.match_reads, read_ids)


# --- Matching -----------------------------------------------------------------------------------

IN_CHUNK = 2000
SWEEP = 1000


@dataclass
class ToMatch:
    """What matching needs of a read, whether it comes from the database or is being inserted."""

    ref: int  # read id, or position in the batch being inserted
    key: str
    office_id: int
    office_code: str
    captured_at: dt.datetime


_PLAN_FIELDS = (
    "id", "vehicle_id", "declared_at", "departed_at", "route", "origin_id", "destination_id", "status",
    "arrived_at", "settled_at", "last_read_at", "last_read_office_id", "dest_first_read_at", "off_route_read_at",
)  # fmt: skip

# A settled declaration still takes a read taken before its settlement (``CLOCK_SKEW`` for the camera's clock)
# that comes in after it: a camera offline that sends its buffer late, a read corrected since. That is the
# truck on the trip, the sighting that clears «arrival without plate read». A read later than that is another
# visit of the truck, not this trip's.
SETTLED_GRACE = CLOCK_SKEW


def _taken_before_settlement(row: dict, read_at: dt.datetime) -> bool:
    return row["status"] != Status.SETTLED or read_at <= row["settled_at"] + SETTLED_GRACE


def _matchable(qs: QuerySet, fields: tuple[str, ...], since: dt.datetime) -> list[dict]:
    """The declarations of ``qs`` a read taken at ``since`` or later may match, as dicts of ``fields``: the open
    ones, and the settled ones settled since then (``_taken_before_settlement``): two arms, each one range of
    the index on (vehicle, status, settled_at) per truck, where an OR read every settled trip of the truck."""
    settled = qs.filter(status=Status.SETTLED, settled_at__gte=since - SETTLED_GRACE).values(*fields)
    return list(qs.filter(status__in=OPEN_STATUSES).values(*fields).union(settled, all=True))


def _office_code(pk: int) -> str:
    office = offices_by_id().get(pk)
    if office is None:  # created in another process since the table was read
        forget_offices()
        office = offices_by_id()[pk]
    return office.code


def _rows_of_plates(plates: list[str], since: dt.datetime) -> list[dict]:
    """Declarations of the vehicles with these plates that reads taken at ``since`` or later may match
    (``_matchable``), as ``_PLAN_FIELDS`` + ``vehicle__plate``.

    On PostgreSQL one fixed SQL text with array parameters: a single read pays no query
    compilation (the ORM's was a third of a single read's CPU). Elsewhere the ORM."""
    if connection.vendor != "postgresql":
        qs = TransitDeclaration.objects.filter(vehicle__plate__in=plates)
        return _matchable(qs, (*_PLAN_FIELDS, "vehicle__plate"), since)
    global _PLAN_SQL
    if _PLAN_SQL is None:
        meta, q = TransitDeclaration._meta, connection.ops.quote_name
        cols = ", ".join(f"d.{q(cast(Field, meta.get_field(f.removesuffix('_id'))).column)}" for f in _PLAN_FIELDS)
        arm = (
            f"SELECT {cols}, v.{q('plate')} FROM {q(meta.db_table)} d "  # noqa: S608 (names from the models)
            f"JOIN v ON v.{q('id')} = d.{q(cast(Field, meta.get_field('vehicle')).column)} WHERE "
        )
        _PLAN_SQL = (
            f"WITH v AS (SELECT {q('id')}, {q('plate')} FROM {q(Vehicle._meta.db_table)} "  # noqa: S608
            f"WHERE {q('plate')} = ANY(%s)) "
            f"{arm}d.{q('status')} = ANY(%s) "
            f"UNION ALL {arm}d.{q('status')} = %s AND d.{q('settled_at')} >= %s"
        )
    with connection.cursor() as cursor:
        statuses = [str(s) for s in OPEN_STATUSES]
        cursor.execute(_PLAN_SQL, [plates, statuses, str(Status.SETTLED), since - SETTLED_GRACE])
        rows = [dict(zip((*_PLAN_FIELDS, "vehicle__plate"), r, strict=True)) for r in cursor.fetchall()]
    for row in rows:
        if isinstance(row["route"], str):  # Django leaves jsonb as text for its own decoding
            row["route"] = json.loads(row["route"])
    return rows


_PLAN_SQL: str | None = None


def plan(reads: list[ToMatch]) -> tuple[list[PlateMatch], dict[int, int], dict[int, tuple]]:
    """Best open declarations for each read: (unsaved matches with ``read_id = ref``, ref -> vehicle id).

    1. Each read's key (canonical plate, or its loose form) is expanded into plausible plates.
    2. All variants of the batch are looked up with IN queries on the indexed vehicle plate.
    3. Each read keeps its best-scoring declaration(s) at or above ``ANPR_MATCH_MIN_SCORE`` that were
       declared no more than ``ANPR_MATCH_LOOKBACK_HOURS`` after the read and were open when it was taken:
       open still, or settled since (``_taken_before_settlement``).
    4. Per truck, the declarations it is moving on (``_relevant``); of those in transit to the read's
       office, the trip it is on then: the last to depart at or before the read (``_this_trip``).
    """
    min_score = settings.ANPR_MATCH_MIN_SCORE
    lookback = dt.timedelta(hours=settings.ANPR_MATCH_LOOKBACK_HOURS)
    variants_of = {key: matching.variants(key, min_score) for key in {r.key for r in reads}}
    all_variants: set[str] = set().union(*variants_of.values()) if variants_of else set()
    by_plate: dict[str, list[dict]] = defaultdict(list)
    since = min((r.captured_at for r in reads), default=timezone.now())
    if len(all_variants) <= IN_CHUNK:
        # A few reads: one query, joined on the indexed plate.
        for row in _rows_of_plates(sorted(all_variants), since):
            by_plate[row["vehicle__plate"]].append(row)
    else:
        # A batch: find the (few) existing plates among tens of thousands of variants first.
        vehicles = _vehicles_with_plates(all_variants)
        ids = sorted(vehicles)
        for start in range(0, len(ids), IN_CHUNK):
            chunk = TransitDeclaration.objects.filter(vehicle_id__in=ids[start : start + IN_CHUNK])
            for row in _matchable(chunk, _PLAN_FIELDS, since):
                row["vehicle__plate"] = vehicles[row["vehicle_id"]]
                by_plate[row["vehicle__plate"]].append(row)
    matches: list[PlateMatch] = []
    vehicle_of: dict[int, int] = {}
    summary: dict[int, tuple] = {}
    if not by_plate:
        return matches, vehicle_of, summary
    for r in reads:
        rows = [
            row
            for plate in variants_of[r.key]
            for row in by_plate.get(plate, ())
            if row["declared_at"] - lookback <= r.captured_at and _taken_before_settlement(row, r.captured_at)
        ]
        by_id = {row["id"]: row for row in rows}
        cands = matching.best_candidates(r.key, rows, min_score)
        for cand in _relevant(cands, by_id, r.office_id, r.captured_at):
            row = by_id[cand.declaration_id]
            route = row["route"] or [_office_code(row["origin_id"]), _office_code(row["destination_id"])]
            matches.append(
                PlateMatch(
                    read_id=r.ref,
                    declaration_id=cand.declaration_id,
                    vehicle_plate=cand.vehicle_plate,
                    score=cand.score,
                    exact=cand.exact,
                    on_route=r.office_code in route or r.captured_at < _trip_start(row),
                    at_destination=r.office_id == row["destination_id"],
                )
            )
            summary[cand.declaration_id] = (
                row["last_read_at"], row["last_read_office_id"], row["dest_first_read_at"], row["off_route_read_at"],
                row["origin_id"], _trip_start(row),
            )  # fmt: skip
            vehicle_of.setdefault(r.ref, cand.vehicle_id)
    _mark_too_early(matches, {r.ref: r for r in reads}, {row["id"]: row for rows in by_plate.values() for row in rows})
    return matches, vehicle_of, summary


def _mark_too_early(matches: list[PlateMatch], read_of: dict[int, ToMatch], rows: dict[int, dict]) -> None:
    """Mark the reads at a destination that are no evidence of this trip's arrival: taken sooner after the
    departure than the route can be driven (``declarations.services.shortest_trip``, the rule an arrival
    confirmation is held to), or, before any departure is recorded, before the declaration was registered
    (the truck there on its previous trip, within ``ANPR_MATCH_LOOKBACK_HOURS``). Kept and shown, not counted.
    One query for the batch's routes, none when no read is at a departed declaration's destination."""
    at_gate = [m for m in matches if m.at_destination]
    for m in at_gate:
        row = rows[m.declaration_id]
        if row["departed_at"] is None:
            m.too_early = read_of[m.read_id].captured_at < row["declared_at"]
    departed = [m for m in at_gate if rows[m.declaration_id]["departed_at"] is not None]
    if not departed:
        return
    route = {
        m.declaration_id: (rows[m.declaration_id]["origin_id"], rows[m.declaration_id]["destination_id"])
        for m in departed
    }
    shortest = shortest_trips(route.values())
    for m in departed:
        start = rows[m.declaration_id]["departed_at"]
        # A read before the departure too: the truck at the destination before its trip began.
        m.too_early = read_of[m.read_id].captured_at < start + shortest[route[m.declaration_id]]


def _trip_start(row: dict) -> dt.datetime:
    """When the declaration's trip began: its departure, or its registration while it has none. A read
    before then (up to ``ANPR_MATCH_LOOKBACK_HOURS`` before the declaration: the truck coming to the origin,
    or on its previous trip) is no sighting off this trip's route."""
    return row["departed_at"] or row["declared_at"]


def matches_follow_departure(declaration_id: int, departed_at: dt.datetime, by: User | None) -> int:
    """``declarations.hooks.trip_starts``: the declaration's departure was recorded at ``departed_at``, after
    reads of its truck were matched to it and judged against a trip counted from its registration. Those
    taken before the departure at an office off the route were the truck on its way to the trip: on the
    route now, as a read matched after the departure is (``_trip_start``). One audit entry for each, by
    whoever recorded the departure. Reads at the destination are judged again against the departure and the
    route (``_mark_too_early``). Returns how many changed."""
    stale = list(
        PlateMatch.objects.select_for_update(of=("self",)).filter(
            declaration_id=declaration_id, on_route=False, read__captured_at__lt=departed_at
        )
    )
    # Reads at the destination judged against the registration: now against the departure and the route.
    declaration = TransitDeclaration.objects.only("origin_id", "destination_id").get(pk=declaration_id)
    until = departed_at + shortest_trips([(declaration.origin_id, declaration.destination_id)]).popitem()[1]
    at_gate = PlateMatch.objects.select_for_update(of=("self",)).filter(
        declaration_id=declaration_id, at_destination=True
    )
    early = list(at_gate.filter(too_early=False, read__captured_at__lt=until))
    late = list(at_gate.filter(too_early=True, read__captured_at__gte=until))
    if not (stale or early or late):
        return 0
    # UPDATEs and entries written here (not save()): auditlog would write one beside each, as in ``match_review``.
    PlateMatch.objects.filter(pk__in=[m.pk for m in stale]).update(on_route=True)
    PlateMatch.objects.filter(pk__in=[m.pk for m in early]).update(too_early=True)
    PlateMatch.objects.filter(pk__in=[m.pk for m in late]).update(too_early=False)
    with actor(by):
        for matches, field, before, after in (
            (stale, "on_route", "False", "True"),
            (early, "too_early", "False", "True"),
            (late, "too_early", "True", "False"),
        ):
            for m in matches:
                LogEntry.objects.log_create(
                    m, action=LogEntry.Action.UPDATE, changes={field: [before, after]}, force_log=True
                )
    return len(stale) + len(early) + len(late)


def _vehicles_with_plates(plates: set[str]) -> dict[int, str]:
    """Vehicle id -> plate for the plates that exist; tens of thousands of variants per batch.

    On PostgreSQL one ``plate = ANY(array)`` query (an index probe per value, measured twice as
    fast as IN lists of literals); elsewhere IN lists in chunks under SQLite's parameter limit.
    """
    if not plates:
        return {}
    if connection.vendor == "postgresql":
        table, column = connection.ops.quote_name(Vehicle._meta.db_table), connection.ops.quote_name("plate")
        # One text parameter split in the database (plates are normalised letters and digits, no
        # commas): psycopg2 quotes a list element by element, a third of a batch's matching CPU.
        sql = f"SELECT id, {column} FROM {table} WHERE {column} = ANY(string_to_array(%s, ','))"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [",".join(sorted(plates))])
            return dict(cursor.fetchall())
    ordered = sorted(plates)
    found: dict[int, str] = {}
    for start in range(0, len(ordered), IN_CHUNK):
        found.update(Vehicle.objects.filter(plate__in=ordered[start : start + IN_CHUNK]).values_list("id", "plate"))
    return found


# A truck read while moving on one declaration is evidence for that one, not for an older
# declaration of the same truck still awaiting settlement (which would look "off route").
_RANK = {Status.IN_TRANSIT: 0, Status.REGISTERED: 1}
_ARRIVED = 2


def _rank_then(row: dict, read_at: dt.datetime) -> int:
    """The declaration's rank by its status when the read was taken, not today's: one that had begun its trip
    (departed, or registered while it has no departure) at or before the read and arrived after it was in
    transit then. A read that comes late (a camera's buffer) or is corrected after the arrival is the truck on
    that trip, not on an older declaration still in transit."""
    arrived_at = row["arrived_at"]
    if arrived_at is not None and arrived_at > read_at and _trip_start(row) <= read_at:
        return _RANK[Status.IN_TRANSIT]
    return _RANK.get(row["status"], _ARRIVED)


def _relevant(
    cands: list[matching.Candidate], rows: dict[int, dict], office_id: int, read_at: dt.datetime
) -> list[matching.Candidate]:
    """Per truck, the declarations it was moving on at the read (``_rank_then``); arrived ones only for a read at
    their destination. Of those in transit to the read's office, or arrived there, only the trip it was on then
    (``_this_trip``): an older trip that arrived there months ago and is still unsettled is not seen again by
    today's read."""
    kept = []
    for vehicle_id in {c.vehicle_id for c in cands}:
        mine = [c for c in cands if c.vehicle_id == vehicle_id]
        rank = {c.declaration_id: _rank_then(rows[c.declaration_id], read_at) for c in mine}
        best = min(rank.values())
        chosen = [
            c
            for c in mine
            if rank[c.declaration_id] == best
            and (best < _ARRIVED or rows[c.declaration_id]["destination_id"] == office_id)
        ]
        if best != _RANK[Status.REGISTERED]:
            chosen = _this_trip(chosen, rows, office_id, read_at)
        kept += chosen
    return kept


def _this_trip(
    cands: list[matching.Candidate], rows: dict[int, dict], office_id: int, read_at: dt.datetime
) -> list[matching.Candidate]:
    """One truck's in-transit (or arrived) declarations, less those to the read's office that are not the trip
    it is on.

    A read at a destination is the evidence that the truck arrived there, so it goes to one trip: of the
    declarations to this office, the one that departed last at or before the read (several that departed
    at the same moment are one trip carrying several declarations: all of them); when none had departed
    by then (a departure recorded late), the first to depart after it. An older trip to the same office,
    overdue perhaps for months, is not made "seen at its destination" by the truck's arrival on a newer
    one: it stays overdue, and the truck on two declarations at once stays a signal. Declarations to
    other offices keep the read as before (a sighting on their way, or off their route)."""
    here = [c for c in cands if rows[c.declaration_id]["destination_id"] == office_id]
    if len(here) < 2:
        return cands

    def departed(c: matching.Candidate) -> dt.datetime:
        row = rows[c.declaration_id]
        return row["departed_at"] or row["declared_at"]

    before = [c for c in here if departed(c) <= read_at]
    when = max(departed(c) for c in before) if before else min(departed(c) for c in here)
    dropped = {c.declaration_id for c in here if departed(c) != when}
    return [c for c in cands if c.declaration_id not in dropped]


def _save_matches(matches: list[PlateMatch], read_by_id: dict[int, ToMatch], summary: dict) -> None:
    """Insert ON CONFLICT DO NOTHING and update summaries conditionally: a repeat changes nothing."""
    PlateMatch.objects.bulk_create(matches, ignore_conflicts=True, batch_size=1000)
    _note_evidence(matches, read_by_id, summary)


def reads_match(*, read_ids: list[int], sweep: int = SWEEP) -> dict[str, int]:
    """Match pending reads (these, plus up to ``sweep`` other pending ones) in one batch.

    Each single-read request enqueues its own task; the first task to run takes every pending
    read it can claim, so under load a worker matches in batches and later tasks find their
    reads done. Rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL,
    so two workers never match the same read at once.
    """
    fields = ("id", "plate", "plate_raw", "ocr_raw", "office_id", "office__code", "captured_at")
    pending = PlateRead.objects.filter(match_state=MatchState.PENDING).exclude(recognition=Recognition.PENDING)
    jobs.collapsing_started(MATCH_JOB)  # before claiming: see MATCH_JOB

    def claim_and_match() -> tuple[int, dict[str, int]]:
        claim = pending.select_for_update(skip_locked=True, of=("self",))
        rows = list(claim.filter(pk__in=read_ids).values(*fields))
        if sweep > len(rows):
            more = claim.exclude(pk__in=[r["id"] for r in rows]).order_by("id")[: sweep - len(rows)]
            rows += list(more.values(*fields))
        reads = [
            ToMatch(r["id"], matching.match_key(r["plate"] or r["plate_raw"] or r["ocr_raw"]), r["office_id"],
                     r["office__code"], r["captured_at"])
            for r in rows
        ]  # fmt: skip
        with_key = [r for r in reads if r.key]
        matches, vehicle_of, summary = plan(with_key)
        by_vehicle: dict[int, list[int]] = defaultdict(list)
        for read_id, vehicle_id in vehicle_of.items():
            by_vehicle[vehicle_id].append(read_id)
        for vehicle_id, ids in by_vehicle.items():
            PlateRead.objects.filter(pk__in=ids).update(match_state=MatchState.MATCHED, vehicle_id=vehicle_id)
        no_key = [r.ref for r in reads if not r.key]
        unmatched = [r.ref for r in with_key if r.ref not in vehicle_of]
        if no_key:
            PlateRead.objects.filter(pk__in=no_key).update(match_state=MatchState.NO_PLATE)
        if unmatched:
            PlateRead.objects.filter(pk__in=unmatched).update(match_state=MatchState.UNMATCHED)
        _save_matches(matches, {r.ref: r for r in reads}, summary)
        return len(rows), {"reads": len(reads), "matched": len(vehicle_of), "matches": len(matches)}

    claimed, counts = atomic_retrying(claim_and_match)
    if counts["matched"]:
        transaction.on_commit(lambda: metrics.PLATE_READS_MATCHED.inc(counts["matched"]))
    if claimed >= sweep:  # a full sweep: more may be waiting, and no task may be queued for them
        schedule_matching([])
    return counts


# A truck standing at a gate is read again and again: its "last read" moves at most once a
# minute per office, so repeated reads do not queue on the declaration's row lock.
LAST_READ_GRAIN = dt.timedelta(minutes=1)


def _note_evidence(matches: list[PlateMatch], read_by_id: dict[int, ToMatch], summary: dict) -> None:
    """At most three summary updates per declaration: latest read, first at destination, first off route.

    ``summary`` holds each declaration's evidence as read when planning. Those times only
    move one way (latest later, firsts earlier), so a call that could not change them then
    cannot now and is skipped; the rest go to ``note_plate_reads`` in one call (conditional
    UPDATEs, rows locked in id order: safe against races and repeats).
    """
    changed: list[tuple[int, int, dt.datetime, bool, bool, bool]] = []
    per_decl: dict[int, list[PlateMatch]] = defaultdict(list)
    for m in matches:
        per_decl[m.declaration_id].append(m)
    for decl_id, ms in sorted(per_decl.items()):
        last, last_office, dest_first, off_first, origin_id, start = summary[decl_id]

        def at(m):
            return read_by_id[m.read_id].captured_at

        def of_trip(m, origin_id=origin_id, start=start) -> bool:  # may be the last read (``sighting_of_trip``)
            read = read_by_id[m.read_id]
            return evidence.sighting_of_trip(
                office_id=read.office_id, at=read.captured_at, origin_id=origin_id, trip_start=start
            )

        trip = [m for m in ms if of_trip(m)]
        picks = {max(trip, key=at).read_id: None} if trip else {}
        dest = [m for m in ms if m.at_destination and not m.too_early]
        if dest:
            picks[min(dest, key=at).read_id] = None
        off = [m for m in ms if not m.on_route]
        if off:
            picks[min(off, key=at).read_id] = None
        by_read = {m.read_id: m for m in ms}
        for read_id in picks:
            read, m = read_by_id[read_id], by_read[read_id]
            arrival = not m.too_early  # a read too early for the route is no evidence of arrival
            changes = (
                (
                    of_trip(m)
                    and (
                        last is None
                        or read.captured_at
                        > last + (LAST_READ_GRAIN if read.office_id == last_office else dt.timedelta())
                    )
                )
                or (m.at_destination and arrival and (dest_first is None or read.captured_at < dest_first))
                or (not m.on_route and (off_first is None or read.captured_at < off_first))
            )
            if changes:
                changed.append((decl_id, read.office_id, read.captured_at, m.on_route, arrival, of_trip(m)))
    evidence.note_plate_reads(changed)
    # Every sighting of a foreign truck is checked against its traffic permit (route, exit border,
    # driving time, stops), not only those that move the summary above.
    evidence.note_permit_sightings(per_decl)


def reads_pending_match(limit: int = 5000) -> list[int]:
    """Reads still waiting for matching (e.g. after a broker outage), oldest first."""
    return list(
        PlateRead.objects.filter(match_state=MatchState.PENDING)
        .exclude(recognition=Recognition.PENDING)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
