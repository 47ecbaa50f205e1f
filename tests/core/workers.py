"""Real Celery worker processes on the Redis broker and the test's PostgreSQL database, started and
killed by the tests of tests/core/test_worker_killed.py and test_queues.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from urllib.parse import quote

DEADLINE = 120  # seconds: a generous bound on a loaded machine, polled, never slept through


def database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{quote(db['USER'] or '')}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """``celery worker`` in its own process group (its pool's children die with it)."""

    def __init__(self, settings, *, queues: str = "", pool: str = "threads", concurrency: int = 4, **env):
        self.name = f"test-{uuid.uuid4().hex[:8]}@%h"
        argv = [sys.executable, "-m", "celery", "-A", "transit_monitor", "worker", f"--pool={pool}"]
        argv += [f"--concurrency={concurrency}", "-l", "info", "-n", self.name, "--without-gossip", "--without-mingle"]
        if queues:
            argv.append(f"--queues={queues}")
        self.log = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log")  # a pipe would fill and block it
        self.proc = subprocess.Popen(
            argv,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
                **{k: str(v) for k, v in env.items()},
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        from transit_monitor.celery import app

        host = self.name.replace("%h", "")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.output())
            replies = app.control.ping(timeout=0.5) or []
            if any(next(iter(r)).startswith(host) for r in replies):
                return
        self.kill()
        raise RuntimeError("the Celery worker did not answer within 60 s:\n" + self.output())

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: no warm shutdown, nothing given back to the broker."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        with open(self.log.name, "rb") as fh:
            return fh.read().decode(errors="replace")[-4000:]


def wait_for(condition: Callable[[], bool], what: str, worker: Worker | None = None) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.proc.poll() is not None:
            raise AssertionError(f"the worker exited while waiting for {what}:\n{worker.output()}")
        time.sleep(0.3)
    raise AssertionError(f"not within {DEADLINE} s: {what}")


def forget_unacked() -> None:
    """After a SIGKILL the killed worker's messages wait in Redis for its visibility timeout (hours),
    then would reach a later test's worker: this test's own broker database forgets them."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete("unacked", "unacked_index", "unacked_mutex")
