"""Load run of issue 17: the whole system under a working day's peak, bounded in time, 127.0.0.1 only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load1m REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/load.py --declarations 1000000 --minutes 10 --json var/load/result.json

Steps:
1. the database must hold ``--declarations`` declarations (``--seed`` runs ``seed_demo`` first if it
   holds fewer); migrations are applied; ``ANALYZE`` (as autovacuum would have);
2. plan: dashboard personas (HQ, province inspectors, office staff) with sessions in the database,
   ``--cameras`` bench cameras at destinations of in-transit declarations (fresh tokens), and the scan
   pairs for one upload a second (origin, then destination, of in-transit declarations), drawn as the
   demo draws them; written to a JSON plan;
3. gunicorn (``--web-workers``) and the Celery workers (one per queue when the settings route tasks to
   queues, otherwise one for all) on the same PostgreSQL and Redis;
4. a warm-up (``--warmup`` seconds, not counted) of the same users and cameras, then locust
   (``bench/load_locust.py``) with ``--users`` dashboard users and ``--cameras`` cameras posting a
   read a second each and one scan upload a second, for ``--minutes``; the share of each core taken
   by each part of the stack over the measured run (``bench/cpu_share.py``);
5. waits until the queues drain (``--drain-timeout``), then counts: every read posted with a 201/200
   stored once and out of matching; every comparison queued by the run done; 5xx and failures.

Prints one JSON line: per endpoint requests, failures, p50/p95/p99; the counts; and whether the goals
(zero errors, dashboard p95 <= 500 ms, every read stored and matched, every comparison done) hold.
Exit status 1 when a goal does not hold.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import cpu_share  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")
# The sessions made here must be valid in the server: one secret key for both (the session hash).
os.environ.setdefault("SECRET_KEY", "load-" + uuid.uuid4().hex)
os.environ.setdefault("DEBUG", "0")
BIN = Path(sys.executable).parent
QUEUES = ("recognition", "comparison", "reports", "default")
DASHBOARD_NAMES = ("/ dashboard", "/?partial=signals", "/declarations/?filter", "/declarations/<id>/")


def ensure_data(declarations: int, seed: bool) -> int:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from declarations.models import TransitDeclaration

    have = TransitDeclaration.objects.count()
    if have < declarations:
        if not seed:
            raise SystemExit(f"the database holds {have:,} declarations, fewer than {declarations:,}: add --seed")
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "seed_demo",
                "--declarations",
                str(declarations),
                "--months",
                "24",
                "--chunk",
                "50000",
                "--json",
            ],
            cwd=ROOT,
            check=True,
        )
        have = TransitDeclaration.objects.count()
    # The planner's figures as autovacuum keeps them in production: a database whose autovacuum is
    # off (this machine's CI PostgreSQL) or that a seed and earlier runs have just filled plans the
    # gate reads' join as a scan of the whole month of reads (55 ms instead of 1 ms a page).
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return have


def personas(detail_samples: int) -> list[dict]:
    """Session cookies of HQ, inspectors of the five busiest provinces and staff of the ten busiest
    offices, each with declaration ids in their own scope (a verified second factor, as after login)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts import services as account_services
    from accounts import two_factor
    from accounts.models import CustomsOffice, Province, User
    from declarations import selectors
    from declarations.models import TransitDeclaration

    busiest = list(TransitDeclaration.objects.values("destination_id").annotate(n=Count("id")).order_by("-n")[:10])
    offices = CustomsOffice.objects.in_bulk([row["destination_id"] for row in busiest])
    provinces = list(Province.objects.filter(offices__in=offices.values()).distinct()[:5])
    wanted: list[tuple[str, str, CustomsOffice | None, Province | None]] = [("load_hq", "hq", None, None)]
    wanted += [(f"load_insp_{p.code.lower()}", "inspector", None, p) for p in provinces]
    wanted += [(f"load_staff_{o.code.lower()}", "office", o, None) for o in offices.values()]
    out = []
    for username, role, office, province in wanted:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"role": role, "office": office, "province": province, "is_active": True}
        )
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if two_factor.required_for(user):
            store[DEVICE_ID_SESSION_KEY] = two_factor.enrol_for_demo(user).persistent_id
        store.create()
        ids = list(selectors.scoped(user).order_by("-declared_at").values_list("pk", flat=True)[: detail_samples * 20])
        random.Random(username).shuffle(ids)
        _, api_key = account_services.api_token_issue(user=user, name="load run", days=1)
        out.append(
            {
                "token": api_key,
                "user": username,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
                "ids": ids[:detail_samples],
            }
        )
    return out


def cameras(n: int) -> list[dict]:
    """Bench cameras at the destinations of in-transit declarations, with fresh tokens and the plates
    of the declarations bound for their office."""
    from accounts.models import CustomsOffice
    from anpr import services
    from anpr.models import Camera
    from declarations.models import Status, TransitDeclaration

    rows = list(
        TransitDeclaration.objects.filter(status=Status.IN_TRANSIT)
        .order_by("-declared_at")
        .values_list("vehicle__plate", "destination_id")[:20000]
    )
    office_ids = sorted({d for _, d in rows}) or list(CustomsOffice.objects.values_list("id", flat=True)[:10])
    plates: dict[int, list[str]] = {}
    for plate, office_id in rows:
        plates.setdefault(office_id, []).append(plate)
    out = []
    for i in range(n):
        code = f"LOAD-{i:03d}"
        office = CustomsOffice.objects.get(pk=office_ids[i % len(office_ids)])
        camera = Camera.objects.filter(code=code).first()
        if camera is None:
            camera, token = services.camera_register(office=office, code=code, direction="in")
        else:
            Camera.objects.filter(pk=camera.pk).update(office=office, status=Camera.Status.ACTIVE)
            camera.refresh_from_db()
            _, token = services.camera_rotate_token(camera=camera)
        out.append({"code": code, "token": token, "plates": plates.get(office.pk, [])[:500]})
    return out


def scan_plan(uploads: int, workdir: Path) -> list[dict]:
    """``uploads`` uploads: origin then destination scans of in-transit declarations with no scan yet,
    drawn as the demo draws them, uploaded with an API token of a clerk of the scanning office."""
    import numpy as np
    from PIL import Image

    from accounts import services as account_services
    from declarations.demo import demo_clerk
    from declarations.models import Status, TransitDeclaration
    from scans.benchmark.pairs import make_pair, synthetic_scan
    from scans.demo import SIZE

    pairs = (uploads + 1) // 2
    decls = list(
        TransitDeclaration.objects.filter(status=Status.IN_TRANSIT, scans__isnull=True)
        .select_related("origin", "destination")
        .order_by("-declared_at")[:pairs]
    )
    tokens: dict[int, str] = {}

    def token_for(office) -> str:
        if office.pk not in tokens:
            _, key = account_services.api_token_issue(user=demo_clerk(office), name="load run", days=1)
            tokens[office.pk] = key
        return tokens[office.pk]

    workdir.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i, d in enumerate(decls):
        src = synthetic_scan(int(d.pk), *SIZE)
        _, dest_jpeg, _ = make_pair(src, np.random.default_rng(int(d.pk)), tampered=i % 3 == 1)
        origin_file = workdir / f"{d.pk}-origin.png"
        Image.fromarray(src).save(origin_file, "PNG")
        dest_file = workdir / f"{d.pk}-dest.jpg"
        dest_file.write_bytes(dest_jpeg)
        jobs.append({"declaration": d.pk, "stage": "origin", "scanner_id": f"{d.origin.code}-LOAD",
                     "file": str(origin_file), "token": token_for(d.origin)})  # fmt: skip
        jobs.append({"declaration": d.pk, "stage": "destination", "scanner_id": f"{d.destination.code}-LOAD",
                     "file": str(dest_file), "token": token_for(d.destination)})  # fmt: skip
    return jobs[:uploads]


def routed_queues() -> list[str]:
    from django.conf import settings

    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    names = {r.get("queue") for r in routes.values() if isinstance(r, dict)} - {None}
    return [q for q in QUEUES if q in names or q == "default"] if names else []


def start(cmd: list[str], log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def drained(run: str, decl_ids: list[int], timeout: float) -> dict:
    from anpr.models import MatchState, PlateRead, Recognition
    from scans.models import Scan, ScanComparison

    reads = PlateRead.objects.filter(client_event_id__startswith=f"load-{run}-run-")  # the measured run's
    comparisons = ScanComparison.objects.filter(declaration_id__in=decl_ids)
    start_at = time.monotonic()
    while True:
        pending = reads.filter(match_state=MatchState.PENDING).count()
        unfinished = comparisons.exclude(status=ScanComparison.Status.DONE).count()
        if (pending == 0 and unfinished == 0) or time.monotonic() - start_at > timeout:
            break
        time.sleep(2)
    events = list(reads.values_list("client_event_id", flat=True))
    return {
        "reads_stored": len(events),
        "reads_stored_twice": len(events) - len(set(events)),
        "reads_pending_match": pending,
        "reads_matched": reads.filter(match_state=MatchState.MATCHED).count(),
        "reads_recognition_failed": reads.filter(recognition=Recognition.FAILED).count(),
        # declarations of the run with both scans stored: each must have had a comparison
        "pairs_uploaded": len(
            set(
                Scan.objects.filter(declaration_id__in=decl_ids, stage="origin").values_list(
                    "declaration_id", flat=True
                )
            )
            & set(
                Scan.objects.filter(declaration_id__in=decl_ids, stage="destination").values_list(
                    "declaration_id", flat=True
                )
            )
        ),
        "comparisons": comparisons.count(),
        "comparisons_done": comparisons.filter(status=ScanComparison.Status.DONE).count(),
        "drain_seconds": round(time.monotonic() - start_at, 1),
    }


def locust_stats(prefix: Path) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "p99_ms": float(row["99%"] or 0),
                "rps": round(float(row["Requests/s"]), 1),
            }
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", encoding="utf-8") as fh:
            failures = [
                {"name": r["Name"], "error": r["Error"][:200], "count": int(r["Occurrences"])}
                for r in csv.DictReader(fh)
            ]
    return {"endpoints": rows, "failures": failures}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--declarations", type=int, default=1_000_000)
    ap.add_argument("--seed", action="store_true", help="seed_demo first when the database holds fewer")
    ap.add_argument("--users", type=int, default=200, help="concurrent dashboard users")
    ap.add_argument("--cameras", type=int, default=50, help="cameras posting a read a second each")
    ap.add_argument("--scan-every", type=float, default=1.0, help="seconds between scan uploads (0: none)")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument(
        "--warmup",
        type=float,
        default=60,
        help="seconds of the same users and cameras (no scans) before the measured run, not counted: "
        "the figures are of a running system, not of one whose caches and workers are starting",
    )
    ap.add_argument("--think", default="1,3", help="seconds between a dashboard user's clicks: min,max")
    ap.add_argument("--spawn-rate", type=float, default=25)
    ap.add_argument("--web-workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (gthread)")
    ap.add_argument("--worker-concurrency", type=int, default=1, help="Celery processes per queue")
    ap.add_argument("--port", type=int, default=8180)
    ap.add_argument("--drain-timeout", type=float, default=900)
    ap.add_argument("--json", help="also write the result here")
    args = ap.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL=postgres://... is required (the run measures the production stack)")
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL=redis://... is required (broker, results, cache)")
    have = ensure_data(args.declarations, args.seed)
    run = uuid.uuid4().hex[:8]
    workdir = ROOT / "var" / "load" / run
    workdir.mkdir(parents=True, exist_ok=True)
    seconds = int(args.minutes * 60)
    uploads = int(seconds / args.scan_every) if args.scan_every > 0 else 0
    t0 = time.perf_counter()
    plan: dict[str, Any] = {
        "run": run,
        "personas": personas(200),
        "cameras": cameras(args.cameras),
        "scans": scan_plan(uploads, workdir / "scans"),
    }
    plan_file = workdir / "plan.json"
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    decl_ids = sorted({job["declaration"] for job in plan["scans"]})
    setup_seconds = round(time.perf_counter() - t0, 1)

    from django.db import connections

    connections.close_all()
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ["SECRET_KEY"],
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "HTTPS": "0", "SECURE_COOKIES": "0", "AXES_ENABLED": "false",
           "ANPR_RATE_LIMIT_PER_MINUTE": "1000000", "PYTHONPATH": str(ROOT)}  # fmt: skip
    procs = [
        start(
            [
                str(BIN / "gunicorn"),
                "transit_monitor.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.web_workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.threads),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
                # The server's own time per request (µs), beside the client's: queueing shows as the gap.
                "--access-logfile",
                str(workdir / "access.log"),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
            ],
            workdir / "gunicorn.log",
            env,
        )
    ]
    queues = routed_queues() or [""]
    for q in queues:
        cmd = [str(BIN / "celery"), "-A", "transit_monitor", "worker", "--loglevel", "warning", "--concurrency",
               str(args.worker_concurrency), "--hostname", f"load-{q or 'all'}@%h", "--without-gossip", "--without-mingle"]  # fmt: skip
        if q:
            cmd += ["-Q", q]
        # Background queues yield the CPU to the web tier and to plate matching: a comparison or a
        # return may wait, a person or a camera should not (docs/operations.md, "Workers and queues").
        niceness = "10" if q in ("comparison", "reports") else "5"
        procs.append(start(["nice", "-n", niceness, *cmd], workdir / f"worker-{q or 'all'}.log", env))
    try:
        wait_http(f"http://127.0.0.1:{args.port}/login/", 90)
        locust_env = {**env, "LOAD_PLAN": str(plan_file), "LOAD_DASHBOARD_USERS": str(args.users),
                      "LOAD_CAMERAS": str(args.cameras), "LOAD_SCAN_EVERY": str(args.scan_every or 1),
                      "LOAD_THINK": args.think}  # fmt: skip
        total_users = args.users + args.cameras + (1 if plan["scans"] else 0)
        if args.warmup > 0:
            subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load_locust.py"), "--headless",
                 "-u", str(args.users + args.cameras), "-r", str(args.spawn_rate), "-t", f"{int(args.warmup)}s",
                 "--host", f"http://127.0.0.1:{args.port}", "--only-summary", "--stop-timeout", "10",
                 "--loglevel", "ERROR"],
                cwd=ROOT, env={**locust_env, "LOAD_PHASE": "warmup"}, check=False, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        started = time.monotonic()
        locust = subprocess.Popen(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load_locust.py"), "--headless", "-u", str(total_users),
             "-r", str(args.spawn_rate), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{args.port}",
             "--csv", str(workdir / "locust"), "--only-summary",
                "--reset-stats", "--stop-timeout", "30",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env,
        )  # fmt: skip
        # Where the cores went, from when every user has started (locust resets its figures then) to the end.
        spawn = min(total_users / args.spawn_rate + 5, seconds / 2)
        time.sleep(spawn)
        first = cpu_share.snapshot()
        time.sleep(max(1.0, started + seconds - 2 - time.monotonic()))
        cpu = cpu_share.cores(first, cpu_share.snapshot())
        locust.wait()
        counts = drained(run, decl_ids, args.drain_timeout)
    finally:
        stop(procs)
    stats = locust_stats(workdir / "locust")
    eps = stats["endpoints"]
    reads_ok = eps.get("POST /api/anpr/reads/", {}).get("requests", 0) - eps.get("POST /api/anpr/reads/", {}).get(
        "failures", 0
    )
    dash = [eps[n] for n in DASHBOARD_NAMES if n in eps]
    dash_p95 = max((e["p95_ms"] for e in dash), default=float("nan"))
    agg = eps.get("Aggregated", {})
    goals = {
        "zero_errors": agg.get("failures", 1) == 0,
        "dashboard_p95_le_500ms": dash_p95 <= 500,
        "every_read_stored_and_matched": counts["reads_stored"] >= reads_ok
        and counts["reads_stored_twice"] == 0
        and counts["reads_pending_match"] == 0,
        "every_comparison_done": counts["comparisons_done"] == counts["comparisons"] >= counts["pairs_uploaded"],
    }
    result = {
        "bench": "load",
        "run": run,
        "declarations": have,
        "users": args.users,
        "cameras": args.cameras,
        "scan_every_s": args.scan_every,
        "minutes": args.minutes,
        "warmup_s": args.warmup,
        "think_s": args.think,
        "web_workers": args.web_workers,
        "threads": args.threads,
        "queues": queues,
        "setup_seconds": setup_seconds,
        "reads_posted_ok": reads_ok,
        "scan_uploads_planned": len(plan["scans"]),
        **counts,
        "dashboard_p95_ms": dash_p95,
        "cpu_cores": cpu,
        **stats,
        "goals": goals,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    line = json.dumps(result, ensure_ascii=False)
    print(line)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(line + "\n", encoding="utf-8")
    shutil.rmtree(workdir / "scans", ignore_errors=True)
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
