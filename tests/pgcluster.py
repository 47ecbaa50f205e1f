"""PostgreSQL servers of a test's own: a primary made with initdb, a streaming replica of it made with
pg_basebackup -R, a fresh server to restore into. Real servers on their own ports (``TEST_PG_PORT``,
default 5442, and the next ones), never the shared one's data directory.

As root (a container, CI as root) the binaries run as the ``postgres`` user: initdb refuses root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# Ten ports a test process; parallel processes (pytest-xdist workers gw0, gw1, …) each their own ten.
BASE_PORT = int(os.environ.get("TEST_PG_PORT", "5442")) + 10 * int(
    os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0
)


def available() -> str | None:
    """None when servers can be made here, else why not (the test skips saying so)."""
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL binaries in {PG_BIN} (set PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run initdb as"
    return None


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, check=False, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


class Server:
    """One PostgreSQL server: its data directory, port, log; started and stopped with pg_ctl."""

    def __init__(self, root: Path, name: str, port: int):
        self.dir = root / name
        self.port = port
        self.log = root / f"{name}.log"
        self.sock = root  # the unix socket there: no clash with the system server's /var/run/postgresql

    def url(self, db: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def start(self, **conf: str) -> None:
        opts = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.sock),
            "fsync": "off",  # a test's server: speed over durability
            "log_statement": "all",  # what each server ran: the tests read it
            **conf,
        }
        args = " ".join(f"-c {k}={v}" for k, v in opts.items())
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-o", args, "-w", "-t", "60", "start"])

    def stop(self) -> None:
        if (self.dir / "postmaster.pid").exists():
            subprocess.run(
                _as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                check=False,
            )

    def psql(self, sql: str, db: str = "postgres") -> str:
        return _run(
            [
                "psql",
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ]
        ).stdout.strip()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Clusters:
    """A temp folder (owned by the server's user) holding the servers a test makes; ``close`` stops them."""

    def __init__(self, first_port: int = BASE_PORT) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tm-pg-"))
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)
        self.servers: list[Server] = []
        self._next_port = first_port

    def _server(self, name: str) -> Server:
        server = Server(self.root, name, self._next_port)
        self._next_port += 1
        self.servers.append(server)
        return server

    def primary(self, name: str = "primary", **conf: str) -> Server:
        server = self._server(name)
        # -A trust: initdb's pg_hba then also lets 127.0.0.1 connect for replication.
        _run([str(PG_BIN / "initdb"), "-D", str(server.dir), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        server.start(wal_level="replica", max_wal_senders="4", **conf)
        return server

    def base_backup(self, primary: Server, name: str) -> Server:
        """A plain pg_basebackup of ``primary`` (not started): what a PITR restore begins from."""
        server = self._server(name)
        _run(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(server.dir),
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
        return server

    def folder(self, name: str) -> Path:
        """A folder the server's user can write (a WAL archive)."""
        path = self.root / name
        path.mkdir()
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return path

    def replica_of(self, primary: Server, name: str = "replica") -> Server:
        server = self._server(name)
        # -R writes primary_conninfo and standby.signal: the copy starts as a streaming standby.
        _run(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(server.dir),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
        server.start(hot_standby="on")
        return server

    def close(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def wait_until(check, what: str, timeout: float = 60.0) -> None:
    """Poll ``check`` until true (replication is asynchronous); fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)
