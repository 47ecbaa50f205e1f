"""Point-in-time recovery as docs/operations.md describes it, on a server of the test's own: WAL
archiving on (the documented postgresql.conf lines), a base backup, a mistaken DELETE, then the
base backup started with restore_command and recovery_target_time just before the mistake."""

from __future__ import annotations

import pytest

from tests import pgcluster

pytestmark = pytest.mark.postgres


@pytest.fixture
def clusters():
    why = pgcluster.available()
    if why:
        pytest.skip(why)
    made = pgcluster.Clusters(first_port=pgcluster.BASE_PORT + 4)
    yield made
    made.close()


def test_a_base_backup_and_archived_wal_recover_to_the_moment_before_a_mistaken_delete(clusters):
    archive = clusters.folder("wal-archive")
    # The lines of docs/operations.md ("Continuous archiving"), with the archive a local folder here.
    primary = clusters.primary(
        archive_mode="on",
        archive_command=f"'test ! -f {archive}/%f && cp %p {archive}/%f'",
        archive_timeout="60",
    )
    primary.psql("CREATE TABLE decl (serial text PRIMARY KEY)")
    primary.psql("INSERT INTO decl VALUES ('T140400000001')")
    base = clusters.base_backup(primary, "base")

    primary.psql("INSERT INTO decl VALUES ('T140400000002')")  # after the base backup: only in the WAL
    target = primary.psql("SELECT clock_timestamp()")  # the operator's "just before 10:42"
    primary.psql("DELETE FROM decl")  # the mistake
    segment = primary.psql("SELECT pg_walfile_name(pg_current_wal_lsn())")
    primary.psql("SELECT pg_switch_wal()")
    pgcluster.wait_until(
        lambda: primary.psql("SELECT last_archived_wal FROM pg_stat_archiver") >= segment, "the WAL is archived"
    )
    primary.stop()

    # Recovery: restore_command, the target, promote at the target; recovery.signal starts it.
    with (base.dir / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"restore_command = 'cp {archive}/%f %p'\n")
        conf.write(f"recovery_target_time = '{target}'\n")
        conf.write("recovery_target_action = 'promote'\n")
    (base.dir / "recovery.signal").touch()
    base.start()
    pgcluster.wait_until(lambda: base.psql("SELECT pg_is_in_recovery()") == "f", "recovery ends and promotes")

    assert base.psql("SELECT string_agg(serial, ',' ORDER BY serial) FROM decl") == "T140400000001,T140400000002"
    assert "recovery stopping before commit" in base.log_text()
