"""What one scrape of /metrics costs: time and SQL queries, with the dashboard's figures cached
(the usual case: a scrape every 15-30 s, the figures kept DASHBOARD_CACHE_SECONDS) and cold (the
figures just expired: the scrape recounts the national signals).

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/metrics_scrape.py [--runs 30]

Prints one JSON line: median and p95 in ms, queries per scrape, each case. docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transit_monitor.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from declarations.models import TransitDeclaration

    client = Client()

    def scrape(cold: bool) -> tuple[float, int]:
        if cold:
            cache.delete("dash:national:signals")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/metrics")
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed, len(queries)

    scrape(cold=False)  # imports, connections
    result = {"declarations": TransitDeclaration.objects.count(), "database": connection.vendor, "runs": args.runs}
    for case in ("warm", "cold"):
        times, counts = zip(*(scrape(cold=case == "cold") for _ in range(args.runs)))
        ordered = sorted(times)
        result[case] = {
            "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
            "queries": max(counts),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
