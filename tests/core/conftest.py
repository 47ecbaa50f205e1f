"""A real ClamAV daemon for the malware tests: Debian's ``clamd`` started in the foreground with a
signature database of one line that matches the EICAR test file (no signature download here).

Skipped, saying why, where clamd is not installed (``apt-get install clamav-daemon``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
# The anti-virus test file (eicar.org): 68 printable bytes every scanner reports, harmless.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# An extended signature (.ndb): name, any file type, at any offset, the bytes in hex. So EICAR is found
# inside an image, a PDF or a zipped XLSX too (clamd unpacks archives and scans each member).
SIGNATURES = f"Eicar-Test-Signature:0:*:{EICAR.hex()}\n"


@dataclass
class Clamd:
    """One running clamd: its unix socket, its TCP port, its process."""

    socket: str
    port: int
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(path: str) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(path)
            s.sendall(b"zPING\0")
            return s.recv(16).startswith(b"PONG")
    except OSError:
        return False


def start_clamd(folder: Path) -> Clamd:
    """clamd in the foreground on a socket in ``folder``, with the one-line database; ready when it answers PING.

    As root (CI) clamd keeps running as root: the configuration names no ``User`` to switch to.
    """
    if not Path(CLAMD).exists():
        pytest.skip("needs ClamAV's daemon at /usr/sbin/clamd (apt-get install clamav-daemon)")
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    (db / "eicar.ndb").write_text(SIGNATURES)
    sock, port, log = str(folder / "clamd.sock"), _free_port(), folder / "clamd.log"
    conf = folder / "clamd.conf"
    conf.write_text(
        "\n".join(
            [
                f"LocalSocket {sock}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"DatabaseDirectory {db}",
                f"TemporaryDirectory {folder}",
                "Foreground yes",
                "MaxThreads 4",
                "",
            ]
        )
    )
    with log.open("wb") as out:
        process = subprocess.Popen([CLAMD, "--config-file", str(conf)], stdout=out, stderr=subprocess.STDOUT)
    daemon = Clamd(socket=sock, port=port, process=process, log=log)
    deadline = time.monotonic() + 60  # a one-signature database loads in well under a second
    while not _answers(sock):
        if process.poll() is not None or time.monotonic() > deadline:
            daemon.stop()
            pytest.fail(f"clamd did not start (exit {process.poll()}):\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    return daemon


@pytest.fixture(scope="session")
def clamd_daemon(tmp_path_factory):
    """One clamd for the session (about 0.1 s to start with this database)."""
    daemon = start_clamd(tmp_path_factory.mktemp("clamd"))
    yield daemon
    daemon.stop()


@pytest.fixture
def clamd(clamd_daemon, settings):
    """Scanning on, through the session's clamd's unix socket."""
    settings.CLAMD_SOCKET = clamd_daemon.socket
    settings.CLAMD_HOST = ""
    return clamd_daemon


@pytest.fixture
def own_clamd(settings):
    """A clamd of the test's own (to stop it), scanning on through its socket."""
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))  # short: a unix socket's path has at most 107 bytes
    daemon = start_clamd(folder)
    settings.CLAMD_SOCKET = daemon.socket
    settings.CLAMD_HOST = ""
    yield daemon
    daemon.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def scanning_off(settings):
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
