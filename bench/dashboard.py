"""Dashboard benchmark: p50/p95 and throughput of the home, a filtered list (with its count) and a
declaration page, beside a plain JSON "hello" view, against gunicorn on 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transit \\
        .venv/bin/python bench/dashboard.py --workers 2 --clients 8 --seconds 30

Steps: 1 make three bench personas (HQ, the West Azerbaijan inspector, Tehran office staff) and
their sessions in the database; 2 start gunicorn on 127.0.0.1 serving ``bench/wsgi_timed.py``,
which adds the SQL time of each request as a header; 3 warm each page once per persona (fills
the dashboard caches, as a day's first visitor would); 4 for each page in turn, 8 client threads
with keep-alive connections request it for ``--seconds``; 5 print p50/p95 latency, requests/s
and p50/p95 SQL time per page, and the goals. Only 127.0.0.1 is contacted; every loop is
bounded in time. Goals (issue 3): p95 <= 250 ms per page; list throughput >= 5% of hello's;
SQL per page p95 <= 10 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")

PERSONAS = [
    ("bench_hq", "hq", None, None),
    ("bench_inspector", "inspector", None, "WAZ"),
    ("bench_thr", "office", "THR", None),
]
LIST_FILTERS = ["?signal=overdue", "?status=in_transit", "?nationality=foreign", "?signal=dup_waybill"]


def prepare(detail_samples: int = 200) -> dict:
    """Personas, their session cookies and, per persona, declaration ids in scope."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import CustomsOffice, Province, User
    from declarations import selectors

    sessions = {}
    for username, role, office, province in PERSONAS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "office": CustomsOffice.objects.filter(code=office).first() if office else None,
                "province": Province.objects.filter(code=province).first() if province else None,
            },
        )
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        ids = list(selectors.scoped(user).order_by("-declared_at").values_list("pk", flat=True)[: detail_samples * 50])
        random.shuffle(ids)
        sessions[username] = {
            "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
            "ids": ids[:detail_samples],
        }
    return sessions


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEBUG": "false", "AXES_ENABLED": "false"}
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "bench.wsgi_timed:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/hello/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def fetch(conn: http.client.HTTPConnection, path: str, cookie: str | None) -> tuple[int, float, float | None]:
    headers = {"Cookie": cookie} if cookie else {}
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - t0) * 1000
    sql = response.getheader("X-Bench-SQL-ms")
    return response.status, elapsed, float(sql) if sql is not None else None


def paths_for(page: str, persona: str, sessions: dict, rng: random.Random) -> str:
    if page == "hello":
        return "/api/hello/"
    if page == "home":
        return "/"
    if page == "list":
        return "/declarations/" + rng.choice(LIST_FILTERS)
    ids = sessions[persona]["ids"]
    return f"/declarations/{rng.choice(ids)}/" if ids else "/"


def run_phase(page: str, port: int, clients: int, seconds: float, sessions: dict) -> dict:
    latencies: list[float] = []
    sql: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    personas = [p[0] for p in PERSONAS]

    def client(i: int) -> None:
        persona = personas[i % len(personas)]
        cookie = None if page == "hello" else sessions[persona]["cookie"]
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, mine_sql, bad = [], [], 0
        while time.monotonic() < stop_at:
            try:
                status, ms, sql_ms = fetch(conn, paths_for(page, persona, sessions, rng), cookie)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                bad += 1
                continue
            if status != 200:
                bad += 1
            mine.append(ms)
            if sql_ms is not None:
                mine_sql.append(sql_ms)
        conn.close()
        with lock:
            latencies.extend(mine)
            sql.extend(mine_sql)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "page": page,
        "requests": len(latencies),
        "errors": errors[0],
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(pct(latencies, 50), 1),
        "p95_ms": round(pct(latencies, 95), 1),
        "sql_p50_ms": round(pct(sql, 50), 2) if sql else None,
        "sql_p95_ms": round(pct(sql, 95), 2) if sql else None,
    }


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (default: one per core)"
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=30, help="duration of each page's phase")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    sessions = prepare()
    from django.db import connection

    rows = connection.cursor()
    rows.execute("SELECT count(*) FROM declarations_transitdeclaration")
    n_rows = rows.fetchone()[0]
    connection.close()
    proc = start_gunicorn(args.port, args.workers)
    try:
        warm = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        for persona in sessions:
            for page in ("home", "list", "detail"):
                for _ in range(len(LIST_FILTERS) if page == "list" else 1):
                    path = paths_for(page, persona, sessions, random.Random())
                    fetch(warm, path, sessions[persona]["cookie"])
        warm.close()
        results = [
            run_phase(p, args.port, args.clients, args.seconds, sessions) for p in ("hello", "home", "list", "detail")
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    hello = results[0]["rps"] or 1
    print(
        f"declarations: {n_rows:,}; gunicorn workers: {args.workers}; clients: {args.clients}; {args.seconds:g} s per page"
    )
    print(
        f"{'page':8} {'requests':>9} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} {'SQL p95':>8}"
    )
    for r in results:
        print(
            f"{r['page']:8} {r['requests']:>9} {r['errors']:>6} {r['rps']:>8} {r['p50_ms']:>8} {r['p95_ms']:>8} "
            f"{r['sql_p50_ms'] if r['sql_p50_ms'] is not None else '-':>8} "
            f"{r['sql_p95_ms'] if r['sql_p95_ms'] is not None else '-':>8}"
        )
    pages = [r for r in results if r["page"] != "hello"]
    listing = next(r for r in results if r["page"] == "list")
    print("goals:")
    print(f"  p95 <= 250 ms on every page: {all(r['p95_ms'] <= 250 for r in pages)}")
    print(f"  list throughput >= 5% of hello: {listing['rps'] / hello:.1%} -> {listing['rps'] / hello >= 0.05}")
    print(f"  SQL p95 <= 10 ms on every page: {all((r['sql_p95_ms'] or 0) <= 10 for r in pages)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": n_rows, "args": vars(args), "results": results}, indent=2))


if __name__ == "__main__":
    main()
