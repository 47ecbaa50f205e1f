"""CPU and wall time of one plate-read request, in process (Django's test client, no server).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench10m python bench/anpr_request_cost.py [--reads 1500 --batches 8]

Posts ``--reads`` single reads and ``--batches`` batches of 1,000 through the whole stack
(middleware, DRF, camera token, matching in the request as with no broker) with the cameras
and plates of ``bench/anpr_ingest.py``, and prints one JSON line: process CPU and wall ms per
single read, per batch. With ``REDIS_URL`` set the cache is Redis and matching is left to a
worker (tasks are queued, not run). Where ``anpr_ingest`` measures what a client sees, this
measures what one request costs the server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")
os.environ.setdefault("ANPR_RATE_LIMIT_PER_MINUTE", "100000000")

import anpr_ingest
from django.conf import settings
from django.test import Client


def timed(n: int, post) -> dict:
    for _ in range(min(n, 50)):  # first requests load translations, URL patterns, caches
        post()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        post()
    return {
        "cpu_ms": round((time.process_time() - cpu) / n * 1000, 2),
        "wall_ms": round((time.perf_counter() - wall) / n * 1000, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reads", type=int, default=1500)
    ap.add_argument("--batches", type=int, default=8)
    args = ap.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(7)
    cameras, plates = anpr_ingest.setup(50, 20000, rng)
    maker = anpr_ingest.ReadMaker(f"cost-{os.getpid()}", cameras, plates, rng, 0.5)
    client = Client()

    def single():
        ci, body = maker.make()
        resp = client.post(
            "/api/anpr/reads/", json.dumps(body), content_type="application/json",
            HTTP_AUTHORIZATION=f"Camera {cameras[ci][1]}",
        )  # fmt: skip
        assert resp.status_code in (200, 201), resp.content[:300]

    def batch():
        ci = rng.randrange(len(cameras))
        reads = [maker.make(ci)[1] for _ in range(1000)]
        resp = client.post(
            "/api/anpr/reads/bulk/", json.dumps({"reads": reads}), content_type="application/json",
            HTTP_AUTHORIZATION=f"Camera {cameras[ci][1]}",
        )  # fmt: skip
        assert resp.status_code == 200, resp.content[:300]

    out = {"single": timed(args.reads, single), "batch_of_1000": timed(args.batches, batch)}
    out["reads_stored_here"] = maker.n
    print(json.dumps(out))


if __name__ == "__main__":
    main()
