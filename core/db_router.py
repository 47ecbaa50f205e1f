"""Read-heavy pages on a PostgreSQL streaming replica, when one is configured (``DATABASE_REPLICA_URL``).

Off by default: with no replica every query goes to ``default`` and nothing here does anything.
With one, the ``replica`` alias exists and ``ReplicaRouter`` sends a read there only when all hold:

- the code asked for it: a view decorated with ``@reads_from_replica`` (the dashboard, the
  declaration list and its exports, the returns and their trend) or a ``replica_reads()`` block;
- the primary connection is not inside a transaction (``atomic``): a transaction reads what it
  is about to change, on the server that changes it;
- nothing was written in this request yet (every ``db_for_write`` marks the request), so a page
  reads its own writes;
- the browser did not write in the last ``REPLICA_PIN_SECONDS`` (``ReplicaPinMiddleware`` sets a
  short cookie after a request that wrote): the page after "save" shows the save;
- the replica is healthy and close behind (``replica_status``): checked at most every
  ``REPLICA_CHECK_SECONDS`` per process; a replica that cannot be reached, is not in recovery,
  or is more than ``REPLICA_MAX_LAG_SECONDS`` behind is left alone until the next check and
  the reads go to the primary (logged once per change).

Replication lag: the lag is measured on the replica as 0 when it has replayed all the WAL it
received (and its WAL receiver is streaming, when the database user may see that), otherwise as
the age of the last transaction it replayed. A page served from the replica can therefore miss
at most ``REPLICA_MAX_LAG_SECONDS`` (plus one check interval) of other users' changes; the
user's own changes are covered by the two rules above. Writes never go to the replica (it is
read-only: PostgreSQL would refuse them anyway), nor do migrations.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "tm_primary_until"


@dataclass
class _RequestState:
    replica_allowed: bool = False
    wrote: bool = False
    pinned: bool = False  # the browser wrote a moment ago (cookie)


_state: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar("db_router_state", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


# --- health ------------------------------------------------------------------------------------

LAG_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT status FROM pg_stat_wal_receiver LIMIT 1),
       COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


@dataclass
class ReplicaStatus:
    usable: bool
    lag_seconds: float | None
    reason: str
    checked_at: float = field(default_factory=time.monotonic)


def measure(using: str = REPLICA) -> ReplicaStatus:
    """Ask the replica how far behind it is (one query). Never raises: a failure is an unusable replica."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, receiver, caught_up, age = cursor.fetchone()
    except DatabaseError as exc:
        connections[using].close()  # a broken connection is opened afresh at the next check
        return ReplicaStatus(False, None, f"unreachable: {exc}".strip())
    if not in_recovery:
        # A promoted replica (or a primary named by mistake) no longer follows the primary.
        return ReplicaStatus(False, None, "not a standby (pg_is_in_recovery() is false)")
    if receiver is not None and receiver != "streaming":
        return ReplicaStatus(False, None, f"WAL receiver {receiver}, not streaming")
    lag = 0.0 if caught_up else float(age if age is not None else float("inf"))
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return ReplicaStatus(False, lag, f"{lag:.1f} s behind (limit {settings.REPLICA_MAX_LAG_SECONDS} s)")
    return ReplicaStatus(True, lag, "ok")


_lock = threading.Lock()
_last: ReplicaStatus | None = None


def replica_status(*, refresh: bool = False) -> ReplicaStatus:
    """The replica's last measured state, measured again when older than ``REPLICA_CHECK_SECONDS``."""
    global _last
    with _lock:
        last = _last
        if not refresh and last is not None and time.monotonic() - last.checked_at < settings.REPLICA_CHECK_SECONDS:
            return last
        status = measure()
        if last is None or last.usable != status.usable:
            (log.info if status.usable else log.warning)("database replica: %s", status.reason)
        _last = status
        return status


def forget_status() -> None:
    """Measure again at the next read (tests; an operator's shell after fixing the replica)."""
    global _last
    with _lock:
        _last = None


# --- scope -------------------------------------------------------------------------------------


@contextmanager
def replica_reads():
    """Reads in this block may go to the replica (under the rules above); writes end that for the rest."""
    state = _state.get()
    if state is None:
        token = _state.set(_RequestState(replica_allowed=True))
        try:
            yield
        finally:
            _state.reset(token)
        return
    before = state.replica_allowed
    state.replica_allowed = True
    try:
        yield
    finally:
        state.replica_allowed = before


def reads_from_replica(view):
    """A read-heavy view: its GET and HEAD queries may be served by the replica (see the module's rules).
    Any other method (a form posted to the same page) stays on the primary from its first query."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _state.get()
        if (
            state is None
            or not state.replica_allowed
            or state.wrote
            or state.pinned
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return REPLICA if replica_status().usable else PRIMARY

    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: an office read on the replica may be set on a row saved on the primary.
        aliases = {PRIMARY, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica gets its schema from the primary's WAL


class ReplicaPinMiddleware:
    """One routing state per request; after a request that wrote, a cookie keeps this browser's reads on
    the primary for ``REPLICA_PIN_SECONDS`` (long enough for the replica to replay the write)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        try:
            pinned = float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
        except ValueError:
            pinned = False
        state = _RequestState(pinned=pinned)
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote and settings.REPLICA_PIN_SECONDS > 0:
            until = time.time() + settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{until:.0f}",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
