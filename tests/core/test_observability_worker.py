"""With Redis and a real Celery worker process: the request id reaches the worker's log lines, the
worker serves its task figures, and /metrics counts what waits in each queue.

The worker logs JSON (LOG_FORMAT=json) to a file, as a deployment's log collector would read it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.request
from urllib.parse import quote

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from anpr import services
from anpr.models import MatchState, PlateRead
from declarations.models import Status
from tests.anpr.conftest import camera_client
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

WORKER_METRICS_PORT = 8124  # in this helper's port range


@pytest.fixture
def json_worker(transactional_db, settings, tmp_path):
    """A worker like the conftest's, logging JSON at INFO to a file and serving its metrics."""
    from django.db import connection

    from transit_monitor.celery import app

    db = connection.settings_dict
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("a worker process needs a database server it can share (PostgreSQL)")
    url = f"postgres://{quote(db['USER'] or '')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    log_file = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "WORKER_METRICS_PORT": str(WORKER_METRICS_PORT),
    }
    app.control.purge()
    command = [sys.executable, "-m", "celery", "-A", "transit_monitor", "worker", "--pool=prefork", "-c", "1"]
    with log_file.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "-l", "info", "-n", f"observe-{os.getpid()}@%h"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(log_file.read_text())
    yield proc, log_file
    proc.terminate()
    proc.wait(timeout=20)


def worker_lines(log_file) -> list[dict]:
    lines = []
    for raw in log_file.read_text().splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def worker_metrics() -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{WORKER_METRICS_PORT}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_a_read_posted_with_an_id_is_matched_by_the_worker_under_that_id(json_worker, bazargan, tehran, settings):
    _proc, log_file = json_worker
    settings.ANPR_MATCH_IN_REQUEST_MAX = 0  # matched by the worker, as a replayed backlog is
    vehicle = VehicleFactory(plate="26ب36913")
    DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle, status=Status.IN_TRANSIT)
    camera, token = services.camera_register(office=tehran, code="THR-5", direction="in")
    camera.token = token
    response = camera_client(camera).post(
        "/api/anpr/reads/",
        {"captured_at": (timezone.now() - dt.timedelta(minutes=3)).isoformat(), "plate": vehicle.plate},
        format="json",
        HTTP_X_REQUEST_ID="gate-read-42",
    )
    assert response.status_code == 201 and response["X-Request-ID"] == "gate-read-42"
    deadline = time.monotonic() + 60
    while PlateRead.objects.filter(match_state=MatchState.PENDING).exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert PlateRead.objects.get().match_state == MatchState.MATCHED

    def task_lines():
        return [r for r in worker_lines(log_file) if r.get("task_name") == "anpr.tasks.match_reads"]

    while len(task_lines()) < 3 and time.monotonic() < deadline:
        time.sleep(0.3)  # the task's last lines are written just after its work is committed
    lines = task_lines()
    ours = [r["message"] for r in lines if r["logger"] == "transit_monitor.task"]
    assert ours == ["task anpr.tasks.match_reads started", "task anpr.tasks.match_reads SUCCESS"]
    assert any(r["logger"] == "celery.app.trace" for r in lines)  # Celery's own "succeeded" line too
    assert {r["request_id"] for r in lines} == {"gate-read-42"}
    assert {r["queue"] for r in lines} and all(r["task_id"] and r["level"] == "INFO" for r in lines)

    # The worker's own endpoint: the run, and the read it matched (counted in its pool's process).
    samples = worker_metrics()
    runs = [v for (name, labels), v in samples.items() if name == "transit_task_duration_seconds_count"
            and ("task", "anpr.tasks.match_reads") in labels]  # fmt: skip
    assert runs == [1.0]
    assert samples[("transit_plate_reads_matched_total", ())] == 1.0


def test_metrics_count_the_messages_waiting_in_each_queue(transactional_db, client):
    from transit_monitor.celery import app

    app.control.purge()
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("reports")
    app.conf.CELERY_TASK_ALWAYS_EAGER = False  # the conftest's redis mark already did; said here
    for _ in range(3):
        app.send_task("reports.tasks.build_monthly_return", args=[1404, 1, None], queue="reports")
    try:
        text = client.get("/metrics").content.decode()
        lengths = {
            s.labels["queue"]: s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == "transit_queue_length"
        }
        assert lengths["reports"] == 3
        assert set(lengths) >= {"recognition", "comparison", "reports", "default"}
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete("reports")
