"""What every Celery job shares: its time limits, the retry of transient errors, stale claims, the test pause.

A job is a row with a state (a scan comparison, a read awaiting recognition, a return being built…)
and a task that takes the row's id. The rules that make a killed worker harmless:

- The task is acknowledged late and rejected when its worker is lost (settings ``CELERY_*``): the
  broker gives the message again, and the row decides what that redelivery does.
- The row is claimed by a conditional UPDATE (queued → running, or a running row whose claim is
  older than its kind's hard time limit: whoever held it was killed, or would have been). So a
  second delivery does nothing, or takes over a dead claim; the result is written once.
- Transient errors (database or broker connection lost, storage unreachable) are retried with
  exponential backoff (``Job``) instead of failing the row.
- A sweeper (beat, ``reports.tasks.sweep_stuck_jobs``) re-queues rows stuck past their limit, and
  after ``JOB_MAX_ATTEMPTS`` marks them failed with a reason a person reads.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable

from celery import Task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.translation import gettext_noop

log = logging.getLogger(__name__)

# Kinds of job and their hard time limit (seconds) by default; TASK_TIME_LIMITS (settings) overrides.
DEFAULT_HARD_LIMITS: dict[str, int] = {
    "recognition": 120,  # one photo through the plate reader
    "matching": 300,  # up to a thousand reads matched
    "preview": 300,  # a thumbnail and a web image of a scan up to 120 Mpx
    "comparison": 900,  # two scans aligned and compared
    "return": 3600,  # a month's return: figures, XLSX, CSV, PDF over a province's serials
    "letter": 300,  # one letter's PDF
    "export": 3600,  # a list or a report as a file (a country's declarations as XLSX)
    "import": 3600,  # an ICS export of tens of thousands of declarations
    "training": 6 * 3600,  # the plate reader trained on the labels
    "default": 900,  # flags, health checks, follow-ups, sweeps
}


def hard_limit(kind: str) -> int:
    limits = getattr(settings, "TASK_TIME_LIMITS", {}) or {}
    return int(limits.get(kind) or DEFAULT_HARD_LIMITS.get(kind) or DEFAULT_HARD_LIMITS["default"])


def limits(kind: str) -> dict[str, int]:
    """``soft_time_limit`` and ``time_limit`` for a task of this kind: the soft one leaves the task a
    tenth of its time (at least 5 s) to give its row back before the hard one kills it."""
    hard = hard_limit(kind)
    return {"soft_time_limit": max(1, hard - max(5, hard // 10)), "time_limit": hard}


def stale_before(kind: str, now: dt.datetime | None = None) -> dt.datetime:
    """A claim taken before this moment is dead: the hard time limit (and a minute) has passed."""
    return (now or timezone.now()) - dt.timedelta(seconds=hard_limit(kind) + 60)


def queued_stale_before(now: dt.datetime | None = None) -> dt.datetime:
    """A row queued before this moment has lost its message (or waits behind a day's backlog)."""
    return (now or timezone.now()) - dt.timedelta(seconds=settings.JOB_QUEUED_STALE_SECONDS)


def pause_for_tests(kind: str) -> None:
    """Tests only (``TASK_TEST_PAUSE="comparison=30"``): sleep after the claim, so that a test can kill
    the worker in the middle of a job. Empty in every deployment."""
    seconds = (getattr(settings, "TASK_TEST_PAUSE", {}) or {}).get(kind)
    if seconds:
        log.warning("TASK_TEST_PAUSE: %s job pauses %s s", kind, seconds)
        time.sleep(float(seconds))


def is_transient(exc: BaseException) -> bool:
    """An error that another try later may not meet: the database or broker connection lost, the
    storage unreachable. A missing file or a refused permission is not (retrying changes nothing)."""
    from kombu.exceptions import OperationalError as BrokerError

    if isinstance(exc, OperationalError | InterfaceError | BrokerError | ConnectionError | TimeoutError):
        return True
    try:
        from botocore.exceptions import ConnectionError as S3ConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # pragma: no cover - boto3 is in requirements
        return False
    return isinstance(exc, S3ConnectionError | HTTPClientError)


def drop_broken_connections() -> None:
    """Close the database connections an error left unusable, so the next try opens a fresh one
    (a worker keeps its connection between tasks; an eager retry runs in the same thread)."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue  # the caller's transaction: theirs to roll back
        if conn.vendor == "sqlite":
            # A read still open on it (a streamed list the error broke off) keeps its old snapshot, and every
            # write on it is refused at once («database is locked») while it stays open: a fresh one waits its turn.
            conn.close()
            continue
        try:
            conn.close_if_unusable_or_obsolete()
        except DatabaseError:
            conn.close()


def backoff(retries: int) -> float:
    """5 s, 10 s, 20 s… up to 10 minutes, with jitter so that workers that met one outage do not
    all come back in the same second."""
    return min(600.0, 5.0 * 2**retries) * random.uniform(0.8, 1.2)


class Job(Task):
    """Base of every task here: a transient error is retried with exponential backoff (``max_retries``
    times, then it fails as it would have); any other error is the service's to record on its row."""

    max_retries = 6

    def __call__(self, *args, **kwargs):
        if self.redelivered_too_often():
            # Its runs kill their worker (a photo that exhausts memory, say): not again. The row stays
            # as it is; the sweeper queues it afresh a few times, then fails it with a reason.
            log.error(
                "%s[%s]: delivered again after its worker died, more than once; dropped", self.name, self.request.id
            )
            return None
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            if not is_transient(exc) or self.request.called_directly:
                raise
            drop_broken_connections()
            log.warning("%s[%s]: transient error, retry %s: %r", self.name, self.request.id, self.request.retries, exc)
            raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc

    def redelivered_too_often(self) -> bool:
        """A message given back after its worker died (reject on worker lost, Redis visibility
        timeout) is run again once: the crash may have been anything's (a deploy, the OOM killer
        choosing another process). The second time it is dropped, so that a job whose run kills the
        worker cannot make it die for ever. Counted per task id in the cache (a day)."""
        if not (self.request.delivery_info or {}).get("redelivered") or not self.request.id:
            return False
        from django.core.cache import cache

        key = f"job-redelivered:{self.request.id}"
        try:
            cache.add(key, 0, timeout=24 * 3600)
            return cache.incr(key) > 1
        except Exception:  # no cache: run it (the row's claim still keeps it from running twice at once)
            return False


# Tries to give a row back, and the pause before each further one (seconds): a lock held for a moment
# (SQLite's "database is locked", a PostgreSQL failover) must not leave the row claimed until the sweeper
# finds it past its kind's hard limit (an hour for an export), while its own retry finds it running.
RELEASE_PAUSES = (0.5, 1.0, 2.0, 4.0)


def release(claimed_rows, **back) -> None:
    """Give a claimed row back (``claimed_rows``: a queryset of the row as claimed) after a transient
    error, on a fresh connection if the error broke the old one, trying again for a few seconds; if the
    database is still away, the sweeper finds the row past its limit instead."""
    for pause in (*RELEASE_PAUSES, None):
        drop_broken_connections()
        try:
            claimed_rows.update(**back)
            return
        except DatabaseError as exc:
            if pause is None:
                log.warning("could not give back %s after a transient error: %r", claimed_rows.model.__name__, exc)
                return
            time.sleep(pause)


# --- the sweeper's rules ---------------------------------------------------------------------------

REQUEUED = "job_requeued"  # the audit entry of each re-queue (LogEntry action ACCESS, on the row)


def requeue_or_fail(
    row,
    *,
    kind: str,
    why: str,
    again_after: dt.datetime,
    requeue: Callable[[], bool],
    fail: Callable[[str], bool],
    office_id: int | None = None,
    declaration_id: int | None = None,
) -> str:
    """One stuck job found by a sweeper: queued again (audited on the row, logged), unless it was
    queued again after ``again_after`` already (its new message has not had its time yet: "waiting"),
    or ``JOB_MAX_ATTEMPTS`` re-queues did not help: then ``fail(reason)`` marks it failed with a
    reason a person reads, and the IT office is told (``core.signals.job_gave_up``).

    ``requeue()`` and ``fail()`` change the row only if it is still stuck as found (a conditional
    UPDATE) and return whether they did; the answer is "requeued", "failed", "waiting" or "moved"
    (the job moved on by itself meanwhile)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import Count, Max
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from core.audit import record_access
    from core.signals import job_gave_up
    from core.text import digits

    earlier = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(row)),
        object_pk=str(row.pk),
        action=LogEntry.Action.ACCESS,
        additional_data__access=REQUEUED,
    ).aggregate(n=Count("id"), last=Max("timestamp"))
    attempts = earlier["n"] or 0
    if earlier["last"] is not None and earlier["last"] >= again_after:
        return "waiting"
    if attempts >= settings.JOB_MAX_ATTEMPTS:
        with override(settings.LANGUAGE_CODE):
            # The count in the site's digits, as the message form writes it (its %(n)d stays: stored
            # messages name the msgid).
            template = _(STOPPED).replace("%(n)d", "%(n)s")
            reason = template % {"n": digits(attempts + 1), "why": why}
        # The same as a message (``notifications.messages``' JSON), for those who write it in their reader's language.
        reason_message = {
            "msgid": STOPPED,
            "params": {"n": {"number": attempts + 1}, "why": getattr(why, "message", str(why))},
        }
        with transaction.atomic():
            if not fail(reason):
                return "moved"
            record_access(None, row, "job_failed", kind=kind, attempts=attempts + 1, why=why)
        log.error("%s %s: gave up after %s attempts (%s)", kind, row.pk, attempts + 1, why)
        job_gave_up.send_robust(
            sender=type(row),
            instance=row,
            kind=kind,
            reason=reason,
            reason_message=reason_message,
            office_id=office_id,
            declaration_id=declaration_id,
        )
        return "failed"
    with transaction.atomic():
        if not requeue():
            return "moved"
        record_access(None, row, REQUEUED, kind=kind, attempt=attempts + 1, why=why)
    log.warning(
        "%s %s: queued again, attempt %s of %s (%s)", kind, row.pk, attempts + 1, settings.JOB_MAX_ATTEMPTS, why
    )
    return "requeued"


STOPPED = gettext_noop(
    "Stopped: the job was started %(n)d times and never finished (%(why)s). "
    "The IT office was told; ask them to look at the workers' log before trying again."
)


class Said(str):
    """A text in the site's language that also keeps itself as a message (``notifications.messages``'
    JSON form: ``{"msgid": …, "params": …}``), for a reader of another language."""

    message: dict


def stuck_since(state_label, at: dt.datetime) -> Said:
    """ "running since 1404/05/12 10:30" in the site's language: the ``why`` of ``requeue_or_fail``."""
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from core.dates import format_jalali

    with override(settings.LANGUAGE_CODE):
        at_text = format_jalali(at, persian=settings.LANGUAGE_CODE.startswith("fa"))
        said = Said(_("%(state)s since %(at)s") % {"state": str(state_label), "at": at_text})
    with override(None):
        state = str(state_label)  # its message id
    said.message = {
        "msgid": "%(state)s since %(at)s",
        "params": {"state": {"msgid": state}, "at": {"when": at.isoformat()}},
    }
    return said
