"""gunicorn with two workers and PROMETHEUS_MULTIPROC_DIR: whichever worker answers the scrape, it
counts the requests every worker answered (prometheus_client's multiprocess mode, gunicorn.conf.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
PORT = 8125  # in this helper's port range


def get(path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


@pytest.fixture
def gunicorn(tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left by a previous run")  # emptied at start
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_FORMAT": "text",
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "transit_monitor.wsgi", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            get("/healthz")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError((tmp_path / "gunicorn.log").read_text()) from None
            time.sleep(0.3)
    yield metrics_dir
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def healthz_count(body: bytes) -> float:
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            if s.name == "transit_http_requests_total" and s.labels.get("view") == "healthz":
                return s.value
    return 0.0


def test_any_worker_answers_for_all_of_them(gunicorn):
    first_status, first = get("/metrics")
    assert first_status == 200
    already = healthz_count(first)  # the start-up probe's
    pids, sent = set(), 0
    while (len(pids) < 2 or sent < 20) and sent < 400:
        status, body = get("/healthz")
        assert status == 200
        pids.add(json.loads(body)["pid"])
        sent += 1
    assert len(pids) == 2, "both workers answered"
    for _ in range(6):  # scrapes land on either worker
        status, body = get("/metrics")
        assert status == 200 and healthz_count(body) == already + sent
    assert not (gunicorn / "counter_1.db").exists()
