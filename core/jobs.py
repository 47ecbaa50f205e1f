"""Follow-up jobs (Celery task calls) through an outbox: a change is stored even while the broker is down.

``enqueue(task, *args, **kwargs)`` is the one way the apps queue a task. With a broker it writes an
``OutboxJob`` row in the caller's transaction, so the job exists exactly when the change that needs it
does, and publishes it after the commit. When the broker does not answer (Redis down) the row stays
and ``outbox_sweep`` publishes it later: a beat job every 30 s, and at once when a worker (re)connects
to the broker (``SweepOnConnect``). Without a broker (``task_always_eager``: tests, the shell, SQLite
demos) the task runs in this process after the commit, as ``transaction.on_commit(task.delay)`` did.

Each row is published once: the request publishes it within ``GRACE`` of its commit and the sweeper
only takes rows past that or that failed, locked with ``SKIP LOCKED``. A publish lost between the
broker and the row's update (a crash) is sent again: every task is safe to run twice.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import OutboxJob

log = logging.getLogger(__name__)

GRACE = dt.timedelta(seconds=30)  # the request's own publish comes first; the sweeper after this
BACKOFF_FIRST = 5  # seconds before a failed row is tried again; doubled per attempt up to BACKOFF_MAX
BACKOFF_MAX = 300
# Sent rows stay this long (what was queued when, for an operator), then the sweep deletes them: at
# 200 reads a second the table would otherwise grow by 17 million rows a day.
KEEP_SENT = dt.timedelta(hours=1)
SWEEP_BATCH = 500
COLLAPSE_SECONDS = 60  # a collapsing job's "one is waiting in the broker" flag outlives a lost message this long
# One quick retry on a pooled connection the broker closed (its restart); no more, the request waits on it.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


@dataclass(frozen=True)
class Job:
    """A queued job: the Celery task id it runs under (known before it is published), and whether it
    runs in this process (no broker: it has run by the time a caller outside a transaction reads this)."""

    task_id: str
    inline: bool


def runs_inline() -> bool:
    """No broker: tasks run in the caller (Celery's ``task_always_eager``)."""
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> Job:
    """Queue ``task(*args, **kwargs)`` to run after the current transaction commits (at once outside one).

    ``task`` is a Celery task or its registered name; the arguments must be JSON (ids, not objects)."""
    return _enqueue("", task, args, kwargs)


def enqueue_collapsing(key: str, task: Any, *args: Any, **kwargs: Any) -> Job:
    """``enqueue`` for a job of which one waiting message is enough: the task takes all the work there
    is, not only its arguments' (matching takes every pending read). While one message with this
    ``key`` waits in the broker no other is sent, and the sweeper sends one for all rows of a key. The
    task calls ``collapsing_started(key)`` before it reads its work; for a task that does not (a
    render that keeps its first result) the flag lapses after ``COLLAPSE_SECONDS``."""
    return _enqueue(key, task, args, kwargs)


def enqueue_again(task_id: str, task: Any, *args: Any, **kwargs: Any) -> Job:
    """``enqueue`` under a known Celery task id: a job queued again (the sweeper's re-queue of a return
    build whose row is keyed by its task id) keeps its id, so the row finds its build again. The
    outbox row of that id, sent long ago, waits again."""
    name = task if isinstance(task, str) else task.name
    if runs_inline():
        _after_commit(lambda: _task(name).apply_async(args, kwargs, task_id=task_id))
        return Job(task_id, inline=True)
    _check_arguments(_task(name), args, kwargs)
    row, _ = OutboxJob.objects.update_or_create(
        task_id=uuid.UUID(task_id),
        defaults={
            "task": name,
            "args": list(args),
            "kwargs": kwargs,
            "collapse_key": "",
            "sent_at": None,
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": timezone.now() + GRACE,
        },
    )
    transaction.on_commit(lambda: _publish_committed(row), robust=True)
    return Job(str(row.task_id), inline=False)


def collapsing_started(key: str) -> None:
    """The task of a collapsing key has started: work stored from now on needs a new message."""
    cache.delete(_waiting_flag(key))


def _enqueue(key: str, task: Any, args: tuple, kwargs: dict) -> Job:
    name = task if isinstance(task, str) else task.name
    if runs_inline():

        def run() -> None:
            if key and not cache.add(_waiting_flag(key), 1, COLLAPSE_SECONDS):
                return  # one of this key is running or queued in this process: it takes this work too
            (_task(name) if isinstance(task, str) else task).delay(*args, **kwargs)

        _after_commit(run)
        return Job(str(uuid.uuid4()), inline=True)
    _check_arguments(_task(name) if isinstance(task, str) else task, args, kwargs)
    row = OutboxJob.objects.create(
        task=name, args=list(args), kwargs=kwargs, collapse_key=key, next_attempt_at=timezone.now() + GRACE
    )
    # robust: the change is committed; a failure to publish (or to mark it sent) is the sweeper's to mend.
    transaction.on_commit(lambda: _publish_committed(row), robust=True)
    return Job(str(row.task_id), inline=False)


def _check_arguments(task: Any, args: tuple, kwargs: dict) -> None:
    """A call the task cannot take fails here, in the caller, not later in the outbox (as ``delay`` does)."""
    header = getattr(task, "__header__", None)
    if header is not None and task.typing:
        header(*args, **kwargs)


def in_transaction() -> bool:
    """Is the code inside a transaction that will commit or roll back after it returns? A test's own transaction
    (pytest-django wraps each test in one that is never committed) counts as none, as outside one in production."""
    return connection.in_atomic_block and not all(getattr(b, "_from_testcase", False) for b in connection.atomic_blocks)


def _after_commit(run: Callable[[], object]) -> None:
    """``transaction.on_commit``, except that a test's own transaction counts as none (``in_transaction``): a
    task queued outside the code's transactions runs at once, as in production, and one queued inside them does
    not run, as before the outbox."""
    if connection.in_atomic_block and not in_transaction():
        run()
    else:
        transaction.on_commit(run)


def _task(name: str):
    """The registered task of this name; its module is imported if nothing has yet (a sweep in the
    web process, or a worker's connect, publishes tasks of every app)."""
    from celery import current_app

    try:
        return current_app.tasks[name]
    except KeyError:  # NotRegistered
        importlib.import_module(name.rpartition(".")[0])
        return current_app.tasks[name]


def _waiting_flag(key: str) -> str:
    return f"jobs:waiting:{key}"


def _publish(row: OutboxJob) -> None:
    _task(row.task).apply_async(row.args, row.kwargs, task_id=str(row.task_id), retry=True, retry_policy=PUBLISH_RETRY)


def _publish_committed(row: OutboxJob) -> None:
    now = timezone.now()
    if row.collapse_key and not cache.add(_waiting_flag(row.collapse_key), 1, COLLAPSE_SECONDS):
        # One message of this key waits in the broker and has not started: it takes this row's work too.
        OutboxJob.objects.filter(pk=row.pk, sent_at__isnull=True).update(sent_at=now, last_error="collapsed")
        return
    global _broker_down_until, _broker_error
    if _broker_error is not None and time.monotonic() < _broker_down_until:
        # The broker failed a moment ago: the row waits for the sweeper without a try of its own.
        _note_failure([row.pk], 1, _broker_error, now)
        if row.collapse_key:
            cache.delete(_waiting_flag(row.collapse_key))
        return
    try:
        _publish(row)
    except Exception as exc:
        if _is_broker_error(exc):
            _broker_error, _broker_down_until = exc, time.monotonic() + BROKER_RETRY_SECONDS
        _note_failure([row.pk], 1, exc, now)
        if row.collapse_key:
            cache.delete(_waiting_flag(row.collapse_key))  # nothing waits in the broker after all
        return
    OutboxJob.objects.filter(pk=row.pk, sent_at__isnull=True).update(sent_at=now)


def _note_failure(pks: list[int], attempts: int, exc: BaseException, now: dt.datetime) -> None:
    wait = min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)
    _log_broker_down(exc)
    OutboxJob.objects.filter(pk__in=pks, sent_at__isnull=True).update(
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=now + dt.timedelta(seconds=wait),
    )


_last_warning = 0.0
# After a broker error, requests of this process leave their jobs to the sweeper for this long
# instead of each trying (and logging) again: a request while Redis is down costs one UPDATE.
BROKER_RETRY_SECONDS = 2.0
_broker_down_until = 0.0
_broker_error: BaseException | None = None


def _log_broker_down(exc: BaseException) -> None:
    """One warning a minute per process, not one per request, while the broker is away."""
    global _last_warning
    now = timezone.now().timestamp()
    if now - _last_warning >= 60:
        _last_warning = now
        log.warning("broker unavailable, jobs kept in the outbox for the sweeper: %s: %s", type(exc).__name__, exc)


def outbox_sweep(*, now: dt.datetime | None = None, broker_back: bool = False) -> dict[str, int]:
    """Publish the outbox's waiting jobs; returns counts (sent, collapsed, failed, pruned).

    Rows are taken when due: past the request's grace, or past their backoff after a failure. Once a
    publish succeeds (or with ``broker_back``, when a worker has just connected) the broker is there,
    and rows still backing off are taken too. The first broker error ends the sweep: the rest would
    fail the same way. Rows of one collapse key go as one message, the newest's arguments.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "collapsed": 0, "failed": 0, "pruned": 0}
    broker_up = broker_back
    while True:
        with transaction.atomic():
            due = Q(next_attempt_at__lte=now) | (Q(attempts__gt=0) if broker_up else Q(pk__in=[]))
            waiting = OutboxJob.objects.filter(due, sent_at__isnull=True).order_by("id")
            rows = list(waiting.select_for_update(skip_locked=True)[:SWEEP_BATCH])
            groups: dict[str, list[OutboxJob]] = {}
            for row in rows:
                groups.setdefault(row.collapse_key or f"#{row.pk}", []).append(row)
            broker_error = None
            done: set[int] = set()
            for group in groups.values():
                newest = group[-1]
                try:
                    _publish(newest)
                except Exception as exc:
                    if _is_broker_error(exc):
                        broker_error = exc
                        break
                    log.exception("outbox job %s (%s) could not be published", newest.pk, newest.task)
                    _note_failure([r.pk for r in group], newest.attempts + 1, exc, now)
                    done.update(r.pk for r in group)
                    counts["failed"] += len(group)
                    continue
                broker_up = True
                sent_at = timezone.now()
                OutboxJob.objects.filter(pk=newest.pk).update(sent_at=sent_at)
                if len(group) > 1:
                    OutboxJob.objects.filter(pk__in=[r.pk for r in group[:-1]]).update(
                        sent_at=sent_at, last_error=f"collapsed into {newest.task_id}"
                    )
                done.update(r.pk for r in group)
                counts["sent"] += 1
                counts["collapsed"] += len(group) - 1
            if broker_error is not None:
                # Each row keeps its own count: one UPDATE per attempt count, a few queries.
                by_attempts: dict[int, list[int]] = {}
                for row in rows:
                    if row.pk not in done:
                        by_attempts.setdefault(row.attempts + 1, []).append(row.pk)
                for attempts, pks in by_attempts.items():
                    _note_failure(pks, attempts, broker_error, now)
                counts["failed"] += len(rows) - len(done)
                break
        if len(rows) < SWEEP_BATCH:
            break
    counts["pruned"] = OutboxJob.objects.filter(sent_at__lt=now - KEEP_SENT).delete()[0]
    if counts["sent"] or counts["failed"]:
        log.info("outbox sweep: %s", counts)
    return counts


def _is_broker_error(exc: BaseException) -> bool:
    """The broker does not answer (as opposed to a job that cannot be sent: an unknown task name)."""
    from kombu.exceptions import OperationalError

    return isinstance(exc, OperationalError | ConnectionError | OSError | TimeoutError) or (
        type(exc).__module__.startswith("redis")
    )


def job_state(task_id: str) -> str:
    """A queued job's Celery state for a page that polls it: ``PENDING`` while its row waits for the
    broker (or the result store does not answer), else what the result store says."""
    from celery.result import AsyncResult

    row = OutboxJob.objects.filter(task_id=task_id).only("sent_at").first()
    if row is not None and row.sent_at is None:
        return "PENDING"
    if row is None and runs_inline():  # run in the process that queued it: nothing to wait for
        return "SUCCESS"
    try:
        return str(AsyncResult(task_id).state)
    except (NotImplementedError, AttributeError):  # no result store (tasks run in-process)
        return "SUCCESS"
    except Exception as exc:
        log.warning("result store unavailable for task %s: %s", task_id, exc)
        return "PENDING"


def sweep_in_background(*, broker_back: bool) -> threading.Thread:
    """``outbox_sweep`` in a thread of its own (a worker connecting must not wait for it)."""

    def run() -> None:
        try:
            outbox_sweep(broker_back=broker_back)
        except Exception:
            log.exception("outbox sweep at worker connect failed; the beat sweep will retry")
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run, name="outbox-sweep", daemon=True)
    thread.start()
    return thread
