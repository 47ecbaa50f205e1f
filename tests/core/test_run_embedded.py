"""`make run`'s processes for real: `manage.py run_embedded` starts the web server, a Celery worker and
Celery beat on the broker in files, on a SQLite file of their own (this test's in-memory database is
not shareable). Periodic jobs run, an upload does not wait for its comparison, and stopping it (or
losing one of its processes) leaves nothing running."""

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="finds the worker and the leftovers in /proc")

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 120  # seconds: a generous bound for a loaded machine, polled, never slept through


def build_site() -> None:
    """Run in a subprocess on the site's database: the rows the tests need, made through the services."""
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import api_token_issue
    from anpr import services as anpr_services
    from anpr.models import Camera
    from declarations import services as declaration_services
    from scans.models import Stage
    from tests.factories import DeclarationFactory, OfficeFactory, ProvinceFactory, UserFactory
    from tests.scans.conftest import upload
    from tests.scans.test_comparison_job import generated_pair

    bazargan = OfficeFactory(code="BZG", province=ProvinceFactory(code="WAZ"))
    tehran = OfficeFactory(code="THR", province=ProvinceFactory(code="THR"))
    origin_clerk = UserFactory(username="origin_clerk", role=Role.OFFICE, office=bazargan)
    dest_clerk = UserFactory(username="dest_clerk", role=Role.OFFICE, office=tehran)
    declaration = DeclarationFactory(origin=bazargan, destination=tehran)
    declaration_services.declaration_depart(
        declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
    )
    origin_png, _dest, _label = generated_pair(7, tampered=True)
    upload(declaration, Stage.ORIGIN, origin_clerk, origin_png)  # one side: nothing to compare yet
    # A camera registered three months ago that never read: the health check finds it silent.
    camera, _token = anpr_services.camera_register(office=tehran, code="THR-9", direction="in")
    Camera.objects.filter(pk=camera.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    token = api_token_issue(user=dest_clerk, name="test")[1]
    print(json.dumps({"declaration": declaration.pk, "camera": camera.pk, "token": token}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for tid in tids:
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            found |= {child} | _descendants(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _until(check, what: str):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.3)
    raise AssertionError(f"not within {DEADLINE} s: {what}")


class Site:
    def __init__(self, env: dict, folder: Path):
        self.env, self.folder = env, folder
        self.port = _free_port()
        self.log = open(folder / f"run-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_embedded",
                f"127.0.0.1:{self.port}",
                "--noreload",
                "--broker-dir",
                str(folder / "broker"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return (self.folder / f"run-{self.port}.log").read_text(errors="replace")

    def child(self, word: str) -> int:
        pids = [p for p in _descendants(self.proc.pid) if f" {word} " in f"{_cmdline(p)} "]
        assert pids, f"no {word} process under run_embedded:\n{self.output()}"
        return min(pids)

    def api(self, path: str, token: str, data: bytes | None = None, content_type: str = "") -> tuple[int, object]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data)
        request.add_header("Authorization", f"Token {token}")
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def serving(self, token: str) -> bool:
        assert self.proc.poll() is None, f"run_embedded exited:\n{self.output()}"
        try:
            return self.api("/api/anpr/cameras/", token)[0] == 200
        except OSError:
            return False

    def control(self, *command: str) -> str:
        """``celery control …`` to the site's worker, through its broker."""
        env = {**self.env, "CELERY_BROKER_DIR": str(self.folder / "broker")}
        done = subprocess.run(
            [sys.executable, "-m", "celery", "-A", "transit_monitor", "control", *command, "--timeout", "10"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        return done.stdout + done.stderr

    def kill(self) -> None:
        for pid in _descendants(self.proc.pid) | {self.proc.pid}:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def site_env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_DIR", "BEAT_EVERY"}}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        SECRET_KEY=uuid.uuid4().hex,
        HTTPS="0",  # plain http on 127.0.0.1, as under `make run`
        DJANGO_SETTINGS_MODULE="transit_monitor.settings",
        PYTHONPATH=str(ROOT),
        BEAT_EVERY="camera-health=2",  # every 2 seconds instead of every 15 minutes
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    built = subprocess.run(
        [sys.executable, "-c", "from tests.core.test_run_embedded import build_site; build_site()"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return env, folder, json.loads(built.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def site(site_env):
    env, folder, rows = site_env
    running = Site(env, folder)
    try:
        _until(lambda: running.serving(rows["token"]), "the web server answers")
        yield running, rows
    finally:
        running.kill()


def test_beat_sends_a_due_periodic_job_and_the_worker_runs_it(site):
    running, rows = site

    def camera():
        status, cameras = running.api("/api/anpr/cameras/", rows["token"])
        assert status == 200, cameras
        return next(c for c in cameras if c["id"] == rows["camera"])

    assert camera()["health"] == ""  # nothing has checked it yet
    flagged = _until(lambda: (c := camera())["health"] == "silent" and c, "the camera flagged silent")
    assert flagged["silent_since"]
    assert "Sending due task camera-health" in running.output()


def _multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_an_upload_returns_before_its_comparison_runs_and_the_worker_gives_the_verdict(site):
    from tests.scans.test_comparison_job import generated_pair

    running, rows = site
    token, declaration = rows["token"], rows["declaration"]
    _origin, dest_jpeg, label = generated_pair(7, tampered=True)
    assert label["tampered"]
    body, content_type = _multipart(
        {
            "declaration": str(declaration),
            "stage": "destination",
            "scanner_id": "NUC-7",
            "captured_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        },
        "file",
        "dest.jpg",
        dest_jpeg,
    )
    comparisons = f"/api/scans/declarations/{declaration}/comparisons/"
    # The worker takes nothing from the queue until the upload has answered (tasks it holds finish).
    assert "OK" in running.control("cancel_consumer", "comparison")
    try:
        status, scan = running.api("/api/scans/", token, body, content_type)
        assert status == 201, scan
        status, listed = running.api(comparisons, token)
        assert status == 200, listed
        assert [c["status"] for c in listed] == ["queued"]  # answered without comparing
    finally:
        assert "OK" in running.control("add_consumer", "comparison")

    def finished():
        (comparison,) = running.api(comparisons, token)[1]
        return comparison["status"] in {"done", "failed"} and comparison

    comparison = _until(finished, "the worker finishes the comparison")
    assert comparison["status"] == "done", comparison["error"]
    assert comparison["verdict"] == "suspicious" and comparison["review"] == "pending"
    assert comparison["dest_scan"] == scan["id"]
    # Web, worker and beat wrote to one SQLite file meanwhile (BEGIN IMMEDIATE, a busy timeout).
    assert "database is locked" not in running.output()


def test_an_import_returns_before_it_runs_and_the_worker_imports_it(site):
    running, rows = site
    token = rows["token"]
    record = {
        "serial": "T1404EMB00001",
        "declared_at": "1404/05/12 10:30",
        "origin": "BZG",
        "destination": "THR",
        "plate": "۵۹ د ۱۶۹ ایران ۱۳",
        "goods": [{"hs_code": "851713", "description": "گوشی", "quantity": "10", "unit": "عدد"}],
    }
    body = json.dumps([record, {"serial": ""}]).encode()
    # The worker takes nothing from the queue until the import has answered (once it is up).
    _until(lambda: "OK" in running.control("cancel_consumer", "reports"), "the worker answers")
    try:
        status, queued = running.api("/api/declarations/import/", token, body, "application/json")
        assert status == 202, queued
        assert queued["state"] == "queued" and queued["created"] == 0
        assert running.api(queued["status_url"].split(f":{running.port}", 1)[1], token)[1]["state"] == "queued"
    finally:
        assert "OK" in running.control("add_consumer", "reports")
    path = queued["status_url"].split(f":{running.port}", 1)[1]

    def finished():
        batch = running.api(path, token)[1]
        return batch["state"] in {"done", "failed"} and batch

    batch = _until(finished, "the worker finishes the import")
    assert batch["state"] == "done", batch["error"]
    assert batch["created"] == 1 and {r["row"] for r in batch["rejected"]} == {2}, batch["rejected"]
    assert batch["processed"] == batch["total"] == 2


def test_stopping_it_stops_the_web_server_the_worker_and_beat(site):
    running, rows = site
    children = _descendants(running.proc.pid)
    assert {"runserver", "worker", "beat"} <= {w for p in children for w in _cmdline(p).split()}
    running.proc.send_signal(signal.SIGTERM)
    assert running.proc.wait(timeout=DEADLINE) == 0, running.output()
    assert [p for p in children if _alive(p)] == []
    with pytest.raises(OSError):  # nobody listens on the port any more
        socket.create_connection(("127.0.0.1", running.port), timeout=5).close()


def test_when_one_process_dies_the_others_are_stopped_too(site_env):
    env, folder, rows = site_env
    running = Site(env, folder)
    try:
        _until(lambda: running.serving(rows["token"]), "the web server answers")
        children = _descendants(running.proc.pid)
        os.kill(running.child("beat"), signal.SIGKILL)
        assert running.proc.wait(timeout=DEADLINE) != 0
        assert "beat exited" in running.output()
        assert [p for p in children if _alive(p)] == []
    finally:
        running.kill()


def test_when_its_parent_is_stopped_it_stops_the_three_too(site_env):
    """`make run` execs run_embedded; SIGTERM to make ends make alone (it passes no signal on), which
    left the web server, the worker and beat running. The parent here stands in for make."""
    env, folder, rows = site_env
    port = _free_port()
    argv = [sys.executable, "manage.py", "run_embedded", f"127.0.0.1:{port}", "--noreload"]
    argv += ["--broker-dir", str(folder / "broker-parent")]
    stand_in = "import subprocess, sys; subprocess.Popen(sys.argv[1:]).wait()"
    with open(folder / "parent.log", "wb") as log:
        parent = subprocess.Popen(
            [sys.executable, "-c", stand_in, *argv],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    found: set[int] = set()
    try:
        found |= _until(
            lambda: {w for p in _descendants(parent.pid) for w in _cmdline(p).split()}
            >= {"runserver", "worker", "beat"}
            and _descendants(parent.pid),
            "run_embedded starts its three under the stand-in for make",
        )
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=DEADLINE)
        _until(lambda: not [p for p in found if _alive(p)], "everything under the stopped parent ends")
    finally:
        for pid in found | _descendants(parent.pid):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
