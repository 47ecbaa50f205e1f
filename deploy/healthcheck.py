"""Health checks of the app's containers (docker-compose.yml), without Django or any package: each
answers in milliseconds and exits 0 (healthy) or 1 (unhealthy, the reason on stderr).

    python deploy/healthcheck.py http /healthz            the web server answers 200 on that path
    python deploy/healthcheck.py fresh 'var/celerybeat-schedule*' 1200
                                                           a file matching the pattern changed in the last N s

``http`` asks gunicorn directly (no TLS inside the network), as nginx would: the Host is the first of
ALLOWED_HOSTS and X-Forwarded-Proto says https, so the secure redirect does not answer in its place.
"""

from __future__ import annotations

import glob
import http.client
import os
import sys
import time


def http_ok(path: str) -> str | None:
    bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
    host, _, port = bind.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0", "[::]") else host  # noqa: S104 (the bind address, not a listen)
    name = (os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost").lstrip(".")
    conn = http.client.HTTPConnection(host, int(port), timeout=float(os.environ.get("HEALTHCHECK_TIMEOUT", "10")))
    try:
        conn.request("GET", path, headers={"Host": name, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError as exc:
        return f"{bind}{path}: {exc}"
    finally:
        conn.close()
    return None if status == 200 else f"{bind}{path}: HTTP {status}"


def fresh(pattern: str, seconds: float) -> str | None:
    files = glob.glob(pattern)
    if not files:
        return f"no file matches {pattern}"
    age = time.time() - max(os.path.getmtime(f) for f in files)
    return None if age <= seconds else f"{pattern}: last changed {age:.0f} s ago (more than {seconds:.0f})"


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "http":
        problem = http_ok(argv[1])
    elif len(argv) == 3 and argv[0] == "fresh":
        problem = fresh(argv[1], float(argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
