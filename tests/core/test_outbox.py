"""The outbox (core.jobs): a job is stored with the change that needs it, published after the commit,
kept while the broker does not answer and published by the sweeper once it does; without a broker
the task runs in the caller as before.

The broker here is real: Kombu's in-memory transport (a broker that takes every message, no worker
runs them) or a Redis address where nothing listens (a broker that is down)."""

import datetime as dt
import socket

import pytest
from django.db import transaction

from core import jobs
from core.models import OutboxJob
from transit_monitor.celery import app

pytestmark = pytest.mark.django_db

TASK = "anpr.tasks.match_reads"  # any registered task that takes an argument: nothing runs it here
OTHER = "scans.tasks.make_previews"
QUEUES = ("celery", "default", "recognition", "comparison", "reports")  # wherever the routes send them


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: connections are refused


@pytest.fixture
def broker():
    """Switch the broker the app publishes to (``"memory://"`` or a dead Redis); eager off."""
    saved = app.conf.CELERY_BROKER_URL, app.conf.broker_url
    app.conf.CELERY_TASK_ALWAYS_EAGER = False  # the autouse fixture puts it back
    jobs._broker_error, jobs._broker_down_until = None, 0.0

    def use(url: str) -> None:
        app.conf.CELERY_BROKER_URL = app.conf.broker_url = url
        app._after_fork()  # drop the pooled connections to the old one
        jobs._broker_error, jobs._broker_down_until = None, 0.0  # no memory of the old one's failures

    use("memory://")
    _in_memory_queue()  # the in-memory broker is the process's: drop what earlier tests left there
    yield use
    app.conf.CELERY_BROKER_URL, app.conf.broker_url = saved
    app._after_fork()


def _in_memory_queue() -> set[str]:
    """Task ids of the messages waiting in the in-memory broker (taken off it)."""
    ids = set()
    with app.connection_for_write() as conn:
        for name in QUEUES:
            queue = conn.SimpleQueue(name)
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                ids.add(message.headers["id"])
                message.ack()
            queue.close()
    return ids


def test_a_job_is_stored_in_the_transaction_and_published_after_the_commit(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            job = jobs.enqueue(TASK, [1])
            row = OutboxJob.objects.get()
            assert row.sent_at is None and str(row.task_id) == job.task_id and not job.inline
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 0
    assert _in_memory_queue() == {job.task_id}  # under the id known before it was sent


def test_a_job_with_arguments_its_task_does_not_take_is_refused_at_once(broker):
    with pytest.raises(TypeError):
        jobs.enqueue(TASK, [1], 2)
    assert not OutboxJob.objects.exists()


def test_a_change_rolled_back_leaves_no_job(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(TASK, [1])
        raise RuntimeError("the change failed")
    assert not OutboxJob.objects.exists()


def test_with_the_broker_down_the_job_waits_and_the_sweeper_sends_it_once_the_broker_is_back(
    broker, django_capture_on_commit_callbacks
):
    broker(f"redis://127.0.0.1:{_closed_port()}/0")
    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.enqueue(TASK, [1])
        second = jobs.enqueue(TASK, [2])  # the broker failed a moment ago: not tried again
    rows = list(OutboxJob.objects.order_by("id"))
    assert [r.sent_at for r in rows] == [None, None] and [r.attempts for r in rows] == [1, 1]
    assert "Connection refused" in rows[0].last_error or "Error" in rows[0].last_error
    assert jobs.job_state(first.task_id) == "PENDING"  # a page polling it says "queued"

    counts = jobs.outbox_sweep(now=rows[-1].next_attempt_at)  # still down: kept, backing off
    assert counts["sent"] == 0 and counts["failed"] == 2
    assert list(OutboxJob.objects.values_list("attempts", flat=True)) == [2, 2]
    later = OutboxJob.objects.get(pk=rows[0].pk).next_attempt_at
    assert (later - rows[-1].next_attempt_at).total_seconds() >= jobs.BACKOFF_FIRST * 2

    broker("memory://")
    assert jobs.outbox_sweep()["sent"] == 0  # backing off: the beat sweep leaves them for now
    assert jobs.outbox_sweep(broker_back=True)["sent"] == 2  # a worker has connected: sent at once
    assert _in_memory_queue() == {first.task_id, second.task_id}
    assert jobs.outbox_sweep(broker_back=True)["sent"] == 0  # each once


def test_the_sweeper_leaves_a_job_its_request_is_still_publishing(broker):
    jobs.enqueue(TASK, [1])  # this test's transaction never commits: its publish never runs
    assert jobs.outbox_sweep(broker_back=True)["sent"] == 0
    assert jobs.outbox_sweep(now=OutboxJob.objects.get().next_attempt_at)["sent"] == 1  # past the grace


def test_waiting_jobs_of_one_collapse_key_go_as_one_message_with_the_newest_arguments(broker):
    broker(f"redis://127.0.0.1:{_closed_port()}/0")
    for ids in ([1], [2], [3]):
        jobs.enqueue_collapsing("test:match", TASK, ids)
    jobs.enqueue(OTHER, 7)
    broker("memory://")
    counts = jobs.outbox_sweep(now=OutboxJob.objects.latest("id").next_attempt_at)
    assert counts == {"sent": 2, "collapsed": 2, "failed": 0, "pruned": 0}
    newest, other = OutboxJob.objects.get(args=[[3]]), OutboxJob.objects.get(task=OTHER)
    assert _in_memory_queue() == {str(newest.task_id), str(other.task_id)}
    assert not OutboxJob.objects.filter(sent_at__isnull=True).exists()


def test_an_unknown_task_backs_off_without_holding_back_the_others(broker):
    bad = OutboxJob.objects.create(task="core.tasks.no_such_task")
    good = OutboxJob.objects.create(task=TASK, args=[[1]])
    counts = jobs.outbox_sweep()
    assert counts["sent"] == 1 and counts["failed"] == 1
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.sent_at is None and bad.attempts == 1 and "no_such_task" in bad.last_error
    assert good.sent_at is not None


def test_without_a_broker_the_task_runs_in_the_caller_as_before(settings):
    ran = []
    task = jobs._task(TASK)
    original = task.run
    task.run = lambda read_ids: ran.append(read_ids) or {}
    try:
        job = jobs.enqueue(TASK, [5])
    finally:
        task.run = original
    assert job.inline and ran == [[5]] and not OutboxJob.objects.exists()


def test_an_operator_sees_what_waits_and_sends_it(broker):
    from io import StringIO

    from django.core.management import call_command

    OutboxJob.objects.create(task=TASK, args=[[1]], attempts=3, last_error="OperationalError: Connection refused")
    out = StringIO()
    call_command("outbox", stdout=out)
    assert f"{TASK}: 1 waiting since" in out.getvalue() and "3 tries" in out.getvalue()
    assert "Connection refused" in out.getvalue()
    call_command("outbox", "--send", stdout=out)
    assert "'sent': 1" in out.getvalue() and not OutboxJob.objects.filter(sent_at__isnull=True).exists()


def test_sent_jobs_are_deleted_after_an_hour_and_waiting_ones_never(broker):
    from django.utils import timezone

    now = timezone.now()
    old = OutboxJob.objects.create(task=TASK, args=[[1]], sent_at=now - jobs.KEEP_SENT - dt.timedelta(seconds=1))
    recent = OutboxJob.objects.create(task=TASK, args=[[2]], sent_at=now - dt.timedelta(minutes=5))
    waiting = OutboxJob.objects.create(
        task=TASK,
        args=[[3]],
        created_at=now - dt.timedelta(days=3),
        next_attempt_at=now + dt.timedelta(minutes=5),
        attempts=9,
    )
    assert jobs.outbox_sweep(now=now)["pruned"] == 1
    assert set(OutboxJob.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk} and old.pk
