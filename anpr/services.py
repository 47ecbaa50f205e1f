"""State changes of anpr: cameras, read ingestion, recognition, matching, camera health.

Ingestion is the hot path (hundreds of reads a second): it validates nothing
itself (the API's input serializer did), inserts a whole batch with one
``INSERT ... ON CONFLICT DO NOTHING RETURNING`` and leaves recognition and
matching to Celery tasks enqueued on commit. Matching looks every read of a
batch up with IN queries on the indexed plate and updates declarations only
through ``declarations.services.note_plate_read``.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from auditlog.context import set_actor
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, transaction
from django.db.models import Field, Q
from django.utils import timezone

from accounts.models import CustomsOffice, User, forget_offices, offices_by_id
from declarations import services as declaration_services
from declarations.errors import InvalidInput
from declarations.models import OPEN_STATUSES, Status, TransitDeclaration, Vehicle
from declarations.plates import PlateError, guess_plate, parse_plate
from transit_monitor import uploads
from transit_monitor.dates import TEHRAN

from . import matching
from .models import Camera, MatchState, PlateMatch, PlateRead, Recognition, new_token

log = logging.getLogger(__name__)
T = TypeVar("T")

# --- Cameras ------------------------------------------------------------------------------------


@transaction.atomic
def camera_register(
    *,
    office: CustomsOffice,
    code: str,
    direction: str,
    lane: str = "",
    model_name: str = "",
    region: tuple[int, int, int, int] | None = None,
    by: User | None = None,
) -> tuple[Camera, str]:
    """Register a camera; returns it with its API token, which is shown once and stored only hashed."""
    code = code.strip().upper()
    if not code:
        raise InvalidInput("camera code is empty", fields={"code": "required"})
    if Camera.objects.filter(code=code).exists():
        raise InvalidInput(f"camera {code} already exists", fields={"code": code})
    if direction not in Camera.Direction.values:
        raise InvalidInput(f"direction must be one of {Camera.Direction.values}", fields={"direction": direction})
    camera = Camera(office=office, code=code, direction=direction, lane=lane, model_name=model_name)
    if region is not None:
        x, y, w, h = (int(v) for v in region)
        if min(x, y) < 0 or min(w, h) <= 0:
            raise InvalidInput("region must be x, y >= 0 and width, height > 0", fields={"region": str(region)})
        camera.region_x, camera.region_y, camera.region_w, camera.region_h = x, y, w, h
    token = new_token()
    camera.set_token(token)
    with set_actor(by) if by else _nullcontext():
        camera.save()
    return camera, token


@transaction.atomic
def camera_rotate_token(*, camera: Camera, by: User | None = None) -> str:
    """A new token; the old one stops working at once."""
    token = new_token()
    camera.set_token(token)
    with set_actor(by) if by else _nullcontext():
        camera.save(update_fields=["token_hash", "token_prefix"])
    return token


@transaction.atomic
def camera_set_status(*, camera: Camera, status: str, by: User | None = None) -> Camera:
    """Active, under maintenance or retired; a retired camera's token stops working at once."""
    if status not in Camera.Status.values:
        raise InvalidInput(f"status must be one of {Camera.Status.values}", fields={"status": status})
    camera.status = status
    with set_actor(by) if by else _nullcontext():
        camera.save(update_fields=["status"])  # the save signal drops every worker's cached camera
    return camera


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


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
    "crop",
    "recognition",
    "recognition_error",
    "match_state",
    "vehicle",
]


def _photo_name(camera: Camera, item: ReadInput) -> str:
    """Content-addressed: a re-sent event points at the same file instead of leaving a copy behind."""
    digest = hashlib.sha256(item.photo or b"").hexdigest()[:40]
    day = item.captured_at.astimezone(TEHRAN)
    return f"anpr/photos/{camera.pk}/{day:%Y/%m/%d}/{digest}.{item.photo_ext}"


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
    if item.photo:
        name = _photo_name(camera, item)
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(item.photo))
        read.photo.name = name
    return read


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


def _inline_matching() -> bool:
    """No broker (Celery eager): match in the ingest transaction itself, one commit per request."""
    from celery import current_app as app  # the app shared_task dispatches on (transit_monitor.celery)

    return bool(app.conf.task_always_eager)


def reads_ingest(
    *, camera: Camera, items: list[ReadInput], now: dt.datetime | None = None, match_inline: bool | None = None
) -> list[IngestedRead]:
    """Store a batch of reads of one camera, once each; returns one result per item, in order.

    A re-sent event (same client event id, or same capture time and plate text) is reported
    as a duplicate with the id stored the first time. Reads with text are matched in the same
    transaction when Celery runs eagerly, else by a task after the commit; photos without text
    go to the recognition task.
    """
    if not items:
        return []
    now = now or timezone.now()
    reads = [_build(camera, item, now) for item in items]
    inline = _inline_matching() if match_inline is None else match_inline
    planned: dict[int, _ToMatch] = {}
    matches: list[PlateMatch] = []
    if inline:
        office_code = camera.office.code
        for i, r in enumerate(reads):
            if r.recognition == Recognition.CAMERA and r.match_state == MatchState.PENDING:
                key = matching.match_key(r.plate or r.plate_raw)
                planned[i] = _ToMatch(i, key, camera.office_id, office_code, r.captured_at)
        matches, vehicle_of, summary = _plan(list(planned.values()))
        for i in planned:
            reads[i].match_state = MatchState.MATCHED if i in vehicle_of else MatchState.UNMATCHED
            reads[i].vehicle_id = vehicle_of.get(i)

    def write() -> list[IngestedRead]:
        returned = _insert_returning(reads)
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
        if matches:
            # Only reads stored now get matches; a duplicate was matched when it was first stored.
            fresh = {i: done[i].id for i in planned if not done[i].duplicate}
            kept = [copy.copy(m) for m in matches if m.read_id in fresh]  # the plan stays as it was, for a retry
            for m in kept:
                m.read_id = fresh[m.read_id]
            by_id = {fresh[i]: _ToMatch(fresh[i], t.key, t.office_id, t.office_code, t.captured_at)
                     for i, t in planned.items() if i in fresh}  # fmt: skip
            _save_matches(kept, by_id, summary)
        _touch_camera(camera, max(r.captured_at for r in reads), now)
        return done

    done = _atomic_retrying(write)
    fresh_reads = [r.read for r in done if not r.duplicate and r.read is not None]
    to_match = [
        r.pk for r in fresh_reads if r.match_state == MatchState.PENDING and r.recognition == Recognition.CAMERA
    ]
    to_recognise = [r.pk for r in fresh_reads if r.recognition == Recognition.PENDING]
    if to_match or to_recognise:
        transaction.on_commit(lambda: _enqueue(to_match, to_recognise))
    return done


# PostgreSQL breaks off one of two transactions that wait for each other (deadlock_detected) or
# that cannot both be serialised (serialization_failure); run again, the broken one goes through.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
RETRIES = 3


def _atomic_retrying(write: Callable[[], T]) -> T:
    """``write()`` in its own transaction, run again (up to ``RETRIES`` times in all) when PostgreSQL
    breaks it off on a deadlock or a serialisation failure, so a camera's batch is never refused
    for another's. Inside an outer transaction it runs once: the locks it waits for are held by
    the outer transaction, which only its caller can roll back."""
    nested = connection.in_atomic_block
    for attempt in range(1, RETRIES + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as exc:
            code = getattr(exc.__cause__, "pgcode", None)
            if nested or attempt == RETRIES or code not in RETRYABLE_SQLSTATES:
                raise
            log.warning("transaction broken off (%s), attempt %d of %d: %s", code, attempt, RETRIES, exc)
            time.sleep(0.01 * attempt)
    raise AssertionError("unreachable")


# One matching task waiting at a time. The task clears this flag before it claims, and claims
# every pending read (up to SWEEP): a read committed before that is taken by it; a read committed
# after finds the flag gone and queues the next task. Without it a burst of single reads queued
# one task per read, nearly all of which found nothing left to do. The timeout covers a task the
# broker lost; the beat sweep (``match_pending_reads``) covers the rest.
MATCH_SCHEDULED_KEY = "anpr:match-scheduled"
MATCH_SCHEDULED_SECONDS = 60


def _schedule_matching(read_ids: list[int]) -> None:
    from . import tasks

    if cache.add(MATCH_SCHEDULED_KEY, 1, MATCH_SCHEDULED_SECONDS):
        tasks.match_reads.delay(read_ids)


def _enqueue(to_match: list[int], to_recognise: list[int]) -> None:
    from . import tasks

    if to_match:
        _schedule_matching(to_match)
    for pk in to_recognise:
        tasks.recognise_read.delay(pk)


def _resolve_duplicates(camera: Camera, reads: list[PlateRead], results: list, positions: list[int]) -> None:
    cids = {r.client_event_id for r in reads if r.client_event_id}
    times = {r.captured_at for r in reads}
    existing = list(
        PlateRead.objects.filter(camera=camera)
        .filter(Q(client_event_id__in=cids) | Q(captured_at__in=times))
        .values_list("id", "client_event_id", "captured_at", "plate_raw")
    )
    by_cid = {cid: pk for pk, cid, _, _ in existing if cid}
    by_sighting = {(at, raw): pk for pk, _, at, raw in existing}
    for read, pos in zip(reads, positions, strict=True):
        pk = by_cid.get(read.client_event_id) if read.client_event_id else None
        pk = pk or by_sighting.get((read.captured_at, read.plate_raw))
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


# --- Recognition --------------------------------------------------------------------------------


def read_recognise(*, read_id: int) -> PlateRead | None:
    """Read the plate in a read's photo with the OCR engine, then match it. Safe to run twice."""
    import cv2
    import numpy as np

    from anpr.recognition import get_engine

    read = PlateRead.objects.select_related("camera").filter(pk=read_id).first()
    if read is None or read.recognition != Recognition.PENDING:
        return read
    engine = get_engine()
    pending = PlateRead.objects.filter(pk=read_id, recognition=Recognition.PENDING)
    if not engine.available:
        pending.update(
            recognition=Recognition.FAILED,
            recognition_error=(engine.unavailable_reason or "OCR engine unavailable")[:300],
            engine=engine.name,
            match_state=MatchState.NO_PLATE,
        )
        return read
    try:
        with read.photo.open("rb") as fh:
            data = fh.read()
        # Pixels counted on the header before OpenCV allocates them (photos stored before the API checked).
        uploads.image_pixels_check(data, max_pixels=settings.ANPR_MAX_PHOTO_PIXELS, field="photo")
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError("the photo is not a decodable image")
        reading = engine.read_image(img, region=read.camera.region)
    except Exception as exc:  # a bad photo or an engine bug must not stop the queue
        log.warning("recognition of read %s failed: %s", read_id, exc)
        pending.update(
            recognition=Recognition.FAILED,
            recognition_error=str(exc)[:300],
            engine=engine.name,
            match_state=MatchState.NO_PLATE,
        )
        return read
    crop_name = ""
    if reading.crop is not None and reading.crop.size:
        ok, enc = cv2.imencode(".jpg", reading.crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
        if ok:
            crop_name = default_storage.save(f"anpr/crops/{read.camera_id}/{read.pk}.jpg", ContentFile(enc.tobytes()))
    if reading.not_iranian:
        # Not an Iranian plate: no text (the reader would force an Iranian one onto it); a person reads it.
        key = ""
        outcome: dict[str, object] = {
            "recognition": Recognition.MANUAL,
            "recognition_error": reading.not_iranian[:300],
            "confidence": None,
        }
    else:
        key = reading.plate or matching.match_key(reading.raw_text)
        outcome = {
            "recognition": Recognition.DONE if reading.raw_text else Recognition.UNREADABLE,
            "confidence": round(float(reading.confidence), 4),
        }
    updated = pending.update(
        ocr_raw=reading.raw_text[:32],
        plate=reading.plate,
        country="IR" if reading.plate else "",
        engine=reading.engine[:32],
        crop=crop_name,
        match_state=MatchState.PENDING if key else MatchState.NO_PLATE,
        **outcome,
    )
    if not updated:  # another worker finished first
        if crop_name:
            default_storage.delete(crop_name)
        return PlateRead.objects.get(pk=read_id)
    if key:
        reads_match(read_ids=[read_id])
    return PlateRead.objects.get(pk=read_id)


# --- Matching -----------------------------------------------------------------------------------

IN_CHUNK = 2000
SWEEP = 1000


@dataclass
class _ToMatch:
    """What matching needs of a read, whether it comes from the database or is being inserted."""

    ref: int  # read id, or position in the batch being inserted
    key: str
    office_id: int
    office_code: str
    captured_at: dt.datetime


_PLAN_FIELDS = (
    "id", "vehicle_id", "declared_at", "route", "origin_id", "destination_id", "status",
    "last_read_at", "last_read_office_id", "dest_first_read_at", "off_route_read_at",
)  # fmt: skip


def _office_code(pk: int) -> str:
    office = offices_by_id().get(pk)
    if office is None:  # created in another process since the table was read
        forget_offices()
        office = offices_by_id()[pk]
    return office.code


def _open_rows_of_plates(plates: list[str]) -> list[dict]:
    """Open declarations of the vehicles with these plates, as ``_PLAN_FIELDS`` + ``vehicle__plate``.

    On PostgreSQL one fixed SQL text with an array parameter: a single read pays no query
    compilation (the ORM's was a third of a single read's CPU). Elsewhere the ORM."""
    if connection.vendor != "postgresql":
        qs = TransitDeclaration.objects.filter(status__in=OPEN_STATUSES, vehicle__plate__in=plates)
        return list(qs.values(*_PLAN_FIELDS, "vehicle__plate"))
    global _PLAN_SQL
    if _PLAN_SQL is None:
        meta, q = TransitDeclaration._meta, connection.ops.quote_name
        cols = ", ".join(f"d.{q(cast(Field, meta.get_field(f.removesuffix('_id'))).column)}" for f in _PLAN_FIELDS)
        _PLAN_SQL = (
            f"SELECT {cols}, v.{q('plate')} FROM {q(meta.db_table)} d "  # noqa: S608 (names from the models)
            f"JOIN {q(Vehicle._meta.db_table)} v ON v.{q('id')} = d.{q(meta.get_field('vehicle').column)} "
            f"WHERE v.{q('plate')} = ANY(%s) AND d.{q('status')} = ANY(%s)"
        )
    with connection.cursor() as cursor:
        cursor.execute(_PLAN_SQL, [plates, [str(s) for s in OPEN_STATUSES]])
        rows = [dict(zip((*_PLAN_FIELDS, "vehicle__plate"), r, strict=True)) for r in cursor.fetchall()]
    for row in rows:
        if isinstance(row["route"], str):  # Django leaves jsonb as text for its own decoding
            row["route"] = json.loads(row["route"])
    return rows


_PLAN_SQL: str | None = None


def _plan(reads: list[_ToMatch]) -> tuple[list[PlateMatch], dict[int, int], dict[int, tuple]]:
    """Best open declarations for each read: (unsaved matches with ``read_id = ref``, ref -> vehicle id).

    1. Each read's key (canonical plate, or its loose form) is expanded into plausible plates.
    2. All variants of the batch are looked up with IN queries on the indexed vehicle plate.
    3. Each read keeps its best-scoring open declaration(s) at or above ``ANPR_MATCH_MIN_SCORE``
       that were declared no more than ``ANPR_MATCH_LOOKBACK_HOURS`` after the read.
    """
    min_score = settings.ANPR_MATCH_MIN_SCORE
    lookback = dt.timedelta(hours=settings.ANPR_MATCH_LOOKBACK_HOURS)
    variants_of = {key: matching.variants(key, min_score) for key in {r.key for r in reads}}
    all_variants: set[str] = set().union(*variants_of.values()) if variants_of else set()
    by_plate: dict[str, list[dict]] = defaultdict(list)
    open_decls = TransitDeclaration.objects.filter(status__in=OPEN_STATUSES)
    if len(all_variants) <= IN_CHUNK:
        # A few reads: one query, joined on the indexed plate.
        for row in _open_rows_of_plates(sorted(all_variants)):
            by_plate[row["vehicle__plate"]].append(row)
    else:
        # A batch: find the (few) existing plates among tens of thousands of variants first.
        vehicles = _vehicles_with_plates(all_variants)
        ids = sorted(vehicles)
        for start in range(0, len(ids), IN_CHUNK):
            for row in open_decls.filter(vehicle_id__in=ids[start : start + IN_CHUNK]).values(*_PLAN_FIELDS):
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
            if row["declared_at"] - lookback <= r.captured_at
        ]
        by_id = {row["id"]: row for row in rows}
        for cand in _relevant(matching.best_candidates(r.key, rows, min_score), by_id, r.office_id):
            row = by_id[cand.declaration_id]
            route = row["route"] or [_office_code(row["origin_id"]), _office_code(row["destination_id"])]
            matches.append(
                PlateMatch(
                    read_id=r.ref,
                    declaration_id=cand.declaration_id,
                    vehicle_plate=cand.vehicle_plate,
                    score=cand.score,
                    exact=cand.exact,
                    on_route=r.office_code in route,
                    at_destination=r.office_id == row["destination_id"],
                )
            )
            summary[cand.declaration_id] = (
                row["last_read_at"], row["last_read_office_id"], row["dest_first_read_at"], row["off_route_read_at"]
            )  # fmt: skip
            vehicle_of.setdefault(r.ref, cand.vehicle_id)
    return matches, vehicle_of, summary


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


def _relevant(cands: list[matching.Candidate], rows: dict[int, dict], office_id: int) -> list[matching.Candidate]:
    """Per truck, the declarations it is moving on; arrived ones only for a read at their destination."""
    kept = []
    for vehicle_id in {c.vehicle_id for c in cands}:
        mine = [c for c in cands if c.vehicle_id == vehicle_id]
        best = min(_RANK.get(rows[c.declaration_id]["status"], 2) for c in mine)
        for c in mine:
            rank = _RANK.get(rows[c.declaration_id]["status"], 2)
            if rank == best and (rank < 2 or rows[c.declaration_id]["destination_id"] == office_id):
                kept.append(c)
    return kept


def _save_matches(matches: list[PlateMatch], read_by_id: dict[int, _ToMatch], summary: dict) -> None:
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
    cache.delete(MATCH_SCHEDULED_KEY)  # before claiming: see MATCH_SCHEDULED_KEY

    def claim_and_match() -> tuple[int, dict[str, int]]:
        claim = pending.select_for_update(skip_locked=True, of=("self",))
        rows = list(claim.filter(pk__in=read_ids).values(*fields))
        if sweep > len(rows):
            more = claim.exclude(pk__in=[r["id"] for r in rows]).order_by("id")[: sweep - len(rows)]
            rows += list(more.values(*fields))
        reads = [
            _ToMatch(r["id"], matching.match_key(r["plate"] or r["plate_raw"] or r["ocr_raw"]), r["office_id"],
                     r["office__code"], r["captured_at"])
            for r in rows
        ]  # fmt: skip
        with_key = [r for r in reads if r.key]
        matches, vehicle_of, summary = _plan(with_key)
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

    claimed, counts = _atomic_retrying(claim_and_match)
    if claimed >= sweep:  # a full sweep: more may be waiting, and no task may be queued for them
        transaction.on_commit(lambda: _schedule_matching([]))
    return counts


# A truck standing at a gate is read again and again: its "last read" moves at most once a
# minute per office, so repeated reads do not queue on the declaration's row lock.
LAST_READ_GRAIN = dt.timedelta(minutes=1)


def _note_evidence(matches: list[PlateMatch], read_by_id: dict[int, _ToMatch], summary: dict) -> None:
    """At most three summary updates per declaration: latest read, first at destination, first off route.

    ``summary`` holds each declaration's evidence as read when planning. Those times only
    move one way (latest later, firsts earlier), so a call that could not change them then
    cannot now and is skipped; the rest go to ``note_plate_reads`` in one call (conditional
    UPDATEs, rows locked in id order: safe against races and repeats).
    """
    changed: list[tuple[int, int, dt.datetime, bool]] = []
    per_decl: dict[int, list[PlateMatch]] = defaultdict(list)
    for m in matches:
        per_decl[m.declaration_id].append(m)
    for decl_id, ms in sorted(per_decl.items()):
        last, last_office, dest_first, off_first = summary.get(decl_id, (None, None, None, None))

        def at(m):
            return read_by_id[m.read_id].captured_at

        picks = {max(ms, key=at).read_id: None}
        dest = [m for m in ms if m.at_destination]
        if dest:
            picks[min(dest, key=at).read_id] = None
        off = [m for m in ms if not m.on_route]
        if off:
            picks[min(off, key=at).read_id] = None
        by_read = {m.read_id: m for m in ms}
        for read_id in picks:
            read, m = read_by_id[read_id], by_read[read_id]
            changes = (
                last is None
                or read.captured_at > last + (LAST_READ_GRAIN if read.office_id == last_office else dt.timedelta())
                or (m.at_destination and (dest_first is None or read.captured_at < dest_first))
                or (not m.on_route and (off_first is None or read.captured_at < off_first))
            )
            if changes:
                changed.append((decl_id, read.office_id, read.captured_at, m.on_route))
    declaration_services.note_plate_reads(changed)


def reads_pending_match(limit: int = 5000) -> list[int]:
    """Reads still waiting for matching (e.g. after a broker outage), oldest first."""
    return list(
        PlateRead.objects.filter(match_state=MatchState.PENDING)
        .exclude(recognition=Recognition.PENDING)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
