"""Redis goes away under load and comes back (issue 17): nothing a camera or a clerk sent is lost.

A real redis-server of this test's own (append-only file on, as deployed), the web server (gunicorn),
a Celery worker and Celery beat, all on this test's PostgreSQL database. A camera streams plate reads
and a clerk uploads destination scans while Redis is killed (SIGKILL) and started again. Every read
is stored once and matched, every comparison is done, no answer is a 5xx; while Redis is down a clerk
logs in and opens the logged-in pages. The figures of the run go to ``OUTAGE_FIGURES`` when it names a
file (docs/benchmarks.md, "Redis outage").
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.services import api_token_issue
from anpr import services as anpr_services
from anpr.models import MatchState, PlateRead
from core.models import OutboxJob
from declarations import services as declaration_services
from scans.models import ScanComparison, Stage
from tests.factories import DeclarationFactory, OfficeFactory, ProvinceFactory, UserFactory
from tests.scans.conftest import upload
from tests.scans.test_comparison_job import generated_pair
from transit_monitor.celery import app

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
DEADLINE = 240  # seconds: a generous bound on a loaded machine, polled, never slept through
PASSWORD = "outage-Pa55word!"
QUEUES = "celery,default,recognition,comparison,reports"  # whatever the routes are, this worker takes all
# Reads sent in each phase (Redis up, down, back); the benchmark runs 200 (docs/benchmarks.md).
READS = int(os.environ.get("OUTAGE_READS", "40"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Redis:
    """redis-server in the foreground, AOF fsynced on every write (docker-compose runs it with AOF)."""

    proc: subprocess.Popen

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not _answers(self.port):
            assert self.proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


class Process:
    def __init__(self, name: str, argv: list[str], env: dict, folder: Path):
        self.name, self.log = name, folder / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def tail(self) -> str:
        return f"--- {self.name} ---\n{self.log.read_text(errors='replace')[-4000:]}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


def _site():
    """Two offices, a camera at the destination, 12 trucks on their way, 6 with their origin scan."""
    bazargan = OfficeFactory(code="BZG", province=ProvinceFactory(code="WAZ"))
    tehran = OfficeFactory(code="THR", province=ProvinceFactory(code="THR"))
    origin_clerk = UserFactory(username="origin_clerk", role=Role.OFFICE, office=bazargan)
    dest_clerk = UserFactory(username="dest_clerk", role=Role.OFFICE, office=tehran)
    dest_clerk.set_password(PASSWORD)
    dest_clerk.save()
    departed = timezone.now() - dt.timedelta(hours=30)
    declarations = []
    for _ in range(12):
        declaration = DeclarationFactory(origin=bazargan, destination=tehran)
        declaration_services.declaration_depart(declaration=declaration, by=origin_clerk, at=departed)
        declarations.append(declaration)
    pairs = []
    for seed, declaration in enumerate(declarations[:6]):
        origin_png, dest_jpeg, _label = generated_pair(seed, tampered=seed % 2 == 0)
        upload(declaration, Stage.ORIGIN, origin_clerk, origin_png)
        pairs.append((declaration.pk, dest_jpeg))
    _camera, camera_token = anpr_services.camera_register(office=tehran, code="THR-1", direction="in")
    api_token = api_token_issue(user=dest_clerk, name="outage")[1]
    plates = [d.vehicle.plate for d in declarations]
    return plates, pairs, camera_token, api_token


class Load:
    """The camera and the clerk, counting every answer."""

    def __init__(self, base: str, camera_token: str, api_token: str, plates: list[str]):
        self.base, self.plates = base, plates
        self.camera = requests.Session()
        self.camera.headers["Authorization"] = f"Camera {camera_token}"
        self.clerk = requests.Session()
        self.clerk.headers["Authorization"] = f"Token {api_token}"
        self.sent: list[str] = []
        self.statuses: dict[str, list[int]] = {"reads": [], "scans": [], "pages": []}
        self.phase = "before"
        self.seconds: dict[str, list[float]] = {}  # each read's answer time by phase (figures only)
        self.start = timezone.now() - dt.timedelta(minutes=30)

    def read(self) -> None:
        n = len(self.sent)
        event = uuid.uuid4().hex
        body = {
            "captured_at": (self.start + dt.timedelta(seconds=n)).isoformat(),
            "plate": self.plates[n % len(self.plates)],
            "client_event_id": event,
        }
        t0 = time.perf_counter()
        response = self.camera.post(f"{self.base}/api/anpr/reads/", json=body, timeout=90)
        self.seconds.setdefault(self.phase, []).append(time.perf_counter() - t0)
        self.statuses["reads"].append(response.status_code)
        if response.status_code in (200, 201):
            self.sent.append(event)

    def scan(self, declaration: int, jpeg: bytes) -> None:
        response = self.clerk.post(
            f"{self.base}/api/scans/",
            data={"declaration": declaration, "stage": Stage.DESTINATION, "scanner_id": "THR-NUC-1",
                  "captured_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat()},
            files={"file": ("dest.jpg", jpeg, "image/jpeg")},
            timeout=60,
        )  # fmt: skip
        self.statuses["scans"].append(response.status_code)

    def stream(self, reads: int, scans: list[tuple[int, bytes]]) -> None:
        every = max(reads // max(len(scans), 1), 1)
        for i in range(reads):
            self.read()
            if scans and i % every == every - 1:
                self.scan(*scans.pop())
        for pair in scans:
            self.scan(*pair)

    def logged_in_pages(self) -> list[int]:
        """A clerk logs in with the password and opens the home page and the declaration list."""
        browser = requests.Session()
        codes = [browser.get(f"{self.base}/login/", timeout=30).status_code]
        response = browser.post(
            f"{self.base}/login/",
            data={"username": "dest_clerk", "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=30,
        )
        codes.append(response.status_code)
        assert response.status_code == 302, response.text[:2000]
        for path in ("/", "/declarations/"):
            codes.append(browser.get(f"{self.base}{path}", timeout=30, allow_redirects=False).status_code)
        self.statuses["pages"] += codes
        return codes


def _wait(condition, what: str, processes: list[Process]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached in {DEADLINE} s\n" + "\n".join(p.tail() for p in processes))
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_reads_and_scans_sent_while_redis_is_down_are_stored_matched_and_compared(tmp_path, settings):
    if not Path(REDIS_SERVER).exists():
        pytest.skip("needs redis-server (apt-get install redis-server)")
    folder = Path(tmp_path)
    settings.MEDIA_ROOT = folder / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the web server's
    before = app.conf.CELERY_TASK_ALWAYS_EAGER
    app.conf.CELERY_TASK_ALWAYS_EAGER = True  # the site's own previews run here, before any process starts
    try:
        plates, pairs, camera_token, api_token = _site()
    finally:
        app.conf.CELERY_TASK_ALWAYS_EAGER = before

    redis = Redis(folder, _free_port())
    redis.start()
    db = connection.settings_dict
    web_port = _free_port()
    redis_url = f"redis://127.0.0.1:{redis.port}/0"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"BEAT_EVERY", "CELERY_BROKER_DIR"}},
        "DATABASE_URL": f"postgres://{quote(db['USER'] or '')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CACHE_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "WEB_CONCURRENCY": "2",
        # Reads' matching through the outbox and the worker (the path of a replayed backlog), not in the request.
        "ANPR_MATCH_IN_REQUEST_MAX": "0",
    }
    python = sys.executable
    processes = [
        Process("web", [python, "-m", "gunicorn", "-c", str(_gunicorn_conf(folder)), "transit_monitor.wsgi"], env, folder),
        Process("worker", [python, "-m", "celery", "-A", "transit_monitor", "worker", "--pool=solo", "-l", "info",
                           "-Q", QUEUES, "-n", f"outage-{os.getpid()}@%h"], env, folder),
        Process("beat", [python, "-m", "celery", "-A", "transit_monitor", "beat", "-l", "info",
                         "-s", str(folder / "beat-schedule")], {**env, "BEAT_EVERY": "outbox-sweep=3"}, folder),
    ]  # fmt: skip
    base = f"http://127.0.0.1:{web_port}"
    try:
        _run(base, redis, processes, pairs, camera_token, api_token, plates)
    except requests.RequestException as exc:
        pytest.fail(f"{exc}\n" + "\n".join(p.tail() for p in processes))
    finally:
        for process in processes:
            process.stop()
        if redis.proc.poll() is None:
            redis.proc.terminate()
            redis.proc.wait(timeout=30)


def _gunicorn_conf(folder: Path) -> Path:
    """The project's gunicorn settings, and a worker killed for a time-out writes where it was stuck."""
    conf = folder / "gunicorn_conf.py"
    conf.write_text(
        (ROOT / "gunicorn.conf.py").read_text()
        + "\n\ndef worker_abort(worker):\n    import faulthandler, sys\n"
        + "    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)\n"
    )
    return conf


def _run(base, redis, processes, pairs, camera_token, api_token, plates) -> None:
    _wait(lambda: _up(base), "the web server answering", processes)
    # The worker connected before the outage (on a loaded machine it can still be starting).
    _wait(lambda: "sending what waits" in processes[1].log.read_text(), "the worker connected", processes)
    load = Load(base, camera_token, api_token, plates)

    load.stream(READS, pairs[:2])  # Redis up
    redis.kill()
    killed = time.monotonic()
    load.phase = "down"
    down_pages = load.logged_in_pages()
    load.stream(READS, pairs[2:4])  # Redis down
    load.logged_in_pages()
    waiting = OutboxJob.objects.filter(sent_at__isnull=True).count()
    redis.start()
    back = time.monotonic()
    load.phase = "after"
    load.stream(READS, pairs[4:])  # Redis back

    _wait(
        lambda: not PlateRead.objects.filter(match_state=MatchState.PENDING).exists()
        and ScanComparison.objects.filter(status=ScanComparison.Status.DONE).count() == len(pairs),
        "every read matched and every comparison done",
        processes,
    )
    reads = PlateRead.objects.filter(client_event_id__in=load.sent)
    figures = {
        "reads_sent": len(load.statuses["reads"]),
        "reads_stored": reads.count(),
        "reads_matched": reads.filter(match_state=MatchState.MATCHED).count(),
        "scans_sent": len(load.statuses["scans"]),
        "comparisons_done": ScanComparison.objects.filter(status=ScanComparison.Status.DONE).count(),
        "jobs_kept_while_down": waiting,
        "jobs_waiting_at_end": OutboxJob.objects.filter(sent_at__isnull=True).count(),
        "http_5xx": sum(code >= 500 for codes in load.statuses.values() for code in codes),
        "outage_s": round(back - killed, 1),
        "all_done_after_restart_s": round(time.monotonic() - back, 1),
        "read_median_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in load.seconds.items()},
    }
    if os.environ.get("OUTAGE_FIGURES"):
        Path(os.environ["OUTAGE_FIGURES"]).write_text(json.dumps(figures, indent=2))
    assert figures["http_5xx"] == 0, load.statuses
    assert set(load.statuses["reads"]) == {201} and set(load.statuses["scans"]) == {201}, load.statuses
    assert down_pages == [200, 302, 200, 200]  # login page, log in, home, declaration list
    assert len(load.sent) == 3 * READS and figures["reads_stored"] == 3 * READS  # each once, none lost
    assert figures["reads_matched"] == 3 * READS
    assert figures["comparisons_done"] == len(pairs) == 6
    assert waiting > 0  # the jobs of the outage waited in the outbox, then went
    _wait(lambda: not OutboxJob.objects.filter(sent_at__isnull=True).exists(), "an empty outbox", processes)
    # The worker swept the outbox when it started and again when it had reconnected to the new Redis
    # (its consumer restarts once it notices the lost connection: with the solo pool, after the task
    # it was running).
    _wait(
        lambda: processes[1].log.read_text().count("connected to the broker: sending what waits") >= 2,
        "the worker's sweep after reconnecting",
        processes,
    )


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/login/", timeout=5).status_code == 200
    except requests.RequestException:
        return False
