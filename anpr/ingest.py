"""Ingestion of plate reads: the hot path (hundreds of reads a second).

It validates nothing itself (the API's input serializer did), inserts a whole batch with one
``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (run again when PostgreSQL breaks it off on a
deadlock, see ``retrying``) and leaves recognition and matching to Celery tasks enqueued on
commit, or matches in the same transaction when Celery runs eagerly (``sightings``).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core import jobs, metrics
from core.dates import TEHRAN
from declarations.plates import PlateError, guess_plate, parse_plate

from . import matching, sightings
from .models import Camera, MatchState, PlateMatch, PlateRead, Recognition
from .retrying import atomic_retrying

# --- Ingestion ----------------------------------------------------------------------------------


@dataclass
class ReadInput:
    """One validated read as the API hands it over."""

    captured_at: dt.datetime
    plate_raw: str = ""
    country: str = ""
    confidence: float | None = None
    client_event_id: str = ""
    photo: bytes | None = None
    photo_ext: str = "jpg"


@dataclass
class IngestedRead:
    id: int
    duplicate: bool
    read: PlateRead | None = None  # the new row (None for duplicates)
    # A re-sent event id whose content differs from the read stored under it: the fields that differ
    # (``plate``, ``captured_at``). Nothing is stored or changed; the API answers a conflict.
    differs: tuple[str, ...] = ()


_INSERT_FIELDS = [
    "camera",
    "office",
    "captured_at",
    "received_at",
    "client_event_id",
    "plate_raw",
    "ocr_raw",
    "plate",
    "country",
    "engine",
    "confidence",
    "photo",
    "photo_sha256",
    "crop",
    "crop_sha256",
    "recognition",
    "recognition_error",
    "match_state",
    "vehicle",
]


def _photo_name(camera: Camera, item: ReadInput, digest: str) -> str:
    """Content-addressed: a re-sent event points at the same file instead of leaving a copy behind."""
    day = item.captured_at.astimezone(TEHRAN)
    return f"anpr/photos/{camera.pk}/{day:%Y/%m/%d}/{digest[:40]}.{item.photo_ext}"


def _build(camera: Camera, item: ReadInput, now: dt.datetime) -> PlateRead:
    read = PlateRead(
        camera_id=camera.pk,
        office_id=camera.office_id,
        captured_at=item.captured_at,
        received_at=now,
        client_event_id=item.client_event_id,
        plate_raw=item.plate_raw,
        confidence=item.confidence,
    )
    if item.plate_raw:
        read.engine = "camera"
        read.recognition = Recognition.CAMERA
        try:
            plate = parse_plate(item.plate_raw, item.country) if item.country else guess_plate(item.plate_raw)
            read.plate, read.country = plate.text, plate.country
        except PlateError:
            pass  # kept raw; matching still tries its loose form
        read.match_state = (
            MatchState.PENDING if matching.match_key(read.plate or item.plate_raw) else MatchState.NO_PLATE
        )
    else:
        read.recognition = Recognition.PENDING
        read.match_state = MatchState.PENDING
    if item.photo:  # named here, written once the read is stored (``_PhotoFiles``)
        digest = hashlib.sha256(item.photo).hexdigest()
        read.photo.name = _photo_name(camera, item, digest)
        read.photo_sha256 = digest
    return read


class _PhotoFiles:
    """The photos of the reads a batch stores, written by their names (``_photo_name``, the photo's hash: a photo
    sent again is the file stored the first time) only when their reads are stored. Written before a photo's read
    was known to be stored, a batch rolled back or a re-sent event refused for its other plate left its photo
    behind, referenced by no read.

    In a transaction of the batch's own (``reads_ingest``'s, committed when it returns) they are written in it,
    before the jobs that read them are enqueued, and those written are deleted again when it rolls back. Inside a
    caller's transaction they are written when it commits (before its jobs, queued after them), never when it
    rolls back."""

    def __init__(self) -> None:
        self.outer = jobs.in_transaction()  # the caller's transaction, which may roll back after the batch's
        self.written: list[str] = []  # files this batch created, across the transaction's attempts

    def store(self, photos: list[tuple[str, bytes]]) -> None:
        if not photos:
            return
        if self.outer:
            transaction.on_commit(lambda: self._write(photos))
        else:
            self._write(photos)

    def _write(self, photos: list[tuple[str, bytes]]) -> None:
        for name, data in photos:
            if default_storage.exists(name):
                continue  # the same photo, stored before (by this read's earlier attempt, or another read)
            saved = default_storage.save(name, ContentFile(data))
            self.written.append(saved)
            if saved != name:  # the same bytes written meanwhile by another batch: one copy is kept
                default_storage.delete(saved)
                self.written.remove(saved)

    def forget(self) -> None:
        """The batch's transaction rolled back: the files it created go (none of its reads refers to them)."""
        for name in self.written:
            default_storage.delete(name)
        self.written.clear()


def _insert_returning(reads: list[PlateRead]) -> list[tuple]:
    """One INSERT for the batch; rows hitting a unique constraint are skipped, new ones returned."""
    meta = PlateRead._meta
    qn = connection.ops.quote_name
    fields: list[Any] = [meta.get_field(name) for name in _INSERT_FIELDS]
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params: list = []
    for read in reads:
        params.extend(f.get_db_prep_save(getattr(read, f.attname), connection) for f in fields)
    table, columns = qn(meta.db_table), ", ".join(qn(f.column) for f in fields)
    values = ", ".join([placeholder] * len(reads))
    returning = ", ".join(qn(c) for c in ("id", "client_event_id", "captured_at", "plate_raw"))
    # Only quoted model metadata and placeholders go into the text; values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING RETURNING {returning}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_utc(value) -> dt.datetime:
    """A timestamp as the backend returns it (aware on PostgreSQL, naive UTC or text on SQLite)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _keys(read: PlateRead) -> list[tuple]:
    keys: list[tuple] = [("t", read.captured_at, read.plate_raw)]
    if read.client_event_id:
        keys.insert(0, ("e", read.client_event_id))
    return keys


def _inline_matching(n: int) -> bool:
    """Match in the ingest transaction itself, one commit per request: always without a broker (Celery
    eager), and for batches of up to ``ANPR_MATCH_IN_REQUEST_MAX`` reads with one. A camera's read a
    second costs a few milliseconds to match here and several times that through an outbox row, the
    broker and a worker; a replayed backlog of hundreds goes to the worker and leaves the request quickly."""
    from celery import current_app as app  # the app shared_task dispatches on (transit_monitor.celery)

    return bool(app.conf.task_always_eager) or n <= settings.ANPR_MATCH_IN_REQUEST_MAX


def reads_ingest(
    *, camera: Camera, items: list[ReadInput], now: dt.datetime | None = None, match_inline: bool | None = None
) -> list[IngestedRead]:
    """Store a batch of reads of one camera, once each; returns one result per item, in order.

    A re-sent event (same client event id, or same capture time and plate text) is reported
    as a duplicate with the id stored the first time. Reads with text are matched in the same
    transaction when Celery runs eagerly or the batch is small (``_inline_matching``), else by a task
    after the commit; photos without text go to the recognition task.
    """
    if not items:
        return []
    now = now or timezone.now()
    reads = [_build(camera, item, now) for item in items]
    photos = _PhotoFiles()
    inline = _inline_matching(len(reads)) if match_inline is None else match_inline
    planned: dict[int, sightings.ToMatch] = {}
    matches: list[PlateMatch] = []
    if inline:
        office_code = camera.office.code
        for i, r in enumerate(reads):
            if r.recognition == Recognition.CAMERA and r.match_state == MatchState.PENDING:
                key = matching.match_key(r.plate or r.plate_raw)
                planned[i] = sightings.ToMatch(i, key, camera.office_id, office_code, r.captured_at)
        matches, vehicle_of, summary = sightings.plan(list(planned.values()))
        for i in planned:
            reads[i].match_state = MatchState.MATCHED if i in vehicle_of else MatchState.UNMATCHED
            reads[i].vehicle_id = vehicle_of.get(i)

    def write() -> list[IngestedRead]:
        known = _known_events(camera, reads)
        seen: set[str] = set()
        to_insert = []
        for read in reads:
            cid = read.client_event_id
            if cid and (cid in known or cid in seen):
                continue  # stored before (or earlier in this batch): a duplicate, resolved below
            seen.add(cid)
            to_insert.append(read)
        returned = _insert_returning(to_insert) if to_insert else []
        new_by_key: dict[tuple, int] = {}
        for pk, cid, captured, plate_raw in returned:
            if cid:
                new_by_key[("e", cid)] = pk
            new_by_key[("t", _as_utc(captured), plate_raw)] = pk
        results: list[IngestedRead | None] = []
        claimed: set[int] = set()
        for read in reads:
            pk = next((new_by_key[k] for k in _keys(read) if k in new_by_key), None)
            if pk is not None and pk not in claimed:
                claimed.add(pk)
                read.pk = pk
                results.append(IngestedRead(pk, False, read))
            else:
                results.append(None)
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:
            _resolve_duplicates(camera, [reads[i] for i in missing], results, missing)
        done = cast(list[IngestedRead], results)  # every slot is filled now
        # Only the photos of reads stored now: a duplicate's is the one stored the first time, or refused.
        photos.store(
            [
                (str(reads[i].photo.name), photo)
                for i, r in enumerate(done)
                if not r.duplicate and (photo := items[i].photo)
            ]
        )
        if matches:
            # Only reads stored now get matches; a duplicate was matched when it was first stored.
            fresh = {i: done[i].id for i in planned if not done[i].duplicate}
            kept = [copy.copy(m) for m in matches if m.read_id in fresh]  # the plan stays as it was, for a retry
            for m in kept:
                m.read_id = fresh[m.read_id]
            by_id = {fresh[i]: sightings.ToMatch(fresh[i], t.key, t.office_id, t.office_code, t.captured_at)
                     for i, t in planned.items() if i in fresh}  # fmt: skip
            sightings._save_matches(kept, by_id, summary)
        _touch_camera(camera, max(r.captured_at for r in reads), now)
        _enqueue(done)  # in the reads' transaction: a stored read always has its job
        return done

    try:
        return atomic_retrying(write)
    except BaseException:
        photos.forget()
        raise


def _enqueue(done: list[IngestedRead]) -> None:
    from . import tasks

    fresh_reads = [r.read for r in done if not r.duplicate and r.read is not None]
    matched_now = sum(1 for r in fresh_reads if r.match_state == MatchState.MATCHED)
    transaction.on_commit(lambda: _count(len(fresh_reads), matched_now))
    to_match = [
        r.pk for r in fresh_reads if r.match_state == MatchState.PENDING and r.recognition == Recognition.CAMERA
    ]
    if to_match:
        sightings.schedule_matching(to_match)
    for r in fresh_reads:
        if r.recognition == Recognition.PENDING:
            jobs.enqueue(tasks.recognise_read, r.pk)


def _count(ingested: int, matched: int) -> None:
    """The /metrics counters, once the reads are committed (core/metrics.py)."""
    metrics.PLATE_READS_INGESTED.inc(ingested)
    if matched:
        metrics.PLATE_READS_MATCHED.inc(matched)


# A camera that re-sends an event after correcting its clock sends another capture time: the event id
# is looked up within this much of it. (The unique index holds the capture time, as every unique index
# of the partitioned table must; a window lets PostgreSQL look in one or two monthly partitions.)
EVENT_ID_WINDOW = dt.timedelta(days=1)


def _known_events(camera: Camera, reads: list[PlateRead]) -> dict[str, int]:
    """Event ids of this batch that the camera already sent (with any capture time in the window)."""
    cids = {r.client_event_id for r in reads if r.client_event_id}
    if not cids:
        return {}
    times = [r.captured_at for r in reads if r.client_event_id]
    rows = PlateRead.objects.filter(
        camera=camera,
        client_event_id__in=cids,
        captured_at__gte=min(times) - EVENT_ID_WINDOW,
        captured_at__lte=max(times) + EVENT_ID_WINDOW,
    ).values_list("client_event_id", "id")
    return dict(rows)


def _resolve_duplicates(camera: Camera, reads: list[PlateRead], results: list, positions: list[int]) -> None:
    cids = {r.client_event_id for r in reads if r.client_event_id}
    times = {r.captured_at for r in reads}
    window = Q(captured_at__gte=min(times) - EVENT_ID_WINDOW, captured_at__lte=max(times) + EVENT_ID_WINDOW)
    existing = list(
        PlateRead.objects.filter(camera=camera)
        .filter(Q(window, client_event_id__in=cids) | Q(captured_at__in=times))
        .values_list("id", "client_event_id", "captured_at", "plate_raw")
    )
    by_cid = {cid: (pk, _as_utc(at), raw) for pk, cid, at, raw in existing if cid}
    by_sighting = {(_as_utc(at), raw): pk for pk, _, at, raw in existing}
    for read, pos in zip(reads, positions, strict=True):
        stored = by_cid.get(read.client_event_id) if read.client_event_id else None
        if stored is not None:
            # The same event id must carry the same sighting: another plate or time is not a re-send, and
            # taking it as one lost the new content silently. The stored read stays as it was.
            pk, at, raw = stored
            differs = (("plate",) if raw != read.plate_raw else ()) + (
                ("captured_at",) if at != read.captured_at else ()
            )
            results[pos] = IngestedRead(pk, True, differs=differs)
            continue
        pk = by_sighting.get((read.captured_at, read.plate_raw))
        if pk is None:  # cannot happen unless the row was deleted in between
            raise RuntimeError(f"read {read.client_event_id or read.captured_at} neither stored nor found")
        results[pos] = IngestedRead(pk, True)


_TOUCHED: dict[str, dt.datetime] = {}  # token hash -> last time written by this process


def _touch_camera(camera: Camera, latest: dt.datetime, now: dt.datetime) -> None:
    """Keep the camera's last read time to the minute: at most one row update a minute per camera.

    A process-local memo skips even the conditional UPDATE for a camera this process wrote
    less than a minute ago (keyed by the token hash, which is unique and random).
    """
    latest = min(latest, now)
    memo = _TOUCHED.get(camera.token_hash)
    if memo is not None and memo >= latest - dt.timedelta(minutes=1):
        return
    moved = (
        Camera.objects.filter(pk=camera.pk)
        .filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=latest - dt.timedelta(minutes=1)))
        .update(last_read_at=latest)
    )
    _TOUCHED[camera.token_hash] = latest
    if moved:  # a silent camera has an old last read, so this is where it comes back
        Camera.objects.filter(pk=camera.pk, health=Camera.Health.SILENT).update(
            health=Camera.Health.OK, silent_since=None, health_checked_at=now
        )
