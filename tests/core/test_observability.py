"""What an operator watches: /healthz, /readyz, /metrics, and a request id through logs and tasks.

Story: the monitoring server (on loopback here, the allowed network) asks whether the app is up
and ready and scrapes its figures; people and cameras use the app in between and the figures move;
a stranger on the public network asks too and is refused. Every log line of a request, and of
the task it started, carries the request's id.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from core.logs import JsonFormatter
from core.request_context import RequestContextFilter
from declarations.models import Status
from tests.factories import DeclarationFactory, VehicleFactory

PUBLIC = "203.0.113.7"  # a documentation address: the public network
CLOSED_PORT = 8129  # in this helper's port range; nothing listens on it


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    """/metrics as {(sample name, sorted labels): value}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def log_lines():
    """The lines the app writes, as the JSON a deployment's log collector reads."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    loggers = [logging.getLogger(n) for n in ("transit_monitor.request", "transit_monitor.task")]
    levels = [lg.level for lg in loggers]
    root.addHandler(handler)
    for lg in loggers:
        lg.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    root.removeHandler(handler)
    for lg, level in zip(loggers, levels):
        lg.setLevel(level)


# --- /healthz -----------------------------------------------------------------------------------


def test_healthz_answers_anyone_and_touches_no_database(client):
    # No database fixture: a query here would fail the test.
    response = client.get("/healthz", REMOTE_ADDR=PUBLIC)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


# --- /readyz ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_names_each_part_with_its_time(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "broker", "cache", "storage"}
    for check in body["checks"].values():
        assert check["status"] == "ok" and isinstance(check["ms"], int | float) and check["ms"] >= 0


@pytest.mark.django_db
def test_readyz_is_503_naming_the_cache_that_does_not_answer(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failed" and body["failing"] == ["cache"]
    assert body["checks"]["cache"]["status"] == "failed" and "Connection" in body["checks"]["cache"]["detail"]
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_that_does_not_answer(client):
    from transit_monitor.celery import app

    before = app.conf.CELERY_BROKER_URL
    app.conf.CELERY_TASK_ALWAYS_EAGER = False  # the conftest puts it back
    app.conf.CELERY_BROKER_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.CELERY_BROKER_URL = before
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.django_db
def test_readyz_is_503_naming_an_object_store_without_its_bucket(client, settings, moto_s3):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "transit-media",
                "endpoint_url": moto_s3,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
            },
        },
    }
    missing = client.get("/readyz")
    assert missing.status_code == 503 and missing.json()["failing"] == ["storage"]
    assert "404" in missing.json()["checks"]["storage"]["detail"]
    import boto3

    boto3.client(
        "s3", endpoint_url=moto_s3, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    ).create_bucket(Bucket="transit-media")
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"]["storage"]["status"] == "ok"


@pytest.fixture(scope="module")
def moto_s3():
    """A real S3 server process (moto's), on this helper's port."""
    import shutil
    import socket
    import subprocess
    import time

    server = shutil.which("moto_server") or pytest.skip("moto[server] is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


# --- who may read /readyz and /metrics ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_the_public_network_is_refused_even_signed_in(client, hq, path):
    client.force_login(hq)
    response = client.get(path, REMOTE_ADDR=PUBLIC)
    assert response.status_code == 403
    assert "METRICS_ALLOWED_NETWORKS" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_the_metrics_token_lets_a_scraper_in_from_anywhere(client, settings, path):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get(path, REMOTE_ADDR=PUBLIC, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    assert client.get(path, REMOTE_ADDR=PUBLIC, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get(path, REMOTE_ADDR=PUBLIC, HTTP_AUTHORIZATION="Token s3cret-scrape-token").status_code == 403


@pytest.mark.django_db
def test_the_configured_network_is_allowed_behind_a_trusted_proxy_only(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.9.0.0/16"]
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert client.get("/metrics", REMOTE_ADDR="10.9.1.2").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # loopback no longer listed
    # Through the proxy: the client's own address decides.
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.9.1.2").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=PUBLIC).status_code == 403
    # A proxy we do not know forwarded it from somebody: that somebody's address is unknown.
    assert client.get("/metrics", REMOTE_ADDR="10.9.1.3", HTTP_X_FORWARDED_FOR="10.9.1.2").status_code == 403


# --- request id and JSON logs -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_gets_an_id_in_its_answer_and_its_log_line(client, origin_clerk, log_lines):
    client.force_login(origin_clerk)
    response = client.get("/", HTTP_X_REQUEST_ID="edge-1234.abc")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "edge-1234.abc"
    (line,) = [r for r in log_lines() if r["logger"] == "transit_monitor.request"]
    assert line["request_id"] == "edge-1234.abc"
    assert line["level"] == "INFO" and line["path"] == "/" and line["view"] == "home" and line["status"] == 200
    assert line["user_id"] == origin_clerk.pk and line["duration_ms"] >= 0
    assert line["time"].startswith(str(timezone.now().year)) and line["message"] == "GET / 200"


@pytest.mark.parametrize("sent", ["", "x" * 200, "bad id with spaces", "a\nb", "<script>"])
def test_an_id_that_is_not_sane_is_replaced(client, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    given = response["X-Request-ID"]
    assert given != sent and len(given) == 32 and given.isalnum()


@pytest.mark.django_db
def test_the_task_a_request_starts_logs_with_the_requests_id(api_token_for, hq, log_lines):
    """Eager Celery (no worker): the task runs in the request; the worker's case is in
    tests/core/test_observability_worker.py."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(hq)}")
    response = api.post("/api/declarations/import/", [{"serial": ""}], format="json", HTTP_X_REQUEST_ID="import-77")
    assert response.status_code == 200, response.content
    task_lines = [r for r in log_lines() if r.get("task_name") == "declarations.tasks.run_import"]
    assert [r["message"] for r in task_lines] == [
        "task declarations.tasks.run_import started",
        "task declarations.tasks.run_import SUCCESS",
    ]
    assert {r["request_id"] for r in task_lines} == {"import-77"}
    assert all(r["task_id"] and r["queue"] for r in task_lines)
    (request_line,) = [r for r in log_lines() if r["logger"] == "transit_monitor.request"]
    assert request_line["request_id"] == "import-77" and request_line["user_id"] == hq.pk


# --- /metrics moves with what people do ----------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_view_and_status(client, origin_clerk):
    before = scrape(client)
    client.force_login(origin_clerk)
    assert client.get("/").status_code == 200
    assert client.get("/declarations/999999999/").status_code == 404
    after = scrape(client)
    assert value(after, "transit_http_requests_total", view="home", method="GET", status="200") == (
        value(before, "transit_http_requests_total", view="home", method="GET", status="200") + 1
    )
    assert value(after, "transit_http_requests_total", view="declarations:detail", method="GET", status="404") == (
        value(before, "transit_http_requests_total", view="declarations:detail", method="GET", status="404") + 1
    )
    assert value(after, "transit_http_request_duration_seconds_count", view="home") == (
        value(before, "transit_http_request_duration_seconds_count", view="home") + 1
    )


@pytest.mark.django_db
def test_plate_reads_ingested_and_matched_are_counted(client, bazargan, tehran, django_capture_on_commit_callbacks):
    from anpr import services
    from tests.anpr.conftest import camera_client

    vehicle = VehicleFactory(plate="26ب36913")
    DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle, status=Status.IN_TRANSIT)
    camera, token = services.camera_register(office=tehran, code="THR-7", direction="in")
    camera.token = token
    before = scrape(client)
    at = timezone.now() - dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        for i, plate in enumerate([vehicle.plate, "11ل11122"]):
            body = {"captured_at": (at + dt.timedelta(seconds=i)).isoformat(), "plate": plate}
            assert camera_client(camera).post("/api/anpr/reads/", body, format="json").status_code == 201
    after = scrape(client)
    assert value(after, "transit_plate_reads_ingested_total") == value(before, "transit_plate_reads_ingested_total") + 2
    assert value(after, "transit_plate_reads_matched_total") == value(before, "transit_plate_reads_matched_total") + 1


@pytest.mark.django_db
def test_comparisons_are_counted_by_verdict(
    client, declaration, origin_clerk, dest_clerk, django_capture_on_commit_callbacks
):
    from declarations import services as declaration_services
    from scans import services
    from scans.models import ScanComparison, Stage
    from tests.scans import images
    from tests.scans.conftest import upload

    declaration_services.declaration_depart(
        declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
    )
    upload(declaration, Stage.ORIGIN, origin_clerk)
    upload(declaration, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.comparison_run(comparison_id=ScanComparison.objects.get().pk)
    after = scrape(client)
    assert done.verdict
    assert value(after, "transit_scan_comparisons_total", verdict=done.verdict) == (
        value(before, "transit_scan_comparisons_total", verdict=done.verdict) + 1
    )


@pytest.mark.django_db
def test_tasks_are_timed_and_failures_counted_by_task_and_queue(client):
    from scans.tasks import compare_scans

    before = scrape(client)
    # No such comparison: the task fails. Run as a worker runs it (the failure recorded, not raised
    # into the caller as eager Celery does, which skips Celery's task signals).
    result = compare_scans.apply(args=[999_999_999], throw=False)
    assert result.failed()
    after = scrape(client)
    failures = {k: v for k, v in after.items() if k[0] == "transit_task_failures_total"}
    (key,) = [k for k in failures if ("task", "scans.tasks.compare_scans") in k[1]]
    assert failures[key] == before.get(key, 0) + 1
    runs = dict(key[1])
    assert value(after, "transit_task_duration_seconds_count", **runs) == (
        value(before, "transit_task_duration_seconds_count", **runs) + 1
    )


@pytest.mark.django_db
def test_signals_silent_cameras_and_the_monthly_return_are_read_at_scrape(client, bazargan, tehran):
    from anpr import services
    from anpr.models import Camera

    first = scrape(client)
    assert value(first, "transit_signal_declarations", signal="overdue") == 0
    assert value(first, "transit_cameras_silent") == 0
    assert value(first, "transit_monthly_return_months_behind") == -1  # never built
    assert value(first, "transit_component_up", component="database") == 1
    assert value(first, "transit_disk_free_bytes", path="media") > 0
    assert not any(k[0] == "transit_metrics_collector_failed" for k in first)

    DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=2)
    )
    camera, _token = services.camera_register(office=tehran, code="THR-8", direction="in")
    Camera.objects.filter(pk=camera.pk).update(health=Camera.Health.SILENT, silent_since=timezone.now())
    from django.core.cache import cache

    cache.clear()  # the dashboard's cached figures (dropped by the services that move a signal)
    second = scrape(client)
    assert value(second, "transit_signal_declarations", signal="overdue") == 1
    assert value(second, "transit_cameras_silent") == 1


# --- the log format by deployment ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "json_lines"),
    [
        ({"SECRET_KEY": "a-deployment-key", "DEBUG": "0"}, True),  # a deployment: JSON
        ({"SECRET_KEY": "a-deployment-key", "DEBUG": "1"}, False),
        ({}, False),  # the embedded default, `make run`
        ({"LOG_FORMAT": "json"}, True),
    ],
)
def test_a_deployment_logs_json_and_make_run_plain_text(env, json_lines):
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "import django, logging; django.setup(); logging.getLogger('transit_monitor.probe').warning('ping %s', 7)"
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "LOG_FORMAT", "DATABASE_URL")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "transit_monitor.settings", **env},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (line,) = [ln for ln in done.stderr.splitlines() if "ping 7" in ln]
    if json_lines:
        record = json.loads(line)
        assert record["message"] == "ping 7" and record["level"] == "WARNING"
        assert record["logger"] == "transit_monitor.probe" and record["request_id"] is None and "time" in record
    else:
        assert line.endswith("WARNING transit_monitor.probe [-] ping 7")


def test_probes_over_plain_http_are_not_redirected_to_https(client, settings):
    """In a deployment http is redirected to https; the probes and the scraper talk to gunicorn
    directly over http inside the network (settings.SECURE_REDIRECT_EXEMPT)."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301
