"""python manage.py run_embedded [addrport] — the embedded default's processes, started and stopped together.

`make run` ends with this: the web server (runserver), a Celery worker and Celery beat, sharing a broker
that needs no server (Kombu's filesystem transport in ``--broker-dir``, see transit_monitor/broker.py;
task states in a SQLite file there). Each child's output is printed with its name in front. Ctrl-C or
SIGTERM (to it, or to the `make` that started it) stops all three (a second Ctrl-C kills them at once); when one of them exits on its own the
others are stopped and the command fails, so nothing is left running half-started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

GRACE_SECONDS = 20  # a worker's warm shutdown lets a running task (a comparison: seconds) finish


def _die_with_parent() -> None:
    """In the child, before exec (Linux): SIGTERM when the supervisor dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat on a broker in files; Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--broker-dir", default=str(Path(settings.BASE_DIR) / "var" / "broker"))
        parser.add_argument("--concurrency", type=int, default=2, help="worker threads (tasks run at once)")
        parser.add_argument("--noreload", action="store_true", help="the web server does not reload on code changes")

    def handle(self, *args, addrport, broker_dir, concurrency, noreload, **options):
        if settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is set: run the web server, `celery worker` and `celery beat` on Redis instead."
            )
        broker = Path(broker_dir).resolve()
        env = {**os.environ, "CELERY_BROKER_DIR": str(broker), "PYTHONUNBUFFERED": "1"}
        celery = [sys.executable, "-m", "celery", "-A", "transit_monitor"]
        web = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "runserver", addrport]
        commands = {
            "web": [*web, "--noreload"] if noreload else web,
            "worker": [
                *celery,
                *("worker", "--pool=threads", f"--concurrency={concurrency}", "-l", "info", "-n", "embedded@%h"),
                # One worker for the four queues (production runs one per queue: docs/operations.md).
                "--queues=" + ",".join(q.name for q in settings.CELERY_TASK_QUEUES),
                *("--without-gossip", "--without-mingle"),  # one worker: nobody to gossip or sync with
            ],
            "beat": [*celery, "beat", "-l", "info"],
        }
        self.stdout.write(
            f"Starting the web server on http://{addrport}/, a Celery worker and Celery beat; "
            f"broker and task states in {broker}. Ctrl-C stops all three."
        )
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._signals = 0
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        self._follow_parent()
        children: dict[str, subprocess.Popen] = {}
        try:
            for name, argv in commands.items():
                children[name] = subprocess.Popen(
                    argv,
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: stopped as a whole, below
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                )
            readers = [
                threading.Thread(target=self._relay, args=(name, child), daemon=True)
                for name, child in children.items()
            ]
            for reader in readers:
                reader.start()
            failed = self._watch(children)
        finally:
            self._stop_all(children)
        for reader in readers:
            reader.join(timeout=2)
        if failed:
            raise CommandError(failed)

    def _follow_parent(self) -> None:
        """`make run` execs this command, so SIGTERM to make (which dies without passing it on) ends
        this command's parent: stop the three as on a signal. A signal of its own (SIGUSR1), so that
        Ctrl-C, which reaches make and this command together, still counts once and stops gracefully."""
        if sys.platform != "linux":
            return
        parent = os.getppid()
        signal.signal(signal.SIGUSR1, lambda signum, frame: self._stop.set())
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGUSR1)  # PR_SET_PDEATHSIG
        except OSError:
            return
        if os.getppid() != parent:  # it died before the line above
            self._stop.set()

    def _on_signal(self, signum, frame):
        self._signals += 1
        self._stop.set()
        if self._signals > 1 and getattr(self, "_children", None):
            for child in self._children.values():
                self._signal_group(child, signal.SIGKILL)

    def _watch(self, children: dict[str, subprocess.Popen]) -> str:
        """Until a signal or a child's exit; returns why a child stopped the lot ("" on a signal)."""
        self._children = children
        while not self._stop.wait(0.5):
            for name, child in children.items():
                if child.poll() is not None:
                    return f"{name} exited (code {child.returncode}); the others were stopped."
        return ""

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        running = [c for c in children.values() if c.poll() is None]
        if not running:
            return
        self._say("stopping web, worker and beat… (Ctrl-C again to kill them now)")
        for child in running:
            self._signal_group(child, signal.SIGTERM)
        for child in running:
            try:
                child.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self._signal_group(child, signal.SIGKILL)
                child.wait()
        for child in children.values():  # what a child left in its group (runserver's reloaded server)
            self._signal_group(child, signal.SIGKILL)

    @staticmethod
    def _signal_group(child: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _relay(self, name: str, child: subprocess.Popen) -> None:
        assert child.stdout is not None
        for raw in child.stdout:
            self._say(raw.decode("utf-8", "replace").rstrip("\n"), name)

    def _say(self, line: str, name: str = "") -> None:
        with self._lock:
            self.stdout.write(f"{name:<6}| {line}" if name else line)
            self.stdout.flush()
