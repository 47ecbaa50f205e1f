"""Server-side time per request of a load run, from gunicorn's access log (``bench/load.py`` writes
``var/load/<run>/access.log`` as ``method path status µs``): beside locust's client-side figures,
the gap is time spent waiting for a worker thread.

    python bench/load_access.py var/load/<run>/access.log
"""

from __future__ import annotations

import collections
import sys


def main(path: str) -> None:
    times: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    with open(path, encoding="utf-8") as log:
        for line in log:
            parts = line.split()
            if len(parts) < 4:
                continue
            method, url, _status, micros = parts[:4]
            path_only = url.split("?")[0]
            if path_only.startswith("/api/anpr/reads"):
                key = "/api/anpr/reads/"
            elif path_only.startswith("/declarations/") and path_only.rstrip("/").split("/")[-1].isdigit():
                key = "/declarations/<id>/"
            else:
                key = path_only
            times[(method, key)].append(int(micros) / 1000)
    for (method, key), values in sorted(times.items(), key=lambda kv: -len(kv[1])):
        values.sort()
        p50, p95 = values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{method:5s} {key:28s} n={len(values):6d} p50={p50:7.1f} ms p95={p95:7.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
