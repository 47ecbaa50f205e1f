"""The database router against a real streaming replica (core/db_router.py).

The test makes its own primary (initdb) and a replica of it (pg_basebackup -R, streaming): the
shared server's pg_hba allows no replication connections. The primary gets the test database's
schema and data (pg_dump | pg_restore), then a process configured as a deployment is
(DATABASE_URL, DATABASE_REPLICA_URL) opens the dashboard and writes; both servers log every
statement, and the test reads which one ran what."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests import pgcluster

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def primary_and_replica(django_db_setup, django_db_blocker):
    why = pgcluster.available()
    if why:
        pytest.skip(why)
    clusters = pgcluster.Clusters()
    try:
        primary = clusters.primary()
        primary.psql("CREATE DATABASE transit")
        with django_db_blocker.unblock():
            source = connection.settings_dict
        dump = subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "-h",
                source["HOST"] or "127.0.0.1",
                "-p",
                str(source["PORT"] or 5432),
                "-U",
                source["USER"] or "postgres",
                source["NAME"],
            ],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(
            ["pg_restore", "--no-owner", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-d", "transit"],
            input=dump,
            capture_output=True,
            check=True,
        )
        replica = clusters.replica_of(primary)
        yield primary, replica
    finally:
        clusters.close()


def _between(log: str, start: str, end: str) -> str:
    a, b = log.find(f"probe:{start}"), log.find(f"probe:{end}")
    assert a >= 0 and b > a, f"markers {start}..{end} not in the log"
    return log[a:b]


READ_DECLARATIONS = re.compile(r'statement: SELECT .*FROM "declarations_transitdeclaration"')


def test_dashboard_reads_the_replica_and_writes_reach_it(primary_and_replica, tmp_path):
    primary, replica = primary_and_replica
    env = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "SECRET_KEY")
    }
    env.update(
        DATABASE_URL=primary.url("transit"),
        DATABASE_REPLICA_URL=replica.url("transit"),
        MEDIA_ROOT=str(tmp_path / "media"),
        AXES_ENABLED="0",
        REPLICA_MAX_LAG_SECONDS="0",  # any lag at all counts: the paused replica below is "behind"
        REPLICA_CHECK_SECONDS="3600",  # measured when the probe says so, not on a clock
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests/core/replica_probe.py")], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-4000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert seen["ports"] == {"default": primary.port, "replica": replica.port}
    assert seen["routers"] == ["ReplicaRouter"]
    assert seen["status_before"] == "ok"

    # The dashboard page: its counts ran on the replica, none on the primary.
    assert seen["dashboard"] == 200
    on_replica = _between(replica.log_text(), "dashboard:start", "dashboard:end")
    on_primary = _between(primary.log_text(), "dashboard:start", "dashboard:end")
    assert READ_DECLARATIONS.search(on_replica), on_replica[-3000:]
    assert not READ_DECLARATIONS.search(on_primary), on_primary[-3000:]

    # A write goes to the primary; the reads after it in the same scope too; it reaches the replica.
    assert seen["read_before_write"] == "replica"
    assert seen["written_on"] == "default"
    assert seen["read_after_write"] == "default"
    assert seen["read_in_atomic"] == "default"
    assert seen["written_on_replica"] is True

    # After a request that wrote, the same browser reads the primary; another browser, the replica.
    assert seen["pin_cookie_set"] is True
    assert (seen["next_page_plain"], seen["next_page_pinned"], seen["post_page"]) == ("replica", "default", "default")

    # Replay paused and the primary moved on: the replica is behind, and the dashboard reads the primary.
    assert "behind" in seen["status_lagging"]
    assert seen["dashboard_lagging"] == 200
    lagging_replica = _between(replica.log_text(), "lagging:start", "lagging:end")
    lagging_primary = _between(primary.log_text(), "lagging:start", "lagging:end")
    assert READ_DECLARATIONS.search(lagging_primary), lagging_primary[-3000:]
    assert not READ_DECLARATIONS.search(lagging_replica)
    assert seen["status_after"] == "ok"
