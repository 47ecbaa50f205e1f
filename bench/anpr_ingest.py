"""Plate-read ingestion benchmark: posts reads to a running server and times them.

Phases (each optional):

1. ``single``: one read per request, paced at ``--single-rate`` reads/s for ``--single-seconds``
   (latency p50/p95/p99 at that load) — target ≥ 200 reads/s with p95 ≤ 100 ms.
2. ``bulk``: ``--batches`` requests of ``--batch`` reads, ``--bulk-concurrency`` at a time — target
   ≥ 2,000 reads/s.
3. ``copy``: a plain ``COPY`` of the same number of rows into the reads table, in a transaction that
   is rolled back (PostgreSQL only) — the bulk rate must be ≥ 5 % of it.
4. ``burst``: ``--burst-rate`` reads/s one per request for ``--burst-seconds``; then waits until
   every read of the run is stored and matched (the Celery queue drained) and counts losses.

About half the reads carry the plate of an in-transit declaration (a tenth of those with one
confusable character changed), so matching does real work; reads go to cameras at those
declarations' destination offices. Matching runs in the request when the server has no
REDIS_URL (eager Celery) and in the workers when it has one.

Run from the project root against the same database as the server, e.g.::

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/transit
    ANPR_RATE_LIMIT_PER_MINUTE=10000000 .venv/bin/gunicorn transit_monitor.wsgi -b 127.0.0.1:8000 -w 4 &
    .venv/bin/python bench/anpr_ingest.py --url http://127.0.0.1:8000 --json

Every read of a run has a ``client_event_id`` starting with ``bench-<run>-``; ``--cleanup``
deletes the reads of earlier runs (and their matches) before starting.

Every read sent counts: one the server refused (an error status, a rejected bulk item, no
answer) is lost, as it is for a camera. The run exits with status 1 when a request got a 5xx or
no answer, or when any read sent is not stored in the end (``failed`` in the summary says why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import queue
import random
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import CustomsOffice  # noqa: E402
from anpr import matching, services  # noqa: E402
from anpr.models import Camera, MatchState, PlateMatch, PlateRead  # noqa: E402
from declarations.models import Status, TransitDeclaration  # noqa: E402
from declarations.plates import PLATE_LETTERS  # noqa: E402

CAMERA_PREFIX = "BENCH-"


# --- Setup -----------------------------------------------------------------------------------


def setup(n_cameras: int, n_plates: int, rng: random.Random):
    """Bench cameras at destinations of in-transit declarations (fresh tokens), and their plates."""
    rows = list(
        TransitDeclaration.objects.filter(status=Status.IN_TRANSIT).values_list("vehicle__plate", "destination_id")[
            :n_plates
        ]
    )
    office_ids = sorted({d for _, d in rows}) or list(CustomsOffice.objects.values_list("id", flat=True)[:10])
    cameras = []
    for i in range(n_cameras):
        code = f"{CAMERA_PREFIX}{i:03d}"
        office = CustomsOffice.objects.get(pk=office_ids[i % len(office_ids)])
        camera = Camera.objects.filter(code=code).first()
        if camera is None:
            camera, token = services.camera_register(office=office, code=code, direction="in")
        else:
            Camera.objects.filter(pk=camera.pk).update(office=office, status=Camera.Status.ACTIVE)
            camera.refresh_from_db()
            _, token = services.camera_rotate_token(camera=camera)
        cameras.append((camera, token))
    plates_by_office: dict[int, list[str]] = {}
    for plate, office_id in rows:
        plates_by_office.setdefault(office_id, []).append(plate)
    return cameras, plates_by_office


def cleanup():
    reads = PlateRead.objects.filter(client_event_id__startswith="bench-")
    PlateMatch.objects.filter(read__in=reads).delete()
    return reads.delete()[0]


def random_plate(rng: random.Random) -> str:
    return f"{rng.randint(10, 99)}{rng.choice(PLATE_LETTERS)}{rng.randint(100, 999)}{rng.randint(10, 99)}"


def confuse(plate: str, rng: random.Random) -> str:
    spots = [(i, alt) for i, ch in enumerate(plate) for alt, _ in matching.ALTERNATIVES.get(ch, ()) if
             matching.substitution_allowed(plate, i, alt)]  # fmt: skip
    if not spots:
        return plate
    i, alt = rng.choice(spots)
    return plate[:i] + alt + plate[i + 1 :]


class ReadMaker:
    """Unique reads: (camera, captured_at, plate) never repeats within a run."""

    def __init__(self, run: str, cameras, plates_by_office, rng: random.Random, match_share: float):
        self.run, self.cameras, self.plates, self.rng, self.share = run, cameras, plates_by_office, rng, match_share
        self.n = 0
        self.lock = threading.Lock()
        self.base = timezone.now() - dt.timedelta(hours=1)

    def make(self, camera_index: int | None = None) -> tuple[int, dict]:
        with self.lock:
            self.n += 1
            n = self.n
            ci = camera_index if camera_index is not None else n % len(self.cameras)
            camera, _ = self.cameras[ci]
            plates = self.plates.get(camera.office_id)
            if plates and self.rng.random() < self.share:
                plate = self.rng.choice(plates)
                if self.rng.random() < 0.1:
                    plate = confuse(plate, self.rng)
            else:
                plate = random_plate(self.rng)
            at = self.base + dt.timedelta(milliseconds=n)
        return ci, {
            "captured_at": at.isoformat(),
            "plate": plate,
            "confidence": round(self.rng.uniform(0.6, 0.99), 2),
            "client_event_id": f"bench-{self.run}-{n}",
        }


# --- HTTP ------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, url: str):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.prefix = u.hostname, u.port or 80, u.path.rstrip("/")
        self.local = threading.local()

    def post(self, path: str, token: str, body) -> tuple[int, float, dict | None]:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Camera {token}"}
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            t0 = time.perf_counter()
            try:
                conn.request("POST", self.prefix + path, data, headers)
                resp = conn.getresponse()
                raw = resp.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    return 0, time.perf_counter() - t0, None
                continue
            elapsed = time.perf_counter() - t0
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return resp.status, elapsed, parsed
        return 0, 0.0, None


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def paced(client: Client, maker: ReadMaker, rate: float, seconds: float, threads: int) -> dict:
    """One read per request at a fixed rate; latency is measured from the scheduled send time too,
    so a server that falls behind shows it (no coordinated omission)."""
    jobs: queue.Queue = queue.Queue()
    lat, lat_sched, codes = [], [], {}
    lock = threading.Lock()

    def worker():
        while True:
            job = jobs.get()
            if job is None:
                return
            scheduled, ci, body = job
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status, elapsed, _ = client.post("/api/anpr/reads/", maker.cameras[ci][1], body)
            done = time.perf_counter()
            with lock:
                lat.append(elapsed)
                lat_sched.append(done - scheduled)
                codes[status] = codes.get(status, 0) + 1

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)
    for i in range(total):
        ci, body = maker.make()
        jobs.put((start + i / rate, ci, body))
        # Keep the queue short so reads are generated close to their send time.
        while jobs.qsize() > rate:
            time.sleep(0.05)
    for _ in pool:
        jobs.put(None)
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    ok = codes.get(201, 0) + codes.get(200, 0)
    return {
        "requests": total,
        "sent": total,
        "ok": ok,
        "refused": total - ok,
        "status_codes": {str(k): v for k, v in sorted(codes.items())},
        "target_rate": rate,
        "reads_per_s": round(ok / wall, 1),
        "p50_ms": round(pct(lat, 50) * 1000, 1),
        "p95_ms": round(pct(lat, 95) * 1000, 1),
        "p99_ms": round(pct(lat, 99) * 1000, 1),
        "p95_from_schedule_ms": round(pct(lat_sched, 95) * 1000, 1),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
    }


def bulk(client: Client, maker: ReadMaker, batches: int, size: int, concurrency: int) -> dict:
    payloads = []
    for b in range(batches):
        ci = b % len(maker.cameras)
        payloads.append((ci, {"reads": [maker.make(ci)[1] for _ in range(size)]}))
    jobs: queue.Queue = queue.Queue()
    for p in payloads:
        jobs.put(p)
    lat, stored, dup, rejected, codes = [], [0], [0], [0], {}
    lock = threading.Lock()

    def worker():
        while True:
            try:
                ci, body = jobs.get_nowait()
            except queue.Empty:
                return
            status, elapsed, parsed = client.post("/api/anpr/reads/bulk/", maker.cameras[ci][1], body)
            with lock:
                lat.append(elapsed)
                codes[status] = codes.get(status, 0) + 1
                if status == 200 and parsed:
                    stored[0] += parsed["stored"]
                    dup[0] += parsed["duplicates"]
                    rejected[0] += parsed["rejected"]

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    sent = batches * size
    return {
        "batches": batches,
        "batch_size": size,
        "sent": sent,
        "refused": sent - stored[0] - dup[0],
        "stored": stored[0],
        "duplicates": dup[0],
        "rejected": rejected[0],
        "status_codes": {str(k): v for k, v in sorted(codes.items())},
        "seconds": round(wall, 2),
        "reads_per_s": round(stored[0] / wall, 1) if wall else None,
        "batch_p95_ms": round(pct(lat, 95) * 1000, 1),
    }


def copy_baseline(maker: ReadMaker, n: int) -> dict:
    """A plain COPY of n read rows into the same indexed table, rolled back afterwards."""
    if connection.vendor != "postgresql":
        return {"skipped": "COPY needs PostgreSQL"}
    now = timezone.now().isoformat()
    buf = io.StringIO()
    for _ in range(n):
        ci, body = maker.make()
        camera = maker.cameras[ci][0]
        fields = [
            camera.pk,
            camera.office_id,
            body["captured_at"],
            now,
            "copy-" + body["client_event_id"],
            body["plate"],
            "",
            body["plate"],
            "IR",
            "camera",
            body["confidence"],
            "",
            "",
            "camera",
            "",
            MatchState.PENDING,
        ]
        buf.write("\t".join(str(f) for f in fields) + "\n")
    buf.seek(0)
    columns = (
        "camera_id, office_id, captured_at, received_at, client_event_id, plate_raw, ocr_raw, plate, country, "
        "engine, confidence, photo, crop, recognition, recognition_error, match_state"
    )
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                start = time.perf_counter()
                cur.cursor.copy_expert(f"COPY {PlateRead._meta.db_table} ({columns}) FROM STDIN", buf)
                elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return {"rows": n, "seconds": round(elapsed, 3), "rows_per_s": round(n / elapsed, 1)}


class _Rollback(Exception):
    pass


def wait_drained(run: str, expected: int, timeout: float) -> dict:
    """Wait until every stored read of this run is out of the matching queue; ``expected`` reads
    were sent, and those not stored are lost (a read is stored in its request, or never)."""
    reads = PlateRead.objects.filter(client_event_id__startswith=f"bench-{run}-")
    start = time.perf_counter()
    while True:
        stored = reads.count()
        pending = reads.filter(match_state=MatchState.PENDING).count()
        if pending == 0 or time.perf_counter() - start > timeout:
            break
        time.sleep(1)
    return {
        "expected": expected,
        "stored": stored,
        "pending": pending,
        "lost": max(0, expected - stored),
        "matched": reads.filter(match_state=MatchState.MATCHED).count(),
        "drain_seconds": round(time.perf_counter() - start, 1),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--phases", default="single,bulk,copy", help="comma list of single,bulk,copy,burst")
    ap.add_argument("--cameras", type=int, default=50)
    ap.add_argument("--plates", type=int, default=20000, help="in-transit plates sampled for matching reads")
    ap.add_argument("--match-share", type=float, default=0.5)
    ap.add_argument("--single-rate", type=float, default=200)
    ap.add_argument("--single-seconds", type=float, default=30)
    ap.add_argument("--threads", type=int, default=32, help="sender threads for paced phases")
    ap.add_argument(
        "--warmup-seconds",
        type=float,
        default=3,
        help="reads at the single rate first, not measured: a fresh worker's first requests load "
        "translations and URL patterns (hundreds of ms) and a restarted server would be timed on them",
    )
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--bulk-concurrency", type=int, default=4)
    ap.add_argument("--burst-rate", type=float, default=200)
    ap.add_argument("--burst-seconds", type=float, default=300)
    ap.add_argument("--drain-timeout", type=float, default=900)
    ap.add_argument("--cleanup", action="store_true", help="delete reads of earlier bench runs first")
    ap.add_argument("--seed", type=int, default=1404)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    run = uuid.uuid4().hex[:8]
    result: dict = {"run": run, "url": args.url, "database": connection.vendor}
    if args.cleanup:
        result["cleaned_up"] = cleanup()
    cameras, plates = setup(args.cameras, args.plates, rng)
    result["declarations"] = TransitDeclaration.objects.order_by().count() if args.plates else None
    result["cameras"] = len(cameras)
    result["in_transit_plates_sampled"] = sum(len(v) for v in plates.values())
    client = Client(args.url)
    maker = ReadMaker(run, cameras, plates, rng, args.match_share)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    sent = 0
    if args.warmup_seconds > 0 and ("single" in phases or "burst" in phases):
        result["warmup"] = paced(client, maker, args.single_rate, args.warmup_seconds, args.threads)
        sent += result["warmup"]["sent"]
    if "single" in phases:
        result["single"] = paced(client, maker, args.single_rate, args.single_seconds, args.threads)
        sent += result["single"]["sent"]
    if "bulk" in phases:
        result["bulk"] = bulk(client, maker, args.batches, args.batch, args.bulk_concurrency)
        sent += result["bulk"]["sent"]
    if "copy" in phases:
        result["copy"] = copy_baseline(maker, args.batches * args.batch)
        if "bulk" in phases and result["copy"].get("rows_per_s"):
            result["bulk_share_of_copy"] = round(result["bulk"]["reads_per_s"] / result["copy"]["rows_per_s"], 4)
    if "burst" in phases:
        result["burst"] = paced(client, maker, args.burst_rate, args.burst_seconds, args.threads)
        sent += result["burst"]["sent"]
    if sent:
        result["drain"] = wait_drained(run, sent, args.drain_timeout)
    result["failed"] = failures(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if result["failed"] else 0


def failures(result: dict) -> list[str]:
    """Why the run failed: requests answered 5xx or not at all, and reads sent but not stored."""
    out = []
    for phase in ("warmup", "single", "bulk", "burst"):
        codes = result.get(phase, {}).get("status_codes", {})
        bad = {code: n for code, n in codes.items() if code == "0" or code.startswith("5")}
        if bad:
            out.append(f"{phase}: {sum(bad.values())} requests failed ({bad}; 0 = no answer)")
    drain = result.get("drain")
    if drain and drain["lost"]:
        out.append(f"{drain['lost']} of {drain['expected']} reads sent were not stored")
    return out


if __name__ == "__main__":
    sys.exit(main())
