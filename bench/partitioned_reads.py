"""Plate reads in the monthly-partitioned table at national volume: bulk load, ingest, and the reads
pages on it (PostgreSQL only; ``core.partitions``).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --declarations 50000 --months 24
    nice .venv/bin/python bench/partitioned_reads.py --rows 10000000 --months 24 --json

Phases:

1. ``load``: ``--rows`` reads over the last ``--months`` months, oldest first (as cameras send
   them), generated here and written with ``COPY … FROM STDIN`` in chunks of ``--chunk`` rows, one
   transaction each, into the partitioned, fully indexed table; rows/s for generation and COPY
   apart, and per tenth of the load (does it slow down as the table grows?). Cameras are the
   seeded ones plus bench cameras up to ``--cameras``; two reads in three carry a seeded
   vehicle's plate (a few trucks very often: a Pareto draw), the rest random plates; every read
   has a photo name and its SHA-256, half a client event id (row size as in production).
2. ``ingest``: ``--sample`` reads through the service path (``anpr.ingest.reads_ingest``, batches
   of ``--batch`` per camera, matching included as without a broker), rows/s.
3. ``queries``: in-process Django test client as a national (HQ) user: plate search
   (``/anpr/plates/?q=``), the sighting history on a vehicle's page (``/declarations/vehicles/<pk>/``)
   and the dashboard (``/``, cache cleared before each), ``--repeat`` each over different plates and
   vehicles (typical seeded trucks, plates never read, and the busiest plates of the last 30 days),
   p50/p95 ms; plus a read by id (no month known: one index probe per partition). The plate search's
   CSV is an export job the worker builds (the page's link only records it and redirects to the job's
   page): ``plate_search_csv_busiest`` times the job as the CSV link records it, built here to its
   file (``core.exports.build``, in this process, as the worker's task runs it) for ten of the busiest
   plates: what a person waits for, less the worker's queue and the job page's poll (2 s). Those
   jobs and their files stay, as every export job does.
4. ``sizes``: rows and bytes per partition (``partitions list``), bytes per read, and the
   extrapolation to 100,000,000 reads.

``--skip-load`` measures an already loaded table. Reads of the bench cameras (code ``PBENCH-``)
stay; drop the database when done.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from accounts.models import CustomsOffice, Role, User  # noqa: E402
from anpr import exports as anpr_exports  # noqa: E402
from anpr import ingest, matching, services  # noqa: E402
from anpr import reports as anpr_reports  # noqa: E402
from anpr.models import Camera, PlateRead  # noqa: E402
from core import exports, partitions  # noqa: E402
from core.models import ExportJob, ExportState  # noqa: E402
from declarations.models import Vehicle  # noqa: E402
from declarations.plates import PLATE_LETTERS  # noqa: E402

TABLE = "anpr_plateread"
COLUMNS = [
    "camera_id",
    "office_id",
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
    "photo_sha256",
    "crop_sha256",
    "recognition",
    "recognition_error",
    "match_state",
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def random_plate(rng: random.Random) -> str:
    letters = PLATE_LETTERS if isinstance(PLATE_LETTERS, str) else "".join(PLATE_LETTERS)
    return f"{rng.randint(10, 99)}{rng.choice(letters)}{rng.randint(100, 999)}{rng.randint(10, 99)}"


def setup(n_cameras: int) -> tuple[list[tuple[int, int]], list[str], list[int]]:
    cams = list(Camera.objects.values_list("pk", "office_id"))
    offices = list(CustomsOffice.objects.values_list("pk", flat=True))
    i = 0
    while len(cams) < n_cameras:
        i += 1
        code = f"PBENCH-{i}"
        if Camera.objects.filter(code=code).exists():
            continue
        office = offices[len(cams) % len(offices)]
        camera, _ = services.camera_register(
            office=CustomsOffice.objects.get(pk=office), code=code, direction="in", lane=str((i - 1) % 99 + 1)
        )
        cams.append((camera.pk, office))
    plates = list(Vehicle.objects.values_list("plate", flat=True)[:200_000])
    vehicles = list(Vehicle.objects.values_list("pk", flat=True)[:200_000])
    return cams, plates, vehicles


def generate(rng, n, start, end, cams, plates, serial0) -> tuple[io.StringIO, int]:
    """``n`` reads between ``start`` and ``end``, in capture order, as CSV."""
    span = (end - start).total_seconds()
    times = sorted(rng.random() * span for _ in range(n))
    out = io.StringIO()
    write = out.write
    for k, offset in enumerate(times):
        cam, office = cams[rng.randrange(len(cams))]
        at = start + dt.timedelta(seconds=offset)
        if plates and rng.random() < 2 / 3:
            # Pareto: a few trucks cross very often, most rarely.
            plate = (
                plates[min(len(plates) - 1, int(rng.paretovariate(1.2)) - 1)]
                if rng.random() < 0.3
                else (plates[rng.randrange(len(plates))])
            )
        else:
            plate = random_plate(rng)
        serial = serial0 + k
        digest = hashlib.sha256(str(serial).encode()).hexdigest()
        event = f"ev-{serial}" if serial % 2 else '""'  # quoted: an empty text, not NULL
        at_s = at.isoformat()
        recv = (at + dt.timedelta(seconds=2)).isoformat()
        write(
            f'{cam},{office},{at_s},{recv},{event},{plate},"",{plate},IR,camera,{rng.uniform(0.6, 1):.3f},'
            f'anpr/photos/{cam}/{at:%Y/%m/%d}/{digest[:40]}.jpg,"",{digest},"",camera,"",unmatched\n'
        )
    out.seek(0)
    return out, n


def load(args, rng, cams, plates) -> dict:
    now = timezone.now()
    start = partitions.add_months(partitions.month_start(now), -args.months + 1)
    partitions.ensure(TABLE, months_back=args.months)
    chunks = max(1, -(-args.rows // args.chunk))
    span = now - start
    gen_s = copy_s = 0.0
    per_tenth: list[dict] = []
    tenth_rows = tenth_copy = 0.0
    done = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(id), 0) FROM anpr_plateread")
        serial0 = cursor.fetchone()[0] + 1
    for i in range(chunks):
        n = min(args.chunk, args.rows - done)
        t0 = time.monotonic()
        data, n = generate(
            rng, n, start + span * i / chunks, start + span * (i + 1) / chunks, cams, plates, serial0 + done
        )
        t1 = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)", data)
        t2 = time.monotonic()
        gen_s += t1 - t0
        copy_s += t2 - t1
        done += n
        tenth_rows += n
        tenth_copy += t2 - t1
        if (i + 1) % max(1, chunks // 10) == 0 or i == chunks - 1:
            per_tenth.append({"rows_so_far": done, "copy_rows_per_s": round(tenth_rows / tenth_copy)})
            print(f"  loaded {done:,} reads; COPY {tenth_rows / tenth_copy:,.0f} rows/s in this stretch", flush=True)
            tenth_rows = tenth_copy = 0.0
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    analyze_s = time.monotonic() - t0
    return {
        "rows": done,
        "months": args.months,
        "generate_s": round(gen_s, 1),
        "copy_s": round(copy_s, 1),
        "copy_rows_per_s": round(done / copy_s),
        "analyze_s": round(analyze_s, 1),
        "per_tenth": per_tenth,
    }


def ingest_sample(args, rng, cams, plates) -> dict:
    now = timezone.now()
    cameras = {c.pk: c for c in Camera.objects.filter(pk__in=[c for c, _ in cams[:50]]).select_related("office")}
    ids = list(cameras)
    sent = 0
    t0 = time.monotonic()
    while sent < args.sample:
        camera = cameras[ids[rng.randrange(len(ids))]]
        items = [
            ingest.ReadInput(
                captured_at=(now - dt.timedelta(seconds=rng.randrange(3600), microseconds=rng.randrange(10**6))),
                plate_raw=plates[rng.randrange(len(plates))] if plates and rng.random() < 0.5 else random_plate(rng),
                client_event_id=f"pb-{time.time_ns()}-{k}",
            )
            for k in range(min(args.batch, args.sample - sent))
        ]
        ingest.reads_ingest(camera=camera, items=items)
        sent += len(items)
    seconds = time.monotonic() - t0
    return {"reads": sent, "batch": args.batch, "seconds": round(seconds, 2), "rows_per_s": round(sent / seconds)}


HQ_USERNAME = "pbench_hq"


def hq_client() -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts import two_factor

    user, _ = User.objects.get_or_create(username=HQ_USERNAME, defaults={"role": Role.HQ})
    client = Client()
    client.force_login(user)
    device = two_factor.enrol_for_demo(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed(client: Client, url: str, params: dict | None = None, *, clear_cache: bool = False) -> float:
    if clear_cache:
        cache.clear()
    t0 = time.monotonic()
    resp = client.get(url, params or {})
    ms = (time.monotonic() - t0) * 1000
    if resp.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {resp.status_code}")
    return ms


def timed_csv_export(user: User, plate: str) -> float:
    """The plate search's CSV as a person gets it: the export job its link records (``anpr.views._export``:
    the same kind, filters and report), built to its file synchronously by the export service the
    worker's task calls (``core.exports.build``); ms from the job's recording to its file. Recorded here
    rather than through the link, whose job would go to the broker (a worker might take it first)."""
    query = urlencode({"q": plate, "format": "csv"})
    cache.clear()  # as each page above is timed
    t0 = time.monotonic()
    job = ExportJob.objects.create(
        user=user,
        kind=anpr_exports.KIND,
        fmt="csv",
        query=query,
        params={"report": anpr_reports.PlateHistory.code, "plate": matching.match_key(plate)},
        language=translation.get_language() or settings.LANGUAGE_CODE,
        content_type=exports.CONTENT_TYPES["csv"],
    )
    state = exports.build(job.pk)
    ms = (time.monotonic() - t0) * 1000
    if state != ExportState.DONE:
        job.refresh_from_db()
        raise SystemExit(f"CSV export of {plate}: job {job.pk} {state}: {job.error}")
    return ms


def queries(args, rng) -> dict:
    client = hq_client()
    with connection.cursor() as cursor:
        # Plates with many reads (the busy trucks) and vehicles among them: the worst pages.
        cursor.execute(
            "SELECT plate, count(*) FROM anpr_plateread WHERE captured_at > now() - interval '30 days' "
            "GROUP BY plate ORDER BY count(*) DESC LIMIT %s",
            [args.repeat],
        )
        busy = cursor.fetchall()
    plates = [p for p, _ in busy]
    vehicles = list(Vehicle.objects.filter(plate__in=plates).values_list("pk", flat=True))
    if len(vehicles) < args.repeat:
        vehicles += list(Vehicle.objects.values_list("pk", flat=True)[: args.repeat - len(vehicles)])
    out: dict = {"busiest_plate_reads_30d": busy[0][1] if busy else 0}
    # Typical trucks: seeded vehicles drawn at random (the generator's busiest plates are far busier
    # than any real truck), and plates never read.
    typical = random.Random(7).sample(list(Vehicle.objects.values_list("pk", "plate")), args.repeat)
    for name, runs in (
        ("plate_search_typical", [("/anpr/plates/", {"q": p}) for _, p in typical]),
        ("plate_search_unknown", [("/anpr/plates/", {"q": random_plate(rng)}) for _ in range(args.repeat)]),
        ("vehicle_page_typical", [(f"/declarations/vehicles/{pk}/", None) for pk, _ in typical]),
        ("plate_search_busiest", [("/anpr/plates/", {"q": p}) for p in plates]),
        ("vehicle_page_busiest", [(f"/declarations/vehicles/{pk}/", None) for pk in vehicles[: args.repeat]]),
        ("dashboard_cold", [("/", None)] * args.repeat),
    ):
        timed(client, *runs[0], clear_cache=True)  # warm the code paths
        ms = [timed(client, url, params, clear_cache=True) for url, params in runs]
        out[name] = {"n": len(ms), "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(pct(ms, 95), 1)}
        print(f"  {name}: p50 {out[name]['p50_ms']} ms, p95 {out[name]['p95_ms']} ms ({len(ms)} requests)", flush=True)
    # The CSV of a busy plate: its export job, from the click to the file (the job's page then offers it).
    hq = User.objects.get(username=HQ_USERNAME)
    if plates:
        timed_csv_export(hq, plates[0])  # warm the code paths
        ms = [timed_csv_export(hq, p) for p in plates[:10]]
        out["plate_search_csv_busiest"] = {
            "n": len(ms),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(pct(ms, 95), 1),
        }
        shown = out["plate_search_csv_busiest"]
        print(
            f"  plate_search_csv_busiest: p50 {shown['p50_ms']} ms, p95 {shown['p95_ms']} ms ({len(ms)} jobs)",
            flush=True,
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM anpr_plateread")
        lo, hi = cursor.fetchone()
    ms = []
    for _ in range(args.repeat):
        pk = rng.randint(lo, hi)
        t0 = time.monotonic()
        PlateRead.objects.filter(pk=pk).first()
        ms.append((time.monotonic() - t0) * 1000)
    out["read_by_id"] = {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p95_ms": round(pct(ms, 95), 2)}
    print(f"  read_by_id: p50 {out['read_by_id']['p50_ms']} ms", flush=True)
    return out


def sizes() -> dict:
    parts = partitions.partitions(TABLE)
    rows = sum(p.rows for p in parts)
    total = sum(p.bytes for p in parts)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(sum(pg_relation_size(i.inhrelid)), 0) FROM pg_inherits i WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        heap = int(cursor.fetchone()[0])
    per_row = total / rows if rows else 0
    biggest = max(parts, key=lambda p: p.rows) if parts else None
    return {
        "partitions": len(parts),
        "rows_estimate": rows,
        "bytes_total": total,
        "bytes_heap": heap,
        "bytes_per_read_total": round(per_row),
        "biggest_partition": {"name": biggest.name, "rows": biggest.rows, "bytes": biggest.bytes} if biggest else None,
        "extrapolated_100m_gb": round(per_row * 100_000_000 / 1024**3, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--cameras", type=int, default=200)
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1404)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not partitions.is_partitioned(TABLE):
        raise SystemExit("needs PostgreSQL with the partitioned reads table (migrate first)")
    rng = random.Random(args.seed)
    cams, plates, _vehicles = setup(args.cameras)
    result: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        "cameras": len(cams),
        "seeded_plates": len(plates),
    }
    if not args.skip_load:
        print(f"loading {args.rows:,} reads over {args.months} months …", flush=True)
        result["load"] = load(args, rng, cams, plates)
    print("ingest through the service path …", flush=True)
    result["ingest"] = ingest_sample(args, rng, cams, plates)
    print("queries …", flush=True)
    result["queries"] = queries(args, rng)
    result["sizes"] = sizes()
    result["load_average_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
